//! Matching a cart to its gate trip, and the trip state changes the ordering connector makes.
//!
//! A cart matches the trip that admitted any of its `authEvents[].id`. Failing that, it
//! matches the latest open trip of (storeId, `scanResult.id`), because the visitor id is what
//! the gate gave JWO. The gate owns the trip rows, and this module moves only the ordering
//! states (`cart_received` onwards).

use super::request::ValidPurchase;
use super::store::MatchMethod;
use crate::db::Database;
use crate::gate::trips as gate_trips;

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

pub use crate::gate::trips::TripState;

/// Finds the trip of a cart, or `None` when neither an auth event nor a visitor matches.
pub async fn match_trip(
    db: &Database,
    purchase: &ValidPurchase,
) -> Result<Option<TripMatch>, sqlx::Error> {
    for (auth_event_id, _, _) in &purchase.auth_events {
        if let Some(trip) = gate_trips::find_by_auth_event(db, auth_event_id).await?
            && trip.store_id == purchase.store_id
        {
            return Ok(Some(to_match(trip, MatchMethod::AuthEvent)));
        }
    }

    for (_, visitor_id, _) in &purchase.auth_events {
        let Some(visitor_id) = visitor_id else {
            continue;
        };
        if let Some(trip) = gate_trips::find_latest_open(db, &purchase.store_id, visitor_id).await?
        {
            return Ok(Some(to_match(trip, MatchMethod::Visitor)));
        }
    }
    Ok(None)
}

fn to_match(trip: gate_trips::Trip, method: MatchMethod) -> TripMatch {
    TripMatch {
        trip_id: trip.id,
        shopper_id: trip.shopper_id,
        is_test: trip.is_test,
        is_associate: trip.is_associate,
        method,
    }
}

/// Moves a trip to `to` when its state is one of `from`, inside `tx`. Returns false when the
/// trip is in another state, so a replayed step does not move a trip backwards.
pub async fn transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trip_id: &str,
    from: &[TripState],
    to: TripState,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    gate_trips::transition(tx, trip_id, from, to, now_ms).await
}

/// Returns the card a trip's hold was placed on as (brand, last 4 digits). It is joined
/// through the trip's payment row, because JWO's cart carries no card data.
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
