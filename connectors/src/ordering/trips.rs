//! Matching a cart to its gate trip, and the trip state changes the ordering connector makes.
//!
//! A cart matches the trip that admitted any of its `authEvents[].id`; failing that, the
//! latest open trip of (storeId, `scanResult.id`), because the visitor id is what the gate
//! gave JWO. The trip rows belong to the gate; this module reads them and moves only the
//! ordering states (`cart_received` onwards).

use super::request::ValidPurchase;
use super::store::MatchMethod;

/// The trip a cart belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripMatch {
    pub trip_id: String,
    /// `None` for a trip opened by a static key.
    pub shopper_id: Option<String>,
    /// Opened by a static SHOPPER test key: never charged.
    pub is_test: bool,
    /// Opened by a static ASSOCIATE key: never charged.
    pub is_associate: bool,
    pub method: MatchMethod,
}

/// Trip states, as the gate, ordering and payments write them.
pub mod state {
    pub const ENTERED: &str = "entered";
    pub const CART_RECEIVED: &str = "cart_received";
    pub const CHARGED: &str = "charged";
    pub const PAYMENT_FAILED: &str = "payment_failed";
    pub const RECEIPT_READY: &str = "receipt_ready";
    pub const CLOSED_EMPTY: &str = "closed_empty";
}

type TripRow = (String, Option<String>, i64, i64);

/// Finds the trip of a cart, or `None` when neither an auth event nor a visitor matches.
pub async fn match_trip(
    pool: &sqlx::AnyPool,
    purchase: &ValidPurchase,
) -> Result<Option<TripMatch>, sqlx::Error> {
    // TODO: call the gate's trip lookup functions once they exist; these queries read the
    // gate's `trips` and `trip_auth_events` tables directly.
    for (auth_event_id, _, _) in &purchase.auth_events {
        let row: Option<TripRow> = sqlx::query_as(
            "SELECT t.id, t.shopper_id, t.is_test, t.is_associate FROM trip_auth_events e \
             JOIN trips t ON t.id = e.trip_id WHERE e.auth_event_id = $1 AND t.store_id = $2",
        )
        .bind(auth_event_id)
        .bind(&purchase.store_id)
        .fetch_optional(pool)
        .await?;
        if let Some(row) = row {
            return Ok(Some(to_match(row, MatchMethod::AuthEvent)));
        }
    }

    for (_, visitor_id, _) in &purchase.auth_events {
        let Some(visitor_id) = visitor_id else {
            continue;
        };
        let row: Option<TripRow> = sqlx::query_as(
            "SELECT id, shopper_id, is_test, is_associate FROM trips \
             WHERE store_id = $1 AND visitor_id = $2 AND state = $3 \
             ORDER BY entered_at DESC, id DESC LIMIT 1",
        )
        .bind(&purchase.store_id)
        .bind(visitor_id)
        .bind(state::ENTERED)
        .fetch_optional(pool)
        .await?;
        if let Some(row) = row {
            return Ok(Some(to_match(row, MatchMethod::Visitor)));
        }
    }
    Ok(None)
}

fn to_match(
    (trip_id, shopper_id, is_test, is_associate): TripRow,
    method: MatchMethod,
) -> TripMatch {
    TripMatch {
        trip_id,
        shopper_id,
        is_test: is_test != 0,
        is_associate: is_associate != 0,
        method,
    }
}

/// Moves a trip to `to` when its state is one of `from`, inside `tx`. Returns false when the
/// trip is in another state, so a replayed step does not move a trip backwards.
pub async fn transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trip_id: &str,
    from: &[&str],
    to: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    for from_state in from {
        let changed = sqlx::query(
            "UPDATE trips SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to)
        .bind(now_ms)
        .bind(trip_id)
        .bind(*from_state)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The card a trip's hold was placed on: (brand, last 4 digits), joined through the trip's
/// payment row, because JWO's cart carries no card data.
pub async fn tender_card(
    pool: &sqlx::AnyPool,
    trip_id: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.brand, m.last4 FROM trip_payments p JOIN payment_methods m ON m.id = p.payment_method_id \
         WHERE p.trip_id = $1",
    )
    .bind(trip_id)
    .fetch_optional(pool)
    .await
}
