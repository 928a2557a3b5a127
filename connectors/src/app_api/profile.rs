//! `/app/v1/profile` and `/app/v1/devices`: the shopper's display name, e-mail, locale and
//! marketing preferences, and the devices the app registered with their push tokens.
//!
//! Every field is checked before anything is written, and a problem names the field that
//! failed. A device id is unique per shopper only, so another shopper's device takes the same
//! code path as a missing one and gets the same 404. Push tokens are stored for the
//! notification sender but never logged and never returned: the device list shows only whether
//! a token is set.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::{not_found, rfc3339_ms, shopper_id};
use crate::auth::app::Shopper;
use crate::problem::Problem;
use crate::server::AppState;
use crate::shoppers;

mod validate;

use validate::{parse_device, parse_profile_patch};

/// Stored profile columns: (display_name, email, locale, marketing_email, marketing_push).
type ProfileRow = (Option<String>, Option<String>, Option<String>, i64, i64);

/// Returns the caller's profile; every field is null or false before the first update.
#[utoipa::path(get, path = "/app/v1/profile", tag = "app",
    responses((status = 200, description = "`{display_name, email, locale, marketing: {email, push}}`")))]
pub async fn get_profile(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<Value>, Problem> {
    let row = match shopper_id(&state, &caller).await? {
        Some(id) => read_profile(&state, &id).await?,
        None => None,
    };
    Ok(Json(profile_view(row)))
}

/// Updates the caller's profile as a JSON merge patch (RFC 7396): a missing member is kept,
/// `null` clears it.
#[utoipa::path(patch, path = "/app/v1/profile", tag = "app",
    request_body(content = String, description = "`{display_name?, email?, locale?, marketing?: {email?, push?}}`", content_type = "application/json"),
    responses((status = 200, description = "The updated profile"),
        (status = 400, description = "A field is invalid; the detail and `field` name it", content_type = "application/problem+json")))]
pub async fn patch_profile(
    State(state): State<AppState>,
    caller: Shopper,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    let patch = parse_profile_patch(&body)?;
    let now = state.clock.now_ms();
    let shopper = shoppers::get_or_create(&state.db, &caller.sub, now)
        .await
        .map_err(|e| Problem::internal(&e))?;

    let current = read_profile(&state, &shopper.id).await?;
    let (name, email, locale, mail, push) = current.unwrap_or((None, None, None, 0, 0));
    let updated: ProfileRow = (
        patch.display_name.unwrap_or(name),
        patch.email.unwrap_or(email),
        patch.locale.unwrap_or(locale),
        patch.marketing_email.map_or(mail, i64::from),
        patch.marketing_push.map_or(push, i64::from),
    );

    sqlx::query(
        "INSERT INTO profiles (shopper_id, display_name, email, locale, marketing_email, marketing_push, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (shopper_id) DO UPDATE SET \
         display_name = excluded.display_name, email = excluded.email, locale = excluded.locale, \
         marketing_email = excluded.marketing_email, marketing_push = excluded.marketing_push, \
         updated_at = excluded.updated_at",
    )
    .bind(&shopper.id)
    .bind(&updated.0)
    .bind(&updated.1)
    .bind(&updated.2)
    .bind(updated.3)
    .bind(updated.4)
    .bind(now)
    .execute(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    Ok(Json(profile_view(Some(updated))))
}

async fn read_profile(state: &AppState, shopper_id: &str) -> Result<Option<ProfileRow>, Problem> {
    sqlx::query_as(
        "SELECT display_name, email, locale, marketing_email, marketing_push FROM profiles \
         WHERE shopper_id = $1",
    )
    .bind(shopper_id)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))
}

// NOTE: Cognito access tokens carry no `email` claim, so `email` is only what the shopper set.
fn profile_view(row: Option<ProfileRow>) -> Value {
    let (name, email, locale, mail, push) = row.unwrap_or((None, None, None, 0, 0));
    json!({
        "display_name": name,
        "email": email,
        "locale": locale,
        "marketing": { "email": mail != 0, "push": push != 0 },
    })
}

