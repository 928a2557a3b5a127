//! The gate's payment hold when it fails: a card whose every charge is declined, and a PSP call
//! that outlasts the gate's time budget. Both run through the real service and its embedded
//! sandbox PSP.

mod auth_support;
mod gate_support;

use std::time::Duration;

use serde_json::{Value, json};
use walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY;

use gate_support::{Gate, STORE, count, enroll, events, scan, shopper_id};

const PERIOD: i64 = 30;

/// Stripe's test card that attaches to a customer but declines every charge.
const DECLINING_CARD: &str = "4000000000000341";

/// Tokenizes `number` at the sandbox PSP and registers it for `sub`, as `register_card` does
/// for the accepted Visa card.
async fn register_card_number(gate: &Gate, sub: &str, number: &str) {
    let exp_year = (time::OffsetDateTime::now_utc().year() + 3).to_string();
    let form = [
        ("type", "card"),
        ("card[number]", number),
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
        .expect("tokenization request is sent");
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
        .expect("card registration request is sent");
    assert_eq!(registered.status(), 201, "card registration");
}

async fn trips_of(gate: &Gate, shopper: &str) -> i64 {
    count(
        gate,
        "SELECT COUNT(*) FROM trips WHERE shopper_id = $1",
        shopper,
    )
    .await
}

/// Reads (trip id, status, failure code) of the shopper's only `trip_payments` row.
async fn hold_row(gate: &Gate, shopper: &str) -> (String, String, Option<String>) {
    sqlx::query_as("SELECT trip_id, status, failure_code FROM trip_payments WHERE shopper_id = $1")
        .bind(shopper)
        .fetch_one(gate.db())
        .await
        .expect("one trip payment row")
}

/// Reads (status, cancellation reason) of the sandbox PaymentIntents made for `trip_id`.
async fn intents_of_trip(gate: &Gate, trip_id: &str) -> Vec<(String, Option<String>)> {
    let rows: Vec<(String, Option<String>, String)> = sqlx::query_as(
        "SELECT status, cancellation_reason, metadata FROM psp_payment_intents ORDER BY created_at",
    )
    .fetch_all(gate.db())
    .await
    .expect("intents query runs");
    rows.into_iter()
        .filter(|(_, _, metadata)| {
            serde_json::from_str::<Value>(metadata)
                .is_ok_and(|m| m["trip_id"].as_str() == Some(trip_id))
        })
        .map(|(status, reason, _)| (status, reason))
        .collect()
}

#[tokio::test]
async fn declined_hold_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = enroll(&gate, "shopper-declined").await;
    register_card_number(&gate, "shopper-declined", DECLINING_CARD).await;
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;

    assert_eq!(answer.status, 403, "{}", answer.text);
    assert_eq!(answer.slug(), "hold-declined");
    assert_eq!(answer.content_type, "application/problem+json");
    let shopper_id = shopper_id(&gate, "shopper-declined").await;
    let denied = events(&gate, &shopper_id, "entry-denied").await;
    assert_eq!(denied.len(), 1, "one entry-denied event");
    assert_eq!(denied[0]["reason"], "hold-declined");
    assert_eq!(denied[0]["store_id"], STORE);
    assert_eq!(trips_of(&gate, &shopper_id).await, 0, "no trip is opened");
    let (_, status, _) = hold_row(&gate, &shopper_id).await;
    assert_eq!(status, "failed", "the declined hold is recorded as failed");
}

#[tokio::test]
async fn slow_hold_is_denied_and_released() {
    // A zero budget expires at the first check, before any HTTP round trip to the PSP can end.
    let gate = Gate::start(|config| config.payments.hold_timeout_ms = 0).await;
    let shopper = enroll(&gate, "shopper-slow-psp").await;
    register_card_number(&gate, "shopper-slow-psp", "4242424242424242").await;
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;

    assert_eq!(answer.status, 403, "{}", answer.text);
    assert_eq!(answer.slug(), "hold-timeout");
    let shopper_id = shopper_id(&gate, "shopper-slow-psp").await;
    let denied = events(&gate, &shopper_id, "entry-denied").await;
    assert_eq!(denied.len(), 1, "one entry-denied event");
    assert_eq!(denied[0]["reason"], "hold-timeout");
    assert_eq!(trips_of(&gate, &shopper_id).await, 0, "no trip is opened");

    let (trip_id, status, failure_code) = hold_row(&gate, &shopper_id).await;
    assert_eq!(status, "canceled", "the timed-out hold row");
    assert_eq!(failure_code.as_deref(), Some("hold-timeout"));

    // The PSP call keeps running after the gate gave up; the hold it places must be released
    // with the reason `abandoned`.
    let mut intents = Vec::new();
    for _ in 0..100 {
        intents = intents_of_trip(&gate, &trip_id).await;
        if !intents.is_empty() && intents.iter().all(|(status, _)| status == "canceled") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        intents.len(),
        1,
        "one PaymentIntent for the trip: {intents:?}"
    );
    assert_eq!(intents[0].0, "canceled", "the late hold is released");
    assert_eq!(intents[0].1.as_deref(), Some("abandoned"));
}
