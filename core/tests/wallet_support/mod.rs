//! A stand-in backend on 127.0.0.1 for the wallet and enrollment tests: the app routes for
//! payment methods, the balance and entry credentials, and a PSP tokenization endpoint in
//! Stripe's wire format under `/psp/v1`. It records what it receives, runs its clock at a
//! chosen offset from the real one (sent in `Date` and `server_time`), and stops on request so
//! tests can go offline.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use walkout_core::clock::{Clock, ManualClock};
use walkout_core::config::{BrandId, CognitoConfig, Config, PspConfig};
use walkout_core::entry::{ParsedCode, accepted_step_window, parse_code, verify_tag};
use walkout_core::http::{AccessTokenFuture, AccessTokenSource};
use walkout_core::secrets::MemorySecretStore;
use walkout_core::{SecretStore, Walkout};
use zeroize::Zeroizing;

/// A JWT-shaped access token; the stand-in backend only checks that it is sent.
pub const TEST_JWT: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzaG9wcGVyLTEiLCJ0b2tlbl91c2UiOiJhY2Nlc3MifQ.c2lnbmF0dXJl";
pub const PUBLISHABLE_KEY: &str = "pk_test_walkout_sandbox";

/// Supplies [`TEST_JWT`] until sign-in installs a real session.
pub struct TestToken;

impl AccessTokenSource for TestToken {
    fn access_token(&self) -> AccessTokenFuture<'_> {
        Box::pin(async { Ok(Zeroizing::new(TEST_JWT.to_owned())) })
    }
}

/// One request the PSP endpoint received.
#[derive(Debug, Clone)]
pub struct PspRequest {
    pub authorization: String,
    pub content_type: String,
    pub idempotency_key: Option<String>,
    pub form: Vec<(String, String)>,
}

/// One request an app route received.
#[derive(Debug, Clone)]
pub struct AppRequest {
    pub method: &'static str,
    pub path: String,
    pub authorization: String,
    pub idempotency_key: Option<String>,
    pub body: String,
}

/// An entry credential as the stand-in backend keeps it.
#[derive(Debug, Clone)]
pub struct ServerCredential {
    pub secret: [u8; 32],
    pub period_secs: u32,
    pub expires_at_unix: i64,
    pub revoked: bool,
}

#[derive(Default)]
pub struct Recorded {
    pub psp: Vec<PspRequest>,
    pub app: Vec<AppRequest>,
    pub cards: Vec<Value>,
    pub credentials: HashMap<String, ServerCredential>,
    /// Idempotency-Key of each enrollment, and the credential it created.
    pub enrollments: HashMap<String, String>,
    pub outstanding_minor: i64,
}

pub struct Shared {
    /// Server clock minus the real clock, in seconds.
    pub offset_secs: i64,
    /// Lifetime of new credentials, in seconds.
    pub lifetime_secs: i64,
    pub recorded: Mutex<Recorded>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Recorded> {
        self.recorded.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn now_unix(&self) -> i64 {
        real_now_millis() / 1000 + self.offset_secs
    }

    /// Checks a scanned code as the gate does: known, not revoked or expired credential, a
    /// step within one of the server's current step, and a matching tag.
    pub fn admits(&self, text: &str) -> bool {
        let Ok(parsed) = parse_code(text) else {
            return false;
        };
        let recorded = self.lock();
        let Some(credential) = recorded.credentials.get(&hex::encode(parsed.credential_id)) else {
            return false;
        };
        let now = self.now_unix();
        if credential.revoked || now >= credential.expires_at_unix {
            return false;
        }
        let window = accepted_step_window(now, credential.period_secs).expect("window");
        window.contains(&parsed.step) && verify_tag(&credential.secret, &parsed)
    }
}

pub fn real_now_millis() -> i64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    since.as_millis() as i64
}

