//! A loopback backend for the receipt tests: the change feed, trips, scripted failures, and
//! receipt documents with the backend's ARTS names.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::clock::Clock;
use walkout_core::config::Config;
use walkout_core::http::{AccessTokenFuture, AccessTokenSource};
use walkout_core::secrets::MemorySecretStore;
use zeroize::Zeroizing;

pub const TOKEN: &str = "receipts-test-token";

/// The backend's data and its scripted failures.
#[derive(Default)]
pub struct Feed {
    /// Feed items in change_seq order.
    pub changes: Vec<Value>,
    /// Failures returned before any feed page: (status, Retry-After value).
    pub failures: VecDeque<(u16, Option<String>)>,
    pub current_trip: Value,
}

#[derive(Clone, Default)]
pub struct Backend {
    pub feed: Arc<Mutex<Feed>>,
    pub feed_requests: Arc<AtomicU32>,
}

impl Backend {
    pub fn feed(&self) -> MutexGuard<'_, Feed> {
        self.feed.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn feed_requests(&self) -> u32 {
        self.feed_requests.load(Ordering::SeqCst)
    }

    /// Appends a change with the next change_seq.
    pub fn push(&self, receipt_id: &str, version: i64, receipt: Option<Value>) {
        let mut feed = self.feed();
        let change_seq = feed.changes.len() as i64 + 1;
        feed.changes.push(json!({
            "change_seq": change_seq,
            "receipt_id": receipt_id,
            "version": version,
            "deleted": receipt.is_none(),
            "receipt": receipt,
        }));
    }
}

#[derive(serde::Deserialize)]
struct FeedQuery {
    after: Option<String>,
    limit: Option<usize>,
}

async fn feed_page(
    State(backend): State<Backend>,
    headers: HeaderMap,
    Query(query): Query<FeedQuery>,
) -> Response {
    backend.feed_requests.fetch_add(1, Ordering::SeqCst);

    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return StatusCode::UNAUTHORIZED.into_response();
    }

    let mut feed = backend.feed();
    if let Some((status, retry_after)) = feed.failures.pop_front() {
        let status = StatusCode::from_u16(status).expect("status");
        return match retry_after {
            Some(value) => (status, [(header::RETRY_AFTER, value)]).into_response(),
            None => status.into_response(),
        };
    }
    let after = match query
        .after
        .as_deref()
        .map(|c| c.strip_prefix("s").map(str::parse::<i64>))
    {
        None => 0,
        Some(Some(Ok(after))) => after,
        Some(_) => return StatusCode::BAD_REQUEST.into_response(),
    };

    let limit = query.limit.unwrap_or(100).min(500);
    let rest: Vec<&Value> = feed
        .changes
        .iter()
        .filter(|c| c["change_seq"].as_i64().unwrap_or(0) > after)
        .collect();
    let page: Vec<Value> = rest.iter().take(limit).map(|c| (*c).clone()).collect();
    let last = page
        .last()
        .and_then(|c| c["change_seq"].as_i64())
        .unwrap_or(after);
    let body =
        json!({"items": page, "next_cursor": format!("s{last}"), "has_more": rest.len() > limit});
    drop(feed);
    axum::Json(body).into_response()
}

async fn current_trip(State(backend): State<Backend>) -> Response {
    let trip = backend.feed().current_trip.clone();
    axum::Json(json!({ "trip": trip })).into_response()
}

/// Starts the backend on its own thread and runtime, so tests call `Walkout` from a plain
/// thread as the apps do. It lives until the test process exits.
pub fn start_backend(backend: Backend) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let app = Router::new()
                .route("/app/v1/receipts", get(feed_page))
                .route("/app/v1/trips/current", get(current_trip))
                .with_state(backend);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            sender
                .send(listener.local_addr().expect("address"))
                .expect("send address");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("server started");
    format!("http://{address}")
}

/// The URL of a loopback port this process bound and released, so nothing listens there: a
/// core pointed at it is offline.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{address}")
}

struct StaticToken;

impl AccessTokenSource for StaticToken {
    fn access_token(&self) -> AccessTokenFuture<'_> {
        Box::pin(async { Ok(Zeroizing::new(TOKEN.to_owned())) })
    }
}

/// Builds the configuration of brand `acme`, written as a file would be, so that keys added later
/// with defaults need no change here.
pub fn config(backend_url: &str, storage: &Path) -> Config {
    let text = format!(
        "brand = \"acme\"\nbackend_url = {backend_url:?}\nstorage_dir = {:?}\n\n\
         [cognito]\nregion = \"eu-west-2\"\nuser_pool_id = \"eu-west-2_test\"\n\
         client_id = \"client\"\n",
        storage.display().to_string()
    );
    Config::from_toml_str(&text).expect("test configuration")
}

