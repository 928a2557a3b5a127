//! An instance killed in the middle of a job: three real `walkout-connectors serve` processes on
//! one PostgreSQL database, with a short job lease. The purchase job of one of them blocks in its
//! `notify` step on a loopback retailer webhook that the test runs and that holds the request.
//! The test kills that process with SIGKILL, lets the webhook respond, and checks that another
//! instance finishes the job once: one capture, one receipt, one `done` job, no dead letters,
//! and every webhook delivery carries the same idempotency key.
//!
//! Runs only when `WALKOUT_TEST_POSTGRES_URL` is set (a failure under `CI=true` without it).
//! Every child process is killed when its guard drops, also when the test fails.

mod common;
mod ordering_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use ordering_support::{
    Service, captures_for_trip, configure_fast, import_demo_catalog, open_trip, purchase_body,
    shopper_with_card,
};
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::server::AppState;

use common::database::{TestDatabase, postgres_available};

const BINARY: &str = env!("CARGO_BIN_EXE_walkout-connectors");
const INSTANCES: usize = 3;
/// Job lease of every instance: long enough for settle, receipt and export to reach the webhook
/// before it expires, short enough to keep the takeover quick.
const LEASE_SECS: u64 = 4;
const WEBHOOK_SECRET: &str = "retailer-webhook-test-secret";

/// A `walkout-connectors serve` child process, killed and reaped when dropped.
struct Instance {
    port: u16,
    child: Option<Child>,
}

impl Instance {
    /// Kills the process with SIGKILL and waits for it to exit.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One webhook delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Delivery {
    /// The path segment that names the sending instance.
    instance: String,
    idempotency_key: String,
    kind: String,
}

#[derive(Clone)]
struct Receiver {
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    arrived: mpsc::UnboundedSender<Delivery>,
    released: watch::Receiver<bool>,
}

/// Records a delivery, then holds the first `receipt-ready` one until the test releases the
/// receiver; every other delivery gets its response at once.
async fn receive(
    State(receiver): State<Receiver>,
    UrlPath(instance): UrlPath<String>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let delivery = Delivery {
        instance,
        idempotency_key: headers
            .get("idempotency-key")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        kind: event["type"].as_str().unwrap_or("").to_owned(),
    };
    let first_receipt = {
        let mut deliveries = receiver
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        deliveries.push(delivery.clone());
        deliveries
            .iter()
            .filter(|seen| seen.kind == "receipt-ready")
            .count()
            == 1
            && delivery.kind == "receipt-ready"
    };
    let _ = receiver.arrived.send(delivery);
    if first_receipt {
        let mut released = receiver.released.clone();
        let _ = released.wait_for(|released| *released).await;
    }
    StatusCode::OK
}

/// Starts the receiver on a loopback port; returns its base URL, the arrivals, the release
/// switch, the recorded deliveries and the server task.
async fn start_receiver() -> (
    String,
    mpsc::UnboundedReceiver<Delivery>,
    watch::Sender<bool>,
    Arc<Mutex<Vec<Delivery>>>,
    tokio::task::JoinHandle<()>,
) {
    let (arrived, arrivals) = mpsc::unbounded_channel();
    let (release, released) = watch::channel(false);
    let deliveries = Arc::new(Mutex::new(Vec::new()));
    let receiver = Receiver {
        deliveries: deliveries.clone(),
        arrived,
        released,
    };
    let app = axum::Router::new()
        .route("/{instance}", axum::routing::post(receive))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, arrivals, release, deliveries, server)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Starts instance `index` on `port`, sending retailer events to `{webhook}/instance-{index}`.
