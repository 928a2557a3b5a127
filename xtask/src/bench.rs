//! `cargo xtask bench`: every figure of the design's performance targets, each beside its
//! ceiling or peer, in one command.
//!
//! It builds the benchmarks in cargo's `bench` profile and runs each part as a stage: the
//! criterion micro-benchmarks of the core and the connectors, and the receipt sync through the
//! core. Then come the JWO load driver against the release service in its own process, the same
//! gate and ordering scenarios on PostgreSQL with one and with three service instances, and the
//! Python peers (segno rendering the same QR payload, pycognito computing the same SRP step). Raw results go to
//! `target/bench-results/<UTC timestamp>.json` and a table is printed at the end.
//!
//! Every load scenario is bounded in request count and time and sends traffic only to loopback
//! servers that the run starts itself. Figures from a busy machine are lower bounds: the JSON
//! records the load average before and after the run for that reason.

mod criterion;
mod peers;
mod postgres;
mod table;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::stage::{self, StageRecord};
use crate::{tools, workspace_root};

/// Parts of the run, in order; `--only` selects one.
const PARTS: &[(&str, &str)] = &[
    ("entry", "entry code derive + render (criterion)"),
    ("srp", "SRP PASSWORD_VERIFIER step (criterion)"),
    (
        "pricing",
        "20-line cart pricing with promotions (criterion)",
    ),
    ("receipts", "receipt page decode and apply (criterion)"),
    (
        "sync",
        "10,000-receipt sync and no-change sync through the core",
    ),
    ("load", "gate and ordering load on loopback, with ceilings"),
    (
        "postgres",
        "gate and ordering load on PostgreSQL, 1 and 3 instances",
    ),
    ("peers", "Python peers: segno render and pycognito SRP"),
];

struct Options {
    quick: bool,
    only: Option<String>,
}

fn parse(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        quick: false,
        only: None,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--only" => {
                let name = iter.next().context("--only needs a part name")?;
                if !PARTS.iter().any(|(part, _)| part == name) {
                    let names: Vec<&str> = PARTS.iter().map(|(part, _)| *part).collect();
                    bail!(
                        "unknown part {name:?} for --only; expected one of {}",
                        names.join(", ")
                    );
                }
                options.only = Some(name.clone());
            }
            other => {
                bail!("unknown option {other:?}; cargo xtask bench takes --quick and --only PART")
            }
        }
    }
    Ok(options)
}

impl Options {
    fn wants(&self, part: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == part)
    }
}

/// Runs the benchmarks that `args` select and writes the results file.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse(args)?;
    let root = workspace_root();
    let started = Instant::now();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let stamp = utc_stamp();
    let results_dir = root.join("target").join("bench-results");
    let work_dir = results_dir.join(format!("{stamp}-work"));
    std::fs::create_dir_all(&work_dir)
        .with_context(|| format!("cannot create {}", work_dir.display()))?;
    let load_before = load_average();
    let mut records: Vec<StageRecord> = Vec::new();
    let mut figures: Vec<Value> = Vec::new();

    let result = run_parts(&options, &root, &work_dir, &mut records, &mut figures);

    let duration = started.elapsed();
    let document = json!({
        "started_utc": stamp,
        "duration_secs": duration.as_secs_f64(),
        "quick": options.quick,
        "only": options.only,
        "machine": machine(&root, load_before),
        "target_dir": target_dir.display().to_string(),
        "figures": figures,
        "table": table::rows_json(&figures),
        "stages": records.iter().map(|r| json!({"name": r.name, "ok": r.ok, "secs": r.duration.as_secs_f64()})).collect::<Vec<_>>(),
    });
    let path = results_dir.join(format!("{stamp}.json"));
    let text = serde_json::to_string_pretty(&document).context("cannot serialize the results")?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;

    stage::print_summary(&records);
    table::print(&figures);
    println!("\nraw results: {}", path.display());
    println!("total: {}", stage::format_duration(duration));
    result
}

fn run_parts(
    options: &Options,
    root: &Path,
    work_dir: &Path,
    records: &mut Vec<StageRecord>,
    figures: &mut Vec<Value>,
) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let criterion_args: &[&str] = if options.quick {
        &["--warm-up-time", "1", "--measurement-time", "2"]
    } else {
        &["--warm-up-time", "2", "--measurement-time", "5"]
    };
    let benches: &[(&str, &str, &str)] = &[
        ("entry", "walkout-core", "entry_code"),
        ("srp", "walkout-core", "srp"),
        ("pricing", "walkout-connectors", "pricing"),
        ("receipts", "walkout-core", "receipt_page"),
        ("sync", "walkout-core", "receipt_sync"),
        ("load", "walkout-connectors", "jwo_load"),
    ];

    let wanted: Vec<&(&str, &str, &str)> = benches
        .iter()
        .filter(|(part, _, _)| options.wants(part))
        .collect();
    // The PostgreSQL part runs the load driver too.
    let to_build: Vec<&(&str, &str, &str)> = benches
        .iter()
        .filter(|(part, _, _)| {
            options.wants(part) || (*part == "load" && options.wants("postgres"))
        })
        .collect();
    let executables = stage::run(records, "build the benchmarks (bench profile)", || {
        build_benches(&cargo, root, &to_build)
    })?;

    for (part, _, bench) in wanted {
        let description = PARTS
            .iter()
            .find(|(name, _)| name == part)
            .map_or(*part, |(_, text)| *text);
        let executable = executables
            .iter()
            .find(|built| built.name == *bench)
            .with_context(|| format!("cargo built no executable for the bench {bench}"))?;
        let found = stage::run(records, description, || {
            if matches!(*part, "sync" | "load") {
                run_driver(executable, work_dir, options.quick, bench, &[])
            } else {
                criterion::run(executable, work_dir, criterion_args)
            }
        })?;
        figures.extend(found);
    }

    if options.wants("postgres") {
        let executable = executables
            .iter()
            .find(|built| built.name == "jwo_load")
            .context("cargo built no executable for the bench jwo_load")?;
        let description = "gate and ordering load on PostgreSQL, 1 and 3 instances";
        stage::run(records, description, || {
            postgres::run(executable, root, work_dir, options.quick, figures)
        })?;
    }

    if options.wants("peers") {
        let found = stage::run(
            records,
            "Python peers: segno render and pycognito SRP",
            || peers::run(root, options.quick),
        )?;
        figures.extend(found);
    }
    Ok(())
}

