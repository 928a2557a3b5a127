//! `DELETE /app/v1/account`: the shopper deletes their account, and every later app request
//! with a token of that user gets 410 `account-deleted`.
//!
//! Deletion is a `DELETE` rather than a POST with an Idempotency-Key because it is idempotent
//! by nature: a repeat finds the account deleted and returns the first response again. One
//! transaction does all of it:
//! - erases personal data: the profile, the devices with their push tokens, the PSP customer
//!   link, the stored idempotent responses, and the targets of targeted offers;
//! - revokes every entry credential (and drops its sealed secret) and removes every saved card;
//! - appends an opt-out to each consent history, whose rows keep only the pseudonymous
//!   shopper id;
//! - replaces the Cognito `sub` and the visitor id by pseudonyms on the shopper, its trips, the
//!   stored CreatePurchases requests and the gate answers. Purchases, receipts, refunds and trip
//!   payments are financial records and are kept under the pseudonymous shopper id;
//! - writes a tombstone (a new receipt version with `deleted = 1` and a new `change_seq`) for
//!   each receipt, so the sync feed tells every copy of the app to drop it;
//! - records a keyed hash of the `sub` in `deleted_accounts`, so the old token is recognised.
//!
//! It does not delete the user from the Cognito user pool: the app does that with its own
//! access token after this call succeeds.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::rfc3339_ms;
use crate::auth::app::Shopper;
use crate::auth::bearer_token;
use crate::db::next_counter_value;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Path of the account resource; `DELETE` on it is allowed for a deleted account.
pub const ACCOUNT_PATH: &str = "/app/v1/account";

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// Deletes the caller's account (see the module documentation for what is erased and kept).
#[utoipa::path(delete, path = "/app/v1/account", tag = "app",
    responses((status = 200, description = "`{\"status\": \"deleted\", \"deleted_at\", \"receipts_tombstoned\"}`; a repeat returns the same status and time with 0 tombstones")))]
