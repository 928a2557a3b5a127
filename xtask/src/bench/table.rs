//! The summary table: each figure of the design's targets with its value, the target and
//! whether it is met, and its ceiling or peer with the ratio between them.

use serde_json::{Value, json};

/// The comparison between a figure and its reference.
#[derive(Clone, Copy)]
enum Relation {
    /// Both are times per operation: the peer's time divided by ours (above 1: ours is faster).
    PeerTimeOverOurs,
    /// Both are throughputs: ours divided by the ceiling's (at most about 1).
    ShareOfCeiling,
    /// Both have a p99 latency: ours divided by the ceiling's.
    P99OverCeiling,
    /// A PostgreSQL figure over the same SQLite figure (throughput or memory).
    ValueOverSqlite,
    /// A PostgreSQL figure's p99 over the same SQLite figure's p99.
    P99OverSqlite,
}

/// A target that a figure meets or misses.
struct Target {
    text: &'static str,
    met: fn(&Value) -> bool,
}

struct Row {
    figure: String,
    id: String,
    target: Option<Target>,
    reference: Option<(String, Relation)>,
}

fn value(record: &Value) -> f64 {
    record["value"].as_f64().unwrap_or(f64::NAN)
}

fn p99(record: &Value) -> f64 {
    record["p99_ms"].as_f64().unwrap_or(f64::NAN)
}

/// The gate target: at least 5,000 requests/s with p99 at most 5 ms, and a response to every
/// request. An open-loop run at 5,000/s that keeps up meets the rate.
fn gate_target_met(record: &Value) -> bool {
    value(record) >= 4_950.0 && p99(record) <= 5.0 && record["errors"].as_u64() == Some(0)
}

/// Checks the ordering target: at least 1,000 carts/s with p99 at most 20 ms, and no request
/// lost.
fn ordering_target_met(record: &Value) -> bool {
    value(record) >= 1_000.0 && p99(record) <= 20.0 && record["errors"].as_u64() == Some(0)
}

