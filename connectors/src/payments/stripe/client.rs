//! HTTP transport to a Stripe-compatible API: form-encoded POSTs with an `Idempotency-Key`,
//! the secret key as a bearer token, and bounded retries with exponential backoff.
//!
//! A retry reuses the same idempotency key, so a request that reached the PSP but whose answer
//! was lost (a timeout, a dropped connection) is replayed by the PSP instead of run twice.
//! Retried: network errors and timeouts, 5xx, 429, and a 409 `idempotency_error` (an earlier
//! attempt with the same key is still running). Nothing else is retried.

use std::time::Duration;

use serde_json::Value;

use crate::payments::config::SecretString;

/// How often and how patiently requests are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Delay before the first retry; it doubles for each further one.
    pub backoff: Duration,
}

/// The result of a request after retries.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A 2xx answer with its JSON body.
    Ok(Value),
    /// A Stripe error answer: the HTTP status and the `error` object.
    Error { status: u16, error: Value },
    /// No usable answer after every attempt (network, timeout, 5xx, 429).
    Unreachable(String),
}

/// Form parameters in Stripe's bracket notation, in order.
pub type Params = Vec<(String, String)>;

#[derive(Debug, Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base: String,
    secret_key: SecretString,
    policy: RetryPolicy,
}

impl StripeClient {
    pub fn new(
        base: &str,
        secret_key: SecretString,
        policy: RetryPolicy,
    ) -> Result<StripeClient, reqwest::Error> {
        let http = reqwest::Client::builder().no_proxy().build()?;
        Ok(StripeClient {
            http,
            base: base.trim_end_matches('/').to_owned(),
            secret_key,
            policy,
        })
    }

    /// POSTs `params` to `path` (relative to the API base) with the idempotency key `key`.
    pub async fn post(&self, path: &str, params: &Params, key: &str) -> Reply {
        let body = encode(params);
        let url = format!("{}{path}", self.base);
        self.send(path, || {
            self.http
                .post(&url)
                .bearer_auth(self.secret_key.expose())
                .header("Idempotency-Key", key)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body.clone())
        })
        .await
    }

    /// GETs `path` with the query `params`.
    pub async fn get(&self, path: &str, params: &Params) -> Reply {
        let query = encode(params);
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        };
        self.send(path, || {
            self.http.get(&url).bearer_auth(self.secret_key.expose())
        })
        .await
    }

    async fn send(&self, path: &str, build: impl Fn() -> reqwest::RequestBuilder) -> Reply {
        let mut last_failure = String::new();
        for attempt in 0..=self.policy.max_retries {
            if attempt > 0 {
                let delay = self
                    .policy
                    .backoff
                    .saturating_mul(1 << (attempt - 1).min(10));
                tracing::warn!(path, attempt, reason = %last_failure, "retrying a PSP request with the same idempotency key");
                tokio::time::sleep(delay).await;
            }

            let response = match build().timeout(self.policy.attempt_timeout).send().await {
                Ok(response) => response,
                Err(error) => {
                    last_failure = describe_transport_error(&error);
                    continue;
                }
            };
            let status = response.status().as_u16();
            let body: Value = match response.json().await {
                Ok(body) => body,
                Err(error) => {
                    last_failure = format!(
                        "unreadable PSP answer (HTTP {status}): {}",
                        describe_transport_error(&error)
                    );
                    continue;
                }
            };

            if (200..300).contains(&status) {
                return Reply::Ok(body);
            }
            let error = body.get("error").cloned().unwrap_or(Value::Null);
            if is_retryable(status, &error) {
                last_failure = format!("PSP answered HTTP {status}");
                continue;
            }
            return Reply::Error { status, error };
        }
        tracing::error!(path, reason = %last_failure, "PSP request failed after every retry");
        Reply::Unreachable(last_failure)
    }
}

fn is_retryable(status: u16, error: &Value) -> bool {
    let in_flight =
        status == 409 && error.get("type").and_then(Value::as_str) == Some("idempotency_error");
    status >= 500 || status == 429 || in_flight
}

fn describe_transport_error(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the PSP did not answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect to the PSP".to_owned()
    } else {
        // The text names the URL, which carries PSP ids and never a key.
        error.to_string()
    }
}

/// Encodes parameters as `application/x-www-form-urlencoded`.
pub fn encode(params: &Params) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in params {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// Checks that a PSP id is safe to put in a URL path (letters, digits and underscores).
pub fn path_id(id: &str) -> Option<&str> {
    let valid = !id.is_empty()
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    valid.then_some(id)
}
