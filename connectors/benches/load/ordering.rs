//! CreatePurchases scenario inputs and the ordering store's ceiling.
//!
//! Carts are 20-line slices of real UCI baskets (the demo catalog's SKUs), sent for trips the
//! gate opened, so each purchase is matched to a shopper with a hold as in production.
//!
//! The ceiling writes the rows that the handler commits before it responds 201: the purchase
//! with its request and priced cart, its job, and the trip's state. It writes them as raw SQL,
//! one transaction per cart, on a fresh database with the service's schema and pool settings,
//! so it measures the store alone, without HTTP, JSON, validation or pricing.
//! NOTE: the ceiling's trip update matches no row (its database has no trips), and it leaves
//! out the offer redemption rows that a shopper with activated offers adds.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{Value, json};
use walkout_connectors::catalog::uci;
use walkout_connectors::config::Config;

pub const CART_LINES: usize = 20;

/// (SKU, quantity) lines of every real basket with at least 20 lines, cut to 20.
pub fn real_carts(data_file: &Path) -> Vec<Vec<(String, i64)>> {
    let data = uci::load(data_file, &mut |_| {})
        .unwrap_or_else(|error| panic!("cannot load {}: {error}", data_file.display()));
    uci::baskets(&data)
        .baskets
        .iter()
        .filter(|basket| basket.lines.len() >= CART_LINES)
        .map(|basket| {
            basket
                .lines
                .iter()
                .take(CART_LINES)
                .map(|line| (line.sku.clone(), line.quantity))
                .collect()
        })
        .collect()
}

/// Builds a CreatePurchases body for the trip admitted with `auth_event_id` for `visitor_id`.
pub fn purchase_body(
    store: &str,
    auth_event_id: &str,
    visitor_id: &str,
    cart: &[(String, i64)],
) -> String {
    let items: Vec<Value> = cart
        .iter()
        .map(|(sku, quantity)| {
            json!({"id": sku, "type": "SKU", "quantity": {"value": quantity.to_string(), "unit": "each"}})
        })
        .collect();
    json!({
        "requestId": uuid::Uuid::now_v7().to_string(),
        "idempotentShoppingTripId": uuid::Uuid::now_v7().to_string(),
        "storeId": store,
        "shoppingTrip": {
            "startTime": "2026-01-01T09:00:00Z",
            "endTime": "2026-01-01T09:09:39Z",
            "authEvents": [{
                "id": auth_event_id,
                "timestamp": "2026-01-01T09:00:01Z",
                "location": "ENTRY",
                "payloadType": "SCAN_CODE",
                "scanResult": { "id": visitor_id, "type": "SHOPPER" }
            }]
        },
        "cartItems": items,
    })
    .to_string()
}

/// Result of the store ceiling run.
pub struct CeilingOutcome {
    pub carts: usize,
    pub elapsed: Duration,
    pub histogram: Histogram<u64>,
}

/// Writes `carts` purchases as raw rows into a fresh database in `data_dir`, with
/// `concurrency` writers, each cart in one transaction.
pub async fn store_ceiling(
    data_dir: &Path,
    bodies: &[String],
    concurrency: usize,
) -> CeilingOutcome {
    let config = Config {
        data_dir: data_dir.to_owned(),
        ..Config::default()
    };
    let (_credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .unwrap_or_else(|error| panic!("cannot create the ceiling database: {error}"));
    let pool = db.pool.clone();
    let bodies: Arc<Vec<String>> = Arc::new(bodies.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let histogram = Arc::new(std::sync::Mutex::new(
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds"),
    ));
    let started = Instant::now();
    let mut writers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (pool, bodies, next, histogram) = (
            pool.clone(),
            bodies.clone(),
            next.clone(),
            histogram.clone(),
        );
        writers.spawn(async move {
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(index) else { break };
                let sent = Instant::now();
                write_cart(&pool, body).await;
                let micros = u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX);
                let _ = histogram
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .record(micros.max(1));
            }
        });
    }
    while writers.join_next().await.is_some() {}
    let elapsed = started.elapsed();
    pool.close().await;
    let histogram = histogram.lock().unwrap_or_else(|p| p.into_inner()).clone();
    CeilingOutcome {
        carts: bodies.len(),
        elapsed,
        histogram,
    }
}

/// Writes the rows of one accepted purchase in one transaction. The request body is also
/// written as the priced cart, because it is about the size of the real priced cart's JSON.
async fn write_cart(pool: &sqlx::AnyPool, body: &str) {
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    let purchase_id = uuid::Uuid::now_v7().to_string();
    let trip_id = uuid::Uuid::now_v7().to_string();
    let mut tx = pool.begin().await.expect("transaction begins");
    sqlx::query(
        "INSERT INTO purchases (purchase_id, idempotent_shopping_trip_id, request_id, store_id, trip_id, \
         shopper_id, match_method, charge_mode, request, priced_cart, currency, net_minor, tax_minor, \
         grand_minor, unpriced_count, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'auth-event', 'charge', $7, $8, 'GBP', 5000, 1000, 6000, 0, 'accepted', $9, $9)",
    )
    .bind(&purchase_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(uci::DEMO_STORE_ID)
    .bind(&trip_id)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(body)
    .bind(body)
    .bind(now_ms)
    .execute(&mut *tx)
    .await
    .expect("purchase row inserts");
    sqlx::query(
        "INSERT INTO ordering_jobs (job_id, kind, purchase_id, refund_id, step, state, attempts, \
         next_attempt_at, created_at, updated_at) VALUES ($1, 'purchase', $2, NULL, 'settle', 'pending', 0, $3, $3, $3)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&purchase_id)
    .bind(now_ms)
    .execute(&mut *tx)
    .await
    .expect("job row inserts");
    sqlx::query("UPDATE trips SET state = 'cart_received', updated_at = $1 WHERE id = $2 AND state = 'entered'")
        .bind(now_ms)
        .bind(&trip_id)
        .execute(&mut *tx)
        .await
        .expect("trip update runs");
    tx.commit().await.expect("transaction commits");
}
