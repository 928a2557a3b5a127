//! A thin client of the Cognito Identity Provider JSON API (AWS JSON 1.1), for the shopper
//! operations only.
//!
//! Every call is one unsigned `POST /` with `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`
//! and `Content-Type: application/x-amz-json-1.1`: these operations authorise through the body
//! (`ClientId`, `SecretHash`, `AccessToken`), never through AWS credentials, so the app carries
//! none. The endpoint comes from [`CognitoConfig::effective_endpoint`], which tests point at
//! an emulator or an in-process fake.
//!
//! Only calls marked [`Idempotency::Retry`] are repeated after throttling or a transient fault.
//! A `PASSWORD_VERIFIER` answer is never repeated: the caller restarts SRP instead. Nothing here
//! logs a request or response body, because both carry passwords, codes and tokens.

mod error;
mod operations;
pub mod types;

use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::Value;
use zeroize::Zeroizing;

pub use error::{CognitoError, ErrorClass, clean_error_code, slug_of_code};
pub use operations::{AuthFlow, DeviceConfirmation};

use crate::auth::srp::secret_hash;
use crate::config::CognitoConfig;
use crate::http::RetryPolicy;

/// `X-Amz-Target` prefix of the user pool API.
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService";

/// Content type of AWS JSON 1.1; cognito-local parses no other.
const AMZ_JSON: &str = "application/x-amz-json-1.1";

/// Largest response body accepted; Cognito's largest (a challenge with a secret block and three
/// tokens) is a few kilobytes.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Whether a call may be sent again after throttling or a transient fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// A repeat has no second effect (a new challenge, a refresh, a read, a revocation).
    Retry,
    /// A repeat may have a second effect or replay a proof (`SignUp`, SRP answers, codes).
    Once,
}

/// Settings of the Cognito transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoSettings {
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the end of the body.
    pub request_timeout: Duration,
    /// Retries of [`Idempotency::Retry`] calls: three attempts with jittered backoff, as the
    /// AWS SDKs make.
    pub retry: RetryPolicy,
}

impl Default for CognitoSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(20),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(200),
                max_delay: Duration::from_secs(2),
                max_retry_after: Duration::from_secs(5),
            },
        }
    }
}

/// A client of one user pool's app client.
#[derive(Clone)]
pub struct CognitoClient {
    http: reqwest::Client,
    endpoint: reqwest::Url,
    user_pool_id: String,
    client_id: String,
    client_secret: Option<Zeroizing<String>>,
    retry: RetryPolicy,
}

impl CognitoClient {
    /// Creates a client for the pool and app client in `config`.
    pub fn new(config: &CognitoConfig, settings: &CognitoSettings) -> Result<Self, CognitoError> {
        let endpoint_text = config.effective_endpoint();
        let endpoint =
            reqwest::Url::parse(&endpoint_text).map_err(|error| CognitoError::Setup {
                reason: format!("invalid endpoint {endpoint_text:?}: {error}"),
            })?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(format!("walkout-core/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| CognitoError::Setup {
                reason: error.to_string(),
            })?;
        Ok(Self {
            http,
            endpoint,
            user_pool_id: config.user_pool_id.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone().map(Zeroizing::new),
            retry: settings.retry.clone(),
        })
    }

    /// Returns the user pool id, such as `eu-west-2_AbCdEf123`.
    pub fn user_pool_id(&self) -> &str {
        &self.user_pool_id
    }

    /// Returns the app client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Returns the app client secret, for clients created with one.
    pub fn client_secret(&self) -> Option<&str> {
        self.client_secret.as_ref().map(|secret| secret.as_str())
    }

    /// Returns `SECRET_HASH` for `username` when the app client has a secret.
    ///
    /// Challenge answers and refreshes must pass Cognito's internal username here, not the
    /// email the shopper typed.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.client_secret
            .as_ref()
            .map(|secret| secret_hash(&self.client_id, secret, username))
    }

    /// Calls `operation` with `body`, retrying as `idempotency` allows, and decodes the 2xx
    /// response into `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        body: &Value,
        idempotency: Idempotency,
    ) -> Result<T, CognitoError> {
        let max_attempts = match idempotency {
            Idempotency::Retry => self.retry.max_attempts.max(1),
            Idempotency::Once => 1,
        };
        let mut attempt = 1;
        loop {
            match self.call_once(operation, body).await {
                Ok(value) => return Ok(value),
                Err(error) if error.is_retryable() && attempt < max_attempts => {
                    let wait = self.retry.backoff(attempt, rand::random::<f64>());
                    tracing::info!(
                        operation,
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        error = %error,
                        "Cognito call failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn call_once<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        body: &Value,
    ) -> Result<T, CognitoError> {
        let network = |error: reqwest::Error| CognitoError::Network {
            operation,
            timed_out: error.is_timeout(),
            reason: error_chain(&error),
        };
        let response = self
            .http
            .post(self.endpoint.clone())
            .header("X-Amz-Target", format!("{TARGET_PREFIX}.{operation}"))
            .header(CONTENT_TYPE, AMZ_JSON)
            .header("Cache-Control", "no-store")
            .body(body.to_string())
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(network)?;
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(CognitoError::UnexpectedResponse {
                operation,
                reason: format!("body exceeds {MAX_RESPONSE_BYTES} bytes"),
            });
        }
        tracing::debug!(operation, status, "Cognito responded");

        if (200..300).contains(&status) {
            let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
                b"{}"
            } else {
                &bytes
            };
            return serde_json::from_slice(text).map_err(|error| {
                CognitoError::UnexpectedResponse {
                    operation,
                    reason: error.to_string(),
                }
            });
        }
        Err(service_error(operation, status, &headers, &bytes))
    }
}

impl std::fmt::Debug for CognitoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CognitoClient")
            .field("endpoint", &self.endpoint.as_str())
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("has_client_secret", &self.client_secret.is_some())
            .finish()
    }
}

/// Builds the error of a non-2xx response. The code comes from the `x-amzn-ErrorType` header,
/// else the body's `code`, else its `__type`, as Amplify reads them.
fn service_error(
    operation: &'static str,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> CognitoError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let member = |name: &str| {
        parsed
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let raw_code = headers
        .get("x-amzn-ErrorType")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| member("code"))
        .or_else(|| member("__type"));
    let code = raw_code
        .map(|raw| clean_error_code(&raw))
        .filter(|code| !code.is_empty())
        .unwrap_or_else(|| format!("Http{status}"));
    let message = member("message").or_else(|| member("Message"));
    CognitoError::Service {
        operation,
        code,
        message,
        status,
    }
}

/// Joins an error and its sources into one line, so "connection refused" is not hidden.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
