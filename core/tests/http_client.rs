//! The backend client against a real axum server on 127.0.0.1: retries, `Retry-After`, the
//! idempotency rule, clock-offset measurement, problem mapping and bearer tokens.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use walkout_core::WalkoutError;
use walkout_core::clock::{SharedClockOffset, SystemClock};
use walkout_core::error::{Error, to_public};
use walkout_core::http::{
    AccessTokenFuture, AccessTokenSource, HttpClient, HttpError, HttpRequest, HttpSettings,
    RetryPolicy,
};
use zeroize::Zeroizing;

const TWO_HOURS: Duration = Duration::from_secs(2 * 3600);

#[derive(Clone, Default)]
struct Hits(Arc<AtomicU32>);

impl Hits {
    /// Counts one request and returns its number, starting at 1.
    fn next(&self) -> u32 {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn count(&self) -> u32 {
        self.0.load(Ordering::SeqCst)
    }
}

fn unavailable() -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response()
}

async fn flaky(State(hits): State<Hits>) -> Response {
    if hits.next() <= 2 {
        return unavailable();
    }
    axum::Json(serde_json::json!({"ok": true})).into_response()
}

async fn throttled_seconds(State(hits): State<Hits>) -> Response {
    if hits.next() == 1 {
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")]).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn unavailable_until_date(State(hits): State<Hits>) -> Response {
    if hits.next() == 1 {
        let now = SystemTime::now();
        let headers = [
            (header::DATE, httpdate::fmt_http_date(now)),
            (
                header::RETRY_AFTER,
                httpdate::fmt_http_date(now + Duration::from_secs(1)),
            ),
        ];
        return (StatusCode::SERVICE_UNAVAILABLE, headers).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn throttled_for_minutes(State(hits): State<Hits>) -> Response {
    hits.next();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "120")],
    )
        .into_response()
}

async fn always_unavailable(State(hits): State<Hits>) -> Response {
    hits.next();
    unavailable()
}