/// Stored device columns: (device_id, platform, app_version, push_token set, created_at,
/// updated_at).
type DeviceRow = (String, String, String, i64, i64, i64);

const SELECT_DEVICE: &str = "SELECT device_id, platform, app_version, \
     CAST(CASE WHEN push_token IS NULL THEN 0 ELSE 1 END AS BIGINT), created_at, updated_at FROM devices";

fn device_view(
    (device_id, platform, app_version, has_token, created, updated): DeviceRow,
) -> Value {
    json!({
        "device_id": device_id,
        "platform": platform,
        "app_version": app_version,
        "push_token_set": has_token != 0,
        "created_at": rfc3339_ms(created),
        "updated_at": rfc3339_ms(updated),
    })
}

/// Registers a device, or updates the platform, app version and push token of one already
/// registered under the same id.
#[utoipa::path(post, path = "/app/v1/devices", tag = "app",
    request_body(content = String, description = "`{device_id, platform: ios|android|other, app_version, push_token?}`", content_type = "application/json"),
    params(("Idempotency-Key" = String, Header, description = "Unique per registration; reuse it on retries")),
    responses((status = 201, description = "Device registered"),
        (status = 200, description = "Device was registered already and is updated"),
        (status = 400, description = "A field is invalid; the detail and `field` name it", content_type = "application/problem+json")))]
pub async fn register_device(
    State(state): State<AppState>,
    caller: Shopper,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let device = parse_device(&body)?;
    let now = state.clock.now_ms();
    let shopper = shoppers::get_or_create(&state.db, &caller.sub, now)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let mut fingerprint = b"POST /app/v1/devices\n".to_vec();
    fingerprint.extend_from_slice(&body);

    crate::idempotency::run(&state.db, now, &shopper.id, &headers, &fingerprint, async {
        let created = sqlx::query(
            "INSERT INTO devices (shopper_id, device_id, platform, app_version, push_token, \
             push_token_updated_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) \
             ON CONFLICT (shopper_id, device_id) DO NOTHING",
        )
        .bind(&shopper.id)
        .bind(&device.device_id)
        .bind(&device.platform)
        .bind(&device.app_version)
        .bind(&device.push_token)
        .bind(now)
        .execute(&state.db.pool)
        .await
        .map_err(|e| Problem::internal(&e))?
        .rows_affected()
            == 1;
        if !created {
            sqlx::query(
                "UPDATE devices SET platform = $1, app_version = $2, push_token = $3, \
                 push_token_updated_at = $4, updated_at = $4 WHERE shopper_id = $5 AND device_id = $6",
            )
            .bind(&device.platform)
            .bind(&device.app_version)
            .bind(&device.push_token)
            .bind(now)
            .bind(&shopper.id)
            .bind(&device.device_id)
            .execute(&state.db.pool)
            .await
            .map_err(|e| Problem::internal(&e))?;
        }
        tracing::info!(shopper_id = %shopper.id, device_id = %device.device_id, created, "device registered");
        let row = find_device(&state, &shopper.id, &device.device_id).await?;
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Json(device_view(row))))
    })
    .await
}

/// Lists the caller's devices, oldest registration first.
#[utoipa::path(get, path = "/app/v1/devices", tag = "app",
    responses((status = 200, description = "`{\"devices\": [{device_id, platform, app_version, push_token_set, created_at, updated_at}]}`")))]
pub async fn list_devices(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<Value>, Problem> {
    let Some(shopper) = shopper_id(&state, &caller).await? else {
        return Ok(Json(json!({ "devices": [] })));
    };
    let rows: Vec<DeviceRow> = sqlx::query_as(&format!(
        "{SELECT_DEVICE} WHERE shopper_id = $1 ORDER BY created_at, device_id"
    ))
    .bind(&shopper)
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let devices: Vec<Value> = rows.into_iter().map(device_view).collect();
    Ok(Json(json!({ "devices": devices })))
}

/// Removes one of the caller's devices with its push token.
#[utoipa::path(delete, path = "/app/v1/devices/{id}", tag = "app",
    params(("id" = String, Path, description = "Device id chosen by the app")),
    responses((status = 204, description = "Device removed"),
        (status = 404, description = "No such device for this shopper", content_type = "application/problem+json")))]