/// The running stand-in; dropping it stops the server.
pub struct Backend {
    pub url: String,
    pub shared: Arc<Shared>,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Backend {
    /// Starts a backend whose clock runs `offset_secs` from the real one and whose credentials
    /// live `lifetime_secs`.
    pub fn start(offset_secs: i64, lifetime_secs: i64) -> Backend {
        let shared = Arc::new(Shared {
            offset_secs,
            lifetime_secs,
            recorded: Mutex::new(Recorded::default()),
        });
        let (address_sender, address_receiver) = std::sync::mpsc::channel();
        let (stop_sender, stop_receiver) = std::sync::mpsc::channel::<()>();
        let app = router(Arc::clone(&shared));
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                address_sender
                    .send(listener.local_addr().expect("address"))
                    .expect("send");
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                });
            });
            // Dropping the runtime ends the listener and every open connection.
            let _ = stop_receiver.recv();
            runtime.shutdown_timeout(Duration::from_secs(1));
        });
        let address = address_receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("backend started");
        Backend {
            url: format!("http://{address}"),
            shared,
            stop: Some(stop_sender),
            thread: Some(thread),
        }
    }

    /// Stops the server and closes its connections.
    pub fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.stop();
    }
}

pub fn config(backend_url: &str, storage: &Path) -> Config {
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
        psp: PspConfig::default(),
    }
}

/// A core signed in with [`TestToken`], its secret store and its device clock.
pub struct App {
    pub core: Walkout,
    pub secrets: Arc<MemorySecretStore>,
    pub clock: Arc<ManualClock>,
}

/// Opens a core on `storage` against `backend_url`, with a device clock at real time plus
/// `device_error_secs`.
pub fn app(backend_url: &str, storage: &Path, device_error_secs: i64) -> App {
    let config = config(backend_url, storage);
    let secrets = Arc::new(MemorySecretStore::new(&config.brand));
    app_with(config, secrets, device_error_secs)
}

pub fn app_with(config: Config, secrets: Arc<MemorySecretStore>, device_error_secs: i64) -> App {
    let clock = Arc::new(ManualClock::new(
        real_now_millis() + device_error_secs * 1000,
    ));
    let store: Arc<dyn SecretStore> = secrets.clone();
    let core = Walkout::with_clock(config, store, clock.clone()).expect("walkout");
    core.http().set_token_source(Arc::new(TestToken));
    App {
        core,
        secrets,
        clock,
    }
}

impl App {
    pub fn device_now_millis(&self) -> i64 {
        self.clock.now_unix_millis()
    }
}

/// Returns the code's credential id in hex, for tests that compare credentials.
pub fn code_credential(text: &str) -> String {
    let parsed: ParsedCode = parse_code(text).expect("well-formed code");
    hex::encode(parsed.credential_id)
}

// ----- routes -----

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/psp/v1/payment_methods", post(psp_tokenize))
        .route(
            "/app/v1/payment-methods",
            post(register_card).get(list_cards),
        )
        .route("/app/v1/payment-methods/{id}/default", post(default_card))
        .route("/app/v1/payment-methods/{id}", delete(remove_card))
        .route("/app/v1/balance", get(balance))
        .route("/app/v1/balance/pay", post(pay_balance))
        .route("/app/v1/entry-credentials", post(enroll))
        .route("/app/v1/entry-credentials/{id}", delete(revoke))
        .route("/app/v1/session", delete(end_session))
        .with_state(shared)
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn dated(shared: &Shared, status: StatusCode, body: Value) -> Response {
    let date = UNIX_EPOCH + Duration::from_secs(shared.now_unix() as u64);
    let headers = [(header::DATE, httpdate::fmt_http_date(date))];
    (status, headers, axum::Json(body)).into_response()
}

fn record_app(
    shared: &Shared,
    method: &'static str,
    path: String,
    headers: &HeaderMap,
    body: &[u8],
) -> bool {
    let authorization = header_text(headers, "authorization").unwrap_or_default();
    let signed_in = authorization == format!("Bearer {TEST_JWT}");
    shared.lock().app.push(AppRequest {
        method,
        path,
        authorization,
        idempotency_key: header_text(headers, "idempotency-key"),
        body: String::from_utf8_lossy(body).into_owned(),
    });
    signed_in
}

fn unauthorized(shared: &Shared) -> Response {
    dated(
        shared,
        StatusCode::UNAUTHORIZED,
        json!({"type": "/problems/invalid-token", "status": 401}),
    )
}

fn stripe_error(
    shared: &Shared,
    status: StatusCode,
    code: &str,
    decline_code: Option<&str>,
) -> Response {
    let mut error = json!({"type": "card_error", "code": code, "message": "scripted"});
    if let Some(decline_code) = decline_code {
        error["decline_code"] = json!(decline_code);
    }
    dated(shared, status, json!({ "error": error }))
}

