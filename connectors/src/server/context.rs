//! Per-request context: the request id, the request span, the access log line, and the problem
//! answers for unknown paths and methods.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use crate::problem::{self, Problem, ProblemSlug};

pub const REQUEST_ID_HEADER: &str = "x-request-id";
/// Longest caller-supplied request id that is kept; longer or non-printable ones are replaced.
const MAX_REQUEST_ID_LEN: usize = 128;

/// The request id: the caller's `X-Request-Id`, or a generated UUID v7.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Gives the request an id and a span, logs one line when it ends, and echoes the id.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_acceptable_id(value))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));

    let method = request.method().clone();
    // The route template, not the raw path: raw paths carry ids such as the sandbox PSP's
    // `pm_…` tokens, which must not reach the log. Unrouted requests log the raw path.
    let path = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |m| m.as_str().to_owned(),
    );
    let span = tracing::info_span!("request", request_id = %request_id, %method, %path);
    let started = Instant::now();

    let mut response = next.run(request).instrument(span.clone()).await;

    let status = response.status().as_u16();
    let problem = response
        .extensions()
        .get::<ProblemSlug>()
        .map(|slug| slug.0);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| match problem {
        Some(slug) if status >= 500 => {
            tracing::error!(status, problem = slug, elapsed_ms, "request failed")
        }
        Some(slug) => tracing::info!(status, problem = slug, elapsed_ms, "request rejected"),
        None => tracing::info!(status, elapsed_ms, "request finished"),
    });

    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

fn is_acceptable_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value.bytes().all(|b| b.is_ascii_graphic())
}

pub async fn not_found(request: Request) -> Response {
    let detail = format!("no route for {} {}", request.method(), request.uri().path());
    Problem::new(problem::NOT_FOUND, detail).into_response()
}

pub async fn method_not_allowed(request: Request) -> Response {
    let detail = format!(
        "{} is not allowed on {}",
        request.method(),
        request.uri().path()
    );
    let mut response = Problem::new(problem::METHOD_NOT_ALLOWED, detail).into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
