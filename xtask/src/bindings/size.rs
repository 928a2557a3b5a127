//! The size check of the library that ships inside the apps: built with the `release-mobile`
//! profile (opt-level "s", fat LTO, one codegen unit, stripped) and compared with 8 MB.
//!
//! A first fat-LTO build took 7 minutes on a 2-core machine that was also running other
//! builds, so `cargo xtask test` runs the check only under CI (`CI=true`) or when
//! `WALKOUT_SIZE_CHECK=1` is set.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use super::library_path;
use crate::stage::{self, StageRecord};
use crate::tools;

/// The largest accepted stripped library, in bytes (8 MB, decimal).
const MAX_LIBRARY_BYTES: u64 = 8_000_000;

/// Builds the host library with the `release-mobile` profile; returns its path.
pub fn build_mobile_library(cargo: &str, root: &Path) -> anyhow::Result<PathBuf> {
    tools::run(
        Command::new(cargo).current_dir(root).args([
            "build",
            "--quiet",
            "-p",
            "walkout-ffi",
            "--lib",
            // Leaves out uniffi's code generator, which only `uniffi-bindgen` uses.
            "--no-default-features",
            "--profile",
            "release-mobile",
        ]),
        "cargo build --profile release-mobile",
    )?;
    Ok(library_path(root, "release-mobile"))
}

/// Returns the size of `library` in bytes, printing it.
pub fn library_size(library: &Path) -> anyhow::Result<u64> {
    let bytes = std::fs::metadata(library)
        .with_context(|| format!("cannot read the size of {}", library.display()))?
        .len();
    eprintln!("    {}: {bytes} bytes", library.display());
    Ok(bytes)
}

/// Runs the `cargo xtask test` stage that fails when the mobile library exceeds 8 MB, under
/// CI or with `WALKOUT_SIZE_CHECK=1`; elsewhere it prints that it was skipped.
pub fn size_stage(records: &mut Vec<StageRecord>, cargo: &str, root: &Path) -> anyhow::Result<()> {
    let enabled = std::env::var("CI").as_deref() == Ok("true")
        || std::env::var("WALKOUT_SIZE_CHECK").as_deref() == Ok("1");
    if !enabled {
        eprintln!(
            "==> release-mobile library size: skipped, because its LTO build is slow; \
             set WALKOUT_SIZE_CHECK=1 to run it"
        );
        return Ok(());
    }
    stage::run(
        records,
        "release-mobile library size (8 MB at most)",
        || {
            let library = build_mobile_library(cargo, root)?;
            let bytes = library_size(&library)?;
            if bytes > MAX_LIBRARY_BYTES {
                bail!(
                    "{} is {bytes} bytes, more than the {MAX_LIBRARY_BYTES} allowed; \
                 find what grew with `cargo bloat` or by comparing dependency lists",
                    library.display()
                );
            }
            Ok(())
        },
    )
}