fn row_specs() -> Vec<Row> {
    let gate = || {
        Some(Target {
            text: "≥ 5,000 req/s, p99 ≤ 5 ms",
            met: gate_target_met,
        })
    };
    let ceiling_closed = || Some(("gate.ceiling.closed".into(), Relation::ShareOfCeiling));
    let ceiling_open = || Some(("gate.ceiling.open.5000".into(), Relation::P99OverCeiling));
    let mut rows = vec![
        Row {
            figure: "entry code: derive + render PNG (median)".into(),
            id: "entry code: derive + render PNG (8 px/module)".into(),
            target: Some(Target {
                text: "≤ 1,000 µs",
                met: |r| value(r) <= 1_000.0,
            }),
            reference: Some(("peer.segno.render".into(), Relation::PeerTimeOverOurs)),
        },
        Row {
            figure: "SRP: PASSWORD_VERIFIER response (median)".into(),
            id: "srp: PASSWORD_VERIFIER response".into(),
            target: None,
            reference: Some(("peer.pycognito.srp".into(), Relation::PeerTimeOverOurs)),
        },
        Row {
            figure: "pricing: 20-line cart with promotions (median)".into(),
            id: "pricing: 20-line cart with promotions".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "receipts: decode a 500-change page (median)".into(),
            id: "receipts: decode a 500-change page".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "receipts: apply a 500-change page (median)".into(),
            id: "receipts: apply a 500-change page".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "gate: first scan with hold, closed loop".into(),
            id: "gate.first.closed".into(),
            target: gate(),
            reference: ceiling_closed(),
        },
        Row {
            figure: "gate: companion scan at 1,000/s".into(),
            id: "gate.companion.open.1000".into(),
            target: None,
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: companion scan at 2,000/s".into(),
            id: "gate.companion.open.2000".into(),
            target: None,
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: companion scan at 5,000/s".into(),
            id: "gate.companion.open.5000".into(),
            target: gate(),
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: companion scan, closed loop".into(),
            id: "gate.companion.closed".into(),
            target: gate(),
            reference: ceiling_closed(),
        },
        Row {
            figure: "gate: denied scan at 1,000/s".into(),
            id: "gate.denied.open.1000".into(),
            target: None,
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: denied scan at 2,000/s".into(),
            id: "gate.denied.open.2000".into(),
            target: None,
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: denied scan at 5,000/s".into(),
            id: "gate.denied.open.5000".into(),
            target: gate(),
            reference: ceiling_open(),
        },
        Row {
            figure: "gate: denied scan, closed loop".into(),
            id: "gate.denied.closed".into(),
            target: gate(),
            reference: ceiling_closed(),
        },
        Row {
            figure: "gate ceiling: empty handler at 5,000/s".into(),
            id: "gate.ceiling.open.5000".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "gate ceiling: empty handler, closed loop".into(),
            id: "gate.ceiling.closed".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "ordering: 20-line cart to 201, closed loop".into(),
            id: "ordering.closed".into(),
            target: Some(Target {
                text: "≥ 1,000 carts/s, p99 ≤ 20 ms",
                met: ordering_target_met,
            }),
            reference: Some(("ordering.ceiling".into(), Relation::ShareOfCeiling)),
        },
        Row {
            figure: "ordering ceiling: raw SQLite rows per cart".into(),
            id: "ordering.ceiling".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "receipt sync: 10,000 receipts, empty store".into(),
            id: "receipt sync: 10,000 receipts into an empty store".into(),
            target: Some(Target {
                text: "≤ 2,000 ms",
                met: |r| value(r) <= 2_000.0,
            }),
            reference: None,
        },
        Row {
            figure: "receipt sync: no change (median)".into(),
            id: "receipt sync: no change".into(),
            target: Some(Target {
                text: "≤ 5 ms",
                met: |r| value(r) <= 5.0,
            }),
            reference: None,
        },
        Row {
            figure: "memory: service peak RSS after gate load".into(),
            id: "gate.peak_rss".into(),
            target: None,
            reference: None,
        },
        Row {
            figure: "memory: core peak RSS in the 10,000 sync".into(),
            id: "receipt sync: peak RSS of the core process".into(),
            target: None,
            reference: None,
        },
    ];
    rows.extend(postgres_rows());
    rows
}

/// The gate and ordering scenarios that the PostgreSQL part repeats: the SQLite id, the text
/// after the figure's prefix, and how the figure compares with SQLite's.
const POSTGRES_SCENARIOS: [(&str, &str, Relation); 11] = [
    (
        "gate.first.closed",
        "first scan with hold, closed loop",
        Relation::ValueOverSqlite,
    ),
    (
        "gate.companion.open.1000",
        "companion scan at 1,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.companion.open.2000",
        "companion scan at 2,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.companion.open.5000",
        "companion scan at 5,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.companion.closed",
        "companion scan, closed loop",
        Relation::ValueOverSqlite,
    ),
    (
        "gate.denied.open.1000",
        "denied scan at 1,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.denied.open.2000",
        "denied scan at 2,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.denied.open.5000",
        "denied scan at 5,000/s",
        Relation::P99OverSqlite,
    ),
    (
        "gate.denied.closed",
        "denied scan, closed loop",
        Relation::ValueOverSqlite,
    ),
    (
        "ordering.closed",
        "20-line cart to 201, closed loop",
        Relation::ValueOverSqlite,
    ),
    (
        "gate.peak_rss",
        "peak RSS per instance after gate load",
        Relation::ValueOverSqlite,
    ),
];

/// Rows of the PostgreSQL runs, each beside the same SQLite figure, for each instance count.
fn postgres_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for count in super::postgres::INSTANCE_COUNTS {
        let backend = super::postgres::backend(count);
        for (id, text, relation) in POSTGRES_SCENARIOS {
            let area = match id.split('.').next() {
                Some("ordering") => "ordering",
                _ if id == "gate.peak_rss" => "memory",
                _ => "gate",
            };
            rows.push(Row {
                figure: format!("{area} ({backend}): {text}"),
                id: format!("postgres.{count}.{id}"),
                target: target_of(id),
                reference: Some((id.to_owned(), relation)),
            });
        }
    }
    rows
}

