//! One shopper's whole journey through the service, with every log line kept at TRACE level for
//! the service's own code. The journey covers card tokenization at the sandbox PSP, card
//! registration, enrollment, the entry scan with its hold, CreatePurchases, capture, the receipt
//! and the app's receipt feed.
//! The log must hold none of the secrets that passed through: card number, CVC, PSP tokens,
//! entry secret and code, access token, JWO caller token, admin key, data key, HMAC secret.

mod auth_support;
mod gate_support;
mod ordering_support;

use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::payments::config::{SANDBOX_PUBLISHABLE_KEY, SANDBOX_SECRET_KEY};
use walkout_connectors::server;

use auth_support::captured_logs;
use gate_support::{Gate, base64, enroll, scan_body, verify, visitor_id};
use ordering_support::{configure_fast, import_demo_catalog, purchase_body};

const STORE: &str = "UK-LON-001";
const SUB: &str = "journey-logs-shopper";
const CARD_NUMBER: &str = "5555555555554444";
const CVC: &str = "737";

/// The secrets of one journey, each with a name for the failure message.
struct Secrets(Vec<(&'static str, String)>);

impl Secrets {
    fn add(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        assert!(value.len() >= 6, "{name} is too short to search for");
        self.0.push((name, value));
    }
}

/// Tokenizes the test card as the app does, straight at the PSP with the publishable key.
async fn tokenize(gate: &Gate) -> Value {
    let response = gate
        .http()
        .post(gate.url("/psp/v1/payment_methods"))
        .bearer_auth(SANDBOX_PUBLISHABLE_KEY)
        .form(&[
            ("type", "card"),
            ("card[number]", CARD_NUMBER),
            ("card[exp_month]", "11"),
            ("card[exp_year]", "2037"),
            ("card[cvc]", CVC),
        ])
        .send()
        .await
        .expect("tokenization responds");
    assert_eq!(response.status(), 200, "tokenization of the test card");
    response.json().await.expect("payment method JSON")
}

async fn app_post(gate: &Gate, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let response = gate
        .http()
        .post(gate.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(body)
        .send()
        .await
        .expect("app route responds");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn app_get(gate: &Gate, path: &str, token: &str) -> Value {
    let response = gate
        .http()
        .get(gate.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("app route responds");
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("JSON body")
}

async fn wait_for_receipt(gate: &Gate, token: &str) -> Value {
    for _ in 0..400 {
        let feed = app_get(gate, "/app/v1/receipts", token).await;
        if let Some(item) = feed["items"].as_array().and_then(|items| items.first()) {
            return item.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no receipt reached the feed within 20 s");
}

/// Runs the journey and returns the secrets it used.
async fn journey(gate: &Gate) -> Secrets {
    let state = &gate.service.state;
    let mut secrets = Secrets(Vec::new());
    secrets.add("card number", CARD_NUMBER);
    secrets.add(
        "JWO caller token",
        state.credentials.jwo_caller_token.clone(),
    );
    secrets.add("JWO HMAC secret", state.credentials.jwo_hmac_secret.clone());
    secrets.add("admin API key", state.credentials.admin_api_key.clone());
    secrets.add("data key", state.credentials.data_key.clone());
    secrets.add("PSP secret key", SANDBOX_SECRET_KEY);

    let (_, items) = import_demo_catalog(state).await;
    let token = gate.token(SUB);
    secrets.add("access token", token.clone());

    let method = tokenize(gate).await;
    let pm = method["id"].as_str().expect("pm id").to_owned();
    secrets.add("PSP payment method token", pm.clone());
    let (status, _) = app_post(
        gate,
        "/app/v1/payment-methods",
        &token,
        &json!({ "payment_method": pm }),
    )
    .await;
    assert_eq!(status, 201, "card registration");

    let enrolled = enroll(gate, SUB).await;
    secrets.add("entry secret", base64(&enrolled.secret));
    secrets.add("entry secret (hex)", hex::encode(enrolled.secret));
    let period = i64::from(enrolled.period_secs);
    gate.settle_mid_step(period);
    let code = enrolled.code(gate.current_step(period));
    secrets.add("entry code", code.clone());
    secrets.add("entry code (Base64)", base64(code.as_bytes()));

    let scan = scan_body(STORE, &base64(code.as_bytes()));
    let answer = verify(gate, &scan).await;
    assert_eq!(answer.status, 200, "the scan admits: {}", answer.text);

    let visitor = visitor_id(gate, SUB).await;
    let auth_event = scan["authEvent"]["id"].as_str().expect("auth event id");
    let cart: Vec<(&str, &str, &str, &str)> = items
        .iter()
        .take(3)
        .map(|item| (item.item_sku.as_str(), "SKU", "1", "unit"))
        .collect();
    let body = purchase_body(
        &uuid::Uuid::now_v7().to_string(),
        auth_event,
        &visitor,
        &cart,
    );
    let response = gate
        .http()
        .post(gate.url("/v1/order/purchases"))
        .bearer_auth(&state.credentials.jwo_caller_token)
        .json(&body)
        .send()
        .await
        .expect("CreatePurchases responds");
    assert_eq!(response.status(), 201, "CreatePurchases");

    let receipt = wait_for_receipt(gate, &token).await;
    let grand = &receipt["receipt"]["totals"]["grand"];
    assert!(
        grand["amount_minor"]
            .as_i64()
            .is_some_and(|minor| minor > 0),
        "the receipt has a positive total: {receipt}"
    );
    let admin = gate
        .http()
        .get(gate.url(&format!("/admin/v1/stores/{STORE}/catalog")))
        .bearer_auth(gate.admin_key())
        .send()
        .await
        .expect("admin route responds");
    assert_eq!(admin.status(), 200, "admin catalog read");
    secrets
}

#[tokio::test]
async fn full_journey_logs_no_secret() {
    let gate = Gate::start(configure_fast).await;
    server::spawn_background_workers(&gate.service.state);
    let secrets = journey(&gate).await;
    // The worker logs the capture and receipt steps after the feed shows the receipt; give its
    // last lines a moment to land.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let logs = captured_logs();
    for path in [
        "/v1/identity/identity-keys",
        "/v1/order/purchases",
        "/psp/v1/payment_intents",
    ] {
        assert!(logs.contains(path), "the log has no line for {path}");
    }
    for (name, value) in &secrets.0 {
        let leak = logs.lines().find(|line| line.contains(value.as_str()));
        assert!(
            leak.is_none(),
            "the log contains the {name}: {}",
            leak.unwrap_or("").replace(value.as_str(), "<secret>")
        );
    }
    let lower = logs.to_lowercase();
    for marker in [
        "cvc",
        "card[number]",
        "card%5bnumber%5d",
        "eyj",
        "wk_admin_",
        "pm_",
        "sk_test_",
    ] {
        let leak = lower.lines().find(|line| line.contains(marker));
        assert!(
            leak.is_none(),
            "the log contains {marker:?}: {}",
            leak.unwrap_or("")
        );
    }
}
