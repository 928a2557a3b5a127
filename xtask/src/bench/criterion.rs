//! Criterion benchmarks: run one bench target and read the median of each benchmark from the
//! files criterion writes (`<id>/new/benchmark.json` and `estimates.json` under
//! `CRITERION_HOME`), so no console output is parsed.

use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde_json::{Value, json};

use super::BenchExecutable;
use crate::tools;

/// Runs the criterion bench `executable` with `args` and returns one figure per benchmark,
/// its value the median time per iteration in microseconds.
pub fn run(
    executable: &BenchExecutable,
    work_dir: &Path,
    args: &[&str],
) -> anyhow::Result<Vec<Value>> {
    let bench = &executable.name;
    let home = work_dir.join(format!("criterion-{bench}"));
    let _ = std::fs::remove_dir_all(&home);
    tools::run(
        Command::new(&executable.path)
            .current_dir(&executable.package_dir)
            .arg("--bench")
            .args(args)
            .env("CRITERION_HOME", &home),
        &format!("the {bench} benchmark"),
    )?;
    read_results(&home, bench)
}

fn read_results(home: &Path, bench: &str) -> anyhow::Result<Vec<Value>> {
    let mut figures = Vec::new();
    let entries = std::fs::read_dir(home)
        .with_context(|| format!("criterion wrote no results under {}", home.display()))?;
    for entry in entries {
        let folder = entry?.path().join("new");
        let (Ok(benchmark), Ok(estimates)) = (
            read_json(&folder.join("benchmark.json")),
            read_json(&folder.join("estimates.json")),
        ) else {
            continue;
        };
        let id = benchmark["full_id"].as_str().unwrap_or("").to_owned();
        let median_ns = estimates["median"]["point_estimate"].as_f64();
        let low_ns = estimates["median"]["confidence_interval"]["lower_bound"].as_f64();
        let high_ns = estimates["median"]["confidence_interval"]["upper_bound"].as_f64();
        let micros = |ns: Option<f64>| ns.map(|ns| ns / 1000.0);
        figures.push(json!({
            "id": id, "name": id, "source": bench,
            "value": micros(median_ns), "unit": "µs",
            "median_ci_us": [micros(low_ns), micros(high_ns)],
            "mean_us": micros(estimates["mean"]["point_estimate"].as_f64()),
        }));
    }
    figures.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    if figures.is_empty() {
        anyhow::bail!("no criterion results found under {}", home.display());
    }
    Ok(figures)
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("invalid JSON in {}", path.display()))
}
