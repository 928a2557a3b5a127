//! HTTP load generation against one URL, or against the same path on several service
//! instances in turn. A closed loop keeps a fixed number of requests in flight and sends each
//! as soon as the previous response arrives. An open loop sends requests at a fixed rate
//! whatever the server does. Both are bounded by a request count and a wall-clock limit, and
//! stop by themselves.
//!
//! Open-loop latency is measured from each request's intended send time, not from when it was
//! actually sent, so a stalled server is charged for the requests it delayed (the correction
//! for coordinated omission). A cap on requests in flight keeps a stalled server from opening
//! unbounded connections; time spent waiting for that cap still counts as latency.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Largest latency the histograms record, in microseconds (60 s).
const MAX_LATENCY_MICROS: u64 = 60_000_000;

/// The URLs under load (one per service instance, the same path on each), with the client
/// and the bearer token for them. Requests go to the URLs in turn.
#[derive(Clone)]
pub struct Target {
    client: reqwest::Client,
    urls: Arc<[String]>,
    next: Arc<AtomicUsize>,
    bearer: Option<String>,
}

impl Target {
    /// Builds a target for `path` on each of `base_urls`.
    pub fn new(
        client: &reqwest::Client,
        base_urls: &[String],
        path: &str,
        bearer: Option<String>,
    ) -> Target {
        assert!(!base_urls.is_empty(), "a target needs at least one URL");
        Target {
            client: client.clone(),
            urls: base_urls
                .iter()
                .map(|base| format!("{base}{path}"))
                .collect(),
            next: Arc::new(AtomicUsize::new(0)),
            bearer,
        }
    }

    /// Returns the URL of the next request, round-robin over the instances.
    fn next_url(&self) -> &str {
        let index = self.next.fetch_add(1, Ordering::Relaxed) % self.urls.len();
        &self.urls[index]
    }

    async fn send(&self, body: String) -> Result<(u16, String), reqwest::Error> {
        let mut request = self
            .client
            .post(self.next_url())
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        Ok((status, text))
    }
}

/// Measurements of one scenario.
pub struct Outcome {
    pub name: String,
    /// Offered rate in requests per second; `None` for a closed loop.
    pub offered_rate: Option<f64>,
    pub concurrency: usize,
    pub completed: u64,
    /// Requests that failed without an HTTP status (connection errors, timeouts).
    pub errors: u64,
    pub elapsed: Duration,
    pub histogram: Histogram<u64>,
    pub statuses: BTreeMap<u16, u64>,
    /// Response bodies, in request order, when the caller asked to keep them.
    pub bodies: Vec<Option<String>>,
}

/// Shared state of the requests of one run.
struct Tally {
    histogram: Histogram<u64>,
    statuses: BTreeMap<u16, u64>,
    errors: u64,
    last_completion: Option<Instant>,
}

type SharedTally = Arc<Mutex<Tally>>;

fn new_tally() -> SharedTally {
    let histogram = Histogram::new_with_bounds(1, MAX_LATENCY_MICROS, 3)
        .unwrap_or_else(|error| panic!("histogram bounds: {error}"));
    Arc::new(Mutex::new(Tally {
        histogram,
        statuses: BTreeMap::new(),
        errors: 0,
        last_completion: None,
    }))
}

fn record(tally: &SharedTally, started: Instant, result: &Result<(u16, String), reqwest::Error>) {
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(MAX_LATENCY_MICROS);
    let mut tally = tally.lock().unwrap_or_else(|poison| poison.into_inner());
    tally.last_completion = Some(Instant::now());
    match result {
        Ok((status, _)) => {
            *tally.statuses.entry(*status).or_insert(0) += 1;
            let _ = tally.histogram.record(micros.clamp(1, MAX_LATENCY_MICROS));
        }
        Err(_) => tally.errors += 1,
    }
}

impl Outcome {
    fn from_tally(
        name: &str,
        offered_rate: Option<f64>,
        concurrency: usize,
        started: Instant,
        tally: SharedTally,
        bodies: Vec<Option<String>>,
    ) -> Outcome {
        let tally = tally.lock().unwrap_or_else(|poison| poison.into_inner());
        let completed = tally.histogram.len();
        let elapsed = tally
            .last_completion
            .map_or(Duration::ZERO, |at| at.duration_since(started));
        Outcome {
            name: name.to_owned(),
            offered_rate,
            concurrency,
            completed,
            errors: tally.errors,
            elapsed,
            histogram: tally.histogram.clone(),
            statuses: tally.statuses.clone(),
            bodies,
        }
    }