pub async fn remove_device(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let shopper = owned_device(&state, &caller, &id).await?;
    sqlx::query("DELETE FROM devices WHERE shopper_id = $1 AND device_id = $2")
        .bind(&shopper)
        .bind(&id)
        .execute(&state.db.pool)
        .await
        .map_err(|e| Problem::internal(&e))?;
    tracing::info!(shopper_id = %shopper, device_id = %id, "device removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Sets or replaces the push token of one of the caller's devices.
#[utoipa::path(put, path = "/app/v1/devices/{id}/push-token", tag = "app",
    params(("id" = String, Path, description = "Device id chosen by the app")),
    request_body(content = String, description = "`{\"push_token\": \"…\"}`", content_type = "application/json"),
    responses((status = 200, description = "The device"),
        (status = 400, description = "Invalid push_token", content_type = "application/problem+json"),
        (status = 404, description = "No such device for this shopper", content_type = "application/problem+json")))]
pub async fn put_push_token(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, Problem> {
    let token = validate::parse_push_token_body(&body)?;
    let shopper = owned_device(&state, &caller, &id).await?;
    let row = set_push_token(&state, &shopper, &id, Some(&token)).await?;
    Ok(Json(device_view(row)))
}

/// Clears the push token of one of the caller's devices.
#[utoipa::path(delete, path = "/app/v1/devices/{id}/push-token", tag = "app",
    params(("id" = String, Path, description = "Device id chosen by the app")),
    responses((status = 204, description = "Push token cleared"),
        (status = 404, description = "No such device for this shopper", content_type = "application/problem+json")))]
pub async fn delete_push_token(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let shopper = owned_device(&state, &caller, &id).await?;
    set_push_token(&state, &shopper, &id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Returns the caller's shopper id when the device is theirs; the one 404 otherwise.
async fn owned_device(
    state: &AppState,
    caller: &Shopper,
    device_id: &str,
) -> Result<String, Problem> {
    let Some(shopper) = shopper_id(state, caller).await? else {
        return Err(not_found("device"));
    };
    find_device(state, &shopper, device_id).await?;
    Ok(shopper)
}

async fn find_device(
    state: &AppState,
    shopper: &str,
    device_id: &str,
) -> Result<DeviceRow, Problem> {
    let row: Option<DeviceRow> = sqlx::query_as(&format!(
        "{SELECT_DEVICE} WHERE shopper_id = $1 AND device_id = $2"
    ))
    .bind(shopper)
    .bind(device_id)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    row.ok_or_else(|| not_found("device"))
}

async fn set_push_token(
    state: &AppState,
    shopper: &str,
    device_id: &str,
    token: Option<&str>,
) -> Result<DeviceRow, Problem> {
    let now = state.clock.now_ms();
    sqlx::query(
        "UPDATE devices SET push_token = $1, push_token_updated_at = $2, updated_at = $2 \
         WHERE shopper_id = $3 AND device_id = $4",
    )
    .bind(token)
    .bind(now)
    .bind(shopper)
    .bind(device_id)
    .execute(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    tracing::info!(shopper_id = %shopper, device_id = %device_id, set = token.is_some(), "push token changed");
    find_device(state, shopper, device_id).await
}

/// Members of an object body, or a 400 naming what was expected.
fn object_body(body: &[u8], expected: &str) -> Result<Map<String, Value>, Problem> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(members)) => Ok(members),
        _ => Err(Problem::invalid(format!(
            "expected a JSON object body {expected}"
        ))),
    }
}
