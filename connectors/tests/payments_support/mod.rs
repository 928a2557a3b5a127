//! Shared setup of the payment tests: the real service (with the sandbox PSP) on a loopback
//! port, the test clock, app authentication against a loopback JWKS, and helpers that tokenize
//! cards and register them the way the app does.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY;
use walkout_connectors::server::{self, AppState};

// Each test crate that uses several support modules loads this shared builder once per module.
#[allow(clippy::duplicate_mod)]
#[path = "../common/mod.rs"]
mod common;

use common::database::TestDatabase;
use common::launch::Launch;

use crate::auth_support::{self, CLIENT_ID, ISSUER, JwksServer};

pub const SECRET_KEY: &str = walkout_connectors::payments::config::SANDBOX_SECRET_KEY;
pub const STORE: &str = "UK-LON-001";

pub struct Service {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    pub jwks: JwksServer,
    pub data_dir: tempfile::TempDir,
    _database: Option<TestDatabase>,
}

impl Service {
    /// Starts the service on 127.0.0.1 with the test clock; `configure` changes the rest.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> Service {
        auth_support::capture_logs();
        let jwks = JwksServer::start(&[("key-a", "rsa-a")]).await;
        let jwks_url = jwks.url.clone();
        let launch = Launch::prepare(|config| {
            config.clock = ClockMode::Test;
            config.auth.issuer = Some(ISSUER.to_owned());
            config.auth.jwks_url = Some(jwks_url);
            config.auth.client_ids = vec![CLIENT_ID.to_owned()];
            config.payments.retry_backoff_ms = 10;
            configure(config);
        })
        .await;
        let base = launch.base_url();
        let app = server::router(launch.state.clone());
        let listener = launch.listener;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let service = Service {
            base,
            state: launch.state,
            http: auth_support::http_client(),
            jwks,
            data_dir: launch.data_dir,
            _database: launch.database,
        };
        service.wait_until_ready().await;
        service
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn wait_until_ready(&self) {
        for _ in 0..150 {
            let response = self
                .http
                .get(self.url("/readyz"))
                .send()
                .await
                .expect("readyz answers");
            if response.status() == 200 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the service did not become ready within 15 s");
    }

    /// An access token for the shopper `sub`.
    pub fn token(&self, sub: &str) -> String {
        let now = self.state.clock.now_secs();
        let mut claims = auth_support::access_claims(now);
        claims["sub"] = json!(sub);
        auth_support::sign_rs256("key-a", "rsa-a", &claims)
    }

    /// Tokenizes a card with the publishable key, as the app does; returns the PSP's answer.
    pub async fn tokenize(&self, number: &str, cvc: &str) -> (u16, Value) {
        let exp_year = (time::OffsetDateTime::now_utc().year() + 3).to_string();
        let form = [
            ("type", "card"),
            ("card[number]", number),
            ("card[exp_month]", "12"),
            ("card[exp_year]", exp_year.as_str()),
            ("card[cvc]", cvc),
        ];
        let response = self
            .http
            .post(self.url("/psp/v1/payment_methods"))
            .bearer_auth(SANDBOX_PUBLISHABLE_KEY)
            .form(&form)
            .send()
            .await
            .expect("tokenization answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A server call to the sandbox with the secret key.
    pub async fn psp_post(
        &self,
        path: &str,
        key: Option<&str>,
        form: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(&format!("/psp/v1{path}")))
            .bearer_auth(SECRET_KEY)
            .form(form);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.expect("sandbox answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// An app API call as `sub`.
    pub async fn app(
        &self,
        method: reqwest::Method,
        path: &str,
        sub: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(self.token(sub));
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("app route answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Tokenizes `number` and registers it for `sub`; returns the app's card view.
    pub async fn add_card(&self, sub: &str, number: &str) -> Value {
        let cvc = if number.starts_with('3') {
            "7391"
        } else {
            "913"
        };
        let (status, method) = self.tokenize(number, cvc).await;
        assert_eq!(status, 200, "tokenization of a test card: {method}");
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({ "payment_method": method["id"] });
        let (status, card) = self
            .app(
                reqwest::Method::POST,
                "/app/v1/payment-methods",
                sub,
                Some(&key),
                Some(body),
            )
            .await;
        assert_eq!(status, 201, "card registration: {card}");
        card
    }

    /// The internal shopper id of `sub`.
    pub async fn shopper_id(&self, sub: &str) -> String {
        walkout_connectors::shoppers::get_or_create(&self.state.db, sub, self.state.clock.now_ms())
            .await
            .expect("shopper")
            .id
    }

    /// Captures recorded by the sandbox for one PaymentIntent.
    pub async fn captures_of(&self, payment_intent: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM psp_captures WHERE payment_intent = $1")
            .bind(payment_intent)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("count captures")
    }
}

pub fn new_trip_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
