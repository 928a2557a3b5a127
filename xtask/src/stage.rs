//! Stages: one line of progress each, with its duration.

use std::time::{Duration, Instant};

/// The outcome of one finished stage, for summaries and `--json` output.
#[derive(Debug, Clone)]
pub struct StageRecord {
    pub name: String,
    pub ok: bool,
    pub duration: Duration,
}

/// Runs `body` as a named stage: prints its name, then `ok` or `FAILED` with the duration.
pub fn run<T>(
    records: &mut Vec<StageRecord>,
    name: &str,
    body: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let result = body();
    let duration = started.elapsed();
    let ok = result.is_ok();
    let verdict = if ok { "ok" } else { "FAILED" };
    eprintln!("<== {name}: {verdict} in {}", format_duration(duration));
    records.push(StageRecord {
        name: name.to_owned(),
        ok,
        duration,
    });
    result.map_err(|error| error.context(format!("stage {name:?} failed")))
}

pub fn format_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!(
            "{}m {:02}s",
            duration.as_secs() / 60,
            duration.as_secs() % 60
        )
    }
}

/// Prints every stage with its duration, and the total.
pub fn print_summary(records: &[StageRecord]) {
    eprintln!("\nstages:");
    let mut total = Duration::ZERO;
    for record in records {
        total += record.duration;
        let verdict = if record.ok { "ok" } else { "FAILED" };
        eprintln!(
            "  {:<64} {:>8}  {verdict}",
            record.name,
            format_duration(record.duration)
        );
    }
    eprintln!("  {:<64} {:>8}", "total", format_duration(total));
}
