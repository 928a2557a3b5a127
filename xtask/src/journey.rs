//! The shopper stages of the demo: sign-in, card, entry code, the gate, the cart and the
//! receipt, for each demo shopper.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::shopper::Shopper;

pub const STORE_ID: &str = "UK-LON-001";

/// The JWO side of the demo: the connectors' URL and the caller token from credentials.toml.
pub struct Jwo {
    pub base_url: String,
    pub token: String,
    agent: ureq::Agent,
}

impl Jwo {
    pub fn new(base_url: &str, data_dir: &Path) -> anyhow::Result<Jwo> {
        let path = data_dir.join("credentials.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let table: toml::Table = text
            .parse()
            .with_context(|| format!("{} is not TOML", path.display()))?;
        let token = table
            .get("jwo_caller_token")
            .and_then(|v| v.as_str())
            .context("credentials.toml has no jwo_caller_token")?
            .to_owned();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        Ok(Jwo {
            base_url: base_url.to_owned(),
            token,
            agent,
        })
    }

    /// Posts a JSON body as Amazon's gateway would; returns the status and the JSON answer.
    pub fn post(&self, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let mut response = self
            .agent
            .post(&format!("{}{path}", self.base_url))
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .with_context(|| format!("POST {path} failed"))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }
}

/// Decodes the entry code PNG with rqrr, an independent QR decoder, as the gate's scanner would.
pub fn decode_png(path: &Path) -> anyhow::Result<String> {
    let image = image::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    let grid = grids
        .first()
        .context("no QR code found in the entry code PNG")?;
    let (_meta, text) = grid
        .decode()
        .context("the QR code in the PNG does not decode")?;
    Ok(text)
}

/// A gate decision as JWO sees it.
pub struct GateDecision {
    pub admitted: bool,
    pub reason: Option<String>,
    pub visitor_id: Option<String>,
    pub auth_event_id: String,
}

/// Scans `code_text` at the demo store through VerifyIdentityKeys.
pub fn scan(jwo: &Jwo, code_text: &str) -> anyhow::Result<GateDecision> {
    let auth_event_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "identityKey": base64::engine::general_purpose::STANDARD.encode(code_text),
        "storeId": STORE_ID,
        "authEvent": {"id": auth_event_id, "timestamp": now_rfc3339(), "location": "ENTRY"},
        "keyChannel": "OPTICAL",
    });
    let (status, answer) = jwo.post("/v1/identity/identity-keys", &body)?;
    match status {
        200 => Ok(GateDecision {
            admitted: true,
            reason: None,
            visitor_id: answer["visitorDetails"]["id"].as_str().map(str::to_owned),
            auth_event_id,
        }),
        403 => Ok(GateDecision {
            admitted: false,
            reason: answer["type"]
                .as_str()
                .map(|t| t.trim_start_matches("/problems/").to_owned()),
            visitor_id: None,
            auth_event_id,
        }),
        other => bail!("VerifyIdentityKeys answered HTTP {other}: {answer}"),
    }
}

/// Sends CreatePurchases for `basket` on the trip opened by `decision`; returns the purchase id.
pub fn purchase(
    jwo: &Jwo,
    decision: &GateDecision,
    basket: &Value,
    entered_at: &str,
) -> anyhow::Result<String> {
    let items: Vec<Value> = basket["lines"]
        .as_array()
        .context("basket without lines")?
        .iter()
        .map(|line| {
            json!({
                "id": line["sku"],
                "type": "SKU",
                "quantity": {"value": line["quantity"].to_string(), "unit": "each"},
            })
        })
        .collect();
    let body = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "idempotentShoppingTripId": uuid::Uuid::new_v4().to_string(),
        "storeId": STORE_ID,
        "shoppingTrip": {
            "startTime": entered_at,
            "endTime": now_rfc3339(),
            "authEvents": [{
                "id": decision.auth_event_id,
                "timestamp": entered_at,
                "location": "ENTRY",
                "payloadType": "SCAN_CODE",
                "scanResult": {"id": decision.visitor_id, "type": "SHOPPER"},
            }],
        },
        "cartItems": items,
    });
    let (status, answer) = jwo.post("/v1/order/purchases", &body)?;
    if status != 201 {
        bail!("CreatePurchases answered HTTP {status}: {answer}");
    }
    answer["purchaseId"]
        .as_str()
        .map(str::to_owned)
        .context("CreatePurchases answered without a purchaseId")
}

/// Syncs receipts until one is there, or `timeout` passes; returns the newest receipt id.
pub fn wait_for_receipt(shopper: &Shopper, timeout: Duration) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        shopper.run(&["receipts", "sync"], None)?;
        let list = shopper.run(&["receipts", "list"], None)?;
        if let Some(id) = list["receipts"][0]["receipt_id"].as_str() {
            return Ok(id.to_owned());
        }
        if started.elapsed() > timeout {
            bail!(
                "no receipt reached the app within {} s; check the service log for the purchase job",
                timeout.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// The receipt in the `--json` summary: totals, captured amount and lines.
pub fn receipt_summary(detail: &Value) -> Value {
    let captured: i64 = detail["tenders"]
        .as_array()
        .map(|tenders| {
            tenders
                .iter()
                .filter(|t| t["kind"] != "refund")
                .filter_map(|t| t["amount"]["amount_minor"].as_i64())
                .sum()
        })
        .unwrap_or(0);
    let lines: Vec<Value> = detail["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|l| {
                    json!({
                        "sku": l["sku"], "description": l["description"], "quantity": l["quantity"],
                        "unit_price_minor": l["unit_price"]["amount_minor"], "amount_minor": l["amount"]["amount_minor"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "receipt_id": detail["receipt_id"],
        "receipt_number": detail["receipt_number"],
        "total_minor": detail["totals"]["grand"]["amount_minor"],
        "captured_minor": captured,
        "currency": detail["currency"],
        "lines": lines,
    })
}

/// Lists the files the POS export wrote.
pub fn pos_files(data_dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![data_dir.join("pos")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
