//! Loading the configuration file and applying the command-line overrides to it.
//!
//! Overrides are written into the TOML document before the core checks it, so a value from a
//! flag is checked exactly like one from the file, and a file may leave out a key that a flag
//! supplies. The document is edited in place, so error line numbers match the file, except that
//! lines after an added key move down by one.

use std::path::Path;

use walkout_core::config::{BrandId, Config, ConfigError};

use crate::args::Args;
use crate::failure::Failure;

/// Reads the configuration named by `--config` or `WALKOUT_CONFIG`, with overrides applied.
pub fn load_config(args: &Args) -> Result<Config, Failure> {
    let Some(path) = args.config.as_deref() else {
        return Err(Failure::config(
            "no configuration file: pass --config FILE or set WALKOUT_CONFIG to a TOML file \
             with brand, backend_url, storage_dir and a [cognito] table",
        ));
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::config(format!(
            "cannot read configuration file {}: {error}",
            path.display()
        ))
    })?;
    let mut document: toml_edit::DocumentMut = text
        .parse()
        .map_err(|error| Failure::config(format!("{}: invalid TOML: {error}", path.display())))?;

    if let Some(brand) = &args.brand {
        BrandId::new(brand).map_err(|error| Failure::config(format!("{error} (from --brand)")))?;
        document["brand"] = toml_edit::value(brand.as_str());
    }
    if let Some(storage) = &args.storage {
        let Some(storage) = storage.to_str() else {
            return Err(Failure::config(
                "invalid --storage: expected a UTF-8 folder path",
            ));
        };
        document["storage_dir"] = toml_edit::value(storage);
    }

    Config::from_toml_str(&document.to_string()).map_err(|error| describe(error, path))
}

fn describe(error: ConfigError, path: &Path) -> Failure {
    let message = error.to_string();
    let hint = if message.contains("`storage_dir`") {
        "; add storage_dir to the file or pass --storage DIR"
    } else if message.contains("`brand`") {
        "; add brand to the file or pass --brand ID"
    } else {
        ""
    };
    Failure::config(format!("{}{hint}", error.in_file(path)))
}
