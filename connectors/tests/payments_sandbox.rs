//! Payments through the real `stripe` adapter against the embedded sandbox PSP over loopback
//! HTTP: holds, settlement branches, idempotency, expiry on the test clock, and card data
//! hygiene.

mod auth_support;
mod payments_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use serde_json::Value;
use walkout_connectors::payments::config::SecretString;
use walkout_connectors::payments::gateway::{IdempotencyKey, Money, Outcome, PaymentGateway};
use walkout_connectors::payments::hold::{HoldOutcome, outstanding_minor, place_hold};
use walkout_connectors::payments::stripe::{RetryPolicy, StripeGateway};
use walkout_connectors::payments::trip::{self, TripPaymentState};
use walkout_connectors::payments::{reconcile, settle_trip};

use payments_support::{SECRET_KEY, STORE, Service, new_trip_id};

const VISA: &str = "4242424242424242";
const NO_INCREMENT: &str = "4000009900000012";
const INCREMENT_DECLINES: &str = "4000009900000020";
const CHARGE_DECLINES: &str = "4000009900000038";

/// A service with a shopper whose default card is `number`, and a placed hold on a new trip.
async fn held_trip(number: &str) -> (Service, String, String, String) {
    let service = Service::start(|_| {}).await;
    let sub = format!("sub-{}", uuid::Uuid::new_v4());
    service.add_card(&sub, number).await;
    let shopper = service.shopper_id(&sub).await;
    let trip_id = new_trip_id();
    let outcome = place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold call");
    let HoldOutcome::Placed {
        authorization_id,
        amount_minor,
        currency,
    } = outcome
    else {
        panic!("hold not placed: {outcome:?}");
    };
    assert_eq!((amount_minor, currency.as_str()), (5000, "GBP"));
    (service, shopper, trip_id, authorization_id)
}

async fn intent(service: &Service, id: &str) -> Value {
    let response = service
        .http
        .get(service.url(&format!("/psp/v1/payment_intents/{id}")))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .expect("intent answers");
    response.json().await.expect("intent JSON")
}

fn gbp(amount_minor: i64) -> Money {
    Money::new(amount_minor, "GBP")
}

#[tokio::test]
async fn hold_capture_release_cycle() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    let held = intent(&service, &authorization).await;
    assert_eq!(held["status"], "requires_capture");
    assert_eq!(held["amount_capturable"], 5000);

    let settlement = settle_trip(&service.state, &trip_id, gbp(1234))
        .await
        .expect("settles");
    assert_eq!(settlement.state, TripPaymentState::Captured);
    assert_eq!(settlement.captured, gbp(1234));

    let captured = intent(&service, &authorization).await;
    assert_eq!(captured["status"], "succeeded");
    assert_eq!(captured["amount_received"], 1234);
    assert_eq!(
        captured["amount_capturable"], 0,
        "the rest of the hold is released"
    );
    assert_eq!(service.captures_of(&authorization).await, 1);
}