/// Creates a core signed in with the test token.
pub fn walkout(backend_url: &str, storage: &Path) -> Walkout {
    with_clock(
        backend_url,
        storage,
        Arc::new(walkout_core::clock::SystemClock),
    )
}

pub fn with_clock(backend_url: &str, storage: &Path, clock: Arc<dyn Clock>) -> Walkout {
    let config = config(backend_url, storage);
    let secrets = Arc::new(MemorySecretStore::new(&config.brand));
    let core = Walkout::with_clock(config, secrets, clock).expect("walkout");
    core.http().set_token_source(Arc::new(StaticToken));
    core
}

pub fn receipt_id(n: u32) -> String {
    format!("0190a000-0000-7000-8000-{n:012}")
}

/// Sale lines of receipt `n`: 1 to 3 lines of 1.25 each (tax included at 20%).
pub fn line_count(n: u32) -> u32 {
    n % 3 + 1
}

pub fn grand_minor(n: u32) -> i64 {
    i64::from(line_count(n)) * 125 + i64::from(n % 7)
}

/// Version 1 of receipt `n`, sold `n` minutes after 2024-05-01T09:00:00Z.
pub fn sale_document(n: u32) -> Value {
    let grand = grand_minor(n);
    let tax = grand / 6;
    let lines: Vec<Value> = (1..=line_count(n))
        .map(|line| {
            let extended = if line == 1 {
                125 + i64::from(n % 7)
            } else {
                125
            };
            json!({
                "type": "sale", "lineNumber": line, "sku": format!("SKU-{line}"),
                "description": format!("Item {line}"), "quantity": "1", "unit": "each",
                "unitPrice": money(extended), "extendedAmount": money(extended), "taxRateBp": 2000,
            })
        })
        .collect();
    json!({
        "formatVersion": 1,
        "receiptId": receipt_id(n),
        "version": 1,
        "supersedes": null,
        "tripId": format!("trip-{n}"),
        "isTest": false,
        "businessUnit": {"id": "UK-LON-001", "name": "Walkout London"},
        "receiptNumber": format!("UK-LON-001-{n:08}"),
        "receiptDateTime": sale_time(n),
        "timeZone": "Europe/London",
        "currency": "GBP",
        "pricesIncludeTax": true,
        "lineItems": lines,
        "taxes": [{"rateBp": 2000, "taxableAmount": money(grand), "taxAmount": money(tax), "taxIncluded": true}],
        "totals": {"net": money(grand - tax), "tax": money(tax), "grand": money(grand)},
        "tenders": [{"type": "sale", "brand": "visa", "last4": "4242", "amount": money(grand)}],
        "unknownFutureField": {"ignored": true},
    })
}

/// Version 2 of receipt `n`: its first line returned and refunded.
pub fn refund_document(n: u32) -> Value {
    let mut document = sale_document(n);
    let refunded = 125 + i64::from(n % 7);
    let grand = grand_minor(n) - refunded;
    let tax = grand / 6;
    document["version"] = json!(2);
    document["supersedes"] = json!(1);
    document["receiptDateTime"] = json!("2024-06-01T12:00:00Z");
    if let Some(lines) = document["lineItems"].as_array_mut() {
        lines.push(json!({
            "type": "return", "lineNumber": 10, "sku": "SKU-1", "description": "Item 1",
            "quantity": "1", "unit": "each", "unitPrice": money(refunded),
            "extendedAmount": money(refunded), "taxRateBp": 2000,
            "originalLineNumber": 1, "reason": "damaged",
        }));
    }
    document["totals"] =
        json!({"net": money(grand - tax), "tax": money(tax), "grand": money(grand)});
    if let Some(tenders) = document["tenders"].as_array_mut() {
        tenders.push(
            json!({"type": "refund", "brand": "visa", "last4": "4242", "amount": money(refunded)}),
        );
    }
    document
}

pub fn sale_time(n: u32) -> String {
    let base = time::macros::datetime!(2024-05-01 09:00 UTC);
    let at = base + time::Duration::minutes(i64::from(n));
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("format")
}

fn money(amount_minor: i64) -> Value {
    json!({"amount_minor": amount_minor, "currency": "GBP"})
}

/// A backend with receipts 1..=count, version 1 each.
pub fn backend_with(count: u32) -> Backend {
    let backend = Backend::default();
    {
        let mut feed = backend.feed();
        feed.changes.reserve(count as usize);
    }
    for n in 1..=count {
        backend.push(&receipt_id(n), 1, Some(sale_document(n)));
    }
    backend
}
