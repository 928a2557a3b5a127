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
}

/// A target that a figure meets or misses.
struct Target {
    text: &'static str,
    met: fn(&Value) -> bool,
}

struct Row {
    figure: &'static str,
    id: &'static str,
    target: Option<Target>,
    reference: Option<(&'static str, Relation)>,
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

fn row_specs() -> Vec<Row> {
    let gate = || {
        Some(Target {
            text: "≥ 5,000 req/s, p99 ≤ 5 ms",
            met: gate_target_met,
        })
    };
    let ceiling_closed = Some(("gate.ceiling.closed", Relation::ShareOfCeiling));
    let ceiling_open = Some(("gate.ceiling.open.5000", Relation::P99OverCeiling));
    vec![
        Row {
            figure: "entry code: derive + render PNG (median)",
            id: "entry code: derive + render PNG (8 px/module)",
            target: Some(Target {
                text: "≤ 1,000 µs",
                met: |r| value(r) <= 1_000.0,
            }),
            reference: Some(("peer.segno.render", Relation::PeerTimeOverOurs)),
        },
        Row {
            figure: "SRP: PASSWORD_VERIFIER response (median)",
            id: "srp: PASSWORD_VERIFIER response",
            target: None,
            reference: Some(("peer.pycognito.srp", Relation::PeerTimeOverOurs)),
        },
        Row {
            figure: "pricing: 20-line cart with promotions (median)",
            id: "pricing: 20-line cart with promotions",
            target: None,
            reference: None,
        },
        Row {
            figure: "receipts: decode a 500-change page (median)",
            id: "receipts: decode a 500-change page",
            target: None,
            reference: None,
        },
        Row {
            figure: "receipts: apply a 500-change page (median)",
            id: "receipts: apply a 500-change page",
            target: None,
            reference: None,
        },
        Row {
            figure: "gate: first scan with hold, closed loop",
            id: "gate.first.closed",
            target: gate(),
            reference: ceiling_closed,
        },
        Row {
            figure: "gate: companion scan at 1,000/s",
            id: "gate.companion.open.1000",
            target: None,
            reference: ceiling_open,
        },
        Row {
            figure: "gate: companion scan at 2,000/s",
            id: "gate.companion.open.2000",
            target: None,
            reference: ceiling_open,
        },
        Row {
            figure: "gate: companion scan at 5,000/s",
            id: "gate.companion.open.5000",
            target: gate(),
            reference: ceiling_open,
        },
        Row {
            figure: "gate: companion scan, closed loop",
            id: "gate.companion.closed",
            target: gate(),
            reference: ceiling_closed,
        },
        Row {
            figure: "gate: denied scan at 1,000/s",
            id: "gate.denied.open.1000",
            target: None,
            reference: ceiling_open,
        },
        Row {
            figure: "gate: denied scan at 2,000/s",
            id: "gate.denied.open.2000",
            target: None,
            reference: ceiling_open,
        },
        Row {
            figure: "gate: denied scan at 5,000/s",
            id: "gate.denied.open.5000",
            target: gate(),
            reference: ceiling_open,
        },
        Row {
            figure: "gate: denied scan, closed loop",
            id: "gate.denied.closed",
            target: gate(),
            reference: ceiling_closed,
        },
        Row {
            figure: "gate ceiling: empty handler at 5,000/s",
            id: "gate.ceiling.open.5000",
            target: None,
            reference: None,
        },
        Row {
            figure: "gate ceiling: empty handler, closed loop",
            id: "gate.ceiling.closed",
            target: None,
            reference: None,
        },
        Row {
            figure: "ordering: 20-line cart to 201, closed loop",
            id: "ordering.closed",
            target: Some(Target {
                text: "≥ 1,000 carts/s, p99 ≤ 20 ms",
                met: |r| value(r) >= 1_000.0 && p99(r) <= 20.0 && r["errors"].as_u64() == Some(0),
            }),
            reference: Some(("ordering.ceiling", Relation::ShareOfCeiling)),
        },
        Row {
            figure: "ordering ceiling: raw SQLite rows per cart",
            id: "ordering.ceiling",
            target: None,
            reference: None,
        },
        Row {
            figure: "receipt sync: 10,000 receipts, empty store",
            id: "receipt sync: 10,000 receipts into an empty store",
            target: Some(Target {
                text: "≤ 2,000 ms",
                met: |r| value(r) <= 2_000.0,
            }),
            reference: None,
        },
        Row {
            figure: "receipt sync: no change (median)",
            id: "receipt sync: no change",
            target: Some(Target {
                text: "≤ 5 ms",
                met: |r| value(r) <= 5.0,
            }),
            reference: None,
        },
        Row {
            figure: "memory: service peak RSS after gate load",
            id: "gate.peak_rss",
            target: None,
            reference: None,
        },
        Row {
            figure: "memory: core peak RSS in the 10,000 sync",
            id: "receipt sync: peak RSS of the core process",
            target: None,
            reference: None,
        },
    ]
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
    match record["p99_ms"].as_f64() {
        Some(p99) => format!("{main}, p99 {p99:.2} ms"),
        None => main,
    }
}

fn format_ratio(ours: &Value, reference: &Value, relation: Relation) -> String {
    match relation {
        Relation::PeerTimeOverOurs => format!("{:.1}× faster", value(reference) / value(ours)),
        Relation::ShareOfCeiling => format!("{:.2} of ceiling", value(ours) / value(reference)),
        Relation::P99OverCeiling => format!("p99 {:.1}× ceiling's", p99(ours) / p99(reference)),
    }
}

/// Builds the table as JSON rows for the results file.
pub fn rows_json(figures: &[Value]) -> Vec<Value> {
    row_specs()
        .iter()
        .filter_map(|row| {
            let record = find(figures, row.id)?;
            let reference = row
                .reference
                .and_then(|(id, relation)| Some((find(figures, id)?, relation)));
            Some(json!({
                "figure": row.figure,
                "value": format_value(record),
                "target": row.target.as_ref().map(|t| t.text),
                "met": row.target.as_ref().map(|t| (t.met)(record)),
                "reference": reference.map(|(r, _)| format_value(r)),
                "reference_id": row.reference.map(|(id, _)| id),
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