#[tokio::test]
async fn repeated_hold_places_one() {
    let (service, shopper, trip_id, authorization) = held_trip(VISA).await;
    let again = place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold call");
    assert!(
        matches!(again, HoldOutcome::Placed { ref authorization_id, .. } if *authorization_id == authorization)
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM psp_payment_intents")
        .fetch_one(&service.state.db.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn declined_holds_name_category() {
    let cases = [
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000002", "other"),
        ("4000000000000069", "card_expired"),
        ("4000000000000127", "incorrect_card"),
        ("4000000000000341", "other"),
        ("4000002500003155", "other"),
    ];
    let service = Service::start(|_| {}).await;
    for (number, category) in cases {
        let sub = format!("sub-{number}");
        service.add_card(&sub, number).await;
        let shopper = service.shopper_id(&sub).await;
        let outcome = place_hold(&service.state, &new_trip_id(), &shopper, STORE)
            .await
            .expect("hold call");
        assert_eq!(
            outcome,
            HoldOutcome::Declined {
                category: category.to_owned()
            },
            "{number}"
        );
    }
}

#[tokio::test]
async fn shopper_without_card_gets_no_hold() {
    let service = Service::start(|_| {}).await;
    let shopper = service.shopper_id("sub-no-card").await;
    let outcome = place_hold(&service.state, &new_trip_id(), &shopper, STORE)
        .await
        .expect("hold call");
    assert_eq!(outcome, HoldOutcome::NoPaymentMethod);
}

#[tokio::test]
async fn over_hold_uses_increment() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    let settlement = settle_trip(&service.state, &trip_id, gbp(7000))
        .await
        .expect("settles");
    assert_eq!(settlement.state, TripPaymentState::Captured);
    assert_eq!(settlement.captured, gbp(7000));
    assert_eq!(settlement.charged, gbp(0));
    let row = trip::load(&service.state.db, &trip_id)
        .await
        .expect("load")
        .expect("row");
    assert_eq!(row.increments, 1);
    assert_eq!(
        intent(&service, &authorization).await["amount_received"],
        7000
    );
}

#[tokio::test]
async fn over_hold_branches() {
    // (card, captured from the hold, charged off-session, outstanding, final state)
    let cases = [
        (NO_INCREMENT, 5000, 2000, 0, TripPaymentState::Captured),
        (
            INCREMENT_DECLINES,
            5000,
            2000,
            0,
            TripPaymentState::Captured,
        ),
        (CHARGE_DECLINES, 5000, 0, 2000, TripPaymentState::Failed),
    ];
    for (card, captured, charged, outstanding, state) in cases {
        let (service, shopper, trip_id, authorization) = held_trip(card).await;
        let settlement = settle_trip(&service.state, &trip_id, gbp(7000))
            .await
            .expect("settles");
        assert_eq!(settlement.state, state, "{card}");
        assert_eq!(settlement.captured, gbp(captured), "{card}");
        assert_eq!(settlement.charged, gbp(charged), "{card}");
        assert_eq!(settlement.outstanding, gbp(outstanding), "{card}");
        assert_eq!(
            outstanding_minor(&service.state, &shopper)
                .await
                .expect("sum"),
            outstanding,
            "{card}"
        );
        assert_eq!(service.captures_of(&authorization).await, 1, "{card}");
    }
}

#[tokio::test]
async fn below_minimum_amounts_are_written_off() {
    // (card, total, captured, written off, final state)
    let cases = [
        (NO_INCREMENT, 5020, 5000, 20, TripPaymentState::Captured),
        (VISA, 25, 0, 25, TripPaymentState::Canceled),
    ];
    for (card, total, captured, written_off, state) in cases {
        let (service, _, trip_id, _) = held_trip(card).await;
        let settlement = settle_trip(&service.state, &trip_id, gbp(total))
            .await
            .expect("settles");
        assert_eq!(settlement.state, state, "total {total}");
        assert_eq!(settlement.captured, gbp(captured), "total {total}");
        assert_eq!(settlement.written_off, gbp(written_off), "total {total}");
        assert_eq!(settlement.charged, gbp(0), "total {total}");
    }
}

#[tokio::test]
async fn empty_cart_cancels_hold() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    let settlement = settle_trip(&service.state, &trip_id, gbp(0))
        .await
        .expect("settles");
    assert_eq!(settlement.state, TripPaymentState::Canceled);
    let released = intent(&service, &authorization).await;
    assert_eq!(released["status"], "canceled");
    assert_eq!(released["cancellation_reason"], "abandoned");
}

#[tokio::test]
async fn repeated_settlement_captures_once() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    let first = settle_trip(&service.state, &trip_id, gbp(2500))
        .await
        .expect("settles");
    let second = settle_trip(&service.state, &trip_id, gbp(2500))
        .await
        .expect("settles again");
    assert_eq!(first, second);
    assert_eq!(service.captures_of(&authorization).await, 1);
}

#[tokio::test]
async fn lapsed_hold_is_canceled_and_charged_instead() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    assert!(service.state.clock.advance_ms(7 * 24 * 3_600_000 + 1000));

    let lapsed = intent(&service, &authorization).await;
    assert_eq!(lapsed["status"], "canceled");
    assert_eq!(lapsed["cancellation_reason"], "automatic");
    let path = format!("/payment_intents/{authorization}/capture");
    let (status, body) = service
        .psp_post(
            &path,
            Some("late-capture"),
            &[("amount_to_capture", "1000")],
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "payment_intent_unexpected_state");

    let settlement = settle_trip(&service.state, &trip_id, gbp(1000))
        .await
        .expect("settles");
    assert_eq!(settlement.state, TripPaymentState::Captured);
    assert_eq!(settlement.captured, gbp(0));
    assert_eq!(settlement.charged, gbp(1000));
}