async fn server_error(State(hits): State<Hits>) -> Response {
    hits.next();
    (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response()
}

async fn skewed() -> Response {
    let date = httpdate::fmt_http_date(SystemTime::now() + TWO_HOURS);
    (StatusCode::OK, [(header::DATE, date)], "{}").into_response()
}

async fn denied() -> Response {
    let body = r#"{"type":"/problems/bad-tag","title":"Bad tag","status":403,"detail":"tag of jane's code"}"#;
    let content_type = [(header::CONTENT_TYPE, "application/problem+json")];
    (StatusCode::FORBIDDEN, content_type, body).into_response()
}

async fn whoami(headers: HeaderMap) -> Response {
    match headers.get(header::AUTHORIZATION) {
        Some(value) if value == HeaderValue::from_static("Bearer token-123") => {
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

/// Starts the test server on an ephemeral loopback port; it stops with the test's runtime.
async fn start_server(hits: Hits) -> String {
    let app = Router::new()
        .route("/flaky", get(flaky).post(flaky))
        .route("/throttled-seconds", get(throttled_seconds))
        .route("/unavailable-until-date", get(unavailable_until_date))
        .route("/throttled-for-minutes", get(throttled_for_minutes))
        .route("/always-unavailable", post(always_unavailable))
        .route("/server-error", get(server_error))
        .route("/skewed", get(skewed))
        .route("/denied", get(denied))
        .route("/whoami", get(whoami))
        .with_state(hits);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

fn fast_settings() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(3),
        },
        ..HttpSettings::default()
    }
}

async fn client_with_hits() -> (HttpClient, Hits, Arc<SharedClockOffset>) {
    let hits = Hits::default();
    let base = start_server(hits.clone()).await;
    let offset = Arc::new(SharedClockOffset::new());
    let client = HttpClient::new(
        &base,
        fast_settings(),
        Arc::new(SystemClock),
        offset.clone(),
    )
    .expect("client");
    (client, hits, offset)
}

#[tokio::test]
async fn get_is_retried_until_success() {
    let (client, hits, _) = client_with_hits().await;
    let response = client
        .send(&HttpRequest::get("/flaky"))
        .await
        .expect("third attempt succeeds");
    let body: serde_json::Value = response.json().expect("json");
    assert_eq!(body["ok"], true);
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let (client, hits, _) = client_with_hits().await;
    let started = Instant::now();
    client
        .send(&HttpRequest::get("/throttled-seconds"))
        .await
        .expect("second attempt succeeds");
    let waited = started.elapsed();
    assert_eq!(hits.count(), 2);
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

#[tokio::test]
async fn retry_after_date_is_honoured() {
    let (client, hits, _) = client_with_hits().await;
    let started = Instant::now();
    client
        .send(&HttpRequest::get("/unavailable-until-date"))
        .await
        .expect("second attempt succeeds");
    let waited = started.elapsed();
    assert_eq!(hits.count(), 2);
    assert!(
        waited >= Duration::from_millis(900),
        "waited only {waited:?}"
    );
    assert!(waited < Duration::from_secs(3), "waited {waited:?}");
}

#[tokio::test]
async fn long_retry_after_is_returned_not_waited() {
    let (client, hits, _) = client_with_hits().await;
    let started = Instant::now();
    let error = client
        .send(&HttpRequest::get("/throttled-for-minutes"))
        .await
        .expect_err("429");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(hits.count(), 1);
    match &error {
        HttpError::Status { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(120)));
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    let public = to_public(&Error::Http(error));
    assert_eq!(
        public,
        WalkoutError::Offline {
            retry_after_seconds: Some(120)
        }
    );
}

#[tokio::test]
async fn plain_post_is_not_retried() {
    let (client, hits, _) = client_with_hits().await;
    let error = client
        .send(&HttpRequest::post("/always-unavailable"))
        .await
        .expect_err("503");
    assert_eq!(error.status(), Some(503));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn post_with_idempotency_key_is_retried() {
    let (client, hits, _) = client_with_hits().await;
    let request =
        HttpRequest::post("/flaky").idempotency_key("0190f3b2-7c1e-7000-8000-000000000001");
    client.send(&request).await.expect("third attempt succeeds");
    assert_eq!(hits.count(), 3);
}

#[tokio::test]
async fn server_error_is_not_retried() {
    let (client, hits, _) = client_with_hits().await;
    let error = client
        .send(&HttpRequest::get("/server-error"))
        .await
        .expect_err("500");
    assert_eq!(error.status(), Some(500));
    assert_eq!(hits.count(), 1);
}

#[tokio::test]
async fn offset_is_measured_from_date_header() {
    let (client, _, offset) = client_with_hits().await;
    client.send(&HttpRequest::get("/skewed")).await.expect("ok");
    let measured = offset.latest().expect("a measurement");
    let error_ms = measured.offset_millis - TWO_HOURS.as_millis() as i64;
    assert!(
        error_ms.abs() <= 1500,
        "offset {} ms",
        measured.offset_millis
    );
}

#[tokio::test]
async fn problem_maps_to_slug() {
    let (client, _, _) = client_with_hits().await;
    let error = client
        .send(&HttpRequest::get("/denied"))
        .await
        .expect_err("403");
    assert_eq!(error.status(), Some(403));
    assert_eq!(error.problem_slug(), Some("bad-tag"));
    let public = to_public(&Error::Http(error));
    assert_eq!(
        public,
        WalkoutError::Denied {
            reason_slug: "bad-tag".to_owned()
        }
    );
}

struct FixedToken;

impl AccessTokenSource for FixedToken {
    fn access_token(&self) -> AccessTokenFuture<'_> {
        Box::pin(async { Ok(Zeroizing::new("token-123".to_owned())) })
    }
}

#[tokio::test]
async fn bearer_token_is_attached() {
    let (client, _, _) = client_with_hits().await;
    client.set_token_source(Arc::new(FixedToken));
    let response = client
        .send(&HttpRequest::get("/whoami").authenticated())
        .await;
    assert_eq!(response.expect("authorized").status, 204);
}

#[tokio::test]
async fn authenticated_request_without_session_fails() {
    let (client, hits, _) = client_with_hits().await;
    let error = client
        .send(&HttpRequest::get("/whoami").authenticated())
        .await
        .expect_err("no token");
    assert!(matches!(error, HttpError::AccessToken { .. }), "{error:?}");
    assert_eq!(to_public(&Error::Http(error)), WalkoutError::NotSignedIn);
    assert_eq!(hits.count(), 0);
}

#[tokio::test]
async fn refused_connection_is_offline() {
    // Take a free loopback port, then close it so connections to it are refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let offset = Arc::new(SharedClockOffset::new());
    let client = HttpClient::new(
        &format!("http://{address}"),
        fast_settings(),
        Arc::new(SystemClock),
        offset,
    )
    .expect("client");
    let error = client
        .send(&HttpRequest::get("/healthz"))
        .await
        .expect_err("refused");
    assert!(matches!(error, HttpError::Connect { .. }), "{error:?}");
    assert_eq!(
        to_public(&Error::Http(error)),
        WalkoutError::Offline {
            retry_after_seconds: None
        }
    );
}
