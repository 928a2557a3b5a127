//! Several service instances on one PostgreSQL database, as a chain runs them behind a load
//! balancer: each instance has its own state, pool, listener and workers, and requests are
//! spread across them. Runs only when `WALKOUT_TEST_POSTGRES_URL` is set; without it the tests
//! are skipped with a message, except under `CI=true`, where a missing server is a failure.

mod auth_support;
mod common;
mod gate_support;
mod ordering_support;

use std::time::Duration;

use serde_json::Value;
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::server::{self, AppState};

use common::database::{TestDatabase, postgres_available};
use gate_support::{Answer, Gate, STORE as GATE_STORE, base64, ready_shopper, scan_body};
use ordering_support::{
    Service, captures_for_trip, configure_fast, import_demo_catalog, open_trip, purchase_body,
    shopper_with_card,
};

const INSTANCES: usize = 3;

/// Instances that share one database and one data folder (so they share the service secrets,
/// as the instances of one deployment do).
struct Chain {
    instances: Vec<Service>,
    servers: Vec<tokio::task::JoinHandle<()>>,
    _data_dir: tempfile::TempDir,
    /// Declared last, so the database is dropped after the servers stop.
    _database: TestDatabase,
}

impl Drop for Chain {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

impl Chain {
    /// Starts `count` instances; only the first `with_workers` of them run background workers.
    async fn start(count: usize, with_workers: usize) -> Option<Chain> {
        if !postgres_available("multi_instance") {
            return None;
        }
        let database = TestDatabase::from_environment().await?;
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        let mut instances = Vec::new();
        let mut servers = Vec::new();
        for index in 0..count {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("loopback port");
            let address = listener.local_addr().expect("local address");
            let mut config = Config {
                listen: address,
                data_dir: data_dir.path().to_path_buf(),
                database_url: Some(database.url.clone()),
                clock: ClockMode::System,
                ..Config::default()
            };
            configure_fast(&mut config);
            let state = open_state(config).await;
            if index < with_workers {
                server::spawn_background_workers(&state);
            }
            let app = server::router(state.clone());
            servers.push(tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            }));
            instances.push(Service::attach(state, address.port()));
        }
        Some(Chain {
            instances,
            servers,
            _data_dir: data_dir,
            _database: database,
        })
    }

    fn first(&self) -> &Service {
        &self.instances[0]
    }

    async fn count(&self, sql: &str, bind: &str) -> i64 {
        sqlx::query_scalar(sql)
            .bind(bind)
            .fetch_one(&self.first().state.db.pool)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }
}