#[tokio::test]
async fn reconciler_reauthorizes_hold_near_expiry() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    assert!(
        service
            .state
            .clock
            .advance_ms(6 * 24 * 3_600_000 + 12 * 3_600_000)
    );

    let report = reconcile::reconcile(&service.state)
        .await
        .expect("reconciles");
    assert_eq!(report.reauthorized, 1);
    let row = trip::load(&service.state.db, &trip_id)
        .await
        .expect("load")
        .expect("row");
    let replacement = row.authorization_id.expect("new hold");
    assert_ne!(replacement, authorization);
    assert_eq!(intent(&service, &authorization).await["status"], "canceled");
    assert_eq!(
        intent(&service, &replacement).await["status"],
        "requires_capture"
    );
}

#[tokio::test]
async fn scheduled_reconciler_reauthorizes_without_a_call() {
    let service = Service::start(|config| config.payments.reconcile_interval_secs = 1).await;
    let sub = format!("sub-{}", uuid::Uuid::new_v4());
    service.add_card(&sub, VISA).await;
    let shopper = service.shopper_id(&sub).await;
    let trip_id = new_trip_id();
    let outcome = place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold call");
    let HoldOutcome::Placed {
        authorization_id, ..
    } = outcome
    else {
        panic!("hold not placed: {outcome:?}");
    };
    assert!(
        service
            .state
            .clock
            .advance_ms(6 * 24 * 3_600_000 + 12 * 3_600_000)
    );

    let task = reconcile::spawn(service.state.clone()).expect("the reconciler is on");
    let mut replacement = None;
    for _ in 0..100 {
        let row = trip::load(&service.state.db, &trip_id)
            .await
            .expect("load")
            .expect("row");
        if row.authorization_id.as_deref() != Some(authorization_id.as_str()) {
            replacement = row.authorization_id;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    let replacement = replacement.expect("the scheduled run re-authorized the hold within 10 s");
    assert_eq!(
        intent(&service, &replacement).await["status"],
        "requires_capture"
    );
}

#[tokio::test]
async fn reconciler_interval_zero_turns_it_off() {
    let service = Service::start(|config| config.payments.reconcile_interval_secs = 0).await;
    assert!(reconcile::spawn(service.state.clone()).is_none());
}

#[tokio::test]
async fn same_key_same_params_replays() {
    let service = Service::start(|_| {}).await;
    let (_, method) = service.tokenize(VISA, "913").await;
    let pm = method["id"].as_str().expect("pm id").to_owned();
    let form = [
        ("amount", "1500"),
        ("currency", "gbp"),
        ("payment_method", pm.as_str()),
        ("confirm", "true"),
        ("capture_method", "manual"),
    ];

    let (first_status, first) = service
        .psp_post("/payment_intents", Some("key-one"), &form)
        .await;
    let (second_status, second) = service
        .psp_post("/payment_intents", Some("key-one"), &form)
        .await;
    assert_eq!(first_status, 200);
    assert_eq!(second_status, 200);
    assert_eq!(first["id"], second["id"]);

    let other = [
        ("amount", "1600"),
        ("currency", "gbp"),
        ("payment_method", pm.as_str()),
        ("confirm", "true"),
        ("capture_method", "manual"),
    ];
    let (status, body) = service
        .psp_post("/payment_intents", Some("key-one"), &other)
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["type"], "idempotency_error");
}

#[tokio::test]
async fn wrong_key_is_rejected() {
    let service = Service::start(|_| {}).await;
    let response = service
        .http
        .get(service.url("/psp/v1/payment_intents/pi_missing"))
        .bearer_auth("sk_test_wrong")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), 401);
    let publishable = service
        .http
        .get(service.url("/psp/v1/payment_intents/pi_missing"))
        .bearer_auth(walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY)
        .send()
        .await
        .expect("answers");
    assert_eq!(
        publishable.status(),
        401,
        "the publishable key only tokenizes"
    );
}

// ----- a proxy that loses the first capture answer -----

#[derive(Clone)]
struct Proxy {
    upstream: String,
    http: reqwest::Client,
    captures_seen: Arc<AtomicUsize>,
}