/// Stripe's documented test numbers with a scripted error; others tokenize.
async fn psp_tokenize(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form: Vec<(String, String)> = form_pairs(&body);
    shared.lock().psp.push(PspRequest {
        authorization: header_text(&headers, "authorization").unwrap_or_default(),
        content_type: header_text(&headers, "content-type").unwrap_or_default(),
        idempotency_key: header_text(&headers, "idempotency-key"),
        form: form.clone(),
    });
    if header_text(&headers, "authorization") != Some(format!("Bearer {PUBLISHABLE_KEY}")) {
        let error = json!({"error": {"type": "invalid_request_error", "code": "api_key_invalid"}});
        return dated(&shared, StatusCode::UNAUTHORIZED, error);
    }
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let number = field("card[number]");
    match number.as_str() {
        "4000000000000002" => {
            return stripe_error(
                &shared,
                StatusCode::PAYMENT_REQUIRED,
                "card_declined",
                Some("generic_decline"),
            );
        }
        "4000000000009995" => {
            return stripe_error(
                &shared,
                StatusCode::PAYMENT_REQUIRED,
                "card_declined",
                Some("insufficient_funds"),
            );
        }
        "4000000000000069" => {
            return stripe_error(&shared, StatusCode::PAYMENT_REQUIRED, "expired_card", None);
        }
        "4000000000000127" => {
            return stripe_error(&shared, StatusCode::PAYMENT_REQUIRED, "incorrect_cvc", None);
        }
        "4000000000000119" => {
            return stripe_error(
                &shared,
                StatusCode::PAYMENT_REQUIRED,
                "processing_error",
                None,
            );
        }
        "4000000000000010" => {
            return stripe_error(
                &shared,
                StatusCode::PAYMENT_REQUIRED,
                "incorrect_number",
                None,
            );
        }
        _ => {}
    }
    let brand = match number.chars().next() {
        Some('4') => "visa",
        Some('3') => "amex",
        _ => "mastercard",
    };
    let last4 = number
        .get(number.len().saturating_sub(4)..)
        .unwrap_or_default()
        .to_owned();
    let body = json!({
        "id": format!("pm_test_{last4}_{}", shared.lock().psp.len()),
        "object": "payment_method",
        "type": "card",
        "card": {
            "brand": brand,
            "last4": last4,
            "exp_month": field("card[exp_month]").parse::<u32>().unwrap_or(0),
            "exp_year": field("card[exp_year]").parse::<u32>().unwrap_or(0),
            "funding": "credit"
        }
    });
    dated(&shared, StatusCode::OK, body)
}

