//! The `Walkout` object against a real axum backend on 127.0.0.1: health checks, the clock
//! offset and its storage, and the synchronous API's guard against async callers.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use walkout_core::config::{BrandId, CognitoConfig, Config};
use walkout_core::secrets::MemorySecretStore;
use walkout_core::{Walkout, WalkoutError};

const TWO_HOURS_MS: i64 = 2 * 3600 * 1000;

fn ahead_date() -> String {
    httpdate::fmt_http_date(SystemTime::now() + Duration::from_millis(TWO_HOURS_MS as u64))
}

async fn healthz() -> Response {
    (
        [(header::DATE, ahead_date())],
        axum::Json(serde_json::json!({"status": "ok"})),
    )
        .into_response()
}

async fn ready() -> Response {
    let body = serde_json::json!({"status": "ready", "schema_version": 7});
    ([(header::DATE, ahead_date())], axum::Json(body)).into_response()
}

async fn not_ready() -> Response {
    let body = r#"{"type":"/problems/not-ready","title":"Service not ready","status":503,"detail":"database: not answering"}"#;
    let headers = [(header::CONTENT_TYPE, "application/problem+json")];
    (StatusCode::SERVICE_UNAVAILABLE, headers, body).into_response()
}

/// Starts a backend on its own thread and runtime, so the tests call `Walkout` from a plain
/// thread as the apps do. The server lives until the test process exits.
fn start_backend(is_ready: bool) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let readyz = if is_ready { get(ready) } else { get(not_ready) };
            let app = Router::new()
                .route("/healthz", get(healthz))
                .route("/readyz", readyz);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            sender
                .send(listener.local_addr().expect("address"))
                .expect("send address");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("server started");
    format!("http://{address}")
}

fn config(backend_url: &str, storage: &Path) -> Config {
    Config {
        brand: BrandId::new("acme").expect("brand"),
        backend_url: backend_url.to_owned(),
        storage_dir: storage.to_owned(),
        cognito: CognitoConfig {
            region: "eu-west-2".to_owned(),
            endpoint_url: None,
            user_pool_id: "eu-west-2_test".to_owned(),
            client_id: "client".to_owned(),
            client_secret: None,
        },
        openid: None,
        psp: Default::default(),
    }
}

fn walkout(backend_url: &str, storage: &Path) -> Walkout {
    let config = config(backend_url, storage);
    let secrets = Arc::new(MemorySecretStore::new(&config.brand));
    Walkout::new(config, secrets).expect("walkout")
}

#[test]
fn healthy_backend_is_reported_with_offset() {
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&start_backend(true), storage.path());
    assert_eq!(core.brand_id(), "acme");
    assert_eq!(core.clock_offset(), None);

    let report = core.backend_health().expect("health");

    assert!(report.live);
    assert!(report.ready);
    assert_eq!(report.schema_version, Some(7));
    let offset = report.clock_offset_millis.expect("offset measured");
    assert!((offset - TWO_HOURS_MS).abs() <= 1500, "offset {offset} ms");
}

#[test]
fn clock_offset_is_stored_for_the_next_run() {
    let storage = tempfile::tempdir().expect("tempdir");
    let backend = start_backend(true);
    walkout(&backend, storage.path())
        .backend_health()
        .expect("health");

    let next = walkout(&backend, storage.path());

    let offset = next.clock_offset().expect("stored offset");
    assert!(
        (offset.offset_millis - TWO_HOURS_MS).abs() <= 1500,
        "{offset:?}"
    );
}

#[test]
fn unready_backend_reports_problem() {
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&start_backend(false), storage.path());

    let report = core.backend_health().expect("health");

    assert!(report.live);
    assert!(!report.ready);
    assert_eq!(report.not_ready_slug.as_deref(), Some("not-ready"));
    assert_eq!(
        report.not_ready_detail.as_deref(),
        Some("database: not answering")
    );
}

#[test]
fn unreachable_backend_is_offline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&format!("http://{address}"), storage.path());

    let error = core.backend_health().expect_err("refused");

    assert_eq!(
        error,
        WalkoutError::Offline {
            retry_after_seconds: None
        }
    );
}

#[test]
fn call_inside_async_runtime_is_an_error() {
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout("http://127.0.0.1:9", storage.path());
    let outer = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");

    let result = outer.block_on(async { core.backend_health() });

    assert_eq!(result, Err(WalkoutError::CalledFromAsyncRuntime));
}

#[test]
fn invalid_config_is_rejected() {
    let storage = tempfile::tempdir().expect("tempdir");
    let mut bad = config("http://127.0.0.1:9", storage.path());
    bad.backend_url = "127.0.0.1:9".to_owned();
    let secrets = Arc::new(MemorySecretStore::new(&bad.brand));

    let error = Walkout::new(bad, secrets).expect_err("invalid URL");

    match error {
        WalkoutError::InvalidInput { field, .. } => assert_eq!(field, "backend_url"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
