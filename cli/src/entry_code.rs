//! The entry commands: `enroll` and `code`.
//!
//! `code` renews the credential first when it can (within the renewal window, or expired and
//! online), then derives the code from the stored credential, so it also works offline. It
//! prints the code text on stdout, the output a gate scanner would read, and can write the QR
//! symbol to PNG or SVG files or draw it in the terminal.

use std::path::Path;

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::config::Config;
use walkout_core::entry::TerminalBackground;

use crate::args::{Args, CodeArgs};
use crate::failure::Failure;
use crate::secret_choice;

fn open_core(args: &Args, config: Config) -> Result<Walkout, Failure> {
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    Ok(Walkout::new(config, chosen.store)?)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes).map_err(|error| {
        Failure::runtime("io", format!("cannot write {}: {error}", path.display()))
    })
}

pub fn enroll(args: &Args, config: Config) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    let info = core.enroll_device()?;
    let value = json!({ "credential": serde_json::to_value(&info).unwrap_or(Value::Null) });
    let text = format!(
        "Enrolled entry credential {} (codes rotate every {} s; valid until Unix time {}).\n",
        info.credential_id, info.period_secs, info.expires_at_unix
    );
    Ok((value, text))
}

pub fn code(args: &Args, config: Config, code_args: &CodeArgs) -> Result<(Value, String), Failure> {
    let core = open_core(args, config)?;
    let info = core.ensure_entry_credential()?;
    let code = core.entry_code()?;

    if let Some(path) = &code_args.png {
        write_file(path, &core.entry_code_png(code_args.pixels_per_module)?)?;
    }
    if let Some(path) = &code_args.svg {
        write_file(
            path,
            core.entry_code_svg(code_args.pixels_per_module)?.as_bytes(),
        )?;
    }

    let value = json!({
        "text": code.text,
        "step": code.step,
        "seconds_until_rotation": code.seconds_until_rotation,
        "credential_id": info.credential_id,
        "expires_at_unix": info.expires_at_unix,
        "png": code_args.png.as_ref().map(|p| p.display().to_string()),
        "svg": code_args.svg.as_ref().map(|p| p.display().to_string()),
    });
    let mut text = String::new();
    if code_args.terminal {
        let background = if code_args.light_background {
            TerminalBackground::Light
        } else {
            TerminalBackground::Dark
        };
        text.push_str(&core.entry_code_terminal(background)?);
    }
    text.push_str(&format!(
        "{}\nrotates in {} s\n",
        code.text, code.seconds_until_rotation
    ));
    Ok((value, text))
}
