//! Settings of the ordering connector (`[ordering]` in the configuration file).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::pricing::{UnitKind, UnitTable, WeightUnit};

/// What to do with a cart line whose SKU or barcode is not in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownSkuPolicy {
    /// Accept the cart, charge nothing for the line, mark it "unpriced item" on the receipt and
    /// raise a retailer alert.
    SkipAndAlert,
    /// Answer 400 `unknown-sku` naming the cart line, so the cart is not accepted at all.
    Reject,
}

/// A step of the purchase job after which the worker stops, for crash tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PausePoint {
    /// After the purchase is stored and answered, before the capture.
    #[serde(rename = "201")]
    Accepted,
    /// After the capture returned, before its result is recorded.
    #[serde(rename = "capture")]
    Capture,
    /// After the receipt is written, before the POS export is queued.
    #[serde(rename = "receipt")]
    Receipt,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrderingConfig {
    /// `skip-and-alert` (the default) or `reject`.
    pub unknown_sku: UnknownSkuPolicy,
    /// Cart quantity units: name → `count`, `kg`, `g`, `lb` or `oz`. Empty means the default
    /// table (`each`, `unit`, `ea` count; `kg`, `g`, `lb`, `oz` weigh).
    pub units: BTreeMap<String, String>,
    /// Where receipt-ready and alert events are posted for the retailer; unset sends none.
    pub retailer_webhook_url: Option<String>,
    /// Secret of the retailer webhook signature (`X-Walkout-Signature`, as for JWO callers).
    pub retailer_webhook_secret: Option<String>,
    /// Folder of the POS CSV and POSLog drop folders (`csv/` and `poslog/` inside it). Unset
    /// means `<data_dir>/pos`.
    pub pos_folder: Option<std::path::PathBuf>,
    /// Where POS transactions are POSTed as signed JSON; unset sends none.
    pub pos_webhook_url: Option<String>,
    /// Secret of the POS webhook signature.
    pub pos_webhook_secret: Option<String>,
    /// Milliseconds between polls of the job table when no job is due.
    pub worker_poll_ms: u64,
    /// Seconds a claimed job stays leased to one worker before another may take it over.
    pub lease_secs: u64,
    /// Attempts of a job before it is moved to the dead letters and the retailer alerted.
    pub max_attempts: u32,
    /// Delay before the first retry, in milliseconds; each further retry doubles it.
    pub retry_base_ms: u64,
    /// Longest delay between retries, in milliseconds.
    pub retry_max_ms: u64,
    /// Stop the worker after this step (`"201"`, `"capture"` or `"receipt"`), so a crash test
    /// can kill the process there. Honoured only with `clock = "test"`.
    pub test_pause_after: Option<PausePoint>,
}

impl Default for OrderingConfig {
    fn default() -> Self {
        OrderingConfig {
            unknown_sku: UnknownSkuPolicy::SkipAndAlert,
            units: BTreeMap::new(),
            retailer_webhook_url: None,
            retailer_webhook_secret: None,
            pos_folder: None,
            pos_webhook_url: None,
            pos_webhook_secret: None,
            worker_poll_ms: 500,
            lease_secs: 60,
            max_attempts: 12,
            retry_base_ms: 1_000,
            retry_max_ms: 15 * 60 * 1_000,
            test_pause_after: None,
        }
    }
}

/// Leaves the webhook secret out, because the configuration is logged and printed in errors.
impl std::fmt::Debug for OrderingConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderingConfig")
            .field("unknown_sku", &self.unknown_sku)
            .field("units", &self.units)
            .field("retailer_webhook_url", &self.retailer_webhook_url)
            .field(
                "retailer_webhook_secret",
                &self.retailer_webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("pos_folder", &self.pos_folder)
            .field("pos_webhook_url", &self.pos_webhook_url)
            .field(
                "pos_webhook_secret",
                &self.pos_webhook_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("worker_poll_ms", &self.worker_poll_ms)
            .field("lease_secs", &self.lease_secs)
            .field("max_attempts", &self.max_attempts)
            .field("retry_base_ms", &self.retry_base_ms)
            .field("retry_max_ms", &self.retry_max_ms)
            .field("test_pause_after", &self.test_pause_after)
            .finish()
    }
}

impl OrderingConfig {
    /// Builds the unit table, or names the first entry with an unknown meaning.
    pub fn unit_table(&self) -> Result<UnitTable, String> {
        if self.units.is_empty() {
            return Ok(UnitTable::default());
        }
        let mut table = UnitTable::empty();
        for (name, meaning) in &self.units {
            let kind = match meaning.trim().to_ascii_lowercase().as_str() {
                "count" => UnitKind::Count,
                "kg" => UnitKind::Weight(WeightUnit::Kilogram),
                "g" => UnitKind::Weight(WeightUnit::Gram),
                "lb" => UnitKind::Weight(WeightUnit::Pound),
                "oz" => UnitKind::Weight(WeightUnit::Ounce),
                other => {
                    return Err(format!(
                        "ordering.units.{name}: unknown meaning {other:?}; expected count, kg, g, lb or oz"
                    ));
                }
            };
            table.insert(name, kind);
        }
        Ok(table)
    }

    /// Returns the unit names the table maps, in lower case.
    pub fn unit_names(&self) -> Vec<String> {
        if self.units.is_empty() {
            return ["each", "unit", "ea", "kg", "g", "lb", "oz"]
                .map(str::to_owned)
                .to_vec();
        }
        self.units
            .keys()
            .map(|name| name.trim().to_lowercase())
            .collect()
    }

    /// Checks the values that would make the connector misbehave; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        self.unit_table()?;
        if let Some(url) = &self.retailer_webhook_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(format!(
                "ordering.retailer_webhook_url: expected an http:// or https:// URL, found {url:?}"
            ));
        }
        if self.retailer_webhook_url.is_some() && self.retailer_webhook_secret.is_none() {
            return Err(
                "ordering.retailer_webhook_secret is required when ordering.retailer_webhook_url is set"
                    .to_owned(),
            );
        }
        if let Some(url) = &self.pos_webhook_url {
            if reqwest::Url::parse(url).is_err() {
                return Err(format!("ordering.pos_webhook_url: {url:?} is not a URL"));
            }
            if self.pos_webhook_secret.is_none() {
                return Err(
                    "ordering.pos_webhook_secret is required when ordering.pos_webhook_url is set"
                        .to_owned(),
                );
            }
        }
        if self.lease_secs == 0 || self.max_attempts == 0 || self.worker_poll_ms == 0 {
            return Err(
                "ordering.lease_secs, ordering.max_attempts and ordering.worker_poll_ms must be at least 1"
                    .to_owned(),
            );
        }
        Ok(())
    }
}
