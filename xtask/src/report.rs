//! The demo's KPI report: fetches the store's report from the admin API as JSON and as HTML,
//! writes both files into the run's data folder, and returns a one-line summary.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

/// The written report files and the figures the demo prints.
pub struct KpiFiles {
    pub json: PathBuf,
    pub html: PathBuf,
    pub summary: String,
}

/// Fetches the KPI report of `store_id` for the default period (the last 30 days up to today)
/// and writes `kpis.json` and `kpis.html` into `data_dir`.
pub fn write_kpi_report(
    service_url: &str,
    admin_key: &str,
    store_id: &str,
    data_dir: &Path,
) -> anyhow::Result<KpiFiles> {
    let json_text = fetch(service_url, admin_key, store_id, "json")?;
    let html_text = fetch(service_url, admin_key, store_id, "html")?;
    let report: Value = serde_json::from_str(&json_text).context("the KPI report is not JSON")?;

    let json = data_dir.join("kpis.json");
    let html = data_dir.join("kpis.html");
    std::fs::write(&json, &json_text)
        .with_context(|| format!("cannot write {}", json.display()))?;
    std::fs::write(&html, &html_text)
        .with_context(|| format!("cannot write {}", html.display()))?;
    Ok(KpiFiles {
        json,
        html,
        summary: summary(&report),
    })
}

fn fetch(
    service_url: &str,
    admin_key: &str,
    store_id: &str,
    format: &str,
) -> anyhow::Result<String> {
    let url = format!("{service_url}/admin/v1/reports/kpis?store_id={store_id}&format={format}");
    ureq::get(&url)
        .header("Authorization", &format!("Bearer {admin_key}"))
        .call()
        .with_context(|| format!("GET /admin/v1/reports/kpis (format {format}) failed"))?
        .body_mut()
        .read_to_string()
        .with_context(|| format!("cannot read the KPI report (format {format})"))
}

/// "N baskets, average basket 12.34 GBP (…)" from the JSON report.
fn summary(report: &Value) -> String {
    let baskets = report["baskets"].as_i64().unwrap_or(0);
    let averages: Vec<String> = report["average_basket"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            let minor = a["average_minor"].as_i64().unwrap_or(0);
            let currency = a["currency"].as_str().unwrap_or("");
            // The demo store's currency has two minor digits.
            format!("{}.{:02} {currency}", minor / 100, (minor % 100).abs())
        })
        .collect();
    let average = if averages.is_empty() {
        "n/a".to_owned()
    } else {
        averages.join(", ")
    };
    format!(
        "{baskets} baskets from {} to {}, average basket {average}, {} items per basket",
        report["from"].as_str().unwrap_or("?"),
        report["to"].as_str().unwrap_or("?"),
        report["average_basket_items"].as_str().unwrap_or("?"),
    )
}
