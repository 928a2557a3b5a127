//! The outbox: one table of events with a global, gap-free id. It feeds the app's server-sent
//! events (resumable with `Last-Event-ID`), retailer webhooks and POS exports.
//!
//! Events are written inside the transaction of the change they describe, so an event exists
//! exactly when its change committed.

use crate::db::next_counter_value;

/// Event kinds as they appear on the wire.
pub mod kind {
    pub const ENTRY_DENIED: &str = "entry-denied";
    pub const TRIP_UPDATED: &str = "trip-updated";
    pub const RECEIPT_READY: &str = "receipt-ready";
    pub const OFFERS_CHANGED: &str = "offers-changed";
}

/// Appends an event inside `tx` and returns its id.
pub async fn publish(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    shopper_id: Option<&str>,
    kind: &str,
    payload: &serde_json::Value,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let id = next_counter_value(tx, "event_id").await?;
    sqlx::query("INSERT INTO events (id, shopper_id, kind, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id)
        .bind(shopper_id)
        .bind(kind)
        .bind(payload.to_string())
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// One stored event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub shopper_id: Option<String>,
    pub kind: String,
    pub payload: serde_json::Value,
    pub created_at: i64,
}

/// Reads up to `limit` events after `after_id` for one shopper, oldest first.
pub async fn events_for_shopper(
    pool: &sqlx::AnyPool,
    shopper_id: &str,
    after_id: i64,
    limit: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    let rows: Vec<(i64, Option<String>, String, String, i64)> = sqlx::query_as(
        "SELECT id, shopper_id, kind, payload, created_at FROM events \
         WHERE shopper_id = $1 AND id > $2 ORDER BY id LIMIT $3",
    )
    .bind(shopper_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, shopper_id, kind, payload, created_at)| Event {
            id,
            shopper_id,
            kind,
            payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
            created_at,
        })
        .collect())
}
