//! Retailer webhook of the ordering connector: `receipt-ready` and `retailer-alert` events
//! POSTed as JSON to `ordering.retailer_webhook_url`, signed like the JWO HMAC scheme
//! (`X-Walkout-Timestamp`, `X-Walkout-Signature: v1=<hex HMAC-SHA256>`) with
//! `ordering.retailer_webhook_secret`.
//!
//! Delivery is at least once: a retried job sends the same event id again, and the receiver
//! deduplicates on it. Nothing here logs the secret or the signature.

use std::time::Duration;

use serde_json::Value;

use super::config::OrderingConfig;
use crate::auth::jwo::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};

/// Time allowed for one webhook call.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

/// Failure of a webhook call, to be retried.
#[derive(Debug, thiserror::Error)]
#[error("retailer webhook failed: {0}")]
pub struct WebhookError(pub String);

/// Posts one event to the retailer webhook when one is configured; does nothing otherwise.
/// `event_id` is the idempotency key the receiver deduplicates on.
pub async fn post_event(
    config: &OrderingConfig,
    event_id: &str,
    kind: &str,
    data: &Value,
    now_secs: i64,
) -> Result<(), WebhookError> {
    let (Some(url), Some(secret)) = (
        &config.retailer_webhook_url,
        &config.retailer_webhook_secret,
    ) else {
        return Ok(());
    };
    let body = serde_json::json!({ "id": event_id, "type": kind, "data": data }).to_string();
    let signature = sign(secret.as_bytes(), now_secs, body.as_bytes());
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .build()
        .map_err(|error| WebhookError(error.to_string()))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(TIMESTAMP_HEADER, now_secs.to_string())
        .header(SIGNATURE_HEADER, signature)
        .header("idempotency-key", event_id)
        .body(body)
        .send()
        .await
        .map_err(|error| WebhookError(error.without_url().to_string()))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(WebhookError(format!(
            "the receiver responded with HTTP {status}"
        )))
    }
}
