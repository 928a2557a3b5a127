//! Receipt sync through the core, end to end on loopback: 10,000 receipts from a feed server
//! into an empty app store (20 pages of 500), then a sync that finds no change, and the peak
//! resident memory of this process (`VmHWM`), which contains the core and the feed server.
//!
//! The feed server runs on its own thread and runtime in this process and serves every page
//! from memory, so the figure is the core's own cost plus loopback HTTP. Run with
//! `cargo bench -p walkout-core --bench receipt_sync`; with `WALKOUT_BENCH_OUT` set to a file
//! path, each figure is also appended there as one JSON line.

#[path = "../tests/receipts_support/mod.rs"]
#[allow(unused_imports)]
mod receipts_support;

use std::io::Write as _;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use receipts_support::{backend_with, start_backend, walkout};

const RECEIPTS: u32 = 10_000;
/// No-change syncs timed after the full one; the median is reported.
const NO_CHANGE_RUNS: usize = 21;

fn main() {
    let backend = backend_with(RECEIPTS);
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("temporary folder");
    let core = walkout(&url, storage.path());

    let started = Instant::now();
    let report = core.sync_receipts().expect("full sync succeeds");
    let full = started.elapsed();
    assert_eq!(report.applied, u64::from(RECEIPTS), "receipts applied");
    emit(json!({
        "name": "receipt sync: 10,000 receipts into an empty store",
        "value": millis(full), "unit": "ms", "pages": report.pages,
    }));

    let mut no_change: Vec<Duration> = (0..NO_CHANGE_RUNS)
        .map(|_| {
            let started = Instant::now();
            let report = core.sync_receipts().expect("no-change sync succeeds");
            assert_eq!(report.applied, 0, "a no-change sync applies nothing");
            started.elapsed()
        })
        .collect();
    no_change.sort();
    emit(json!({
        "name": "receipt sync: no change",
        "value": millis(no_change[NO_CHANGE_RUNS / 2]), "unit": "ms",
        "runs": NO_CHANGE_RUNS, "max_ms": millis(no_change[NO_CHANGE_RUNS - 1]),
    }));

    if let Some(kib) = peak_rss_kib("self") {
        emit(json!({
            "name": "receipt sync: peak RSS of the core process",
            "value": kib as f64 / 1024.0, "unit": "MiB",
        }));
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Reads `VmHWM` (peak resident set size, KiB) of `/proc/<pid>/status`; `None` off Linux.
fn peak_rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Prints a figure and appends it to the file that `WALKOUT_BENCH_OUT` names, if set.
fn emit(record: Value) {
    println!(
        "{:<52} {:>10.2} {}",
        record["name"].as_str().unwrap_or(""),
        record["value"].as_f64().unwrap_or(f64::NAN),
        record["unit"].as_str().unwrap_or("")
    );
    let Some(path) = std::env::var_os("WALKOUT_BENCH_OUT") else {
        return;
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("results file opens");
    writeln!(file, "{record}").expect("results file is writable");
}
