//! Python peers of two on-device figures, run in their own virtual environment: segno
//! rendering the same entry-code payload to PNG, and pycognito computing the same SRP
//! `PASSWORD_VERIFIER` step. Their scripts live in `tests/python_bench/`.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::tools;

/// Packages of the peers' environment, pinned. pycognito matches the version the SRP
/// cross-check test uses.
pub const BENCH_PYTHON_PACKAGES: &[&str] = &["segno==1.6.6", "pycognito==2024.5.1"];

/// Runs both peers and returns their figures (median microseconds per operation).
pub fn run(root: &Path, quick: bool) -> anyhow::Result<Vec<Value>> {
    let python = tools::python_venv(BENCH_PYTHON_PACKAGES)?;
    let scripts = root.join("tests").join("python_bench");
    let (render_runs, srp_runs) = if quick {
        ("500", "50")
    } else {
        ("3000", "300")
    };

    let render = run_script(&python, &scripts.join("render_peer.py"), render_runs)?;
    let srp = run_script(&python, &scripts.join("srp_peer.py"), srp_runs)?;
    Ok(vec![
        json!({
            "id": "peer.segno.render", "name": "segno: derive + render PNG (Python)",
            "source": "render_peer.py", "value": render["median_us"], "unit": "µs",
            "runs": render["runs"], "payload": render["payload"], "version": render["segno"],
        }),
        json!({
            "id": "peer.pycognito.srp", "name": "pycognito: PASSWORD_VERIFIER response (Python)",
            "source": "srp_peer.py", "value": srp["median_us"], "unit": "µs",
            "runs": srp["runs"], "signature": srp["signature"],
        }),
    ])
}

fn run_script(python: &Path, script: &Path, runs: &str) -> anyhow::Result<Value> {
    let output = Command::new(python)
        .arg(script)
        .arg(runs)
        .output()
        .with_context(|| format!("cannot start {}", script.display()))?;
    if !output.status.success() {
        bail!(
            "{} failed ({}): {}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line)
        .with_context(|| format!("{} printed {line:?}, not a JSON object", script.display()))
}
