//! Shoppers for the gate scenarios, set up over HTTP as the app does: an entry credential
//! enrolled through the app API with a signed access token, and the sandbox PSP's test Visa
//! card tokenized and registered as the default card.

use std::sync::Arc;

use base64::Engine as _;
use serde_json::{Value, json};
use walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY;
use walkout_core::entry::code_text;

use super::identity;

/// An enrolled credential: what the app keeps to derive codes.
#[derive(Clone)]
pub struct Shopper {
    pub credential_id: [u8; 8],
    pub secret: [u8; 32],
    pub period_secs: u32,
}

impl Shopper {
    /// Returns the entry code for the current time step of the system clock.
    pub fn current_code(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let step = u32::try_from(now / u64::from(self.period_secs.max(1))).unwrap_or(u32::MAX);
        code_text(&self.credential_id, &self.secret, step)
    }
}

/// Sets up `count` shoppers against the service instances at `bases`, `parallel` at a time.
///
/// The three requests of one shopper (enrollment, card tokenization, card registration) go
/// to consecutive instances in turn, so with several instances each step reads what another
/// instance wrote. The benchmark passes 1 for `parallel`, so the set-up does not weigh on the
/// measured runs.
pub async fn ready_shoppers(
    client: &reqwest::Client,
    bases: &[String],
    count: usize,
    parallel: usize,
) -> Vec<Shopper> {
    assert!(
        !bases.is_empty(),
        "shoppers need at least one service instance"
    );
    let permits = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let key = Arc::new(identity::signing_key());
    let mut tasks = Vec::with_capacity(count);
    for index in 0..count {
        let base = |step: usize| bases[(index + step) % bases.len()].clone();
        let (enroll_base, tokenize_base, register_base) = (base(0), base(1), base(2));
        let (client, permits, key) = (client.clone(), permits.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let sub = format!("load-shopper-{index}");
            let token = identity::access_token(&key, &sub, unix_now());
            let shopper = enroll(&client, &enroll_base, &token).await;
            register_card(&client, &tokenize_base, &register_base, &token).await;
            shopper
        }));
    }
    let mut shoppers = Vec::with_capacity(count);
    for task in tasks {
        shoppers.push(task.await.expect("shopper set-up task"));
    }
    shoppers
}

fn unix_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_secs()).unwrap_or(i64::MAX)
}

async fn enroll(client: &reqwest::Client, base: &str, token: &str) -> Shopper {
    let response = client
        .post(format!("{base}/app/v1/entry-credentials"))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({ "device_name": "load driver" }))
        .send()
        .await
        .expect("enrollment request failed");
    assert_eq!(response.status(), 201, "enrollment status");
    let body: Value = response.json().await.expect("enrollment body is JSON");
    let credential_id: [u8; 8] = hex::decode(body["credential_id"].as_str().unwrap_or(""))
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .expect("credential_id is 8 bytes of hex");
    let secret: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(body["secret"].as_str().unwrap_or(""))
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .expect("secret is 32 bytes of Base64");
    let period_secs = body["period_secs"]
        .as_u64()
        .and_then(|period| u32::try_from(period).ok())
        .expect("period_secs");
    Shopper {
        credential_id,
        secret,
        period_secs,
    }
}

/// Tokenizes the test card through the sandbox PSP at `tokenize_base` and registers it as the
/// shopper's default card at `register_base`.
async fn register_card(
    client: &reqwest::Client,
    tokenize_base: &str,
    register_base: &str,
    token: &str,
) {
    let exp_year = (time::OffsetDateTime::now_utc().year() + 3).to_string();
    let form = [
        ("type", "card"),
        ("card[number]", "4242424242424242"),
        ("card[exp_month]", "12"),
        ("card[exp_year]", exp_year.as_str()),
        ("card[cvc]", "913"),
    ];
    let tokenized = client
        .post(format!("{tokenize_base}/psp/v1/payment_methods"))
        .bearer_auth(SANDBOX_PUBLISHABLE_KEY)
        .form(&form)
        .send()
        .await
        .expect("tokenization request failed");
    assert_eq!(tokenized.status(), 200, "tokenization of the test card");
    let method: Value = tokenized.json().await.expect("payment method JSON");
    let registered = client
        .post(format!("{register_base}/app/v1/payment-methods"))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({ "payment_method": method["id"] }))
        .send()
        .await
        .expect("card registration request failed");
    assert_eq!(registered.status(), 201, "card registration");
}

/// Builds a VerifyIdentityKeys body for `code` at `store` with fresh request and auth event
/// ids. Returns the body and its auth event id.
pub fn scan_body(store: &str, code: &str) -> (String, String) {
    let auth_event_id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "requestId": uuid::Uuid::new_v4().to_string(),
        "identityKey": base64::engine::general_purpose::STANDARD.encode(code.as_bytes()),
        "storeId": store,
        "authEvent": {
            "id": auth_event_id,
            "timestamp": "2026-01-01T09:00:00Z",
            "location": "ENTRY"
        },
        "keyChannel": "OPTICAL"
    });
    (body.to_string(), auth_event_id)
}

/// `code` with its last character changed, so the tag no longer matches.
pub fn tampered(code: &str) -> String {
    let mut text = code.to_owned();
    let last = if text.ends_with('A') { 'B' } else { 'A' };
    text.pop();
    text.push(last);
    text
}
