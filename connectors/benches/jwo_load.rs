//! Load benchmark of the JWO connectors over loopback HTTP: VerifyIdentityKeys (the gate) and
//! CreatePurchases (ordering). The target is the release `walkout-connectors serve` binary in
//! its own process, with its embedded defaults (SQLite, the sandbox PSP on the same listener)
//! and a temporary data folder. The driver runs in this process on its own runtime.
//!
//! With `WALKOUT_BENCH_DATABASE_URL` set to an empty PostgreSQL database, the service runs on
//! that database instead, as `WALKOUT_BENCH_INSTANCES` processes (1 by default) that share its
//! secrets. Every request, the shoppers' set-up included, goes to the instances in turn. The
//! ceilings are SQLite and HTTP-stack figures, so such a run leaves them out, as does
//! `WALKOUT_BENCH_CEILINGS=0`.
//!
//! Scenarios, each bounded by a request count and a time limit:
//! - first scans, closed loop: each admits a shopper, opens a trip and places its hold through
//!   the sandbox PSP;
//! - companion scans of the admitted codes (no hold) and denied scans with a tampered tag,
//!   each open loop at fixed rates and closed loop at maximum throughput;
//! - CreatePurchases with a 20-line real cart for each trip, closed loop, timed to the 201
//!   (capture, receipt and POS export follow in the background job);
//! - ceilings: an empty axum handler in its own process (the HTTP stack alone) and raw SQLite
//!   writes of a purchase's rows (the ordering store alone);
//! - the service's peak resident memory after the gate scenarios.
//!
//! Two settings differ from production defaults. Entry codes rotate hourly, so a run never
//! crosses a rotation. The velocity and group-entry limits are lifted, so repeated scans are
//! measured instead of denied.
//!
//! Run with `cargo bench -p walkout-connectors --bench jwo_load` (or `cargo xtask bench`).
//! `WALKOUT_BENCH_QUICK=1` shortens every scenario; `WALKOUT_BENCH_OUT` names a file that
//! receives one JSON line per figure.

mod load;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use walkout_connectors::catalog::uci::DEMO_STORE_ID;

use load::driver::{self, Outcome, Target};
use load::identity::{self, CLIENT_ID, ISSUER};
use load::instances::Instances;
use load::service::{self, ChildProcess};
use load::shoppers::{self, Shopper};
use load::{emit, env_number, ordering};

const DATA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);
const IDENTITY_KEYS: &str = "/v1/identity/identity-keys";
const PURCHASES: &str = "/v1/order/purchases";
/// Offered rates of the open-loop gate scenarios, in requests per second.
const GATE_RATES: [f64; 3] = [1_000.0, 2_000.0, 5_000.0];
/// Requests in flight at most in an open loop.
const MAX_IN_FLIGHT: usize = 512;

struct Settings {
    shoppers: usize,
    concurrency: usize,
    open_loop_secs: f64,
    closed_loop_requests: usize,
    time_limit: Duration,
    /// PostgreSQL URL of an empty database; `None` means the embedded SQLite file.
    database_url: Option<String>,
    instances: usize,
    /// Whether to run the empty-handler and raw-SQLite ceilings after the service scenarios.
    ceilings: bool,
}

