//! The app's payment routes and the PSP webhook, through the real service over loopback HTTP.

mod auth_support;
mod payments_support;

use reqwest::Method;
use serde_json::{Value, json};
use walkout_connectors::payments::config::SANDBOX_WEBHOOK_SECRET;
use walkout_connectors::payments::gateway::Money;
use walkout_connectors::payments::hold::place_hold;
use walkout_connectors::payments::settle_trip;
use walkout_connectors::payments::webhook::sign;

use payments_support::{STORE, Service, new_trip_id};

const VISA: &str = "4242424242424242";
const MASTERCARD: &str = "5555555555554444";

#[tokio::test]
async fn first_card_becomes_default() {
    let service = Service::start(|_| {}).await;
    let first = service.add_card("alice", VISA).await;
    let second = service.add_card("alice", MASTERCARD).await;
    assert_eq!(first["is_default"], true);
    assert_eq!(second["is_default"], false);
    assert_eq!(second["brand"], "mastercard");
    assert_eq!(second["last4"], "4444");

    let (status, list) = service
        .app(Method::GET, "/app/v1/payment-methods", "alice", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["payment_methods"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn default_can_change_and_removal_promotes() {
    let service = Service::start(|_| {}).await;
    let first = service.add_card("alice", VISA).await;
    let second = service.add_card("alice", MASTERCARD).await;
    let second_id = second["id"].as_str().expect("id");

    let (status, chosen) = service
        .app(
            Method::POST,
            &format!("/app/v1/payment-methods/{second_id}/default"),
            "alice",
            None,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(chosen["is_default"], true);

    let (status, _) = service
        .app(
            Method::DELETE,
            &format!("/app/v1/payment-methods/{second_id}"),
            "alice",
            None,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, list) = service
        .app(Method::GET, "/app/v1/payment-methods", "alice", None, None)
        .await;
    let cards = list["payment_methods"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0]["id"], first["id"]);
    assert_eq!(
        cards[0]["is_default"], true,
        "the remaining card becomes the default"
    );
}

#[tokio::test]
async fn other_shoppers_card_is_not_found() {
    let service = Service::start(|_| {}).await;
    let card = service.add_card("alice", VISA).await;
    let id = card["id"].as_str().expect("id");
    let cases = [
        (
            Method::POST,
            format!("/app/v1/payment-methods/{id}/default"),
        ),
        (Method::DELETE, format!("/app/v1/payment-methods/{id}")),
        (
            Method::POST,
            "/app/v1/payment-methods/no-such-card/default".to_owned(),
        ),
    ];
    for (method, path) in cases {
        let (status, body) = service
            .app(method.clone(), &path, "mallory", None, None)
            .await;
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(body["type"], "/problems/not-found", "{method} {path}");
    }
    let (_, list) = service
        .app(
            Method::GET,
            "/app/v1/payment-methods",
            "mallory",
            None,
            None,
        )
        .await;
    assert_eq!(list["payment_methods"], json!([]));
}

#[tokio::test]
async fn token_of_another_shopper_is_rejected() {
    let service = Service::start(|_| {}).await;
    service.add_card("alice", VISA).await;
    let token: String = sqlx::query_scalar("SELECT psp_payment_method FROM payment_methods")
        .fetch_one(&service.state.db.pool)
        .await
        .expect("token");
    let body = json!({ "payment_method": token });
    let (status, problem) = service
        .app(
            Method::POST,
            "/app/v1/payment-methods",
            "mallory",
            Some("k1"),
            Some(body),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/payment-method-rejected");
}

#[tokio::test]
async fn registration_needs_idempotency_key() {
    let service = Service::start(|_| {}).await;
    let (_, method) = service.tokenize(VISA, "913").await;
    let body = json!({ "payment_method": method["id"] });
    let (status, problem) = service
        .app(
            Method::POST,
            "/app/v1/payment-methods",
            "alice",
            None,
            Some(body),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/missing-idempotency-key");
}

#[tokio::test]
async fn unknown_token_is_rejected() {
    let service = Service::start(|_| {}).await;
    let body = json!({ "payment_method": "pm_does_not_exist" });
    let (status, problem) = service
        .app(
            Method::POST,
            "/app/v1/payment-methods",
            "alice",
            Some("k2"),
            Some(body),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/payment-method-rejected");
}

#[tokio::test]
async fn replayed_rejection_is_the_same_problem_document() {
    let service = Service::start(|_| {}).await;
    let body = json!({ "payment_method": "pm_does_not_exist" });
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = service
            .http
            .post(service.url("/app/v1/payment-methods"))
            .bearer_auth(service.token("alice"))
            .header("Idempotency-Key", "replayed-rejection")
            .json(&body)
            .send()
            .await
            .expect("app route answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let document: Value = response.json().await.expect("problem JSON");
        answers.push((status, content_type, document));
    }
    assert_eq!(answers[0].0, 400);
    assert_eq!(answers[1].0, 400, "the replay keeps the status");
    assert_eq!(answers[1].1, "application/problem+json");
    assert_eq!(
        answers[1].2, answers[0].2,
        "the replay is the same document"
    );
}

#[tokio::test]
async fn concurrent_registrations_keep_one_default() {
    let service = Service::start(|_| {}).await;
    let mut tokens = Vec::new();
    for number in [VISA, MASTERCARD, "4000056655665556", "2223003122003222"] {
        let (status, method) = service.tokenize(number, "913").await;
        assert_eq!(status, 200, "tokenization of {number}");
        tokens.push(method["id"].as_str().expect("pm id").to_owned());
    }
    let register = |index: usize| {
        let body = json!({ "payment_method": tokens[index] });
        let key = format!("concurrent-{index}");
        let service = &service;
        async move {
            service
                .app(
                    Method::POST,
                    "/app/v1/payment-methods",
                    "alice",
                    Some(&key),
                    Some(body),
                )
                .await
        }
    };
    let (a, b, c, d) = tokio::join!(register(0), register(1), register(2), register(3));
    for (status, body) in [a, b, c, d] {
        assert_eq!(status, 201, "{body}");
    }

    let (_, list) = service
        .app(Method::GET, "/app/v1/payment-methods", "alice", None, None)
        .await;
    let cards = list["payment_methods"].as_array().expect("card list");
    assert_eq!(cards.len(), 4);
    let defaults = cards
        .iter()
        .filter(|card| card["is_default"] == true)
        .count();
    assert_eq!(defaults, 1, "exactly one default card: {list}");
}

#[tokio::test]
async fn balance_is_paid_with_new_default_card() {
    let service = Service::start(|_| {}).await;
    service.add_card("alice", "4000009900000038").await;
    let shopper = service.shopper_id("alice").await;
    let trip_id = new_trip_id();
    place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold");
    settle_trip(&service.state, &trip_id, Money::new(6500, "GBP"))
        .await
        .expect("settles");

    let (status, balance) = service
        .app(Method::GET, "/app/v1/balance", "alice", None, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        balance,
        json!({"outstanding": {"amount_minor": 1500, "currency": "GBP"}})
    );

    let (status, declined) = service
        .app(
            Method::POST,
            "/app/v1/balance/pay",
            "alice",
            Some("pay-1"),
            None,
        )
        .await;
    assert_eq!(status, 402, "the same card declines again: {declined}");
    assert_eq!(declined["decline_category"], "insufficient_funds");

    let card = service.add_card("alice", VISA).await;
    let id = card["id"].as_str().expect("id");
    service
        .app(
            Method::POST,
            &format!("/app/v1/payment-methods/{id}/default"),
            "alice",
            None,
            None,
        )
        .await;
    let (status, paid) = service
        .app(
            Method::POST,
            "/app/v1/balance/pay",
            "alice",
            Some("pay-2"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(
        paid["paid"],
        json!({"amount_minor": 1500, "currency": "GBP"})
    );
    let (_, balance) = service
        .app(Method::GET, "/app/v1/balance", "alice", None, None)
        .await;
    assert_eq!(balance["outstanding"]["amount_minor"], 0);
}

#[tokio::test]
async fn payment_routes_are_documented() {
    let service = Service::start(|_| {}).await;
    let document: Value = service
        .http
        .get(service.url("/openapi.json"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    for path in [
        "/app/v1/payment-methods",
        "/app/v1/payment-methods/{id}/default",
        "/app/v1/payment-methods/{id}",
        "/app/v1/balance",
        "/app/v1/balance/pay",
        "/psp/webhooks/stripe",
        "/psp/v1/payment_intents",
    ] {
        assert!(
            document["paths"].get(path).is_some(),
            "{path} missing from /openapi.json"
        );
    }
}

// ----- webhooks -----

async fn send_webhook(service: &Service, signature: &str, body: &str) -> u16 {
    service
        .http
        .post(service.url("/psp/webhooks/stripe"))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("webhook answers")
        .status()
        .as_u16()
}

fn event(id: &str) -> String {
    json!({"id": id, "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}).to_string()
}

#[tokio::test]
async fn webhook_signatures() {
    let service = Service::start(|_| {}).await;
    let now = service.state.clock.now_secs();
    let body = event("evt_valid");
    let good = sign(SANDBOX_WEBHOOK_SECRET, now, body.as_bytes());
    let cases = [
        ("valid", format!("t={now},v1={good}"), body.clone(), 200),
        (
            "signature of another body",
            format!("t={now},v1={},v1={good}", "0".repeat(64)),
            event("evt_second"),
            400,
        ),
        (
            "stale",
            format!(
                "t={},v1={}",
                now - 301,
                sign(SANDBOX_WEBHOOK_SECRET, now - 301, body.as_bytes())
            ),
            body.clone(),
            400,
        ),
        (
            "tampered body",
            format!("t={now},v1={good}"),
            body.replace("succeeded", "canceled"),
            400,
        ),
        ("no signature", String::new(), body.clone(), 400),
    ];
    for (name, header, payload, expected) in cases {
        assert_eq!(
            send_webhook(&service, &header, &payload).await,
            expected,
            "{name}"
        );
    }
}

#[tokio::test]
async fn webhook_accepts_any_matching_v1() {
    let service = Service::start(|_| {}).await;
    let now = service.state.clock.now_secs();
    let body = event("evt_rotated");
    let good = sign(SANDBOX_WEBHOOK_SECRET, now, body.as_bytes());
    let header = format!("t={now},v1={},v1={good}", "0".repeat(64));
    assert_eq!(send_webhook(&service, &header, &body).await, 200);
}

#[tokio::test]
async fn duplicate_webhook_is_recorded_once() {
    let service = Service::start(|_| {}).await;
    let now = service.state.clock.now_secs();
    let body = event("evt_twice");
    let header = format!(
        "t={now},v1={}",
        sign(SANDBOX_WEBHOOK_SECRET, now, body.as_bytes())
    );
    assert_eq!(send_webhook(&service, &header, &body).await, 200);
    assert_eq!(send_webhook(&service, &header, &body).await, 200);
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM psp_webhook_events WHERE id = 'evt_twice'")
            .fetch_one(&service.state.db.pool)
            .await
            .expect("count");
    assert_eq!(count, 1);
}
