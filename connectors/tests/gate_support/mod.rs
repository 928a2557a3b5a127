//! Shared setup of the gate tests: the service with app authentication and the test clock,
//! enrollment through the app API, cards, and VerifyIdentityKeys calls as JWO makes them.

#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use walkout_connectors::config::Config;
use walkout_core::entry::code_text;

use walkout_connectors::config::ClockMode;
use walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY;
use walkout_connectors::server::{self, AppState};

// Each test crate that uses several support modules loads this shared builder once per module.
#[allow(clippy::duplicate_mod)]
#[path = "../common/mod.rs"]
mod common;

use common::database::TestDatabase;
use common::launch::Launch;

use crate::auth_support::{
    CLIENT_ID, ISSUER, JwksServer, access_claims, capture_logs, http_client, sign_rs256,
};

pub const STORE: &str = "STORE-001";
pub const OTHER_STORE: &str = "STORE-002";

/// The service with app authentication against a loopback JWKS, ready to check tokens. It
/// listens on the address in its configuration, so the embedded sandbox PSP that the payment
/// hold calls is reachable.
pub struct Gate {
    pub service: Running,
    pub jwks: JwksServer,
}

/// A running service. The data folder lives as long as this value.
pub struct Running {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    _data_dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Returns the data folder, which holds the service secrets a second instance must share.
    pub fn data_path(&self) -> std::path::PathBuf {
        self._data_dir.path().to_path_buf()
    }
}

impl Gate {
    pub async fn start(configure: impl FnOnce(&mut Config)) -> Gate {
        capture_logs();
        let jwks = JwksServer::start(&[("key-a", "rsa-a")]).await;
        let jwks_url = jwks.url.clone();
        let launch = Launch::prepare(|config| {
            config.clock = ClockMode::Test;
            config.auth.issuer = Some(ISSUER.to_owned());
            config.auth.jwks_url = Some(jwks_url);
            config.auth.client_ids = vec![CLIENT_ID.to_owned()];
            configure(config);
        })
        .await;
        let base = launch.base_url();
        let app = server::router(launch.state.clone());
        let listener = launch.listener;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let service = Running {
            base,
            state: launch.state,
            http: http_client(),
            _data_dir: launch.data_dir,
            _database: launch.database,
        };
        let gate = Gate { service, jwks };
        gate.wait_until_ready().await;
        gate
    }

    async fn wait_until_ready(&self) {
        for _ in 0..150 {
            let response = self.http().get(self.url("/readyz")).send().await;
            if response.is_ok_and(|r| r.status() == 200) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the service did not become ready within 15 s");
    }

    pub fn url(&self, path: &str) -> String {
        self.service.url(path)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.service.http
    }

    pub fn db(&self) -> &sqlx::AnyPool {
        &self.service.state.db.pool
    }

    pub fn now_ms(&self) -> i64 {
        self.service.state.clock.now_ms()
    }

    /// Signs an access token for the user `sub`, valid at the service clock.
    pub fn token(&self, sub: &str) -> String {
        let mut claims = access_claims(self.service.state.clock.now_secs());
        claims["sub"] = json!(sub);
        sign_rs256("key-a", "rsa-a", &claims)
    }

    pub fn admin_key(&self) -> String {
        self.service.state.credentials.admin_api_key.clone()
    }

    /// Moves the test clock so that at least 5 s remain in the current 30 s step and at least
    /// 5 s have passed since it began, so a test's steps do not straddle a rotation.
    pub fn settle_mid_step(&self, period_secs: i64) {
        let into_step = self.service.state.clock.now_secs().rem_euclid(period_secs);
        if into_step < 5 || into_step > period_secs - 5 {
            let forward = (period_secs - into_step + 5).rem_euclid(period_secs);
            assert!(self.service.state.clock.advance_ms(forward * 1000));
        }
    }

    /// Returns the time step of the service clock for `period_secs`.
    pub fn current_step(&self, period_secs: i64) -> u32 {
        u32::try_from(self.service.state.clock.now_secs().div_euclid(period_secs))
            .expect("step fits")
    }
}

/// A credential as enrollment returned it.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub sub: String,
    pub credential_id: [u8; 8],
    pub credential_hex: String,
    pub secret: [u8; 32],
    pub period_secs: u32,
    pub body: Value,
}

impl Enrolled {
    /// Builds the code text for `step`.
    pub fn code(&self, step: u32) -> String {
        code_text(&self.credential_id, &self.secret, step)
    }
}

/// Enrolls a credential for `sub` through the app API.
pub async fn enroll(gate: &Gate, sub: &str) -> Enrolled {
    let response = gate
        .http()
        .post(gate.url("/app/v1/entry-credentials"))
        .bearer_auth(gate.token(sub))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({ "device_name": "test phone" }))
        .send()
        .await
        .expect("enrollment answers");
    assert_eq!(response.status(), 201, "enrollment status");
    let body: Value = response.json().await.expect("enrollment body");
    let credential_hex = body["credential_id"]
        .as_str()
        .expect("credential_id")
        .to_owned();
    let credential_id: [u8; 8] = hex::decode(&credential_hex)
        .expect("hex id")
        .try_into()
        .expect("8 bytes");
    let secret: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(body["secret"].as_str().expect("secret"))
        .expect("Base64 secret")
        .try_into()
        .expect("32 bytes");
    let period_secs =
        u32::try_from(body["period_secs"].as_u64().expect("period")).expect("period fits");
    Enrolled {
        sub: sub.to_owned(),
        credential_id,
        credential_hex,
        secret,
        period_secs,
        body,
    }
}