/// Returns the design's target of a load figure, the same on every database.
fn target_of(id: &str) -> Option<Target> {
    match id {
        "gate.first.closed"
        | "gate.companion.open.5000"
        | "gate.companion.closed"
        | "gate.denied.open.5000"
        | "gate.denied.closed" => Some(Target {
            text: "≥ 5,000 req/s, p99 ≤ 5 ms",
            met: gate_target_met,
        }),
        "ordering.closed" => Some(Target {
            text: "≥ 1,000 carts/s, p99 ≤ 20 ms",
            met: ordering_target_met,
        }),
        _ => None,
    }
}

fn find<'a>(figures: &'a [Value], id: &str) -> Option<&'a Value> {
    figures
        .iter()
        .find(|record| record["id"].as_str() == Some(id))
}

fn format_value(record: &Value) -> String {
    let unit = record["unit"].as_str().unwrap_or("");
    let number = value(record);
    let main = if number >= 100.0 {
        format!("{number:.0} {unit}")
    } else {
        format!("{number:.2} {unit}")
    };
    let per_instance: Vec<String> = record["per_instance_mib"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(Value::as_f64)
                .map(|mib| format!("{mib:.1}"))
                .collect()
        })
        .unwrap_or_default();
    match record["p99_ms"].as_f64() {
        Some(p99) => format!("{main}, p99 {p99:.2} ms"),
        None if per_instance.len() > 1 => {
            format!("{main} (largest of {})", per_instance.join(", "))
        }
        None => main,
    }
}

fn format_ratio(ours: &Value, reference: &Value, relation: Relation) -> String {
    match relation {
        Relation::PeerTimeOverOurs => format!("{:.1}× faster", value(reference) / value(ours)),
        Relation::ShareOfCeiling => format!("{:.2} of ceiling", value(ours) / value(reference)),
        Relation::P99OverCeiling => format!("p99 {:.1}× ceiling's", p99(ours) / p99(reference)),
        Relation::ValueOverSqlite => format!("{:.2}× SQLite", value(ours) / value(reference)),
        Relation::P99OverSqlite => format!("p99 {:.2}× SQLite's", p99(ours) / p99(reference)),
    }
}

/// Builds the table as JSON rows for the results file.
pub fn rows_json(figures: &[Value]) -> Vec<Value> {
    row_specs()
        .iter()
        .filter_map(|row| {
            let record = find(figures, &row.id)?;
            let reference = row
                .reference
                .as_ref()
                .and_then(|(id, relation)| Some((find(figures, id)?, *relation)));
            Some(json!({
                "figure": row.figure,
                "value": format_value(record),
                "target": row.target.as_ref().map(|t| t.text),
                "met": row.target.as_ref().map(|t| (t.met)(record)),
                "reference": reference.map(|(r, _)| format_value(r)),
                "reference_id": row.reference.as_ref().map(|(id, _)| id),
                "ratio": reference.map(|(r, relation)| format_ratio(record, r, relation)),
            }))
        })
        .collect()
}

/// Prints the table as Markdown, ready to paste into BENCHMARKS.md.
pub fn print(figures: &[Value]) {
    println!("\n| figure | value | target | ceiling or peer | ratio |");
    println!("|---|---|---|---|---|");
    for row in rows_json(figures) {
        let text = |key: &str| row[key].as_str().unwrap_or("").to_owned();
        let target = match (row["target"].as_str(), row["met"].as_bool()) {
            (Some(target), Some(true)) => format!("{target}: met"),
            (Some(target), _) => format!("{target}: not met"),
            (None, _) => String::new(),
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            text("figure"),
            text("value"),
            target,
            text("reference"),
            text("ratio")
        );
    }
}
