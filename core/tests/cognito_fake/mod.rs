//! An in-process Cognito user pool for tests: an axum server on 127.0.0.1 that speaks the same
//! JSON protocol as Cognito and really checks what moto does not.
//!
//! It verifies SRP password claims for users and devices with `srp::server`, issues RS256
//! tokens signed with a test key (and serves the JWKS), rotates refresh tokens with reuse
//! detection, revokes tokens, remembers devices, and lets a test inject throttling, internal
//! errors or a dropped connection in front of any operation. Users sign in by email; as on a
//! Cognito pool with email as username, the internal username (`USER_ID_FOR_SRP`) is the `sub`.

#![allow(dead_code)]

mod handlers;
mod tokens;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use num_bigint::BigInt;
use walkout_core::auth::srp::server::{ServerSession, VerifierRecord};

pub const POOL_ID: &str = "eu-west-2_FakePool1";
pub const POOL_NAME: &str = "FakePool1";
pub const CLIENT_ID: &str = "fake-client-id";
/// The confirmation code every sign-up gets.
pub const CONFIRMATION_CODE: &str = "123456";
/// The authenticator code accepted for users with MFA on.
pub const TOTP_CODE: &str = "654321";

/// A failure to put in front of the next call of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// `TooManyRequestsException`, HTTP 400.
    Throttle,
    /// `InternalErrorException`, HTTP 500.
    Internal,
    /// The connection drops while the response body is sent.
    DropConnection,
}

/// How the next user's salt is chosen, to test lenient parsing of server values.
#[derive(Debug, Clone)]
pub enum SaltChoice {
    Random,
    Fixed(BigInt),
}

pub struct User {
    pub sub: String,
    pub email: String,
    pub record: VerifierRecord,
    pub confirmed: bool,
    pub force_new_password: bool,
    pub mfa: bool,
    /// Access tokens issued before this (Unix seconds) are rejected: `GlobalSignOut`.
    pub signed_out_at: Option<i64>,
}

pub struct PendingSrp {
    pub sub: String,
    pub server: ServerSession,
    pub srp_a: String,
    pub device_key: Option<String>,
}

pub struct PendingDeviceSrp {
    pub sub: String,
    pub device_key: String,
    pub server: ServerSession,
    pub srp_a: String,
    pub secret_block: String,
}

pub struct RefreshRecord {
    pub sub: String,
    pub revoked: bool,
    /// Set once the token was exchanged under rotation.
    pub rotated: bool,
    pub device_key: Option<String>,
}

pub struct Device {
    pub sub: String,
    pub group_key: String,
    pub record: Option<VerifierRecord>,
}

/// Behaviour switches a test sets before it runs.
#[derive(Debug, Clone)]
pub struct FakeOptions {
    pub rotate_refresh_tokens: bool,
    pub track_devices: bool,
    pub token_lifetime_seconds: i64,
    /// Draw b until B has its top bit set, so padHex must add a 00 byte.
    pub srp_b_high_bit: bool,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            rotate_refresh_tokens: true,
            track_devices: false,
            token_lifetime_seconds: 3600,
            srp_b_high_bit: false,
        }
    }
}

#[derive(Default)]
pub struct FakeState {
    pub users: HashMap<String, User>,
    pub srp: HashMap<String, PendingSrp>,
    pub device_srp: HashMap<String, PendingDeviceSrp>,
    /// Challenge sessions waiting for NEW_PASSWORD_REQUIRED or SOFTWARE_TOKEN_MFA, by session.
    pub challenges: HashMap<String, (String, String)>,
    pub refresh_tokens: HashMap<String, RefreshRecord>,
    pub access_tokens: HashMap<String, (String, i64)>,
    pub revoked_access: HashSet<String>,
    pub devices: HashMap<String, Device>,
    pub calls: HashMap<String, usize>,
    pub injected: VecDeque<(String, Injected)>,
    pub next_salt: Option<BigInt>,
    pub options: FakeOptions,
}

impl FakeState {
    pub fn user_by_name(&self, name: &str) -> Option<&User> {
        self.users
            .get(name)
            .or_else(|| self.users.values().find(|user| user.sub == name))
    }
}

/// A running fake; it serves until the test process exits.
pub struct FakeCognito {
    pub url: String,
    pub state: Arc<Mutex<FakeState>>,
}

