//! Requests to and responses from the backend, as the client sends and returns them.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use super::error::HttpError;
use super::retry::RetryPolicy;

/// The future returned by [`AccessTokenSource::access_token`].
pub type AccessTokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Zeroizing<String>, crate::error::Error>> + Send + 'a>>;

/// Supplies the bearer token for authenticated requests; the session implements it and may
/// refresh the token before returning it.
pub trait AccessTokenSource: Send + Sync {
    /// Returns a current access token, or an error such as `NotSignedIn`.
    fn access_token(&self) -> AccessTokenFuture<'_>;
}

/// Connection settings of the backend client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Time allowed to open a connection, TLS included.
    pub connect_timeout: Duration,
    /// Time allowed for one attempt, from sending to the end of the body.
    pub request_timeout: Duration,
    /// Largest response body accepted, in bytes.
    pub max_body_bytes: usize,
    pub retry: RetryPolicy,
    /// `User-Agent` sent with every request.
    pub user_agent: String,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            retry: RetryPolicy::default(),
            user_agent: format!("walkout-core/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// One logical request; retries resend it unchanged.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    /// Path under the backend URL, starting with '/', query included.
    pub path: String,
    /// JSON body, if any.
    pub json_body: Option<serde_json::Value>,
    /// `Idempotency-Key` header; with one, a POST is retried like a PUT.
    pub idempotency_key: Option<String>,
    /// Whether to attach `Authorization: Bearer <token>` from the token source.
    pub authenticated: bool,
    /// Overrides the client's retry policy for this request.
    pub retry: Option<RetryPolicy>,
}

impl HttpRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            json_body: None,
            idempotency_key: None,
            authenticated: false,
            retry: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.json_body = Some(body);
        self
    }

    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Marks the request as needing the shopper's access token.
    pub fn authenticated(mut self) -> Self {
        self.authenticated = true;
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }
}

/// A successful (2xx) response with its whole body.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// Decodes the body as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|error| HttpError::UnexpectedBody {
            method: self.method.to_string(),
            path: self.path.clone(),
            reason: error.to_string(),
        })
    }
}