pub async fn delete_account(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<Value>, Problem> {
    let sub_hash = sub_hash(&state, &caller.sub);
    if let Some(deleted_at) = deleted_at(&state, &sub_hash).await? {
        return Ok(Json(answer(deleted_at, 0)));
    }

    let now = state.clock.now_ms();
    let shopper = crate::shoppers::find_by_sub(&state.db, &caller.sub)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let optional_tables = OptionalTables::detect(&state).await?;
    let mut tx = state
        .db
        .pool
        .begin()
        .await
        .map_err(|e| Problem::internal(&e))?;
    sqlx::query("INSERT INTO deleted_accounts (sub_hash, deleted_at) VALUES ($1, $2) ON CONFLICT (sub_hash) DO NOTHING")
        .bind(&sub_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let tombstones = match &shopper {
        Some(record) => erase(
            &mut tx,
            &record.id,
            &record.visitor_id,
            now,
            optional_tables,
        )
        .await
        .map_err(|e| Problem::internal(&e))?,
        None => 0,
    };
    tx.commit().await.map_err(|e| Problem::internal(&e))?;

    let shopper_id = shopper.as_ref().map(|s| s.id.as_str()).unwrap_or("");
    tracing::info!(shopper_id, tombstones, "account deleted");
    Ok(Json(answer(now, tombstones)))
}

fn answer(deleted_at: i64, tombstones: i64) -> Value {
    json!({
        "status": "deleted",
        "deleted_at": rfc3339_ms(deleted_at),
        "receipts_tombstoned": tombstones,
    })
}

/// Hex HMAC-SHA256 of the `sub` under the service's data key. Without the data key the stored
/// value cannot be matched to a `sub`.
fn sub_hash(state: &AppState, sub: &str) -> String {
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        state.credentials.data_key.as_bytes(),
    );
    let mut message = b"walkout-deleted-account-v1\0".to_vec();
    message.extend_from_slice(sub.as_bytes());
    hex::encode(ring::hmac::sign(&key, &message).as_ref())
}

async fn deleted_at(state: &AppState, sub_hash: &str) -> Result<Option<i64>, Problem> {
    sqlx::query_scalar("SELECT deleted_at FROM deleted_accounts WHERE sub_hash = $1")
        .bind(sub_hash)
        .fetch_optional(&state.db.pool)
        .await
        .map_err(|e| Problem::internal(&e))
}

/// Tables of the offers feature that deletion also cleans when they exist.
#[derive(Debug, Clone, Copy)]
struct OptionalTables {
    consents: bool,
    offer_targets: bool,
}

impl OptionalTables {
    async fn detect(state: &AppState) -> Result<OptionalTables, Problem> {
        let exists = |name: &'static str| crate::kpi::table_exists(&state.db, name);
        Ok(OptionalTables {
            consents: exists("consents")
                .await
                .map_err(|e| Problem::internal(&e))?,
            offer_targets: exists("offer_targets")
                .await
                .map_err(|e| Problem::internal(&e))?,
        })
    }
}

/// Erases and pseudonymizes the shopper's rows inside `tx`; returns the tombstones written.
async fn erase(
    tx: &mut Tx<'_>,
    shopper_id: &str,
    visitor_id: &str,
    now: i64,
    tables: OptionalTables,
) -> Result<i64, sqlx::Error> {
    let pseudonym = format!("deleted:{}", uuid::Uuid::now_v7());
    // The sign-out record is keyed by the raw `sub`, so it goes before the `sub` is replaced.
    // Deleted accounts are rejected by `deleted_accounts` from now on.
    sqlx::query(
        "DELETE FROM session_revocations WHERE cognito_sub = (SELECT cognito_sub FROM shoppers WHERE id = $1)",
    )
    .bind(shopper_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE shoppers SET status = 'deleted', deleted_at = $1, cognito_sub = $2, visitor_id = $3 WHERE id = $4",
    )
    .bind(now)
    .bind(format!("deleted:{shopper_id}"))
    .bind(&pseudonym)
    .bind(shopper_id)
    .execute(&mut **tx)
    .await?;

    let by_shopper = [
        "DELETE FROM profiles WHERE shopper_id = $1",
        "DELETE FROM devices WHERE shopper_id = $1",
        "DELETE FROM payment_customers WHERE shopper_id = $1",
        "DELETE FROM idempotency_keys WHERE scope = $1",
    ];
    for sql in by_shopper {
        sqlx::query(sql).bind(shopper_id).execute(&mut **tx).await?;
    }
    sqlx::query(
        "UPDATE entry_credentials SET revoked_at = COALESCE(revoked_at, $1), device_name = NULL, \
         secret_sealed = '' WHERE shopper_id = $2",
    )
    .bind(now)
    .bind(shopper_id)
    .execute(&mut **tx)
    .await?;
    // NOTE: the cards are marked removed here but not detached at the PSP, whose customer
    // object keeps them until they are detached there.
    sqlx::query(
        "UPDATE payment_methods SET removed_at = COALESCE(removed_at, $1), is_default = 0, \
         fingerprint = NULL WHERE shopper_id = $2",
    )
    .bind(now)
    .bind(shopper_id)
    .execute(&mut **tx)
    .await?;

    replace_visitor_id(tx, shopper_id, visitor_id, &pseudonym).await?;
    if tables.consents {
        sqlx::query(
            "INSERT INTO consents (shopper_id, purpose, granted, changed_at, seq) \
             SELECT shopper_id, purpose, 0, $2, MAX(seq) + 1 FROM consents WHERE shopper_id = $1 \
             GROUP BY shopper_id, purpose",
        )
        .bind(shopper_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    if tables.offer_targets {
        sqlx::query("DELETE FROM offer_targets WHERE shopper_id = $1")
            .bind(shopper_id)
            .execute(&mut **tx)
            .await?;
    }
    tombstone_receipts(tx, shopper_id, now).await
}

/// Replaces the visitor id JWO saw by the pseudonym wherever it was stored as text.
async fn replace_visitor_id(
    tx: &mut Tx<'_>,
    shopper_id: &str,
    visitor_id: &str,
    pseudonym: &str,
) -> Result<(), sqlx::Error> {
    let statements = [
        "UPDATE gate_decisions SET body = REPLACE(body, $1, $2) \
         WHERE trip_id IN (SELECT id FROM trips WHERE shopper_id = $3)",
        "UPDATE purchases SET request = REPLACE(request, $1, $2) WHERE shopper_id = $3",
        "UPDATE trips SET visitor_id = REPLACE(visitor_id, $1, $2) WHERE shopper_id = $3",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(visitor_id)
            .bind(pseudonym)
            .bind(shopper_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Adds a tombstone version to each of the shopper's receipts whose latest version is not one.
async fn tombstone_receipts(
    tx: &mut Tx<'_>,
    shopper_id: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let latest: Vec<(String, i64, Option<String>)> = sqlx::query_as(
        "SELECT r.receipt_id, r.version, r.trip_id FROM receipts r WHERE r.shopper_id = $1 \
         AND r.deleted = 0 AND r.version = (SELECT MAX(x.version) FROM receipts x WHERE x.receipt_id = r.receipt_id) \
         ORDER BY r.change_seq",
    )
    .bind(shopper_id)
    .fetch_all(&mut **tx)
    .await?;

    let mut written = 0;
    for (receipt_id, version, trip_id) in latest {
        let change_seq = next_counter_value(tx, "change_seq").await?;
        sqlx::query(
            "INSERT INTO receipts (receipt_id, version, change_seq, shopper_id, trip_id, deleted, document, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, '{}', $6)",
        )
        .bind(&receipt_id)
        .bind(version + 1)
        .bind(change_seq)
        .bind(shopper_id)
        .bind(trip_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        written += 1;
    }
    Ok(written)
}

/// Middleware on every route: an app request whose verified token belongs to a deleted account
/// gets 410 `account-deleted`, except `DELETE /app/v1/account`, which handles repeats itself.
/// Requests without a valid token pass on, so the route's own authentication rejects them.
/// The verified caller goes into the request's extensions, where the `Shopper` extractor takes
/// it instead of verifying the token a second time.
pub async fn reject_deleted_accounts(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_app = path.starts_with("/app/v1/");
    let is_delete_account = request.method() == Method::DELETE && path == ACCOUNT_PATH;
    if !is_app || is_delete_account {
        return next.run(request).await;
    }
    let (Some(verifier), Some(token)) =
        (state.auth.app.as_deref(), bearer_token(request.headers()))
    else {
        return next.run(request).await;
    };
    let Ok(caller) = verifier.verify(token, state.clock.now_secs()).await else {
        return next.run(request).await;
    };
    match deleted_at(&state, &sub_hash(&state, &caller.sub)).await {
        Ok(None) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Ok(Some(_)) => Problem::new(
            problem::ACCOUNT_DELETED,
            "this account was deleted; sign out of the app",
        )
        .into_response(),
        Err(problem) => problem.into_response(),
    }
}
