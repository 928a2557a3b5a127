//! The retrying backend client: one [`HttpRequest`] in, one 2xx [`HttpResponse`] or one
//! [`HttpError`] out.
//!
//! Every response, error statuses included, updates the shared clock offset from its `Date`
//! header. Redirects are not followed: the backend API never redirects, and following one could
//! carry the bearer token to another path.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap, HeaderValue};
use uuid::Uuid;

use super::error::HttpError;
use super::problem::{Problem, is_json_content_type};
use super::request::{AccessTokenSource, HttpRequest, HttpResponse, HttpSettings};
use super::retry::{RetryPolicy, is_idempotent, is_retryable_status, parse_retry_after};
use crate::clock::{Clock, ClockOffset, SharedClockOffset};

/// The outcome of one attempt: a response to return, or an error with its retry hint.
enum Attempt {
    Done(HttpResponse),
    Failed {
        error: HttpError,
        retryable: bool,
        retry_after: Option<Duration>,
    },
}

/// A client of one backend.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    base_url: String,
    settings: HttpSettings,
    clock: Arc<dyn Clock>,
    offset: Arc<SharedClockOffset>,
    token_source: Arc<RwLock<Option<Arc<dyn AccessTokenSource>>>>,
}

impl HttpClient {
    /// Creates a client for `base_url`, measuring the clock offset with `clock` into `offset`.
    pub fn new(
        base_url: &str,
        settings: HttpSettings,
        clock: Arc<dyn Clock>,
        offset: Arc<SharedClockOffset>,
    ) -> Result<Self, HttpError> {
        reqwest::Url::parse(base_url).map_err(|error| HttpError::InvalidUrl {
            url: base_url.to_owned(),
            reason: error.to_string(),
        })?;
        let inner = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(settings.user_agent.clone())
            .build()
            .map_err(|error| HttpError::Setup {
                reason: error.to_string(),
            })?;
        Ok(Self {
            inner,
            base_url: base_url.trim_end_matches('/').to_owned(),
            settings,
            clock,
            offset,
            token_source: Arc::default(),
        })
    }

    /// Sets the source of bearer tokens for authenticated requests, for this client and its
    /// clones.
    pub fn set_token_source(&self, source: Arc<dyn AccessTokenSource>) {
        let mut slot = self
            .token_source
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *slot = Some(source);
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Returns the shared clock offset this client updates.
    pub fn clock_offset(&self) -> &Arc<SharedClockOffset> {
        &self.offset
    }

    /// Sends `request`, retrying as its policy allows, and returns the first 2xx response.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let policy = request.retry.as_ref().unwrap_or(&self.settings.retry);
        let may_retry = is_idempotent(&request.method, request.idempotency_key.is_some());
        let request_id = Uuid::now_v7().to_string();
        let mut attempt_number = 1;

        loop {
            let (error, retryable, retry_after) = match self.attempt(request, &request_id).await? {
                Attempt::Done(response) => return Ok(response),
                Attempt::Failed {
                    error,
                    retryable,
                    retry_after,
                } => (error, retryable, retry_after),
            };
            if !(retryable && may_retry) || attempt_number >= policy.max_attempts.max(1) {
                return Err(error);
            }
            let Some(wait) = retry_wait(policy, attempt_number, retry_after) else {
                return Err(error);
            };
            tracing::info!(
                request_id = %request_id,
                method = %request.method,
                path = %request.path,
                attempt = attempt_number,
                wait_ms = wait.as_millis() as u64,
                error = %error,
                "backend request failed; retrying"
            );
            tokio::time::sleep(wait).await;
            attempt_number += 1;
        }
    }

    /// Sends `request` once. Errors that end the whole request (a bad URL, no token) come back
    /// as `Err`; failures worth a retry come back as `Attempt::Failed`.
    async fn attempt(&self, request: &HttpRequest, request_id: &str) -> Result<Attempt, HttpError> {
        let builder = self.build(request, request_id).await?;
        let sent_at = self.clock.now_unix_millis();
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return Ok(self.transport_failure(request, &error)),
        };
        let received_at = self.clock.now_unix_millis();
        let server_now = self.record_offset(response.headers(), sent_at, received_at);

        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = match read_body(response, self.settings.max_body_bytes, request).await {
            Ok(body) => body,
            Err(error) => {
                let retryable = matches!(
                    error,
                    HttpError::Timeout { .. } | HttpError::Transport { .. }
                );
                return Ok(Attempt::Failed {
                    error,
                    retryable,
                    retry_after: None,
                });
            }
        };
        tracing::debug!(request_id, method = %request.method, path = %request.path, status, "backend responded");