async fn open_state(config: Config) -> AppState {
    let (credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .unwrap_or_else(|error| panic!("the service data does not open: {error:#}"));
    AppState::new(config, db, credentials)
        .await
        .unwrap_or_else(|error| panic!("the service state does not build: {error:#}"))
}

/// Posts `body` to instance `index % INSTANCES` from a spawned task; returns (status, id).
fn post_spread(
    chain: &Chain,
    index: usize,
    body: &Value,
) -> tokio::task::JoinHandle<(u16, String)> {
    let service = &chain.instances[index % chain.instances.len()];
    let request = service
        .client
        .post(service.url("/v1/order/purchases"))
        .bearer_auth(&service.state.credentials.jwo_caller_token)
        .json(body);
    tokio::spawn(async move {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let id = answer["purchaseId"].as_str().unwrap_or_default().to_owned();
        (status, id)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicates_across_instances_make_one_purchase() {
    let Some(chain) = Chain::start(INSTANCES, INSTANCES).await else {
        return;
    };
    import_demo_catalog(&chain.first().state).await;
    let (shopper_id, visitor_id) = shopper_with_card(chain.first(), "spread").await;
    let (trip_id, auth_event_id) = open_trip(
        &chain.first().state,
        Some((&shopper_id, &visitor_id)),
        false,
    )
    .await;
    let body = purchase_body(
        "trip-key-spread",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "2", "each")],
    );

    let calls: Vec<_> = (0..9)
        .map(|index| post_spread(&chain, index, &body))
        .collect();
    let mut ids = Vec::new();
    for call in calls {
        let (status, id) = call.await.expect("task");
        assert_eq!(status, 201, "status of one delivery");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1, "every delivery gets the same purchaseId");
    let purchase_id = &ids[0];

    assert_eq!(chain.first().wait_for_job(purchase_id).await, "done");
    let purchases = chain
        .count(
            "SELECT COUNT(*) FROM purchases WHERE idempotent_shopping_trip_id = $1",
            "trip-key-spread",
        )
        .await;
    assert_eq!(purchases, 1);
    assert_eq!(captures_for_trip(&chain.first().state, &trip_id).await, 1);
    let receipts = chain
        .count(
            "SELECT COUNT(*) FROM receipts WHERE receipt_id = $1",
            purchase_id,
        )
        .await;
    assert_eq!(receipts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn jobs_run_once_and_receipts_stay_ordered() {
    let Some(chain) = Chain::start(INSTANCES, INSTANCES).await else {
        return;
    };
    import_demo_catalog(&chain.first().state).await;
    let mut trips = Vec::new();
    for index in 0..6 {
        let name = format!("shopper-{index}");
        let (shopper_id, visitor_id) = shopper_with_card(chain.first(), &name).await;
        let (trip_id, auth_event_id) = open_trip(
            &chain.first().state,
            Some((&shopper_id, &visitor_id)),
            false,
        )
        .await;
        let body = purchase_body(
            &format!("trip-key-{index}"),
            &auth_event_id,
            &visitor_id,
            &[("85123A", "SKU", "1", "each")],
        );
        trips.push((trip_id, body));
    }

    let calls: Vec<_> = trips
        .iter()
        .enumerate()
        .map(|(index, (_, body))| post_spread(&chain, index, body))
        .collect();
    let mut purchase_ids = Vec::new();
    for call in calls {
        let (status, id) = call.await.expect("task");
        assert_eq!(status, 201, "status of one purchase");
        purchase_ids.push(id);
    }
    for purchase_id in &purchase_ids {
        assert_eq!(chain.first().wait_for_job(purchase_id).await, "done");
    }

    for (trip_id, _) in &trips {
        assert_eq!(
            captures_for_trip(&chain.first().state, trip_id).await,
            1,
            "captures of trip {trip_id}"
        );
    }
    assert_pos_jobs_ran_once(&chain, trips.len()).await;
    assert_change_seq_is_gap_free(&chain, purchase_ids.len()).await;
}

/// Waits for every POS export job to finish, then checks that each took one attempt and that
/// each transaction has one job per sink.
async fn assert_pos_jobs_ran_once(chain: &Chain, expected_transactions: usize) {
    let pool = &chain.first().state.db.pool;
    let mut jobs: Vec<(String, String, String, i64)> = Vec::new();
    for _ in 0..200 {
        jobs = sqlx::query_as("SELECT sink, transaction_id, state, attempts FROM pos_export_jobs")
            .fetch_all(pool)
            .await
            .expect("POS export jobs");
        let transactions: std::collections::BTreeSet<&String> = jobs
            .iter()
            .map(|(_, transaction, _, _)| transaction)
            .collect();
        if transactions.len() >= expected_transactions
            && jobs.iter().all(|(_, _, state, _)| state != "pending")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sinks: std::collections::BTreeSet<&String> = jobs.iter().map(|(sink, ..)| sink).collect();
    let transactions: std::collections::BTreeSet<&String> = jobs
        .iter()
        .map(|(_, transaction, _, _)| transaction)
        .collect();
    assert_eq!(
        transactions.len(),
        expected_transactions,
        "POS jobs: {jobs:?}"
    );
    assert_eq!(
        jobs.len(),
        expected_transactions * sinks.len(),
        "POS jobs: {jobs:?}"
    );
    for (sink, transaction_id, state, attempts) in &jobs {
        assert_eq!(
            state, "done",
            "state of the {sink} export of {transaction_id}"
        );
        assert_eq!(
            *attempts, 1,
            "attempts of the {sink} export of {transaction_id}"
        );
    }
}

async fn assert_change_seq_is_gap_free(chain: &Chain, expected_receipts: usize) {
    let sequence: Vec<i64> =
        sqlx::query_scalar("SELECT change_seq FROM receipts ORDER BY change_seq")
            .fetch_all(&chain.first().state.db.pool)
            .await
            .expect("change_seq values");
    let expected: Vec<i64> = (1..=i64::try_from(expected_receipts).unwrap_or(i64::MAX)).collect();
    assert_eq!(
        sequence, expected,
        "change_seq is 1..=n without gaps or repeats"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_lease_passes_to_another_instance() {
    // Instance 0 takes requests but runs no workers; instance 1 runs them.
    let Some(chain) = Chain::start(2, 0).await else {
        return;
    };
    let front = chain.first();
    import_demo_catalog(&front.state).await;
    let (shopper_id, visitor_id) = shopper_with_card(front, "lease").await;
    let (trip_id, auth_event_id) =
        open_trip(&front.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-lease",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "1", "each")],
    );
    let (status, answer) = front.post_purchase(&body).await;
    assert_eq!(status, 201);
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();

    // A worker of a stopped instance claimed the job and never finished: its lease is live for
    // another 1.5 s. The other instance must wait for it to expire, then run the job once.
    let claimed_at = front.state.clock.now_ms();
    sqlx::query(
        "UPDATE ordering_jobs SET lease_owner = 'stopped-instance', lease_expires_at = $1 \
         WHERE purchase_id = $2 AND kind = 'purchase'",
    )
    .bind(claimed_at + 1_500)
    .bind(&purchase_id)
    .execute(&front.state.db.pool)
    .await
    .expect("stale lease");
    server::spawn_background_workers(&chain.instances[1].state);

    assert_eq!(chain.instances[1].wait_for_job(&purchase_id).await, "done");
    let finished_at = front.state.clock.now_ms();
    assert!(
        finished_at >= claimed_at + 1_500,
        "the job finished before the stale lease expired"
    );
    assert_eq!(captures_for_trip(&front.state, &trip_id).await, 1);
}

/// Starts a second instance on the database and data folder of `gate`, with the same settings.
async fn start_peer(gate: &Gate) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("loopback port");
    let address = listener.local_addr().expect("local address");
    let mut config = (*gate.service.state.config).clone();
    config.listen = address;
    config.data_dir = gate.service.data_path();
    let state = open_state(config).await;
    let app = server::router(state);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}"), server)
}

/// Sends VerifyIdentityKeys `body` to the instance at `base`.
async fn verify_at(gate: &Gate, base: &str, body: &Value) -> Answer {
    let response = gate
        .http()
        .post(format!("{base}/v1/identity/identity-keys"))
        .bearer_auth(&gate.service.state.credentials.jwo_caller_token)
        .json(body)
        .send()
        .await
        .expect("identity-keys answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        content_type,
        text,
        body,
    }
}

/// Sleeps until at least 5 s remain in the current code step and 5 s have passed since it
/// began, so that every scan of a test uses one step. The instances run on the system clock,
/// which a test cannot move.
async fn wait_mid_step(gate: &Gate, period_secs: i64) {
    let into_step = gate.service.state.clock.now_secs().rem_euclid(period_secs);
    if into_step < 5 || into_step > period_secs - 5 {
        let wait_secs = (period_secs - into_step + 5).rem_euclid(period_secs);
        tokio::time::sleep(Duration::from_secs(wait_secs.unsigned_abs())).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn gate_replay_and_group_limit_hold_across_instances() {
    if !postgres_available("gate_replay_and_group_limit_hold_across_instances") {
        return;
    }
    let gate = Gate::start(|config| config.clock = ClockMode::System).await;
    let (peer, peer_server) = start_peer(&gate).await;
    let shopper = ready_shopper(&gate, "shopper-chain").await;
    let period = i64::from(shopper.period_secs);
    wait_mid_step(&gate, period).await;
    let code = shopper.code(gate.current_step(period));

    // One scan delivered twice, once to each instance, is one admission with one response.
    let first_body = scan_body(GATE_STORE, &base64(code.as_bytes()));
    let first = verify_at(&gate, &gate.service.base, &first_body).await;
    let replayed = verify_at(&gate, &peer, &first_body).await;
    assert_eq!(first.status, 200, "first delivery: {}", first.text);
    assert_eq!(replayed.status, 200, "replay: {}", replayed.text);
    assert_eq!(
        replayed.body, first.body,
        "the replay returns the first response"
    );

    // Eight more scans of the same code, spread across both instances: the group limit of
    // four admits three of them.
    let mut scans = Vec::new();
    for index in 0..8 {
        let base = if index % 2 == 0 {
            gate.service.base.clone()
        } else {
            peer.clone()
        };
        let body = scan_body(GATE_STORE, &base64(code.as_bytes()));
        let http = gate.http().clone();
        let token = gate.service.state.credentials.jwo_caller_token.clone();
        scans.push(tokio::spawn(async move {
            let response = http
                .post(format!("{base}/v1/identity/identity-keys"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("identity-keys answers");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            (status, answer["type"].as_str().unwrap_or("").to_owned())
        }));
    }
    let mut answers = Vec::new();
    for scan in scans {
        answers.push(scan.await.expect("task"));
    }
    peer_server.abort();

    let admitted = answers.iter().filter(|(status, _)| *status == 200).count();
    let limited = answers
        .iter()
        .filter(|(_, kind)| kind == "/problems/group-limit-reached")
        .count();
    assert_eq!(admitted, 3, "{answers:?}");
    assert_eq!(limited, 5, "{answers:?}");
    let shopper_id = gate_support::shopper_id(&gate, "shopper-chain").await;
    let trips = gate_support::count(
        &gate,
        "SELECT COUNT(*) FROM trips WHERE shopper_id = $1",
        &shopper_id,
    )
    .await;
    assert_eq!(trips, 1);
}
