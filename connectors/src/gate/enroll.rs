//! App routes for entry credentials: enroll (`POST`), list (`GET`) and revoke (`DELETE`).
//!
//! Enrollment is the only moment the secret leaves the service in clear. The stored
//! Idempotency-Key response leaves the secret out, because that table is not encrypted: the
//! handler adds the secret to the first response and to every replay by opening the sealed
//! copy, so a retried enrollment gets the same credential and the same secret.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};

use super::entry_credentials::{self, NewCredential, StoredCredential};
use super::rfc3339;
use crate::auth::app::Shopper;
use crate::problem::{self, Problem};
use crate::server::AppState;
use crate::shoppers;

/// Longest accepted `device_name`, in characters.
const MAX_DEVICE_NAME_CHARS: usize = 100;

/// Enrolls a new entry credential for the calling shopper.
#[utoipa::path(post, path = "/app/v1/entry-credentials", tag = "app",
    params(("Idempotency-Key" = String, Header, description = "Unique key per enrollment, reused on retries")),
    request_body(content = String, description = "Optional JSON object `{\"device_name\": \"…\"}`", content_type = "application/json"),
    responses(
        (status = 201, description = "The credential, with its Base64 secret (shown only here)"),
        (status = 400, description = "Invalid body or missing Idempotency-Key", content_type = "application/problem+json")))]
pub async fn enroll(
    State(state): State<AppState>,
    caller: Shopper,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let now_ms = state.clock.now_ms();
    let shopper = shoppers::get_or_create(&state.db, &caller.sub, now_ms)
        .await
        .map_err(|e| Problem::internal(&e))?;
    if !shopper.is_active() {
        return Err(Problem::new(
            problem::ACCOUNT_INACTIVE,
            "the account is not active, so it cannot enroll entry credentials",
        ));
    }
    let device_name = device_name(&body)?;

    let mut fingerprint = b"POST /app/v1/entry-credentials\n".to_vec();
    fingerprint.extend_from_slice(&body);
    let operation = async {
        let gate = &state.config.gate;
        let lifetime_ms =
            i64::try_from(gate.credential_lifetime_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        let new = NewCredential {
            shopper_id: &shopper.id,
            device_name: device_name.as_deref(),
            period_secs: gate.period_secs,
            now_ms,
            lifetime_ms,
        };
        let stored = entry_credentials::enroll(&state.db, &state.gate.keys, &new)
            .await
            .map_err(|e| Problem::internal(&e))?;
        tracing::info!(credential_id = %stored.id, shopper_id = %shopper.id, "entry credential enrolled");
        Ok((StatusCode::CREATED, Json(describe(&state, &stored))))
    };
    let (status, Json(mut answer)) = crate::idempotency::run(
        &state.db,
        now_ms,
        &shopper.id,
        &headers,
        &fingerprint,
        operation,
    )
    .await?;

    add_secret(&state, &shopper.id, &mut answer).await?;
    Ok((status, Json(answer)).into_response())
}

/// Reads the optional `device_name` from an empty body or a JSON object.
fn device_name(body: &[u8]) -> Result<Option<String>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Problem::invalid(format!("invalid JSON body: {e}")))?;
    let Value::Object(members) = value else {
        return Err(Problem::invalid("the body must be a JSON object"));
    };
    match members.get("device_name") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) if name.chars().count() <= MAX_DEVICE_NAME_CHARS => {
            Ok(Some(name.trim().to_owned()).filter(|n| !n.is_empty()))
        }
        Some(_) => Err(Problem::invalid(format!(
            "invalid device_name: expected a string of at most {MAX_DEVICE_NAME_CHARS} characters"
        ))),
    }
}

/// The credential as the app sees it, without the secret.
fn describe(state: &AppState, stored: &StoredCredential) -> Value {
    let renew_window_ms =
        i64::try_from(state.config.gate.renew_window_secs.saturating_mul(1000)).unwrap_or(0);
    json!({
        "credential_id": stored.id,
        "device_name": stored.device_name,
        "period_secs": stored.period_secs,
        "created_at": rfc3339(stored.created_at),
        "expires_at": rfc3339(stored.expires_at),
        "renew_after": rfc3339(stored.expires_at.saturating_sub(renew_window_ms)),
    })
}

/// Adds the secret (opened from its sealed copy) and the current server time to an
/// enrollment answer.
async fn add_secret(state: &AppState, shopper_id: &str, answer: &mut Value) -> Result<(), Problem> {
    let Some(id) = answer.get("credential_id").and_then(Value::as_str) else {
        // A replayed client error carries no credential: pass it on as it is.
        return Ok(());
    };
    let stored = entry_credentials::find(&state.db, id)
        .await
        .map_err(|e| Problem::internal(&e))?
        .filter(|c| c.shopper_id == shopper_id)
        .ok_or_else(|| Problem::internal(&"an enrolled credential is missing from the database"))?;
    let secret = stored
        .secret(&state.gate.keys)
        .map_err(|e| Problem::internal(&e))?;
    answer["secret"] = json!(base64::engine::general_purpose::STANDARD.encode(*secret));
    answer["server_time"] = json!(rfc3339(state.clock.now_ms()));
    Ok(())
}

/// Lists the calling shopper's credentials that are not revoked, without secrets.
#[utoipa::path(get, path = "/app/v1/entry-credentials", tag = "app",
    responses((status = 200, description = "`{\"credentials\": [...]}`, newest first")))]
pub async fn list(State(state): State<AppState>, caller: Shopper) -> Result<Json<Value>, Problem> {
    let now_ms = state.clock.now_ms();
    let Some(shopper) = shoppers::find_by_sub(&state.db, &caller.sub)
        .await
        .map_err(|e| Problem::internal(&e))?
    else {
        return Ok(Json(json!({ "credentials": [] })));
    };
    let stored = entry_credentials::list_for_shopper(&state.db, &shopper.id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let credentials: Vec<Value> = stored
        .iter()
        .map(|c| {
            let mut item = describe(&state, c);
            let status = if c.expires_at <= now_ms {
                "expired"
            } else {
                "active"
            };
            item["status"] = json!(status);
            item
        })
        .collect();
    Ok(Json(json!({ "credentials": credentials })))
}

/// Revokes one of the calling shopper's credentials; its codes are denied from then on.
#[utoipa::path(delete, path = "/app/v1/entry-credentials/{id}", tag = "app",
    params(("id" = String, Path, description = "Credential id, 16 hex characters")),
    responses(
        (status = 204, description = "Revoked (also when it was revoked already)"),
        (status = 404, description = "The shopper has no credential with this id", content_type = "application/problem+json")))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let not_found = || Problem::new(problem::NOT_FOUND, "no entry credential with this id");
    let id = id.to_ascii_lowercase();
    if entry_credentials::parse_id(&id).is_none() {
        return Err(not_found());
    }
    let shopper = shoppers::find_by_sub(&state.db, &caller.sub)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(not_found)?;
    let revoked = entry_credentials::revoke(&state.db, &shopper.id, &id, state.clock.now_ms())
        .await
        .map_err(|e| Problem::internal(&e))?;
    if !revoked {
        return Err(not_found());
    }
    tracing::info!(credential_id = %id, shopper_id = %shopper.id, "entry credential revoked");
    Ok(StatusCode::NO_CONTENT)
}
