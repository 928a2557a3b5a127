//! Shared setup of the app API tests: the service with app authentication, two shoppers with
//! their tokens, and rows written straight into the tables the ordering and gate code fill.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::db::{Database, next_counter_value};
use walkout_connectors::{outbox, shoppers};

use crate::auth_support::{
    CLIENT_ID, ISSUER, JwksServer, TestService, access_claims, sign_rs256, start_service,
};

pub const SUB_A: &str = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f1";
pub const SUB_B: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// The service, its JWKS server, and the two shoppers' ids and tokens.
pub struct App {
    pub service: TestService,
    _jwks: JwksServer,
    pub shopper_a: String,
    pub shopper_b: String,
    pub token_a: String,
    pub token_b: String,
}

impl App {
    pub async fn start() -> App {
        let jwks = JwksServer::start(&[("key-a", "rsa-a")]).await;
        let url = jwks.url.clone();
        let service = start_service(
            move |config| {
                config.auth.issuer = Some(ISSUER.to_owned());
                config.auth.jwks_url = Some(url);
                config.auth.client_ids = vec![CLIENT_ID.to_owned()];
            },
            |_| axum::Router::new(),
        )
        .await;
        wait_until_ready(&service).await;
        let now_ms = service.state.clock.now_ms();
        let db = &service.state.db;
        let shopper_a = shoppers::get_or_create(db, SUB_A, now_ms)
            .await
            .expect("shopper A")
            .id;
        let shopper_b = shoppers::get_or_create(db, SUB_B, now_ms)
            .await
            .expect("shopper B")
            .id;
        App {
            token_a: token_for(SUB_A, now_ms / 1000),
            token_b: token_for(SUB_B, now_ms / 1000),
            service,
            _jwks: jwks,
            shopper_a,
            shopper_b,
        }
    }

    pub fn db(&self) -> &Database {
        &self.service.state.db
    }

    /// Sends `GET path` with `token` and the extra headers.
    pub async fn get(
        &self,
        path: &str,
        token: &str,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self
            .service
            .http
            .get(self.service.url(path))
            .bearer_auth(token);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// `GET path` as JSON, asserting the status.
    pub async fn get_json(&self, path: &str, token: &str, status: u16) -> Value {
        let response = self.get(path, token, &[]).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("JSON body")
    }

    /// Writes one receipt row (a version, or a tombstone when `document` is `None`) with the
    /// next change_seq, as the ordering code does; returns the change_seq.
    pub async fn insert_receipt(
        &self,
        receipt_id: &str,
        version: i64,
        shopper_id: &str,
        trip_id: Option<&str>,
        document: Option<&Value>,
    ) -> i64 {
        let mut tx = self.db().pool.begin().await.expect("transaction");
        let change_seq = next_counter_value(&mut tx, "change_seq")
            .await
            .expect("counter");
        let text = document.map_or_else(|| "{}".to_owned(), Value::to_string);
        sqlx::query(
            "INSERT INTO receipts (receipt_id, version, change_seq, shopper_id, trip_id, deleted, document, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(receipt_id)
        .bind(version)
        .bind(change_seq)
        .bind(shopper_id)
        .bind(trip_id)
        .bind(i64::from(document.is_none()))
        .bind(text)
        .bind(1_714_554_000_000i64)
        .execute(&mut *tx)
        .await
        .expect("receipt row");
        tx.commit().await.expect("commit");
        change_seq
    }

    /// Writes a trip of `shopper_id` in `state`, entered at `entered_at` (Unix milliseconds).
    pub async fn insert_trip(&self, trip_id: &str, shopper_id: &str, state: &str, entered_at: i64) {
        sqlx::query(
            "INSERT INTO trips (id, store_id, shopper_id, visitor_id, auth_event_id, state, entered_at, updated_at) \
             VALUES ($1, 'UK-LON-001', $2, $3, $4, $5, $6, $6)",
        )
        .bind(trip_id)
        .bind(shopper_id)
        .bind(format!("visitor-{shopper_id}"))
        .bind(format!("auth-{trip_id}"))
        .bind(state)
        .bind(entered_at)
        .execute(&self.db().pool)
        .await
        .expect("trip row");
    }

    /// Publishes an outbox event for `shopper_id`; returns its id.
    pub async fn publish(&self, shopper_id: &str, kind: &str, payload: Value) -> i64 {
        let mut tx = self.db().pool.begin().await.expect("transaction");
        let id = outbox::publish(&mut tx, Some(shopper_id), kind, &payload, 1_714_554_000_000)
            .await
            .expect("event");
        tx.commit().await.expect("commit");
        id
    }
}

fn token_for(sub: &str, now_secs: i64) -> String {
    let mut claims = access_claims(now_secs);
    claims["sub"] = json!(sub);
    sign_rs256("key-a", "rsa-a", &claims)
}

async fn wait_until_ready(service: &TestService) {
    for _ in 0..150 {
        let response = service
            .http
            .get(service.url("/readyz"))
            .send()
            .await
            .expect("readyz");
        if response.status() == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service did not become ready within 15 s");
}

/// Builds a small receipt document with the ARTS names.
pub fn document(receipt_id: &str, version: i64, grand_minor: i64) -> Value {
    json!({
        "formatVersion": 1,
        "receiptId": receipt_id,
        "version": version,
        "businessUnit": {"id": "UK-LON-001", "name": "Walkout London"},
        "receiptNumber": format!("UK-LON-001-{version:08}"),
        "receiptDateTime": "2024-05-01T09:00:00Z",
        "currency": "GBP",
        "lineItems": [],
        "taxes": [],
        "totals": {
            "net": {"amount_minor": grand_minor, "currency": "GBP"},
            "tax": {"amount_minor": 0, "currency": "GBP"},
            "grand": {"amount_minor": grand_minor, "currency": "GBP"},
        },
        "tenders": [],
    })
}
