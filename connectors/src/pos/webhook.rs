//! POS export as a signed JSON webhook.
//!
//! The body is the [`PosTransaction`] as JSON. The request carries `X-Walkout-Timestamp` (Unix
//! seconds) and `X-Walkout-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`,
//! the same scheme the JWO endpoints accept, and `Idempotency-Key` set to the transaction id so
//! the receiver can drop repeats. A 2xx response means done. 408, 429, 5xx and network failures
//! are retryable, and every other status is permanent. The secret never appears in errors or logs.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use zeroize::Zeroizing;

use super::{ExportReceipt, PosError, PosSink, PosTransaction};
use crate::auth::jwo::sign;
use crate::clock::Clock;

const SINK: &str = "webhook";

/// Settings of a webhook sink.
#[derive(Clone)]
pub struct WebhookConfig {
    pub url: reqwest::Url,
    /// Signing secret, used as its UTF-8 bytes.
    pub secret: Zeroizing<String>,
    /// Time allowed for one request, connection included.
    pub timeout: Duration,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &redacted_url(&self.url))
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Formats the URL without user info or query, since they may contain credentials.
fn redacted_url(url: &reqwest::Url) -> String {
    format!(
        "{}://{}{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port()
            .map(|port| format!(":{port}"))
            .unwrap_or_default()
    ) + url.path()
}

/// POSTs each transaction to one URL.
#[derive(Debug, Clone)]
pub struct WebhookSink {
    config: WebhookConfig,
    client: reqwest::Client,
    clock: Clock,
}

/// The next step after a webhook response with `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    Done,
    Retryable,
    Permanent,
}

/// Classifies a webhook response status: 2xx done; 408, 429 and 5xx retryable; the rest
/// (including 3xx, since redirects are not followed) permanent.
pub fn classify_status(status: StatusCode) -> StatusClass {
    if status.is_success() {
        StatusClass::Done
    } else if status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
        || status.is_server_error()
    {
        StatusClass::Retryable
    } else {
        StatusClass::Permanent
    }
}

impl WebhookSink {
    pub fn new(config: WebhookConfig, clock: Clock) -> Result<WebhookSink, PosError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| PosError::Permanent {
                sink: SINK.to_owned(),
                message: format!("building the HTTP client failed: {}", error.without_url()),
            })?;
        Ok(WebhookSink {
            config,
            client,
            clock,
        })
    }
}

#[async_trait]
impl PosSink for WebhookSink {
    fn name(&self) -> &str {
        SINK
    }

    async fn export(&self, transaction: &PosTransaction) -> Result<ExportReceipt, PosError> {
        let body = serde_json::to_vec(transaction).map_err(|error| PosError::Permanent {
            sink: SINK.to_owned(),
            message: format!("encoding the transaction failed: {error}"),
        })?;
        let timestamp = self.clock.now_secs();
        let signature = sign(self.config.secret.as_bytes(), timestamp, &body);
        let target = redacted_url(&self.config.url);

        let response = self
            .client
            .post(self.config.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Walkout-Timestamp", timestamp.to_string())
            .header("X-Walkout-Signature", signature)
            .header("Idempotency-Key", &transaction.transaction_id)
            .body(body)
            .send()
            .await
            .map_err(|error| PosError::Retryable {
                sink: SINK.to_owned(),
                message: format!("POST {target} failed: {}", error.without_url()),
            })?;

        let status = response.status();
        let message = || format!("POST {target} returned HTTP {status}");
        match classify_status(status) {
            StatusClass::Done => Ok(ExportReceipt {
                transaction_id: transaction.transaction_id.clone(),
                sink: SINK.to_owned(),
                location: format!("{target} ({})", status.as_u16()),
                already_exported: false,
            }),
            StatusClass::Retryable => Err(PosError::Retryable {
                sink: SINK.to_owned(),
                message: message(),
            }),
            StatusClass::Permanent => Err(PosError::Permanent {
                sink: SINK.to_owned(),
                message: message(),
            }),
        }
    }
}
