//! HTTP to the identity provider: discovery, JWKS and the token endpoint.
//!
//! Redirects are never followed, because a token endpoint that redirects could leak the code or
//! a refresh token to another host. Each response's `Date` header updates the core's clock
//! offset, so the ID token's `exp` is judged in the provider's time even when the phone's clock
//! is hours off. Bodies are capped, and error texts carry the URL and status, never a body.

use std::time::Duration;

use oauth2::{HttpRequest, HttpResponse};
use serde::de::DeserializeOwned;

use super::error::HostedError;
use crate::clock::{ClockOffset, ServerClock};

/// Maximum size of a discovery document, JWKS or token response.
const MAX_BODY_BYTES: usize = 256 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// A transport-level failure talking to the provider.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(String);

/// The HTTP client for one provider.
#[derive(Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
    clock: ServerClock,
}

impl ProviderHttp {
    /// Creates a client that records clock offsets into `clock`.
    pub fn new(clock: ServerClock) -> Result<Self, HostedError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|error| HostedError::Network {
                reason: format!("cannot build the HTTP client: {error}"),
            })?;
        Ok(Self { client, clock })
    }

    /// Returns the clock that reads server time.
    pub fn clock(&self) -> &ServerClock {
        &self.clock
    }

    /// GETs `url` and parses the JSON body.
    pub async fn get_json<T: DeserializeOwned>(&self, url: &str) -> Result<T, HostedError> {
        let request = http_get(url)?;
        let response = self
            .send(request)
            .await
            .map_err(|error| HostedError::Network {
                reason: error.to_string(),
            })?;
        if !response.status().is_success() {
            return Err(HostedError::InvalidResponse {
                reason: format!("GET {url} returned HTTP {}", response.status().as_u16()),
            });
        }
        serde_json::from_slice(response.body()).map_err(|error| HostedError::InvalidResponse {
            reason: format!("GET {url} returned invalid JSON: {error}"),
        })
    }

    /// Sends one request, as the `oauth2` crate's async HTTP client.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (parts, body) = request.into_parts();
        let url = parts.uri.to_string();
        let sent_at = self.clock.device().now_unix_millis();
        let response = self
            .client
            .request(parts.method, &url)
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(|error| TransportError(format!("request to {url} failed: {error}")))?;
        let received_at = self.clock.device().now_unix_millis();
        self.record_date(&response, sent_at, received_at);

        let mut builder = oauth2::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = read_capped(response, &url).await?;
        builder
            .body(body)
            .map_err(|error| TransportError(format!("invalid response from {url}: {error}")))
    }

    fn record_date(&self, response: &reqwest::Response, sent_at: i64, received_at: i64) {
        let date = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|value| value.to_str().ok());
        if let Some(offset) =
            date.and_then(|date| ClockOffset::from_http_date(date, sent_at, received_at))
        {
            self.clock.offset().record(offset);
        }
    }
}

fn http_get(url: &str) -> Result<HttpRequest, HostedError> {
    oauth2::http::Request::builder()
        .method(oauth2::http::Method::GET)
        .uri(url)
        .header(oauth2::http::header::ACCEPT, "application/json")
        .body(Vec::new())
        .map_err(|error| HostedError::InvalidResponse {
            reason: format!("invalid URL {url}: {error}"),
        })
}

async fn read_capped(
    mut response: reqwest::Response,
    url: &str,
) -> Result<Vec<u8>, TransportError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|error| {
        TransportError(format!("reading the response from {url} failed: {error}"))
    })? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(TransportError(format!(
                "the response from {url} exceeds {MAX_BODY_BYTES} bytes"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

impl std::fmt::Debug for ProviderHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderHttp").finish_non_exhaustive()
    }
}
