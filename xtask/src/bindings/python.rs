//! The Python side of the binding tests: the generated module and the library side by side
//! (the module loads the library from its own folder), then pytest or the benchmark script.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use super::generated_dir;
use crate::tools;

/// Copies `walkout_ffi.py` and `library` into `target/bindings-test/python/`; returns that
/// folder, which goes on PYTHONPATH.
pub fn prepare(root: &Path, library: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join("target").join("bindings-test").join("python");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let module = generated_dir(root, "python").join("walkout_ffi.py");
    copy(&module, &dir.join("walkout_ffi.py"))?;
    let file_name = library
        .file_name()
        .context("the library path has no file name")?;
    copy(library, &dir.join(file_name))?;
    Ok(dir)
}

fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Runs the pytest suite in `tests/python` with `env` set.
pub fn run_tests(
    python: &Path,
    root: &Path,
    module_dir: &Path,
    env: &[(&str, String)],
) -> anyhow::Result<()> {
    let mut command = Command::new(python);
    command
        .current_dir(root)
        // No cache folder: pytest would otherwise write one into the source tree.
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/python",
        ])
        .env("PYTHONPATH", module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for (name, value) in env {
        command.env(name, value);
    }
    tools::run(&mut command, "pytest tests/python")
}

/// Runs the call-overhead benchmark script.
pub fn run_bench(python: &Path, root: &Path, module_dir: &Path) -> anyhow::Result<()> {
    let mut command = Command::new(python);
    command
        .current_dir(root)
        .arg(root.join("tests").join("python").join("bench_calls.py"))
        .env("PYTHONPATH", module_dir)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    tools::run(&mut command, "python tests/python/bench_calls.py")
}
