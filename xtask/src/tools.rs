//! Tools the tests and the demo need that are not Rust crates, installed on first use and cached
//! under `~/.cache/walkout/` (or `$WALKOUT_CACHE_DIR`), keyed by their version list, so a fresh
//! clone reuses them and a changed list installs afresh beside the old one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

/// Python packages for the tests and the demo: independent QR decoding (zxing-cpp reads PNGs
/// through Pillow), the independent Cognito SRP client used only to cross-check ours, and moto,
/// whose server mode stands in for the Cognito user pool, and pytest, which runs the tests of
/// the Python bindings.
pub const PYTHON_PACKAGES: &[&str] = &[
    "zxing-cpp==3.1.1",
    "pillow==13.0.0",
    "pycognito==2024.5.1",
    "moto[server,cognitoidp]==5.2.6",
    "pytest==9.2.0",
];

/// The cache folder for installed tools.
pub fn cache_root() -> anyhow::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("WALKOUT_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("walkout"));
    }
    let home = std::env::var_os("HOME")
        .context("HOME is not set; set WALKOUT_CACHE_DIR to a folder for cached tools")?;
    Ok(PathBuf::from(home).join(".cache").join("walkout"))
}

/// A short, stable fingerprint of a list of pinned versions (FNV-1a, 64 bits). The standard
/// library's hasher is not stable across Rust releases, so it cannot name a cache folder.
pub fn fingerprint(items: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for item in items {
        for byte in item.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Returns the Python interpreter of a virtual environment holding `packages`, creating it when
/// missing. A folder without its completion marker (an install that was interrupted) is removed
/// and made again.
pub fn python_venv(packages: &[&str]) -> anyhow::Result<PathBuf> {
    let dir = cache_root()?.join(format!("python-{}", fingerprint(packages)));
    let python = dir.join("bin").join("python");
    let marker = dir.join(".walkout-complete");
    if marker.exists() && python.exists() {
        return Ok(python);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| {
            format!("cannot remove the incomplete environment {}", dir.display())
        })?;
    }
    std::fs::create_dir_all(dir.parent().unwrap_or(Path::new(".")))
        .context("cannot create the cache folder")?;

    eprintln!("    creating a Python environment in {}", dir.display());
    let host_python = find_host_python()?;
    run(
        Command::new(&host_python).args(["-m", "venv"]).arg(&dir),
        "python3 -m venv",
    )?;

    eprintln!("    installing {}", packages.join(" "));
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
    ]);
    pip.args(packages);
    run(&mut pip, "pip install")?;

    std::fs::write(&marker, packages.join("\n")).context("cannot write the completion marker")?;
    Ok(python)
}

fn find_host_python() -> anyhow::Result<PathBuf> {
    for candidate in ["python3", "python"] {
        let found = Command::new(candidate).arg("--version").output();
        if matches!(found, Ok(ref output) if output.status.success()) {
            return Ok(PathBuf::from(candidate));
        }
    }
    bail!(
        "no python3 found on PATH; install Python 3.9 or newer (Debian: apt-get install python3 python3-venv)"
    )
}

/// Runs a command to completion, failing with its name and exit status.
pub fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let status = command
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_order_sensitive() {
        assert_eq!(fingerprint(&["a==1"]), fingerprint(&["a==1"]));
        assert_ne!(
            fingerprint(&["a==1", "b==2"]),
            fingerprint(&["b==2", "a==1"])
        );
        assert_ne!(fingerprint(&["ab"]), fingerprint(&["a", "b"]));
    }
}
