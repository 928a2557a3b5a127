//! Shared setup of the authentication tests: the real service on a loopback port with extra
//! test-only routes, a JWKS server on another loopback port, test tokens, and a log capture.

#![allow(dead_code)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::server::{self, AppState};

// Each test crate that uses several support modules loads this shared builder once per module.
#[allow(clippy::duplicate_mod)]
#[path = "../common/mod.rs"]
mod common;

use common::database::TestDatabase;
use common::launch::Launch;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/auth");

/// A running service. The data folder lives as long as this value.
pub struct TestService {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    _data_dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

impl TestService {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Starts the service router merged with `test_routes` on 127.0.0.1 and an ephemeral port.
/// The config has a temporary data folder and the test clock; `configure` changes the rest.
pub async fn start_service(
    configure: impl FnOnce(&mut Config),
    test_routes: impl FnOnce(AppState) -> Router,
) -> TestService {
    capture_logs();
    let launch = Launch::prepare(|config| {
        config.clock = ClockMode::Test;
        configure(config);
    })
    .await;
    let base = launch.base_url();
    let state = launch.state;
    let app = server::router(state.clone()).merge(test_routes(state.clone()));
    let listener = launch.listener;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    TestService {
        base,
        state,
        http: http_client(),
        _data_dir: launch.data_dir,
        _database: launch.database,
    }
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

async fn serve_on_loopback(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    address
}

/// Waits until the current second has just begun, so that a request sent right after sees the
/// same Unix second as the test. Edge cases of one second (299 s against 301 s) need this.
pub async fn wait_for_fresh_second() {
    let millis = time::OffsetDateTime::now_utc().millisecond();
    if millis > 100 {
        tokio::time::sleep(Duration::from_millis(u64::from(1010 - millis))).await;
    }
}

// ----- log capture -----

fn log_buffer() -> &'static Arc<Mutex<Vec<u8>>> {
    static BUFFER: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    BUFFER.get_or_init(|| Arc::new(Mutex::new(Vec::new())))
}

struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a subscriber that keeps every log line of the service (all levels) in memory.
pub fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let buffer = Arc::clone(log_buffer());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "walkout_connectors=trace,warn",
            ))
            .with_ansi(false)
            .with_writer(move || BufferWriter(Arc::clone(&buffer)))
            .try_init();
    });
}

/// Everything logged so far by every test of this binary.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&log_buffer().lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

// ----- JWKS server -----

/// A loopback server for a JWKS document that tests change, switch off and count hits on.
#[derive(Clone)]
pub struct JwksServer {
    pub url: String,
    pub document: Arc<Mutex<Value>>,
    pub available: Arc<AtomicBool>,
    pub hits: Arc<AtomicUsize>,
    /// Delay before each answer, so concurrent fetches would overlap.
    pub delay: Duration,
}

impl JwksServer {
    pub async fn start(keys: &[(&str, &str)]) -> JwksServer {
        Self::start_with(keys, true, Duration::ZERO).await
    }

    pub async fn start_with(keys: &[(&str, &str)], available: bool, delay: Duration) -> JwksServer {
        let mut server = JwksServer {
            url: String::new(),
            document: Arc::new(Mutex::new(jwks_document(keys))),
            available: Arc::new(AtomicBool::new(available)),
            hits: Arc::new(AtomicUsize::new(0)),
            delay,
        };
        let app = Router::new()
            .route("/.well-known/jwks.json", axum::routing::get(serve_jwks))
            .with_state(server.clone());
        let address = serve_on_loopback(app).await;
        server.url = format!("http://{address}/.well-known/jwks.json");
        server
    }

    pub fn set_keys(&self, keys: &[(&str, &str)]) {
        *self.document.lock().unwrap_or_else(|p| p.into_inner()) = jwks_document(keys);
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn serve_jwks(State(server): State<JwksServer>) -> Response {
    server.hits.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(server.delay).await;
    if !server.available.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let document = server
        .document
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    axum::Json(document).into_response()
}

/// A JWKS document of `(kid, fixture name)` pairs, with Cognito's `alg` and `use` members.
pub fn jwks_document(keys: &[(&str, &str)]) -> Value {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(kid, name)| {
            let text = std::fs::read_to_string(format!("{FIXTURES}/{name}.jwk.json"))
                .expect("JWK fixture");
            let mut jwk: Value = serde_json::from_str(&text).expect("JWK fixture is JSON");
            jwk["kid"] = json!(kid);
            jwk["alg"] = json!("RS256");
            jwk["use"] = json!("sig");
            jwk
        })
        .collect();
    json!({ "keys": keys })
}

// ----- tokens -----

pub const ISSUER: &str = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_TestPool";
pub const CLIENT_ID: &str = "walkout-test-app-client";

pub fn fixture_bytes(file: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{file}")).expect("fixture file")
}

/// Claims of a valid access token issued at `now` (Unix seconds) for one hour.
pub fn access_claims(now: i64) -> Value {
    json!({
        "sub": "7d8a3f2e-0c4b-4f63-9a55-2b1e8c7d6f10",
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": "3c0b9f51-8a7e-4d2c-b6f4-1e2d3c4b5a69",
        "event_id": "a1b2c3d4-0000-4000-8000-000000000001",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 10,
        "exp": now + 3600,
        "iat": now - 10,
        "jti": "5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
        "username": "shopper-one",
        "cognito:groups": ["pilot"]
    })
}

/// Signs `claims` with RS256 and the fixture key `key_name`, naming `kid` in the header.
pub fn sign_rs256(kid: &str, key_name: &str, claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    let pem = fixture_bytes(&format!("{key_name}.key.pem"));
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(&pem).expect("fixture private key");
    jsonwebtoken::encode(&header, claims, &key).expect("token signs")
}
