//! The gate and ordering load scenarios on PostgreSQL, with one service instance and with three
//! instances on one database, each figure beside the SQLite figure of the same run.
//!
//! A throw-away cluster (see `crate::postgres`) serves every run on loopback. Each run gets a
//! fresh database, dropped after the run also when the run fails. The cluster is stopped and
//! removed when this part ends, however it ends. When the SQLite load part did not run in the
//! same `cargo xtask bench` (as with `--only postgres`), this part first measures the SQLite
//! reference itself, without the ceilings.

use std::path::Path;

use serde_json::{Value, json};

use super::BenchExecutable;
use crate::postgres::Cluster;

/// Service instances of each PostgreSQL run, in order.
pub const INSTANCE_COUNTS: [usize; 2] = [1, 3];

/// A figure that only the SQLite load part emits; its presence means the reference is there.
const REFERENCE_ID: &str = "gate.companion.closed";

/// Runs the SQLite reference unless `figures` has it already, then the PostgreSQL runs, and
/// appends their figures to `figures` as each run ends (so a failed run keeps the earlier
/// ones). PostgreSQL figures get the ids `postgres.<instances>.<SQLite id>`.
pub fn run(
    executable: &BenchExecutable,
    root: &Path,
    work_dir: &Path,
    quick: bool,
    figures: &mut Vec<Value>,
) -> anyhow::Result<()> {
    let has_reference = figures.iter().any(|record| record["id"] == REFERENCE_ID);
    if !has_reference {
        eprintln!("    no SQLite load figures in this run: measuring the SQLite reference first");
        let env = [("WALKOUT_BENCH_CEILINGS", "0".to_owned())];
        figures.extend(super::run_driver(
            executable,
            work_dir,
            quick,
            "jwo_load-sqlite-reference",
            &env,
        )?);
    }

    let cluster = Cluster::start(&root.join("target").join("test-services"))?;
    eprintln!("    PostgreSQL on {}", cluster.url);
    for count in INSTANCE_COUNTS {
        let found = run_on_fresh_database(&cluster, executable, work_dir, quick, count)?;
        figures.extend(found.into_iter().map(|record| label(record, count)));
    }
    Ok(())
}

/// Runs the load driver with `count` instances on a new database, and drops the database.
fn run_on_fresh_database(
    cluster: &Cluster,
    executable: &BenchExecutable,
    work_dir: &Path,
    quick: bool,
    count: usize,
) -> anyhow::Result<Vec<Value>> {
    let name = format!("walkout_bench_{count}");
    cluster.drop_database(&name)?;
    let url = cluster.create_database(&name)?;
    let env = [
        ("WALKOUT_BENCH_DATABASE_URL", url),
        ("WALKOUT_BENCH_INSTANCES", count.to_string()),
    ];
    let stem = format!("jwo_load-postgres-{count}");
    let result = super::run_driver(executable, work_dir, quick, &stem, &env);
    let dropped = cluster.drop_database(&name);
    let figures = result?;
    dropped?;
    Ok(figures)
}

/// Renames a figure of a PostgreSQL run so that it sits beside, not over, the SQLite figure.
fn label(mut record: Value, count: usize) -> Value {
    let id = record["id"].as_str().unwrap_or_default().to_owned();
    let name = record["name"].as_str().unwrap_or_default().to_owned();
    record["id"] = json!(format!("postgres.{count}.{id}"));
    record["name"] = json!(format!("{name} ({})", backend(count)));
    record["reference_id"] = json!(id);
    record["instances"] = json!(count);
    record["database"] = json!("PostgreSQL");
    record
}

/// Describes a PostgreSQL run for figure names: `PostgreSQL, 3 instances`.
pub fn backend(count: usize) -> String {
    if count == 1 {
        "PostgreSQL, 1 instance".to_owned()
    } else {
        format!("PostgreSQL, {count} instances")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_prefixes_id_and_keeps_reference() {
        let record = json!({"id": "gate.denied.closed", "name": "gate: denied scan, maximum"});

        let labelled = label(record, 3);

        assert_eq!(labelled["id"], "postgres.3.gate.denied.closed");
        assert_eq!(labelled["reference_id"], "gate.denied.closed");
        assert_eq!(
            labelled["name"],
            "gate: denied scan, maximum (PostgreSQL, 3 instances)"
        );
    }

    #[test]
    fn table_row_compares_with_sqlite() {
        let figures = vec![
            json!({"id": "gate.companion.closed", "value": 1000.0, "unit": "req/s", "p99_ms": 40.0, "errors": 0}),
            json!({"id": "postgres.3.gate.companion.closed", "value": 500.0, "unit": "req/s", "p99_ms": 80.0, "errors": 0}),
            json!({"id": "gate.denied.open.1000", "value": 999.0, "unit": "req/s", "p99_ms": 4.0, "errors": 0}),
            json!({"id": "postgres.1.gate.denied.open.1000", "value": 999.0, "unit": "req/s", "p99_ms": 6.0, "errors": 0}),
        ];

        let rows = super::super::table::rows_json(&figures);
        let row = |figure: &str| {
            rows.iter()
                .find(|row| row["figure"] == figure)
                .cloned()
                .unwrap_or_else(|| panic!("no row {figure:?} in {rows:?}"))
        };

        let closed = row("gate (PostgreSQL, 3 instances): companion scan, closed loop");
        assert_eq!(closed["ratio"], "0.50× SQLite");
        assert_eq!(closed["reference"], "1000 req/s, p99 40.00 ms");
        assert_eq!(closed["met"], false);
        let open = row("gate (PostgreSQL, 1 instance): denied scan at 1,000/s");
        assert_eq!(open["ratio"], "p99 1.50× SQLite's");
    }

    #[test]
    fn table_lists_every_instance_memory() {
        let figures = vec![
            json!({"id": "gate.peak_rss", "value": 80.0, "unit": "MiB"}),
            json!({"id": "postgres.3.gate.peak_rss", "value": 90.0, "unit": "MiB", "per_instance_mib": [90.0, 85.5, 70.0]}),
        ];

        let rows = super::super::table::rows_json(&figures);
        let memory = rows
            .iter()
            .find(|row| {
                row["figure"]
                    == "memory (PostgreSQL, 3 instances): peak RSS per instance after gate load"
            })
            .cloned()
            .unwrap_or_default();

        assert_eq!(memory["value"], "90.00 MiB (largest of 90.0, 85.5, 70.0)");
        assert_eq!(memory["ratio"], "1.12× SQLite");
    }

    #[test]
    fn backend_names_one_instance_in_singular() {
        assert_eq!(backend(1), "PostgreSQL, 1 instance");
    }
}