/// Reads the shopper id of the user `sub`.
pub async fn shopper_id(gate: &Gate, sub: &str) -> String {
    sqlx::query_scalar("SELECT id FROM shoppers WHERE cognito_sub = $1")
        .bind(sub)
        .fetch_one(gate.db())
        .await
        .expect("shopper exists")
}

pub async fn visitor_id(gate: &Gate, sub: &str) -> String {
    sqlx::query_scalar("SELECT visitor_id FROM shoppers WHERE cognito_sub = $1")
        .bind(sub)
        .fetch_one(gate.db())
        .await
        .expect("shopper exists")
}

/// Saves a default card with the given expiry for the user `sub` directly in
/// `payment_methods`, because the sandbox PSP does not tokenize an expired card.
pub async fn add_card(gate: &Gate, sub: &str, exp_month: i64, exp_year: i64) {
    let shopper = shopper_id(gate, sub).await;
    sqlx::query(
        "INSERT INTO payment_methods (id, shopper_id, psp_payment_method, brand, last4, exp_month, exp_year, is_default, created_at) \
         VALUES ($1, $2, 'pm_card_visa', 'visa', '4242', $3, $4, 1, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&shopper)
    .bind(exp_month)
    .bind(exp_year)
    .bind(gate.now_ms())
    .execute(gate.db())
    .await
    .expect("card row inserts");
}

/// Tokenizes the sandbox's test Visa card as the app does and registers it for `sub` through
/// the app API.
pub async fn register_card(gate: &Gate, sub: &str) {
    let exp_year = (time::OffsetDateTime::now_utc().year() + 3).to_string();
    let form = [
        ("type", "card"),
        ("card[number]", "4242424242424242"),
        ("card[exp_month]", "12"),
        ("card[exp_year]", exp_year.as_str()),
        ("card[cvc]", "913"),
    ];
    let tokenized = gate
        .http()
        .post(gate.url("/psp/v1/payment_methods"))
        .bearer_auth(SANDBOX_PUBLISHABLE_KEY)
        .form(&form)
        .send()
        .await
        .expect("tokenization answers");
    assert_eq!(tokenized.status(), 200, "tokenization of the test card");
    let method: Value = tokenized.json().await.expect("payment method JSON");

    let registered = gate
        .http()
        .post(gate.url("/app/v1/payment-methods"))
        .bearer_auth(gate.token(sub))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({ "payment_method": method["id"] }))
        .send()
        .await
        .expect("card registration answers");
    assert_eq!(registered.status(), 201, "card registration");
}

/// Enrolls `sub` and registers a card that the sandbox PSP accepts.
pub async fn ready_shopper(gate: &Gate, sub: &str) -> Enrolled {
    let enrolled = enroll(gate, sub).await;
    register_card(gate, sub).await;
    enrolled
}

pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Builds a VerifyIdentityKeys body for `identity_key` (already Base64) with fresh ids.
pub fn scan_body(store: &str, identity_key: &str) -> Value {
    json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "identityKey": identity_key,
        "storeId": store,
        "authEvent": {
            "id": uuid::Uuid::new_v4().to_string(),
            "timestamp": "2024-02-09T17:53:57Z",
            "location": "ENTRY"
        },
        "keyChannel": "OPTICAL"
    })
}

/// Status and body of a JWO call.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub text: String,
    pub body: Value,
}

impl Answer {
    /// Returns the problem slug of a denial, or `""`.
    pub fn slug(&self) -> &str {
        self.body["type"]
            .as_str()
            .and_then(|t| t.strip_prefix("/problems/"))
            .unwrap_or("")
    }
}

/// Sends a VerifyIdentityKeys request with the JWO caller token.
pub async fn verify(gate: &Gate, body: &Value) -> Answer {
    send_raw(gate, body.to_string()).await
}

pub async fn send_raw(gate: &Gate, body: String) -> Answer {
    let response = gate
        .http()
        .post(gate.url("/v1/identity/identity-keys"))
        .bearer_auth(&gate.service.state.credentials.jwo_caller_token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("identity-keys answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        text,
        body,
    }
}

/// Scans `code` at `store` with fresh ids.
pub async fn scan(gate: &Gate, store: &str, code: &str) -> Answer {
    verify(gate, &scan_body(store, &base64(code.as_bytes()))).await
}

/// Counts rows of `sql`, which takes one text parameter.
pub async fn count(gate: &Gate, sql: &str, parameter: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(parameter)
        .fetch_one(gate.db())
        .await
        .expect("count query runs")
}

/// Reads the payloads of the outbox events of kind `kind` for a shopper.
pub async fn events(gate: &Gate, shopper_id: &str, kind: &str) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT payload FROM events WHERE shopper_id = $1 AND kind = $2 ORDER BY id",
    )
    .bind(shopper_id)
    .bind(kind)
    .fetch_all(gate.db())
    .await
    .expect("events query runs");
    rows.iter()
        .map(|p| serde_json::from_str(p).expect("payload JSON"))
        .collect()
}