async fn forward(
    State(proxy): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (axum::http::StatusCode, Bytes) {
    let url = format!(
        "{}{}",
        proxy.upstream,
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let mut request = proxy.http.request(method, url).body(body);
    for name in ["authorization", "idempotency-key", "content-type"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let response = request.send().await.expect("upstream answers");
    let status = axum::http::StatusCode::from_u16(response.status().as_u16()).expect("status");
    let bytes = response.bytes().await.expect("upstream body");
    if uri.path().ends_with("/capture") && proxy.captures_seen.fetch_add(1, Ordering::SeqCst) == 0 {
        // The capture happened upstream; the client gives up before this answer arrives.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    (status, bytes)
}

#[tokio::test]
async fn capture_retried_after_timeout_charges_once() {
    let (service, _, trip_id, authorization) = held_trip(VISA).await;
    let proxy = Proxy {
        upstream: service.base.clone(),
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        captures_seen: Arc::new(AtomicUsize::new(0)),
    };
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let policy = RetryPolicy {
        attempt_timeout: Duration::from_millis(400),
        max_retries: 2,
        backoff: Duration::from_millis(20),
    };
    let gateway = StripeGateway::new(
        &format!("http://{address}/psp/v1"),
        SecretString(SECRET_KEY.to_owned()),
        policy,
    )
    .expect("gateway");
    let key = IdempotencyKey::for_trip(&trip_id, "capture").expect("key");
    let outcome = gateway
        .capture(&authorization, &gbp(3000), &key)
        .await
        .expect("capture call");

    assert!(
        matches!(outcome, Outcome::Approved(ref capture) if capture.captured == gbp(3000)),
        "{outcome:?}"
    );
    assert_eq!(
        proxy.captures_seen.load(Ordering::SeqCst),
        2,
        "the first answer was lost and the call retried"
    );
    assert_eq!(service.captures_of(&authorization).await, 1);
}

// ----- card data hygiene -----

#[tokio::test]
async fn tokenization_stores_no_card_number() {
    let service = Service::start(|_| {}).await;
    let form = [
        ("type", "card"),
        ("card[number]", "5555555555554444"),
        ("card[exp_month]", "11"),
        ("card[exp_year]", "2099"),
        ("card[cvc]", "913"),
    ];
    let response = service
        .http
        .post(service.url("/psp/v1/payment_methods"))
        .bearer_auth(walkout_connectors::payments::config::SANDBOX_PUBLISHABLE_KEY)
        .header("Idempotency-Key", "tokenize-once")
        .form(&form)
        .send()
        .await
        .expect("answers");
    let method: Value = response.json().await.expect("JSON");
    assert_eq!(method["card"]["last4"], "4444");
    assert_eq!(method["card"]["brand"], "mastercard");
    service.state.db.pool.close().await;

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(service.data_dir.path()).expect("data folder") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            stored.extend(std::fs::read(&path).expect("file"));
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    assert!(
        !stored.contains("5555555555554444"),
        "card number in the database files"
    );
    assert!(
        !stored.contains("cvc%5D=913") && !stored.contains("\"cvc\":\"913\""),
        "CVC in the database files"
    );
    let logs = auth_support::captured_logs();
    assert!(
        !logs.contains("5555555555554444"),
        "card number in the logs"
    );
    assert!(!logs.contains("cvc%5D=913"), "CVC in the logs");
}

#[tokio::test]
async fn late_hold_is_released() {
    // A zero budget: the gate gives up before the PSP can answer.
    let service = Service::start(|config| config.payments.hold_timeout_ms = 0).await;
    service.add_card("late", VISA).await;
    let shopper = service.shopper_id("late").await;
    let trip_id = new_trip_id();
    let outcome = place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold call");
    assert_eq!(outcome, HoldOutcome::TimedOut);

    let mut status = String::new();
    for _ in 0..100 {
        let found: Option<String> = sqlx::query_scalar("SELECT status FROM psp_payment_intents")
            .fetch_optional(&service.state.db.pool)
            .await
            .expect("status");
        status = found.unwrap_or_default();
        if status == "canceled" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "canceled", "the hold that landed late is released");
    let again = place_hold(&service.state, &trip_id, &shopper, STORE)
        .await
        .expect("hold call");
    assert_eq!(
        again,
        HoldOutcome::TimedOut,
        "a repeat returns the first outcome"
    );
}
