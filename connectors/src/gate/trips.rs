//! Shopping trips: opened at the gate by the first admitted scan, then carried on by ordering
//! (cart received), payments (charged, payment failed) and receipts.
//!
//! Each admitted scan of a trip (the first and every companion) is kept in `trip_auth_events`,
//! so a cart finds its trip by any of its `authEvents[].id`, and otherwise by store and
//! visitor id through [`find_latest_open`].

use crate::db::Database;

/// States of a trip, with the same names on the wire and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TripState {
    Entered,
    CartReceived,
    Charged,
    PaymentFailed,
    ReceiptReady,
    ClosedEmpty,
}

impl TripState {
    pub const ALL: [TripState; 6] = [
        TripState::Entered,
        TripState::CartReceived,
        TripState::Charged,
        TripState::PaymentFailed,
        TripState::ReceiptReady,
        TripState::ClosedEmpty,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TripState::Entered => "entered",
            TripState::CartReceived => "cart_received",
            TripState::Charged => "charged",
            TripState::PaymentFailed => "payment_failed",
            TripState::ReceiptReady => "receipt_ready",
            TripState::ClosedEmpty => "closed_empty",
        }
    }

    pub fn parse(text: &str) -> Option<TripState> {
        TripState::ALL
            .into_iter()
            .find(|state| state.as_str() == text)
    }
}

/// One trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trip {
    /// UUID v7.
    pub id: String,
    pub store_id: String,
    /// `None` for a trip opened by a static key.
    pub shopper_id: Option<String>,
    /// The `visitorDetails.id` given to JWO.
    pub visitor_id: String,
    /// Hex credential id of the entry code; `None` for a static key.
    pub credential_id: Option<String>,
    /// Time step of the entry code; `None` for a static key.
    pub code_step: Option<i64>,
    /// `authEvent.id` of the first scan.
    pub auth_event_id: String,
    pub state: TripState,
    /// Opened by a static SHOPPER key: never charged, its receipt is marked as a test.
    pub is_test: bool,
    /// Opened by a static ASSOCIATE key.
    pub is_associate: bool,
    /// Unix milliseconds.
    pub entered_at: i64,
    /// Unix milliseconds of the last state change.
    pub updated_at: i64,
}

type TripRow = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
);

const COLUMNS: &str = "t.id, t.store_id, t.shopper_id, t.visitor_id, t.credential_id, t.code_step, \
                       t.auth_event_id, t.state, t.is_test, t.is_associate, t.entered_at, t.updated_at";

fn from_row(row: TripRow) -> Result<Trip, sqlx::Error> {
    let (
        id,
        store_id,
        shopper_id,
        visitor_id,
        credential_id,
        code_step,
        auth_event_id,
        state,
        test,
        associate,
        entered_at,
        updated_at,
    ) = row;
    let state = TripState::parse(&state)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown trip state {state:?}").into()))?;
    Ok(Trip {
        id,
        store_id,
        shopper_id,
        visitor_id,
        credential_id,
        code_step,
        auth_event_id,
        state,
        is_test: test != 0,
        is_associate: associate != 0,
        entered_at,
        updated_at,
    })
}

/// Looks up a trip by its id.
pub async fn find(db: &Database, trip_id: &str) -> Result<Option<Trip>, sqlx::Error> {
    let row: Option<TripRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM trips t WHERE t.id = $1"))
            .bind(trip_id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(from_row).transpose()
}

/// Looks up the trip that admitted the scan with this `authEvent.id` (first scan or companion).
pub async fn find_by_auth_event(
    db: &Database,
    auth_event_id: &str,
) -> Result<Option<Trip>, sqlx::Error> {
    let row: Option<TripRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM trip_auth_events e JOIN trips t ON t.id = e.trip_id \
         WHERE e.auth_event_id = $1"
    ))
    .bind(auth_event_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(from_row).transpose()
}

/// Finds the latest trip in state `entered` of a visitor at a store: the fallback match for a
/// cart whose auth events are unknown.
pub async fn find_latest_open(
    db: &Database,
    store_id: &str,
    visitor_id: &str,
) -> Result<Option<Trip>, sqlx::Error> {
    let row: Option<TripRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM trips t WHERE t.store_id = $1 AND t.visitor_id = $2 AND t.state = $3 \
         ORDER BY t.entered_at DESC, t.id DESC LIMIT 1"
    ))
    .bind(store_id)
    .bind(visitor_id)
    .bind(TripState::Entered.as_str())
    .fetch_optional(&db.pool)
    .await?;
    row.map(from_row).transpose()
}

/// Lists the `authEvent.id` of every admitted scan of a trip, first scan first.
pub async fn auth_event_ids(db: &Database, trip_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT auth_event_id FROM trip_auth_events WHERE trip_id = $1 ORDER BY ordinal",
    )
    .bind(trip_id)
    .fetch_all(&db.pool)
    .await
}

/// Moves a trip to `to` when its state is one of `from`, inside `tx`. Returns false (and
/// changes nothing) when the trip is in another state or does not exist, so concurrent
/// transitions cannot both win.
pub async fn transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trip_id: &str,
    from: &[TripState],
    to: TripState,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    for state in from {
        let changed = sqlx::query(
            "UPDATE trips SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.as_str())
        .bind(now_ms)
        .bind(trip_id)
        .bind(state.as_str())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if changed == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Counts the shopper's trips (test trips excepted) entered at or after `since_ms`.
pub(crate) async fn count_recent(
    db: &Database,
    shopper_id: &str,
    since_ms: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM trips WHERE shopper_id = $1 AND entered_at >= $2 AND is_test = 0",
    )
    .bind(shopper_id)
    .bind(since_ms)
    .fetch_one(&db.pool)
    .await
}

/// A trip about to be opened by an admitted first scan.
#[derive(Debug, Clone)]
pub(crate) struct NewTrip {
    pub id: String,
    pub store_id: String,
    pub shopper_id: Option<String>,
    pub visitor_id: String,
    pub credential_id: Option<String>,
    pub code_step: Option<i64>,
    pub is_test: bool,
    pub is_associate: bool,
}

/// Inserts the trip and its first auth event inside `tx`.
pub(crate) async fn open(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trip: &NewTrip,
    auth_event_id: &str,
    request_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO trips (id, store_id, shopper_id, visitor_id, credential_id, code_step, auth_event_id, \
         state, is_test, is_associate, entered_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&trip.id)
    .bind(&trip.store_id)
    .bind(trip.shopper_id.as_deref())
    .bind(&trip.visitor_id)
    .bind(trip.credential_id.as_deref())
    .bind(trip.code_step)
    .bind(auth_event_id)
    .bind(TripState::Entered.as_str())
    .bind(i64::from(trip.is_test))
    .bind(i64::from(trip.is_associate))
    .bind(now_ms)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    add_auth_event(tx, &trip.id, 1, auth_event_id, request_id, now_ms).await
}

/// Records an admitted scan of a trip inside `tx`.
pub(crate) async fn add_auth_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    trip_id: &str,
    ordinal: i64,
    auth_event_id: &str,
    request_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO trip_auth_events (auth_event_id, trip_id, ordinal, request_id, admitted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(auth_event_id)
    .bind(trip_id)
    .bind(ordinal)
    .bind(request_id)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