    /// Returns completed requests per second, from the first send to the last response.
    pub fn throughput(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.completed as f64 / secs
        } else {
            0.0
        }
    }

    /// Latency at `quantile`, in milliseconds.
    pub fn latency_ms(&self, quantile: f64) -> f64 {
        self.histogram.value_at_quantile(quantile) as f64 / 1000.0
    }

    /// Converts the measurements to one JSON record of the results file.
    pub fn to_json(&self) -> Value {
        let statuses: BTreeMap<String, u64> = self
            .statuses
            .iter()
            .map(|(status, count)| (status.to_string(), *count))
            .collect();
        json!({
            "name": self.name,
            "value": self.throughput(), "unit": "req/s",
            "offered_rate": self.offered_rate, "concurrency": self.concurrency,
            "completed": self.completed, "errors": self.errors,
            "elapsed_ms": self.elapsed.as_secs_f64() * 1000.0,
            "p50_ms": self.latency_ms(0.50), "p90_ms": self.latency_ms(0.90),
            "p99_ms": self.latency_ms(0.99), "p999_ms": self.latency_ms(0.999),
            "max_ms": self.histogram.max() as f64 / 1000.0,
            "statuses": statuses,
        })
    }

    pub fn print(&self) {
        let offered = self
            .offered_rate
            .map_or_else(|| "closed".to_owned(), |rate| format!("{rate:.0}/s"));
        println!(
            "{:<44} {:>7} {:>7} req {:>7.0} req/s  p50 {:>7.2}  p90 {:>7.2}  p99 {:>7.2}  p99.9 {:>7.2} ms  errors {}  statuses {:?}",
            self.name,
            offered,
            self.completed,
            self.throughput(),
            self.latency_ms(0.50),
            self.latency_ms(0.90),
            self.latency_ms(0.99),
            self.latency_ms(0.999),
            self.errors,
            self.statuses,
        );
    }
}

/// Sends every body with `concurrency` requests in flight until all have responses or
/// `time_limit` passes. With `keep_bodies`, the response bodies are returned in request order.
pub async fn closed_loop(
    target: &Target,
    name: &str,
    bodies: Vec<String>,
    concurrency: usize,
    time_limit: Duration,
    keep_bodies: bool,
) -> Outcome {
    let count = bodies.len();
    let queue = Arc::new(Mutex::new(
        bodies.into_iter().enumerate().rev().collect::<Vec<_>>(),
    ));
    let answers = Arc::new(Mutex::new(vec![None; if keep_bodies { count } else { 0 }]));
    let tally = new_tally();
    let started = Instant::now();
    let deadline = started + time_limit;

    let mut workers = JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (queue, answers, tally, target) = (
            queue.clone(),
            answers.clone(),
            tally.clone(),
            target.clone(),
        );
        workers.spawn(async move {
            while Instant::now() < deadline {
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop();
                let Some((index, body)) = next else { break };
                let sent = Instant::now();
                let result = target.send(body).await;
                record(&tally, sent, &result);
                if keep_bodies && let Ok((_, text)) = result {
                    answers.lock().unwrap_or_else(|p| p.into_inner())[index] = Some(text);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let bodies = std::mem::take(&mut *answers.lock().unwrap_or_else(|p| p.into_inner()));
    Outcome::from_tally(name, None, concurrency, started, tally, bodies)
}

/// Sends the bodies at `rate` requests per second, at most `max_in_flight` at a time, and
/// waits for the responses. Sending stops after `time_limit`. Responses still missing
/// `time_limit` after that are abandoned and count as errors.
pub async fn open_loop(
    target: &Target,
    name: &str,
    bodies: Vec<String>,
    rate: f64,
    max_in_flight: usize,
    time_limit: Duration,
) -> Outcome {
    let tally = new_tally();
    let permits = Arc::new(Semaphore::new(max_in_flight.max(1)));
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut requests = JoinSet::new();

    for (index, body) in bodies.into_iter().enumerate() {
        let intended = started + interval * u32::try_from(index).unwrap_or(u32::MAX);
        if intended.duration_since(started) > time_limit {
            break;
        }
        tokio::time::sleep_until(intended.into()).await;
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let (tally, target) = (tally.clone(), target.clone());
        requests.spawn(async move {
            let result = target.send(body).await;
            record(&tally, intended, &result);
            drop(permit);
        });
    }
    let drained = tokio::time::timeout(time_limit, async {
        while requests.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        let missing = requests.len() as u64;
        requests.abort_all();
        tally.lock().unwrap_or_else(|p| p.into_inner()).errors += missing;
    }
    Outcome::from_tally(name, Some(rate), max_in_flight, started, tally, Vec::new())
}
