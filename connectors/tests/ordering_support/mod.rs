//! Set-up for the ordering tests: a real service on a loopback port (its own listener address in
//! the configuration, so the payments adapter reaches the embedded sandbox PSP), the ordering
//! worker, the demo catalog, shoppers with sandbox cards, and trips with real holds.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::catalog::CatalogItem;
use walkout_connectors::catalog::uci;
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY;
use walkout_connectors::payments::hold::{HoldOutcome, place_hold};
use walkout_connectors::server::{self, AppState};

// Each test crate that uses several support modules loads this shared builder once per module.
#[allow(clippy::duplicate_mod)]
#[path = "../common/mod.rs"]
mod common;

use common::database::TestDatabase;
use common::launch::Launch;

pub const STORE: &str = "UK-LON-001";
pub const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);

pub struct Service {
    pub base_url: String,
    pub state: AppState,
    /// The data folder, when this service created it.
    pub data_dir: Option<tempfile::TempDir>,
    pub client: reqwest::Client,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The PostgreSQL database of this service, dropped after the server task stops.
    _database: Option<TestDatabase>,
}

impl Service {
    /// Starts the service with the test clock, a fast worker and a hold large enough for any
    /// real basket, changed by `configure`.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> Service {
        let launch = Launch::prepare(|config| {
            config.clock = ClockMode::Test;
            configure_fast(config);
            configure(config);
        })
        .await;
        let base_url = launch.base_url();
        let state = launch.state;
        let app = server::router(state.clone());
        server::spawn_background_workers(&state);
        let listener = launch.listener;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Service {
            base_url,
            state,
            data_dir: Some(launch.data_dir),
            client: reqwest::Client::new(),
            task: Some(task),
            _database: launch.database,
        }
    }

    /// Wraps the state of a service that runs elsewhere (another process) on `port`.
    pub fn attach(state: AppState, port: u16) -> Service {
        Service {
            base_url: format!("http://127.0.0.1:{port}"),
            state,
            data_dir: None,
            client: reqwest::Client::new(),
            task: None,
            _database: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Posts a CreatePurchases body with the JWO bearer token.
    pub async fn post_purchase(&self, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/v1/order/purchases"))
            .bearer_auth(&self.state.credentials.jwo_caller_token)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Waits until the purchase's job is done (or dead), and returns its final state.
    pub async fn wait_for_job(&self, purchase_id: &str) -> String {
        for _ in 0..400 {
            let state: Option<String> = sqlx::query_scalar(
                "SELECT state FROM ordering_jobs WHERE purchase_id = $1 AND kind = 'purchase'",
            )
            .bind(purchase_id)
            .fetch_optional(&self.state.db.pool)
            .await
            .expect("job state");
            if let Some(state) = state
                && state != "pending"
            {
                return state;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the job of purchase {purchase_id} did not finish within 20 s");
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Short polls, leases and retry delays, and a hold of 5,000.00 so one capture covers a basket.
pub fn configure_fast(config: &mut Config) {
    config.ordering.worker_poll_ms = 50;
    config.ordering.lease_secs = 2;
    config.ordering.retry_base_ms = 100;
    config.ordering.retry_max_ms = 1_000;
    config.payments.hold_amount_minor = 500_000;
}

/// Loads the demo catalog converted from the real data and stores it through the catalog store.
pub async fn import_demo_catalog(state: &AppState) -> (uci::UciData, Vec<CatalogItem>) {
    let data = uci::load(DATA.as_ref(), &mut |_| {}).expect("the data file loads");
    let catalog = uci::build_catalog(&data);
    walkout_connectors::catalog::store::upsert_items(
        &state.db,
        &catalog.items,
        state.clock.now_ms(),
    )
    .await
    .expect("catalog import");
    (data, catalog.items)
}

/// A shopper with a default sandbox Visa card; returns (shopper id, visitor id).
pub async fn shopper_with_card(service: &Service, name: &str) -> (String, String) {
    let state = &service.state;
    let shopper =
        walkout_connectors::shoppers::get_or_create(&state.db, name, state.clock.now_ms())
            .await
            .expect("shopper");
    let response = service
        .client
        .post(service.url("/psp/v1/payment_methods"))
        .bearer_auth(SANDBOX_PUBLISHABLE_KEY)
        .form(&[
            ("type", "card"),
            ("card[number]", "4242424242424242"),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ])
        .send()
        .await
        .expect("tokenize");
    assert_eq!(response.status().as_u16(), 200, "sandbox tokenization");
    let method: Value = response.json().await.expect("payment method");
    let pm = method["id"].as_str().expect("pm id").to_owned();
    sqlx::query(
        "INSERT INTO payment_methods (id, shopper_id, psp_payment_method, brand, last4, exp_month, exp_year, is_default, created_at) \
         VALUES ($1, $2, $3, 'visa', '4242', 12, 2034, 1, $4)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&shopper.id)
    .bind(pm)
    .bind(state.clock.now_ms())
    .execute(&state.db.pool)
    .await
    .expect("payment method row");
    (shopper.id, shopper.visitor_id)
}

/// Opens a trip as the gate does for an admitted scan; with a shopper, places its hold.
/// Returns (trip id, auth event id).
pub async fn open_trip(
    state: &AppState,
    shopper: Option<(&str, &str)>,
    is_test: bool,
) -> (String, String) {
    let trip_id = uuid::Uuid::now_v7().to_string();
    let auth_event_id = uuid::Uuid::now_v7().to_string();
    let now = state.clock.now_ms();
    let visitor = shopper.map_or_else(|| uuid::Uuid::now_v7().to_string(), |(_, v)| v.to_owned());
    sqlx::query(
        "INSERT INTO trips (id, store_id, shopper_id, visitor_id, auth_event_id, state, is_test, is_associate, entered_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'entered', $6, 0, $7, $7)",
    )
    .bind(&trip_id)
    .bind(STORE)
    .bind(shopper.map(|(id, _)| id.to_owned()))
    .bind(&visitor)
    .bind(&auth_event_id)
    .bind(i64::from(is_test))
    .bind(now)
    .execute(&state.db.pool)
    .await
    .expect("trip row");
    sqlx::query(
        "INSERT INTO trip_auth_events (auth_event_id, trip_id, ordinal, request_id, admitted_at) VALUES ($1, $2, 1, $3, $4)",
    )
    .bind(&auth_event_id)
    .bind(&trip_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now)
    .execute(&state.db.pool)
    .await
    .expect("auth event row");
    if let (Some((shopper_id, _)), false) = (shopper, is_test) {
        let outcome = place_hold(state, &trip_id, shopper_id, STORE)
            .await
            .expect("hold");
        assert!(
            matches!(outcome, HoldOutcome::Placed { .. }),
            "hold outcome {outcome:?}"
        );
    }
    (trip_id, auth_event_id)
}

/// Builds a CreatePurchases body for `items` of (id, type, quantity, unit).
pub fn purchase_body(
    trip_key: &str,
    auth_event_id: &str,
    visitor_id: &str,
    items: &[(&str, &str, &str, &str)],
) -> Value {
    let cart: Vec<Value> = items
        .iter()
        .map(|(id, kind, value, unit)| json!({ "id": id, "type": kind, "quantity": { "value": value, "unit": unit } }))
        .collect();
    json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "idempotentShoppingTripId": trip_key,
        "storeId": STORE,
        "shoppingTrip": {
            "startTime": "2024-03-22T17:00:00Z",
            "endTime": "2024-03-22T17:09:39Z",
            "authEvents": [{
                "id": auth_event_id,
                "timestamp": "2024-03-22T17:00:01Z",
                "location": "ENTRY",
                "payloadType": "SCAN_CODE",
                "scanResult": { "id": visitor_id, "type": "SHOPPER" }
            }]
        },
        "cartItems": cart,
    })
}

/// Counts successful captures at the sandbox PSP for a trip's PaymentIntent.
pub async fn captures_for_trip(state: &AppState, trip_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM psp_captures c JOIN trip_payments p ON p.authorization_id = c.payment_intent WHERE p.trip_id = $1",
    )
    .bind(trip_id)
    .fetch_one(&state.db.pool)
    .await
    .expect("capture count")
}

/// Sum captured at the sandbox PSP for a trip's PaymentIntent, in minor units.
pub async fn captured_amount(state: &AppState, trip_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(c.amount), 0) AS BIGINT) FROM psp_captures c JOIN trip_payments p ON p.authorization_id = c.payment_intent WHERE p.trip_id = $1",
    )
    .bind(trip_id)
    .fetch_one(&state.db.pool)
    .await
    .expect("captured amount")
}

/// Reads the stored receipt document of a purchase (version 1).
pub async fn receipt_of(state: &AppState, purchase_id: &str) -> Option<Value> {
    let document: Option<String> =
        sqlx::query_scalar("SELECT document FROM receipts WHERE receipt_id = $1 AND version = 1")
            .bind(purchase_id)
            .fetch_optional(&state.db.pool)
            .await
            .expect("receipt");
    document.map(|text| serde_json::from_str(&text).expect("receipt JSON"))
}