/// Decodes an `application/x-www-form-urlencoded` body.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let decode = |text: &str| -> String {
        let bytes = text.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                if let Ok(value) = u8::from_str_radix(hex, 16) {
                    out.push(value);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

async fn register_card(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !record_app(
        &shared,
        "POST",
        "/app/v1/payment-methods".to_owned(),
        &headers,
        &body,
    ) {
        return unauthorized(&shared);
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(token) = request["payment_method"].as_str() else {
        return dated(
            &shared,
            StatusCode::BAD_REQUEST,
            json!({"type": "/problems/invalid-request"}),
        );
    };
    let last4 = token
        .trim_start_matches("pm_test_")
        .chars()
        .take(4)
        .collect::<String>();
    let mut recorded = shared.lock();
    let card = json!({
        "id": format!("card-{}", recorded.cards.len() + 1),
        "brand": "visa",
        "last4": if last4.len() == 4 { last4 } else { "0000".to_owned() },
        "exp_month": 12,
        "exp_year": 2030,
        "is_default": recorded.cards.is_empty(),
    });
    recorded.cards.push(card.clone());
    drop(recorded);
    dated(&shared, StatusCode::CREATED, card)
}

async fn list_cards(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !record_app(
        &shared,
        "GET",
        "/app/v1/payment-methods".to_owned(),
        &headers,
        b"",
    ) {
        return unauthorized(&shared);
    }
    let cards = shared.lock().cards.clone();
    dated(&shared, StatusCode::OK, json!({ "payment_methods": cards }))
}

async fn default_card(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !record_app(
        &shared,
        "POST",
        format!("/app/v1/payment-methods/{id}/default"),
        &headers,
        b"",
    ) {
        return unauthorized(&shared);
    }
    let mut recorded = shared.lock();
    if !recorded.cards.iter().any(|c| c["id"] == id) {
        drop(recorded);
        return dated(
            &shared,
            StatusCode::NOT_FOUND,
            json!({"type": "/problems/not-found"}),
        );
    }
    for card in &mut recorded.cards {
        card["is_default"] = json!(card["id"] == id);
    }
    drop(recorded);
    dated(&shared, StatusCode::OK, json!({}))
}

async fn remove_card(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !record_app(
        &shared,
        "DELETE",
        format!("/app/v1/payment-methods/{id}"),
        &headers,
        b"",
    ) {
        return unauthorized(&shared);
    }
    let mut recorded = shared.lock();
    let before = recorded.cards.len();
    recorded.cards.retain(|c| c["id"] != id);
    let removed = recorded.cards.len() < before;
    drop(recorded);
    if removed {
        StatusCode::NO_CONTENT.into_response()
    } else {
        dated(
            &shared,
            StatusCode::NOT_FOUND,
            json!({"type": "/problems/not-found"}),
        )
    }
}

fn balance_body(outstanding_minor: i64) -> Value {
    json!({"outstanding": {"amount_minor": outstanding_minor, "currency": "GBP"}})
}

async fn balance(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !record_app(&shared, "GET", "/app/v1/balance".to_owned(), &headers, b"") {
        return unauthorized(&shared);
    }
    let outstanding = shared.lock().outstanding_minor;
    dated(&shared, StatusCode::OK, balance_body(outstanding))
}

async fn pay_balance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !record_app(
        &shared,
        "POST",
        "/app/v1/balance/pay".to_owned(),
        &headers,
        &body,
    ) {
        return unauthorized(&shared);
    }
    shared.lock().outstanding_minor = 0;
    dated(&shared, StatusCode::OK, balance_body(0))
}

fn rfc3339(unix: i64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp(unix).expect("in range");
    time.format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

/// Enrolls a credential; a repeated Idempotency-Key returns the first credential again.
async fn enroll(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !record_app(
        &shared,
        "POST",
        "/app/v1/entry-credentials".to_owned(),
        &headers,
        &body,
    ) {
        return unauthorized(&shared);
    }
    let Some(key) = header_text(&headers, "idempotency-key") else {
        return dated(
            &shared,
            StatusCode::BAD_REQUEST,
            json!({"type": "/problems/invalid-request"}),
        );
    };
    let now = shared.now_unix();
    let mut recorded = shared.lock();
    let id = match recorded.enrollments.get(&key) {
        Some(id) => id.clone(),
        None => {
            let id = hex::encode(rand::random::<[u8; 8]>());
            let credential = ServerCredential {
                secret: rand::random::<[u8; 32]>(),
                period_secs: 30,
                expires_at_unix: now + shared.lifetime_secs,
                revoked: false,
            };
            recorded.credentials.insert(id.clone(), credential);
            recorded.enrollments.insert(key, id.clone());
            id
        }
    };
    let credential = recorded.credentials[&id].clone();
    drop(recorded);
    let renew_after = credential.expires_at_unix - shared.lifetime_secs / 4;
    let body = json!({
        "credential_id": id,
        "device_name": null,
        "period_secs": credential.period_secs,
        "created_at": rfc3339(now),
        "expires_at": rfc3339(credential.expires_at_unix),
        "renew_after": rfc3339(renew_after),
        "secret": base64::engine::general_purpose::STANDARD.encode(credential.secret),
        "server_time": rfc3339(now),
    });
    dated(&shared, StatusCode::CREATED, body)
}

async fn end_session(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !record_app(
        &shared,
        "DELETE",
        "/app/v1/session".to_owned(),
        &headers,
        b"",
    ) {
        return unauthorized(&shared);
    }
    StatusCode::NO_CONTENT.into_response()
}

async fn revoke(
    State(shared): State<Arc<Shared>>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !record_app(
        &shared,
        "DELETE",
        format!("/app/v1/entry-credentials/{id}"),
        &headers,
        b"",
    ) {
        return unauthorized(&shared);
    }
    let mut recorded = shared.lock();
    match recorded.credentials.get_mut(&id) {
        Some(credential) => {
            credential.revoked = true;
            drop(recorded);
            StatusCode::NO_CONTENT.into_response()
        }
        None => {
            drop(recorded);
            dated(
                &shared,
                StatusCode::NOT_FOUND,
                json!({"type": "/problems/not-found"}),
            )
        }
    }
}
