//! `GET /app/v1/trips/current` and `GET /app/v1/trips/{id}`: a trip's state as the app shows
//! it, with the outstanding amount when a capture failed and the receipt id once issued.
//!
//! The current trip is the latest open one (`entered` or `cart_received`), else the most
//! recent trip of any state, so the app can show "receipt ready" or "payment failed" after the
//! shopper leaves.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::{not_found, rfc3339_ms, shopper_id};
use crate::auth::app::Shopper;
use crate::problem::Problem;
use crate::server::AppState;

const TRIP_COLUMNS: &str = "id, store_id, state, is_test, entered_at, updated_at";

type TripRow = (String, String, String, i64, i64, i64);

/// Returns the caller's current trip as `{"trip": …}`, or `{"trip": null}` before the first.
#[utoipa::path(get, path = "/app/v1/trips/current", tag = "app",
    responses((status = 200, description = "`{\"trip\": {trip_id, store_id, state, is_test, entered_at, updated_at, receipt_id, outstanding}}`, `trip` null when there is none")))]
pub async fn current(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<Value>, Problem> {
    let Some(shopper) = shopper_id(&state, &caller).await? else {
        return Ok(Json(json!({ "trip": null })));
    };
    let open = format!(
        "SELECT {TRIP_COLUMNS} FROM trips WHERE shopper_id = $1 \
         AND state IN ('entered', 'cart_received') ORDER BY entered_at DESC, id DESC LIMIT 1"
    );
    let latest = format!(
        "SELECT {TRIP_COLUMNS} FROM trips WHERE shopper_id = $1 \
         ORDER BY entered_at DESC, id DESC LIMIT 1"
    );
    let mut row = fetch_trip(&state, &open, &shopper).await?;
    if row.is_none() {
        row = fetch_trip(&state, &latest, &shopper).await?;
    }
    let trip = match row {
        Some(row) => describe(&state, &shopper, row).await?,
        None => Value::Null,
    };
    Ok(Json(json!({ "trip": trip })))
}

/// Returns one of the caller's trips.
#[utoipa::path(get, path = "/app/v1/trips/{id}", tag = "app",
    params(("id" = String, Path, description = "Trip id")),
    responses(
        (status = 200, description = "`{trip_id, store_id, state, is_test, entered_at, updated_at, receipt_id, outstanding}`"),
        (status = 404, description = "No such trip for this shopper", content_type = "application/problem+json")))]
pub async fn by_id(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let Some(shopper) = shopper_id(&state, &caller).await? else {
        return Err(not_found("trip"));
    };
    let row: Option<TripRow> = sqlx::query_as(&format!(
        "SELECT {TRIP_COLUMNS} FROM trips WHERE id = $1 AND shopper_id = $2"
    ))
    .bind(&id)
    .bind(&shopper)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let Some(row) = row else {
        return Err(not_found("trip"));
    };
    Ok(Json(describe(&state, &shopper, row).await?))
}

async fn fetch_trip(
    state: &AppState,
    sql: &str,
    shopper: &str,
) -> Result<Option<TripRow>, Problem> {
    sqlx::query_as(sql)
        .bind(shopper)
        .fetch_optional(&state.db.pool)
        .await
        .map_err(|e| Problem::internal(&e))
}

/// The trip as the app sees it.
async fn describe(state: &AppState, shopper: &str, row: TripRow) -> Result<Value, Problem> {
    let (id, store_id, trip_state, is_test, entered_at, updated_at) = row;
    let outstanding = if trip_state == "payment_failed" {
        outstanding(state, &id).await?
    } else {
        None
    };
    let receipt_id = receipt_of_trip(state, shopper, &id).await?;
    Ok(json!({
        "trip_id": id,
        "store_id": store_id,
        "state": trip_state,
        "is_test": is_test != 0,
        "entered_at": rfc3339_ms(entered_at),
        "updated_at": rfc3339_ms(updated_at),
        "receipt_id": receipt_id,
        "outstanding": outstanding,
    }))
}

/// The amount a failed capture left unpaid, as `{"amount_minor", "currency"}`: from the trip's
/// payment record, else from its purchase. `None` when neither records an amount.
async fn outstanding(state: &AppState, trip_id: &str) -> Result<Option<Value>, Problem> {
    let queries = [
        "SELECT outstanding_minor, currency FROM trip_payments WHERE trip_id = $1",
        "SELECT outstanding_minor, currency FROM purchases WHERE trip_id = $1 \
         ORDER BY created_at DESC LIMIT 1",
    ];
    for sql in queries {
        let row: Option<(Option<i64>, String)> = sqlx::query_as(sql)
            .bind(trip_id)
            .fetch_optional(&state.db.pool)
            .await
            .map_err(|e| Problem::internal(&e))?;
        if let Some((Some(amount_minor), currency)) = row
            && amount_minor > 0
        {
            return Ok(Some(
                json!({ "amount_minor": amount_minor, "currency": currency }),
            ));
        }
    }
    Ok(None)
}

/// The id of the trip's receipt when its latest version is not a tombstone.
async fn receipt_of_trip(
    state: &AppState,
    shopper: &str,
    trip_id: &str,
) -> Result<Option<String>, Problem> {
    let row: Option<(String, i64)> = sqlx::query_as(
        "SELECT receipt_id, deleted FROM receipts WHERE trip_id = $1 AND shopper_id = $2 \
         ORDER BY change_seq DESC LIMIT 1",
    )
    .bind(trip_id)
    .bind(shopper)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    Ok(row.filter(|(_, deleted)| *deleted == 0).map(|(id, _)| id))
}