impl Settings {
    fn from_env() -> Settings {
        let quick = std::env::var_os("WALKOUT_BENCH_QUICK").is_some_and(|v| v != "0");
        let database_url = std::env::var("WALKOUT_BENCH_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty());
        let ceilings = database_url.is_none()
            && std::env::var_os("WALKOUT_BENCH_CEILINGS").is_none_or(|v| v != "0");
        Settings {
            shoppers: env_number("WALKOUT_BENCH_SHOPPERS", if quick { 100 } else { 400 }),
            concurrency: env_number("WALKOUT_BENCH_CONCURRENCY", 16),
            open_loop_secs: if quick { 1.0 } else { 3.0 },
            closed_loop_requests: if quick { 2_000 } else { 10_000 },
            time_limit: Duration::from_secs(if quick { 10 } else { 30 }),
            database_url,
            instances: env_number("WALKOUT_BENCH_INSTANCES", 1).max(1),
            ceilings,
        }
    }

    /// Describes the database and instance count, for the console.
    fn backend(&self) -> String {
        match (&self.database_url, self.instances) {
            (None, _) => "SQLite".to_owned(),
            (Some(_), 1) => "PostgreSQL, 1 instance".to_owned(),
            (Some(_), count) => format!("PostgreSQL, {count} instances"),
        }
    }

    /// Names the service log files of a PostgreSQL run; empty for SQLite.
    fn log_label(&self) -> String {
        match &self.database_url {
            None => String::new(),
            Some(_) => format!("postgres-{}", self.instances),
        }
    }
}

fn main() {
    if std::env::var_os(service::EMPTY_HANDLER_ROLE).is_some() {
        service::serve_empty_handler();
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|error| panic!("cannot build the runtime: {error}"));
    runtime.block_on(run(Settings::from_env()));
}

fn report(id: &str, outcome: &Outcome) {
    outcome.print();
    let mut record = outcome.to_json();
    record["id"] = json!(id);
    emit(&record);
}

async fn run(settings: Settings) {
    assert!(
        settings.instances == 1 || settings.database_url.is_some(),
        "WALKOUT_BENCH_INSTANCES above 1 needs WALKOUT_BENCH_DATABASE_URL: \
         the embedded SQLite file serves one process"
    );
    let started = Instant::now();
    let jwks_url = identity::start_jwks().await;
    let data_dir = tempfile::tempdir().expect("temporary data folder");
    let caller_token = service::prepare_data_dir(
        data_dir.path(),
        settings.database_url.as_deref(),
        Path::new(DATA_FILE),
    )
    .await;
    let mut env = vec![
        ("WALKOUT_AUTH__ISSUER", ISSUER.to_owned()),
        ("WALKOUT_AUTH__JWKS_URL", jwks_url),
        ("WALKOUT_AUTH__CLIENT_IDS", format!("[\"{CLIENT_ID}\"]")),
        ("WALKOUT_GATE__PERIOD_SECS", "3600".to_owned()),
        ("WALKOUT_GATE__VELOCITY_LIMIT", "1000000".to_owned()),
        ("WALKOUT_GATE__GROUP_ENTRY_LIMIT", "1000000".to_owned()),
        ("WALKOUT_GATE__GROUP_WINDOW_SECS", "86400".to_owned()),
    ];
    if let Some(url) = &settings.database_url {
        env.push(("WALKOUT_DATABASE_URL", url.clone()));
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_walkout-connectors"));
    let instances = Instances::start(
        binary,
        data_dir.path(),
        settings.instances,
        &env,
        &settings.log_label(),
    )
    .await;
    let bases = instances.base_urls();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(MAX_IN_FLIGHT)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client builds");

    eprintln!(
        "setting up {} shoppers (enrollment and a sandbox card each)",
        settings.shoppers
    );
    let shoppers = shoppers::ready_shoppers(&client, &bases, settings.shoppers, 1).await;
    println!(
        "JWO load: service pids {:?}, {} shoppers, {} in flight in closed loops, {}, sandbox PSP in each service",
        instances.pids(),
        settings.shoppers,
        settings.concurrency,
        settings.backend()
    );

    let gate = Target::new(&client, &bases, IDENTITY_KEYS, Some(caller_token.clone()));
    let trips = gate_scenarios(&settings, &gate, &shoppers).await;
    report_peak_rss(&instances);

    let orders = Target::new(&client, &bases, PURCHASES, Some(caller_token));
    let bodies = ordering_scenarios(&settings, &orders, &trips).await;
    drop(instances);

    if settings.ceilings {
        ordering_ceiling(&settings, &bodies).await;
        ceiling_scenarios(&settings, &client).await;
    }
    eprintln!(
        "load benchmark finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Runs the gate scenarios; returns (auth event id, visitor id) of each admitted first scan.
async fn gate_scenarios(
    settings: &Settings,
    gate: &Target,
    shoppers: &[Shopper],
) -> Vec<(String, String)> {
    let codes: Vec<String> = shoppers.iter().map(Shopper::current_code).collect();
    let (first_bodies, event_ids): (Vec<String>, Vec<String>) = codes
        .iter()
        .map(|code| shoppers::scan_body(DEMO_STORE_ID, code))
        .unzip();
    let first = driver::closed_loop(
        gate,
        "gate: first scan (hold placed)",
        first_bodies,
        settings.concurrency,
        settings.time_limit,
        true,
    )
    .await;
    report("gate.first.closed", &first);
    let trips: Vec<(String, String)> = first
        .bodies
        .iter()
        .zip(event_ids)
        .filter_map(|(body, event_id)| {
            let answer: Value = serde_json::from_str(body.as_deref()?).ok()?;
            let visitor = answer["visitorDetails"]["id"].as_str()?.to_owned();
            Some((event_id, visitor))
        })
        .collect();

    let companion = |count: usize| -> Vec<String> {
        codes
            .iter()
            .cycle()
            .take(count)
            .map(|code| shoppers::scan_body(DEMO_STORE_ID, code).0)
            .collect()
    };
    let denied = |count: usize| -> Vec<String> {
        codes
            .iter()
            .cycle()
            .take(count)
            .map(|code| shoppers::scan_body(DEMO_STORE_ID, &shoppers::tampered(code)).0)
            .collect()
    };
    for (kind, make) in [
        ("companion", &companion as &dyn Fn(usize) -> Vec<String>),
        ("denied", &denied),
    ] {
        for rate in GATE_RATES {
            let count = (rate * settings.open_loop_secs) as usize;
            let name = format!("gate: {kind} scan at {rate:.0}/s");
            let outcome = driver::open_loop(
                gate,
                &name,
                make(count),
                rate,
                MAX_IN_FLIGHT,
                settings.time_limit,
            )
            .await;
            report(&format!("gate.{kind}.open.{rate:.0}"), &outcome);
        }
        let name = format!("gate: {kind} scan, maximum");
        let outcome = driver::closed_loop(
            gate,
            &name,
            make(settings.closed_loop_requests),
            settings.concurrency,
            settings.time_limit,
            false,
        )
        .await;
        report(&format!("gate.{kind}.closed"), &outcome);
    }
    trips
}

/// Emits the largest peak RSS of the instances as `gate.peak_rss`, with each instance's.
fn report_peak_rss(instances: &Instances) {
    let Some(per_instance) = instances.peak_rss_kib() else {
        return;
    };
    let mib: Vec<f64> = per_instance
        .iter()
        .map(|kib| *kib as f64 / 1024.0)
        .collect();
    let largest = mib.iter().copied().fold(0.0, f64::max);
    println!("service peak RSS after the gate scenarios, per instance: {mib:.1?} MiB");
    emit(&json!({
        "id": "gate.peak_rss", "name": "service peak RSS under gate load (largest instance)",
        "value": largest, "unit": "MiB", "per_instance_mib": mib,
    }));
}

/// Runs CreatePurchases for the admitted trips; returns the request bodies for the ceiling.
async fn ordering_scenarios(
    settings: &Settings,
    orders: &Target,
    trips: &[(String, String)],
) -> Vec<String> {
    let carts = ordering::real_carts(Path::new(DATA_FILE));
    assert!(!carts.is_empty(), "the data has baskets of 20 lines");
    let bodies: Vec<String> = trips
        .iter()
        .zip(carts.iter().cycle())
        .map(|((event_id, visitor), cart)| {
            ordering::purchase_body(DEMO_STORE_ID, event_id, visitor, cart)
        })
        .collect();
    let outcome = driver::closed_loop(
        orders,
        "ordering: 20-line cart to 201",
        bodies.clone(),
        settings.concurrency,
        settings.time_limit,
        false,
    )
    .await;
    report("ordering.closed", &outcome);
    bodies
}

/// Writes the rows of each purchase raw into a fresh SQLite database: the ordering ceiling.
async fn ordering_ceiling(settings: &Settings, bodies: &[String]) {
    let ceiling_dir = tempfile::tempdir().expect("temporary data folder");
    let ceiling = ordering::store_ceiling(ceiling_dir.path(), bodies, settings.concurrency).await;
    let rate = ceiling.carts as f64 / ceiling.elapsed.as_secs_f64().max(f64::EPSILON);
    let quantile = |q: f64| ceiling.histogram.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{:<44} {:>7} {:>7} carts {:>7.0} carts/s  p50 {:>7.2}  p99 {:>7.2} ms",
        "ordering ceiling: raw SQLite rows per cart",
        "closed",
        ceiling.carts,
        rate,
        quantile(0.5),
        quantile(0.99)
    );
    emit(&json!({
        "id": "ordering.ceiling", "name": "ordering ceiling: raw SQLite rows, one transaction per cart",
        "value": rate, "unit": "carts/s", "completed": ceiling.carts, "concurrency": settings.concurrency,
        "p50_ms": quantile(0.5), "p90_ms": quantile(0.9), "p99_ms": quantile(0.99), "p999_ms": quantile(0.999),
    }));
}

async fn ceiling_scenarios(settings: &Settings, client: &reqwest::Client) {
    let empty: ChildProcess = service::start_empty_handler();
    let target = Target::new(
        client,
        std::slice::from_ref(&empty.base_url),
        IDENTITY_KEYS,
        Some("unused".to_owned()),
    );
    let body = shoppers::scan_body(DEMO_STORE_ID, "W1AAAA").0;
    let rate = GATE_RATES[GATE_RATES.len() - 1];
    let count = (rate * settings.open_loop_secs) as usize;
    let outcome = driver::open_loop(
        &target,
        "gate ceiling: empty handler at 5000/s",
        vec![body.clone(); count],
        rate,
        MAX_IN_FLIGHT,
        settings.time_limit,
    )
    .await;
    report("gate.ceiling.open.5000", &outcome);
    let outcome = driver::closed_loop(
        &target,
        "gate ceiling: empty handler, maximum",
        vec![body; settings.closed_loop_requests],
        settings.concurrency,
        settings.time_limit,
        false,
    )
    .await;
    report("gate.ceiling.closed", &outcome);
}
