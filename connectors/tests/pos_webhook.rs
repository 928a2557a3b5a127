//! POS export as a signed JSON webhook, against a real HTTP server on 127.0.0.1.

mod pos_support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use walkout_connectors::clock::Clock;
use walkout_connectors::db::Database;
use walkout_connectors::pos::delivery::{Delivery, RetryPolicy};
use walkout_connectors::pos::jobs::{self, JobState};
use walkout_connectors::pos::webhook::{StatusClass, WebhookConfig, WebhookSink, classify_status};
use walkout_connectors::pos::{PosSink, PosTransaction};

const SECRET: &str = "pos-webhook-test-secret-0123456789abcdef";

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

/// A POS endpoint that responds with scripted statuses (200 once the script runs out).
#[derive(Clone, Default)]
struct FakePos {
    script: Arc<Mutex<VecDeque<u16>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

async fn receive(State(pos): State<FakePos>, headers: HeaderMap, body: Bytes) -> StatusCode {
    pos.received
        .lock()
        .unwrap()
        .push(Received { headers, body });
    let status = pos.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

async fn start_server(statuses: &[u16]) -> (FakePos, reqwest::Url) {
    let pos = FakePos::default();
    pos.script.lock().unwrap().extend(statuses.iter().copied());
    let app = axum::Router::new()
        .route("/pos/transactions", axum::routing::post(receive))
        .with_state(pos.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let url = format!("http://{address}/pos/transactions")
        .parse()
        .unwrap();
    (pos, url)
}

fn sink(url: reqwest::Url, clock: &Clock) -> WebhookSink {
    let config = WebhookConfig {
        url,
        secret: SECRET.to_owned().into(),
        timeout: Duration::from_secs(5),
    };
    WebhookSink::new(config, clock.clone()).unwrap()
}

fn header<'a>(request: &'a Received, name: &str) -> &'a str {
    request.headers.get(name).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn signature_matches_independent_hmac() {
    let (pos, url) = start_server(&[200]).await;
    let transaction = pos_support::sale();

    let receipt = sink(url, &Clock::test())
        .export(&transaction)
        .await
        .unwrap();

    assert!(receipt.location.ends_with("(200)"), "{}", receipt.location);
    let request = pos.received.lock().unwrap()[0].clone();
    let timestamp = header(&request, "x-walkout-timestamp");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&request.body);
    let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(header(&request, "x-walkout-signature"), expected);
}

#[tokio::test]
async fn request_carries_idempotency_key_and_json() {
    let (pos, url) = start_server(&[200]).await;
    let transaction = pos_support::sale();

    sink(url, &Clock::test())
        .export(&transaction)
        .await
        .unwrap();

    let request = pos.received.lock().unwrap()[0].clone();
    assert_eq!(
        header(&request, "idempotency-key"),
        transaction.transaction_id
    );
    assert_eq!(header(&request, "content-type"), "application/json");
    let body: PosTransaction = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, transaction);
}

#[test]
fn statuses_are_classified() {
    let cases = [
        (200, StatusClass::Done),
        (204, StatusClass::Done),
        (301, StatusClass::Permanent),
        (400, StatusClass::Permanent),
        (401, StatusClass::Permanent),
        (404, StatusClass::Permanent),
        (408, StatusClass::Retryable),
        (409, StatusClass::Permanent),
        (429, StatusClass::Retryable),
        (500, StatusClass::Retryable),
        (503, StatusClass::Retryable),
    ];
    for (code, expected) in cases {
        let status = reqwest::StatusCode::from_u16(code).unwrap();
        assert_eq!(classify_status(status), expected, "status {code}");
    }
}

#[tokio::test]
async fn closed_port_is_retryable_and_secret_free() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{address}/pos").parse().unwrap();

    let error = sink(url, &Clock::test())
        .export(&pos_support::sale())
        .await
        .unwrap_err();

    assert!(error.is_retryable(), "{error}");
    assert!(!error.to_string().contains(SECRET));
}

async fn open_database(folder: &tempfile::TempDir) -> Database {
    let path = folder.path().join("walkout.sqlite3");
    Database::open(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .unwrap()
}

fn delivery(database: &Database, sink: WebhookSink, clock: &Clock) -> Delivery {
    let policy = RetryPolicy {
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(60),
        max_attempts: 5,
    };
    Delivery::new(
        database.pool.clone(),
        vec![Arc::new(sink)],
        policy,
        clock.clone(),
        Duration::from_secs(30),
    )
}

#[tokio::test]
async fn server_error_is_retried_until_success() {
    let folder = tempfile::tempdir().unwrap();
    let database = open_database(&folder).await;
    let clock = Clock::test();
    let (pos, url) = start_server(&[500, 200]).await;
    let queue = delivery(&database, sink(url, &clock), &clock);
    queue.enqueue(&pos_support::sale()).await.unwrap();
    let mut no_jitter = |_max: u64| 0;

    let first = queue.run_due(10, &mut no_jitter).await.unwrap();
    assert_eq!(first.retried, 1);
    let early = queue.run_due(10, &mut no_jitter).await.unwrap();
    assert_eq!(early.done + early.retried, 0, "retried before its delay");

    clock.advance_ms(5_000);
    let second = queue.run_due(10, &mut no_jitter).await.unwrap();
    assert_eq!(second.done, 1);

    let received = pos.received.lock().unwrap().clone();
    assert_eq!(received.len(), 2);
    assert_eq!(
        header(&received[0], "idempotency-key"),
        header(&received[1], "idempotency-key")
    );
}

#[tokio::test]
async fn client_error_is_dead_lettered_and_replayed() {
    let folder = tempfile::tempdir().unwrap();
    let database = open_database(&folder).await;
    let clock = Clock::test();
    let (pos, url) = start_server(&[400]).await;
    let queue = delivery(&database, sink(url, &clock), &clock);
    queue.enqueue(&pos_support::sale()).await.unwrap();
    let mut no_jitter = |_max: u64| 0;

    let report = queue.run_due(10, &mut no_jitter).await.unwrap();
    assert_eq!(report.dead, 1);
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].attempts, 1);
    assert!(
        dead[0].last_error.as_deref().unwrap_or("").contains("400"),
        "{:?}",
        dead[0].last_error
    );

    assert!(queue.replay(&dead[0].id).await.unwrap());
    let replayed = queue.run_due(10, &mut no_jitter).await.unwrap();
    assert_eq!(replayed.done, 1);
    let job = jobs::find(&database.pool, &dead[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.state, JobState::Done);
    assert_eq!(pos.received.lock().unwrap().len(), 2);
}