impl FakeCognito {
    pub fn start(options: FakeOptions) -> Self {
        let state = Arc::new(Mutex::new(FakeState {
            options,
            ..FakeState::default()
        }));
        let shared = Arc::clone(&state);
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let app = Router::new()
                    .route("/", post(dispatch))
                    .route("/{pool}/.well-known/jwks.json", get(jwks))
                    .with_state(shared);
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                sender
                    .send(listener.local_addr().expect("address"))
                    .expect("send");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        let address = receiver
            .recv_timeout(Duration::from_secs(10))
            .expect("fake started");
        Self {
            url: format!("http://{address}/"),
            state,
        }
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Returns how many times `operation` was called.
    pub fn calls(&self, operation: &str) -> usize {
        self.lock().calls.get(operation).copied().unwrap_or(0)
    }

    /// Makes the next `times` calls of `operation` fail with `failure`.
    pub fn inject(&self, operation: &str, failure: Injected, times: usize) {
        let mut state = self.lock();
        for _ in 0..times {
            state.injected.push_back((operation.to_owned(), failure));
        }
    }

    /// Uses `salt` for the next sign-up.
    pub fn set_next_salt(&self, salt: BigInt) {
        self.lock().next_salt = Some(salt);
    }

    /// Creates a confirmed user directly.
    pub fn add_user(&self, email: &str, password: &str) -> String {
        let mut state = self.lock();
        let sub = handlers::create_user(&mut state, email, password);
        if let Some(user) = state.users.get_mut(email) {
            user.confirmed = true;
        }
        sub
    }

    /// Turns authenticator MFA on for `email`.
    pub fn enable_mfa(&self, email: &str) {
        if let Some(user) = self.lock().users.get_mut(email) {
            user.mfa = true;
        }
    }

    /// Counts the refresh tokens that are neither revoked nor rotated.
    pub fn live_refresh_tokens(&self) -> usize {
        self.lock()
            .refresh_tokens
            .values()
            .filter(|record| !record.revoked && !record.rotated)
            .count()
    }
}

/// A Cognito error response.
pub fn cognito_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"__type": code, "message": message}).to_string();
    (
        status,
        [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
        body,
    )
        .into_response()
}

fn injected_response(failure: Injected) -> Response {
    match failure {
        Injected::Throttle => cognito_error(
            StatusCode::BAD_REQUEST,
            "TooManyRequestsException",
            "Rate exceeded",
        ),
        Injected::Internal => cognito_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalErrorException",
            "internal error",
        ),
        Injected::DropConnection => {
            let failing = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
            });
            Response::new(Body::from_stream(failing))
        }
    }
}

async fn dispatch(
    State(state): State<Arc<Mutex<FakeState>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let Some(operation) = target.strip_prefix("AWSCognitoIdentityProviderService.") else {
        return cognito_error(StatusCode::BAD_REQUEST, "UnknownOperationException", "");
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    if content_type != Some("application/x-amz-json-1.1") {
        return cognito_error(StatusCode::BAD_REQUEST, "SerializationException", "");
    }
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return cognito_error(StatusCode::BAD_REQUEST, "SerializationException", "");
    };

    let mut state = state.lock().unwrap_or_else(|p| p.into_inner());
    *state.calls.entry(operation.to_owned()).or_default() += 1;
    if let Some(index) = state.injected.iter().position(|(op, _)| op == operation) {
        let (_, failure) = state.injected.remove(index).expect("present");
        return injected_response(failure);
    }
    match handlers::handle(&mut state, operation, &request) {
        Ok(value) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/x-amz-json-1.1")],
            value.to_string(),
        )
            .into_response(),
        Err((code, message)) => cognito_error(StatusCode::BAD_REQUEST, code, message),
    }
}

async fn jwks() -> Response {
    axum::Json(tokens::jwks()).into_response()
}

/// The core configuration of a brand whose pool is this fake.
pub fn config_for(fake: &FakeCognito, storage: &std::path::Path) -> walkout_core::Config {
    walkout_core::Config {
        brand: walkout_core::BrandId::new("acme").expect("brand"),
        // Nothing listens here; the sign-in tests make no backend calls.
        backend_url: "http://127.0.0.1:9".to_owned(),
        storage_dir: storage.to_owned(),
        cognito: walkout_core::config::CognitoConfig {
            region: "eu-west-2".to_owned(),
            endpoint_url: Some(fake.url.clone()),
            user_pool_id: POOL_ID.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: None,
        },
        openid: None,
        psp: Default::default(),
    }
}
