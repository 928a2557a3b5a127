//! Crash safety of the purchase job: the real `walkout-connectors` binary is killed with
//! SIGKILL after the 201, right after the capture, and right after the receipt, then started
//! again on the same data folder. Each time the trip ends with exactly one capture at the
//! sandbox PSP, one receipt and one POS export per sink for its transaction id.

mod ordering_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ordering_support::{
    captures_for_trip, configure_fast, import_demo_catalog, open_trip, purchase_body,
    shopper_with_card,
};
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::server::AppState;

const BINARY: &str = env!("CARGO_BIN_EXE_walkout-connectors");

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Starts the binary on `port` with a configuration that pauses the worker at `pause`.
fn start_binary(data_dir: &Path, port: u16, pause: Option<&str>) -> Child {
    let pause_line = pause.map_or(String::new(), |point| {
        format!("test_pause_after = \"{point}\"\n")
    });
    let config = format!(
        "clock = \"test\"\nlog_format = \"text\"\n\n[ordering]\nworker_poll_ms = 50\nlease_secs = 1\nretry_base_ms = 100\nretry_max_ms = 1000\n{pause_line}\n[payments]\nhold_amount_minor = 500000\n"
    );
    let path = data_dir.join(format!("config-{}.toml", pause.unwrap_or("none")));
    std::fs::write(&path, config).expect("config file");
    Command::new(BINARY)
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
        .expect("start walkout-connectors")
}

async fn wait_ready(client: &reqwest::Client, port: u16) {
    for _ in 0..200 {
        if let Ok(response) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("walkout-connectors did not start on port {port}");
}

async fn scalar(state: &AppState, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&state.db.pool)
        .await
        .expect("query")
}

/// Polls until `sql` (one bound text value) returns at least `target`.
async fn wait_until(state: &AppState, sql: &str, bind: &str, target: i64) {
    for _ in 0..300 {
        if scalar(state, sql, bind).await >= target {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {sql} to reach {target}");
}

const JOB_CLAIMED: &str =
    "SELECT COUNT(*) FROM ordering_jobs WHERE purchase_id = $1 AND lease_owner IS NOT NULL";
const CAPTURES: &str = "SELECT COUNT(*) FROM psp_captures c JOIN trip_payments p ON p.authorization_id = c.payment_intent JOIN purchases u ON u.trip_id = p.trip_id WHERE u.purchase_id = $1";
const RECEIPTS: &str = "SELECT COUNT(*) FROM receipts WHERE receipt_id = $1";
const JOB_DONE: &str =
    "SELECT COUNT(*) FROM ordering_jobs WHERE purchase_id = $1 AND state = 'done'";

async fn crash_and_recover(pause: &str, reached: &str) {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let client = reqwest::Client::new();
    let mut first = start_binary(data_dir.path(), port, Some(pause));
    wait_ready(&client, port).await;

    // A second view of the same data folder, for set-up and checks; it runs no worker.
    let mut config = Config {
        data_dir: data_dir.path().to_path_buf(),
        listen: format!("127.0.0.1:{port}").parse().expect("address"),
        clock: ClockMode::Test,
        ..Config::default()
    };
    configure_fast(&mut config);
    let (credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .expect("open data");
    let state = AppState::new(config, db, credentials).await.expect("state");
    let service = ordering_support::Service::attach(state.clone(), port);

    import_demo_catalog(&state).await;
    let (shopper_id, visitor_id) = shopper_with_card(&service, "crash").await;
    let (trip_id, auth_event_id) = open_trip(&state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        &format!("trip-key-{pause}"),
        &auth_event_id,
        &visitor_id,
        &[
            ("85123A", "SKU", "3", "each"),
            ("22423", "SKU", "1", "each"),
        ],
    );
    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201, "{answer}");
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();

    wait_until(&state, reached, &purchase_id, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        scalar(&state, JOB_DONE, &purchase_id).await,
        0,
        "the job is paused at {pause}"
    );
    first.kill().expect("SIGKILL");
    first.wait().expect("reap");

    let mut second = start_binary(data_dir.path(), port, None);
    wait_ready(&client, port).await;
    wait_until(&state, JOB_DONE, &purchase_id, 1).await;

    let (replay_status, replay) = service.post_purchase(&body).await;
    assert_eq!(replay_status, 201);
    assert_eq!(replay["purchaseId"].as_str(), Some(purchase_id.as_str()));
    assert_eq!(
        captures_for_trip(&state, &trip_id).await,
        1,
        "captures after a crash at {pause}"
    );
    assert_eq!(
        scalar(&state, RECEIPTS, &purchase_id).await,
        1,
        "receipts after a crash at {pause}"
    );
    let transaction_id = walkout_connectors::pos::transaction_id(&trip_id, 1);
    let exports = scalar(
        &state,
        "SELECT COUNT(*) FROM pos_export_jobs WHERE transaction_id = $1 AND sink = 'csv'",
        &transaction_id,
    )
    .await;
    assert_eq!(exports, 1, "CSV exports after a crash at {pause}");

    second.kill().expect("SIGKILL");
    second.wait().expect("reap");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_after_201_charges_once() {
    crash_and_recover("201", JOB_CLAIMED).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_after_capture_charges_once() {
    crash_and_recover("capture", CAPTURES).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_after_receipt_charges_once() {
    crash_and_recover("receipt", RECEIPTS).await;
}