fn start_instance(
    data_dir: &Path,
    database_url: &str,
    webhook: &str,
    index: usize,
    port: u16,
) -> Instance {
    let config = format!(
        "clock = \"system\"\nlog_format = \"text\"\ndatabase_url = \"{database_url}\"\n\n\
         [ordering]\nworker_poll_ms = 50\nlease_secs = {LEASE_SECS}\nretry_base_ms = 100\n\
         retry_max_ms = 1000\nretailer_webhook_url = \"{webhook}/instance-{index}\"\n\
         retailer_webhook_secret = \"{WEBHOOK_SECRET}\"\n\n\
         [payments]\nhold_amount_minor = 500000\n"
    );
    let path = data_dir.join(format!("instance-{index}.toml"));
    std::fs::write(&path, config).expect("config file");
    let child = Command::new(BINARY)
        .arg("--config")
        .arg(&path)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start walkout-connectors");
    Instance {
        port,
        child: Some(child),
    }
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    for _ in 0..300 {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("walkout-connectors did not become ready on port {port} within 15 s");
}

/// Opens the shared data folder and database as the test's own view, which runs no workers.
/// Opening it first creates the service secrets and runs the migrations once, before any
/// instance starts.
async fn open_view(data_dir: &Path, database_url: &str, port: u16) -> AppState {
    let mut config = Config {
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url.to_owned()),
        listen: format!("127.0.0.1:{port}").parse().expect("address"),
        clock: ClockMode::System,
        ..Config::default()
    };
    configure_fast(&mut config);
    config.ordering.lease_secs = LEASE_SECS;
    let (credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .unwrap_or_else(|error| panic!("the service data does not open: {error:#}"));
    AppState::new(config, db, credentials)
        .await
        .unwrap_or_else(|error| panic!("the service state does not build: {error:#}"))
}

async fn count(state: &AppState, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&state.db.pool)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_instance_job_finishes_elsewhere_once() {
    if !postgres_available("killed_instance_job_finishes_elsewhere_once") {
        return;
    }
    let Some(database) = TestDatabase::from_environment().await else {
        return;
    };
    let data_dir = tempfile::tempdir().expect("temporary data folder");
    let (webhook, mut arrivals, release, deliveries, receiver) = start_receiver().await;

    // The view reaches the sandbox PSP of the first instance, so it gets that port.
    let ports: Vec<u16> = (0..INSTANCES).map(|_| free_port()).collect();
    let state = open_view(data_dir.path(), &database.url, ports[0]).await;
    let mut instances: Vec<Instance> = ports
        .iter()
        .enumerate()
        .map(|(index, port)| start_instance(data_dir.path(), &database.url, &webhook, index, *port))
        .collect();
    let client = reqwest::Client::new();
    for instance in &instances {
        wait_ready(&client, instance.port).await;
    }

    import_demo_catalog(&state).await;
    let service = Service::attach(state.clone(), instances[0].port);
    let (shopper_id, visitor_id) = shopper_with_card(&service, "killed-mid-job").await;
    let (trip_id, auth_event_id) = open_trip(&state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-killed",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "2", "each")],
    );
    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201, "{answer}");
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();

    // The job of one instance reaches the webhook, which holds it; kill that instance.
    let held_delivery = tokio::time::timeout(Duration::from_secs(20), arrivals.recv())
        .await
        .expect("the webhook receives the receipt within 20 s")
        .expect("a delivery");
    assert_eq!(held_delivery.kind, "receipt-ready", "{held_delivery:?}");
    let killed: usize = held_delivery
        .instance
        .trim_start_matches("instance-")
        .parse()
        .expect("instance index");
    instances[killed].kill();
    release.send_replace(true);

    assert_eq!(service.wait_for_job(&purchase_id).await, "done");
    receiver.abort();

    let deliveries = deliveries.lock().map(|d| d.clone()).unwrap_or_default();
    let receipts: Vec<&Delivery> = deliveries
        .iter()
        .filter(|delivery| delivery.kind == "receipt-ready")
        .collect();
    assert_eq!(
        receipts.len(),
        2,
        "the held delivery and one retry: {deliveries:?}"
    );
    let expected_key = format!("{purchase_id}:receipt:1");
    for delivery in &receipts {
        assert_eq!(delivery.idempotency_key, expected_key, "{delivery:?}");
    }
    assert_ne!(
        receipts[1].instance, held_delivery.instance,
        "a live instance sent the retry"
    );

    assert_eq!(captures_for_trip(&state, &trip_id).await, 1, "captures");
    let receipt_rows = count(
        &state,
        "SELECT COUNT(*) FROM receipts WHERE receipt_id = $1",
        &purchase_id,
    )
    .await;
    assert_eq!(receipt_rows, 1, "receipts");
    let dead_jobs = count(
        &state,
        "SELECT COUNT(*) FROM ordering_jobs WHERE state = 'dead' AND purchase_id = $1",
        &purchase_id,
    )
    .await;
    assert_eq!(dead_jobs, 0, "dead ordering jobs");
    let dead_exports = count(
        &state,
        "SELECT COUNT(*) FROM pos_export_jobs WHERE state = $1",
        "dead",
    )
    .await;
    assert_eq!(dead_exports, 0, "dead POS exports");
    let purchase_state: String =
        sqlx::query_scalar("SELECT state FROM purchases WHERE purchase_id = $1")
            .bind(&purchase_id)
            .fetch_one(&state.db.pool)
            .await
            .expect("purchase state");
    assert_eq!(purchase_state, "completed");

    drop(instances);
    drop(database);
}