/// A bench executable that cargo built, and the package folder to run it in (cargo runs
/// benchmarks there, and the benchmarks find their data files relative to it).
pub struct BenchExecutable {
    pub name: String,
    pub path: PathBuf,
    pub package_dir: PathBuf,
}

/// Builds the `benches` in one cargo invocation and returns their executables.
///
/// The benchmarks then run from those paths. A later `cargo bench -p <one package>` would
/// resolve features for that package alone and rebuild much of the workspace.
fn build_benches(
    cargo: &str,
    root: &Path,
    benches: &[&(&str, &str, &str)],
) -> anyhow::Result<Vec<BenchExecutable>> {
    if benches.is_empty() {
        return Ok(Vec::new());
    }
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args([
            "bench",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(std::process::Stdio::inherit());
    for (_, package, bench) in benches {
        command.args(["-p", package, "--bench", bench]);
    }
    let output = command
        .output()
        .context("cannot start cargo bench --no-run")?;
    if !output.status.success() {
        bail!("cargo bench --no-run failed ({})", output.status);
    }
    let mut built = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let is_bench = message["target"]["kind"]
            .as_array()
            .is_some_and(|kinds| kinds.iter().any(|kind| kind == "bench"));
        let (Some(name), Some(path), Some(manifest)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
            message["manifest_path"].as_str(),
        ) else {
            continue;
        };
        if is_bench {
            built.push(BenchExecutable {
                name: name.to_owned(),
                path: PathBuf::from(path),
                package_dir: Path::new(manifest).parent().unwrap_or(root).to_path_buf(),
            });
        }
    }
    Ok(built)
}

/// Runs a benchmark with its own `main`, which appends JSON lines to `WALKOUT_BENCH_OUT`
/// (`<work_dir>/<out_stem>.jsonl`), with the extra environment variables `env`.
fn run_driver(
    executable: &BenchExecutable,
    work_dir: &Path,
    quick: bool,
    out_stem: &str,
    env: &[(&str, String)],
) -> anyhow::Result<Vec<Value>> {
    let bench = &executable.name;
    let out = work_dir.join(format!("{out_stem}.jsonl"));
    let _ = std::fs::remove_file(&out);
    let mut command = Command::new(&executable.path);
    command
        .current_dir(&executable.package_dir)
        .env("WALKOUT_BENCH_OUT", &out)
        .envs(env.iter().map(|(name, value)| (name, value)));
    if quick {
        command.env("WALKOUT_BENCH_QUICK", "1");
    }
    tools::run(&mut command, &format!("the {bench} benchmark"))?;
    let text = std::fs::read_to_string(&out)
        .with_context(|| format!("{bench} wrote no results to {}", out.display()))?;
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut record: Value = serde_json::from_str(line)
                .with_context(|| format!("invalid result line from {bench}: {line}"))?;
            record["source"] = json!(bench);
            if record.get("id").is_none() {
                record["id"] = record["name"].clone();
            }
            Ok(record)
        })
        .collect()
}

/// Formats the time now as `YYYYMMDDTHHMMSSZ`, which sorts and is safe in a file name.
fn utc_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Reads the 1-, 5- and 15-minute load averages; `None` off Linux.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Describes what the figures depend on: cores, CPU model, memory, rustc, commit and load.
fn machine(root: &Path, load_before: Option<String>) -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split(':').nth(1))
        .map(|name| name.trim().to_owned());
    let memory_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| text.lines().next().map(str::to_owned))
        .and_then(|line| {
            line.split_whitespace()
                .nth(1)
                .and_then(|kib| kib.parse::<u64>().ok())
        });
    json!({
        "cores": std::thread::available_parallelism().map(|n| n.get()).ok(),
        "cpu_model": model,
        "memory_gib": memory_kib.map(|kib| kib as f64 / 1024.0 / 1024.0),
        "rustc": command_line(root, "rustc", &["--version"]),
        "commit": command_line(root, "git", &["rev-parse", "--short", "HEAD"]),
        "load_average_before": load_before,
        "load_average_after": load_average(),
    })
}

fn command_line(root: &Path, program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program)
        .current_dir(root)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}
