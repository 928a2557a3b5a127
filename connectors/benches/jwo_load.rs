//! Load driver for the JWO connectors: VerifyIdentityKeys and CreatePurchases over loopback HTTP
//! against the service with its embedded defaults (SQLite, the sandbox PSP inside the same
//! process). The driver runs in the
//! same process as the service, so both share the machine's cores, as a driver on the same host
//! would.
//!
//! Three closed-loop scenarios, each bounded by a request count:
//! - first scans: each admits a shopper and places the trip's hold through the sandbox PSP;
//! - companion scans of the same codes: admitted onto the open trip, no hold;
//! - denied scans with a tampered tag: parsing, credential lookup and the constant-time check;
//! - CreatePurchases with a 20-line cart of real catalog items for each admitted trip, measured
//!   to the 201 (capture, receipt and POS export run after it, in the background job).
//!
//! Run with `cargo bench -p walkout-connectors --bench jwo_load`. `GATE_LOAD_SHOPPERS` (default
//! 200) and `GATE_LOAD_CONCURRENCY` (default 16) change the size.

#[path = "../tests/auth_support/mod.rs"]
#[allow(unused_imports)]
mod auth_support;
#[path = "../tests/gate_support/mod.rs"]
#[allow(unused_imports)]
mod gate_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use gate_support::{Gate, base64, ready_shopper, scan_body};

/// The demo store, whose catalog the driver imports from the real data.
const STORE: &str = walkout_connectors::catalog::uci::DEMO_STORE_ID;
use hdrhistogram::Histogram;
use tokio::sync::Mutex;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Report {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    histogram: Histogram<u64>,
    statuses: std::collections::BTreeMap<u16, usize>,
}

impl Report {
    fn print(&self) {
        let rate = self.requests as f64 / self.elapsed.as_secs_f64();
        let quantile = |q: f64| self.histogram.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "{:<34} {:>6} req {:>9.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  p99.9 {:>6.2} ms  statuses {:?}",
            self.name,
            self.requests,
            rate,
            quantile(0.50),
            quantile(0.90),
            quantile(0.99),
            quantile(0.999),
            self.statuses,
        );
    }
}

/// Sends every body to VerifyIdentityKeys with `concurrency` requests in flight.
async fn drive(
    gate: &Arc<Gate>,
    name: &'static str,
    bodies: Vec<String>,
    concurrency: usize,
) -> Report {
    drive_to(
        gate,
        "/v1/identity/identity-keys",
        name,
        bodies,
        concurrency,
    )
    .await
}

/// Sends every body to `path` with `concurrency` requests in flight and records each latency.
async fn drive_to(
    gate: &Arc<Gate>,
    path: &str,
    name: &'static str,
    bodies: Vec<String>,
    concurrency: usize,
) -> Report {
    let requests = bodies.len();
    let queue = Arc::new(Mutex::new(bodies));
    let histogram = Arc::new(Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram"),
    ));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::new()));
    let url = gate.url(path);
    let token = gate.service.state.credentials.jwo_caller_token.clone();
    let started = Instant::now();

    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, histogram, statuses) = (queue.clone(), histogram.clone(), statuses.clone());
        let (client, url, token) = (gate.http().clone(), url.clone(), token.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().await.pop() else {
                    break;
                };
                let sent = Instant::now();
                let response = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("gate answers");
                let status = response.status().as_u16();
                let _ = response.bytes().await;
                let micros = sent.elapsed().as_micros() as u64;
                histogram
                    .lock()
                    .await
                    .record(micros.max(1))
                    .expect("record latency");
                *statuses.lock().await.entry(status).or_insert(0) += 1;
            }
        }));
    }
    for worker in workers {
        worker.await.expect("worker");
    }
    let elapsed = started.elapsed();
    let histogram = histogram.lock().await.clone();
    let statuses = statuses.lock().await.clone();
    Report {
        name,
        requests,
        elapsed,
        histogram,
        statuses,
    }
}

#[tokio::main]
async fn main() {
    let shoppers = env_number("GATE_LOAD_SHOPPERS", 200);
    let concurrency = env_number("GATE_LOAD_CONCURRENCY", 16);

    let gate = Arc::new(
        Gate::start(|config| {
            config.log_level = "warn".to_owned();
            config.gate.velocity_limit = 1_000_000;
        })
        .await,
    );
    eprintln!("preparing {shoppers} shoppers (enrollment and a sandbox card each)");
    let mut enrolled = Vec::with_capacity(shoppers);
    for index in 0..shoppers {
        enrolled.push(ready_shopper(&gate, &format!("load-shopper-{index}")).await);
    }
    gate.settle_mid_step(30);
    let step = gate.current_step(30);
    let codes: Vec<String> = enrolled
        .iter()
        .map(|e| base64(e.code(step).as_bytes()))
        .collect();
    let body_for = |key: &String| scan_body(STORE, key).to_string();

    println!(
        "gate load: {shoppers} shoppers, {concurrency} requests in flight, SQLite, sandbox PSP in process"
    );
    let first: Vec<String> = codes.iter().map(body_for).collect();
    drive(&gate, "first scan (hold placed)", first, concurrency)
        .await
        .print();

    let companions: Vec<String> = codes
        .iter()
        .cycle()
        .take(codes.len() * 3)
        .map(body_for)
        .collect();
    drive(&gate, "companion scan (no hold)", companions, concurrency)
        .await
        .print();

    let tampered: Vec<String> = enrolled
        .iter()
        .cycle()
        .take(shoppers * 25)
        .map(|e| {
            let mut text = e.code(step).into_bytes();
            let last = text.len() - 1;
            text[last] = if text[last] == b'A' { b'B' } else { b'A' };
            scan_body(STORE, &base64(&text)).to_string()
        })
        .collect();
    drive(&gate, "denied scan (bad tag)", tampered, concurrency)
        .await
        .print();
}