        if (200..300).contains(&status) {
            return Ok(Attempt::Done(HttpResponse {
                method: request.method.clone(),
                path: request.path.clone(),
                status,
                headers,
                body,
            }));
        }
        Ok(status_failure(request, status, &headers, &body, server_now))
    }

    async fn build(
        &self,
        request: &HttpRequest,
        request_id: &str,
    ) -> Result<reqwest::RequestBuilder, HttpError> {
        let url = self.url_for(&request.path)?;
        let mut builder = self
            .inner
            .request(request.method.clone(), url)
            .header(header::ACCEPT, "application/json, application/problem+json")
            .header("X-Request-Id", request_id);
        if let Some(key) = &request.idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if let Some(body) = &request.json_body {
            builder = builder.json(body);
        }
        if request.authenticated {
            builder = builder.header(header::AUTHORIZATION, self.bearer_value(request).await?);
        }
        Ok(builder)
    }

    async fn bearer_value(&self, request: &HttpRequest) -> Result<HeaderValue, HttpError> {
        let token_error = |source: crate::error::Error| HttpError::AccessToken {
            path: request.path.clone(),
            source: Box::new(source),
        };
        let source = self
            .token_source
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
            .ok_or_else(|| token_error(crate::error::Error::NotSignedIn))?;
        let token = source.access_token().await.map_err(token_error)?;
        let mut value =
            HeaderValue::from_str(&format!("Bearer {}", token.as_str())).map_err(|_| {
                token_error(crate::error::Error::Internal(
                    "the access token contains characters not allowed in a header".to_owned(),
                ))
            })?;
        value.set_sensitive(true);
        Ok(value)
    }

    fn url_for(&self, path: &str) -> Result<reqwest::Url, HttpError> {
        let joined = format!("{}{}", self.base_url, path);
        let invalid = |reason: String| HttpError::InvalidUrl {
            url: joined.clone(),
            reason,
        };
        if !path.starts_with('/') {
            return Err(invalid("the path must start with '/'".to_owned()));
        }
        reqwest::Url::parse(&joined).map_err(|error| invalid(error.to_string()))
    }

    /// Records the offset from the `Date` header; returns the server's time when there was one.
    fn record_offset(
        &self,
        headers: &HeaderMap,
        sent_at: i64,
        received_at: i64,
    ) -> Option<SystemTime> {
        let date = headers.get(header::DATE)?.to_str().ok()?;
        let offset = ClockOffset::from_http_date(date, sent_at, received_at)?;
        self.offset.record(offset);
        httpdate::parse_http_date(date).ok()
    }

    fn transport_failure(&self, request: &HttpRequest, error: &reqwest::Error) -> Attempt {
        let method = request.method.to_string();
        let path = request.path.clone();
        let reason = error_chain(error);
        let error = if error.is_timeout() {
            HttpError::Timeout { method, path }
        } else if error.is_connect() {
            HttpError::Connect {
                method,
                path,
                reason,
            }
        } else {
            HttpError::Transport {
                method,
                path,
                reason,
            }
        };
        Attempt::Failed {
            error,
            retryable: true,
            retry_after: None,
        }
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("base_url", &self.base_url)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Returns the wait before the next attempt, or `None` when the server requests a longer wait
/// than the policy allows.
fn retry_wait(
    policy: &RetryPolicy,
    attempt_number: u32,
    retry_after: Option<Duration>,
) -> Option<Duration> {
    match retry_after {
        Some(wait) if wait > policy.max_retry_after => None,
        Some(wait) => Some(wait),
        None => Some(policy.backoff(attempt_number, rand::random::<f64>())),
    }
}

fn status_failure(
    request: &HttpRequest,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    server_now: Option<SystemTime>,
) -> Attempt {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(is_json_content_type);
    let problem = if is_json {
        Problem::parse(body).map(Box::new)
    } else {
        None
    };
    if let Some(problem) = &problem {
        tracing::debug!(path = %request.path, status, slug = ?problem.slug, detail = ?problem.detail, "backend problem");
    }

    // Retry-After is honoured on throttling and unavailability responses only.
    let retry_after = if matches!(status, 429 | 503) {
        headers
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, server_now.unwrap_or_else(SystemTime::now)))
    } else {
        None
    };
    Attempt::Failed {
        error: HttpError::Status {
            method: request.method.to_string(),
            path: request.path.clone(),
            status,
            problem,
            retry_after,
        },
        retryable: is_retryable_status(status),
        retry_after,
    }
}

async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
    request: &HttpRequest,
) -> Result<Vec<u8>, HttpError> {
    let mut body = Vec::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(body),
            Err(error) if error.is_timeout() => {
                return Err(HttpError::Timeout {
                    method: request.method.to_string(),
                    path: request.path.clone(),
                });
            }
            Err(error) => {
                return Err(HttpError::Transport {
                    method: request.method.to_string(),
                    path: request.path.clone(),
                    reason: error_chain(&error),
                });
            }
        };
        if body.len() + chunk.len() > limit {
            return Err(HttpError::BodyTooLarge {
                method: request.method.to_string(),
                path: request.path.clone(),
                limit,
            });
        }
        body.extend_from_slice(&chunk);
    }
}

/// Joins an error and its sources into one line; reqwest's own message alone often hides the
/// cause, such as "connection refused".
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
