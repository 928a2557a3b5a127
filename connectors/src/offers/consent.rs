//! Consent to targeted offers: `GET` and `PUT /app/v1/consent`, over an append-only history.
//!
//! A shopper is opted out until they opt in. Every change is a new `consents` row with its time
//! and a per-shopper sequence number; the latest row is the current state. Opting out deletes
//! the shopper's targeted offers and their unredeemed activations of targeted offers in the same
//! transaction, so no targeted offer outlives the consent. A `PUT` that repeats the current state
//! changes nothing and adds no row.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::app::shopper_record;
use super::rfc3339_ms;
use crate::auth::app::Shopper;
use crate::db::Database;
use crate::problem::Problem;
use crate::server::AppState;

/// The purpose of the consent that targeted offers need.
pub const TARGETED_OFFERS: &str = "targeted-offers";

/// One change of consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentChange {
    pub granted: bool,
    /// RFC 3339 time of the change.
    pub changed_at: String,
}

/// The shopper's consent to targeted offers and every change of it, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConsentView {
    /// Always `targeted-offers`.
    pub purpose: String,
    pub granted: bool,
    pub history: Vec<ConsentChange>,
}

/// The body of `PUT /app/v1/consent`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    /// True to opt in to targeted offers, false to opt out.
    pub granted: bool,
}

/// Returns true when the shopper's latest consent to targeted offers grants it.
pub async fn is_granted(db: &Database, shopper_id: &str) -> Result<bool, sqlx::Error> {
    let granted: Option<i64> = sqlx::query_scalar(
        "SELECT granted FROM consents WHERE shopper_id = $1 AND purpose = $2 \
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(shopper_id)
    .bind(TARGETED_OFFERS)
    .fetch_optional(&db.pool)
    .await?;
    Ok(granted == Some(1))
}

/// Reads the shopper's consent history, oldest first.
pub async fn history(db: &Database, shopper_id: &str) -> Result<ConsentView, sqlx::Error> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT granted, changed_at FROM consents WHERE shopper_id = $1 AND purpose = $2 \
         ORDER BY seq",
    )
    .bind(shopper_id)
    .bind(TARGETED_OFFERS)
    .fetch_all(&db.pool)
    .await?;
    let history: Vec<ConsentChange> = rows
        .into_iter()
        .map(|(granted, changed_at)| ConsentChange {
            granted: granted == 1,
            changed_at: rfc3339_ms(changed_at),
        })
        .collect();
    Ok(ConsentView {
        purpose: TARGETED_OFFERS.to_owned(),
        granted: history.last().is_some_and(|change| change.granted),
        history,
    })
}

/// Records a change of consent, and on opting out deletes the shopper's targeted offers and
/// unredeemed activations of them, all in one transaction. Returns false when `granted` equals
/// the current state, in which case nothing is written.
pub async fn set(
    db: &Database,
    shopper_id: &str,
    granted: bool,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    let latest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT seq, granted FROM consents WHERE shopper_id = $1 AND purpose = $2 \
         ORDER BY seq DESC LIMIT 1",
    )
    .bind(shopper_id)
    .bind(TARGETED_OFFERS)
    .fetch_optional(&mut *tx)
    .await?;
    let current = latest.is_some_and(|(_, granted)| granted == 1);
    if current == granted {
        tx.rollback().await?;
        return Ok(false);
    }

    // The primary key includes seq, so a concurrent change that read the same latest row fails
    // here instead of writing a second row with the same number.
    let seq = latest.map_or(1, |(seq, _)| seq + 1);
    sqlx::query(
        "INSERT INTO consents (shopper_id, purpose, granted, changed_at, seq) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(shopper_id)
    .bind(TARGETED_OFFERS)
    .bind(i64::from(granted))
    .bind(now_ms)
    .bind(seq)
    .execute(&mut *tx)
    .await?;

    if !granted {
        sqlx::query(
            "DELETE FROM offer_activations WHERE shopper_id = $1 AND redeemed_purchase_id IS NULL \
             AND offer_id IN (SELECT offer_id FROM offers WHERE kind = 'targeted')",
        )
        .bind(shopper_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM offer_targets WHERE shopper_id = $1")
            .bind(shopper_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Returns the caller's consent to targeted offers with its history.
#[utoipa::path(get, path = "/app/v1/consent", tag = "app",
    responses((status = 200, description = "Current consent and its history", body = ConsentView)))]
pub async fn get_consent(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<ConsentView>, Problem> {
    let shopper = shopper_record(&state, &caller).await?;
    let view = history(&state.db, &shopper)
        .await
        .map_err(|error| Problem::internal(&error))?;
    Ok(Json(view))
}

/// Opts the caller in to targeted offers or out of them. Opting out deletes the caller's
/// targeted offers at once.
#[utoipa::path(put, path = "/app/v1/consent", tag = "app", request_body = ConsentInput,
    responses(
        (status = 200, description = "Consent after the change, with its history", body = ConsentView),
        (status = 400, description = "The body is not `{\"granted\": true|false}`", content_type = "application/problem+json")))]
pub async fn put_consent(
    State(state): State<AppState>,
    caller: Shopper,
    body: Result<Json<ConsentInput>, JsonRejection>,
) -> Result<Json<ConsentView>, Problem> {
    let input = super::json_body(body)?;
    let shopper = shopper_record(&state, &caller).await?;
    let now_ms = state.clock.now_ms();
    let changed = set(&state.db, &shopper, input.granted, now_ms)
        .await
        .map_err(|error| Problem::internal(&error))?;
    if changed {
        tracing::info!(shopper_id = %shopper, granted = input.granted, "consent to targeted offers changed");
    }
    let view = history(&state.db, &shopper)
        .await
        .map_err(|error| Problem::internal(&error))?;
    Ok(Json(view))
}
