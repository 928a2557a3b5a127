//! Static identity keys: fixed scanned texts that admit a test shopper or a store associate
//! without an entry code and without a payment hold. Admin routes under
//! `/admin/v1/static-keys` need the `keys:write` scope.
//!
//! The key is the exact text a scanner reads (what JWO sends Base64-encoded in `identityKey`).
//! Only its SHA-256 is stored, so the database does not reveal a key that opens the gate.
//! A SHOPPER key opens a test trip, which is never charged.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::rfc3339;
use crate::auth::admin::{AdminCaller, Scope};
use crate::db::Database;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Maximum length of a static key text in bytes, so its Base64 form fits `identityKey`'s 1000
/// characters.
const MAX_KEY_BYTES: usize = 750;
const MAX_ID_CHARS: usize = 255;

/// `visitorDetails.type` of a static key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorType {
    Shopper,
    Associate,
}

impl VisitorType {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitorType::Shopper => "SHOPPER",
            VisitorType::Associate => "ASSOCIATE",
        }
    }

    pub fn parse(text: &str) -> Option<VisitorType> {
        match text {
            "SHOPPER" => Some(VisitorType::Shopper),
            "ASSOCIATE" => Some(VisitorType::Associate),
            _ => None,
        }
    }
}

/// An active static key, without the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaticKey {
    pub id: String,
    pub store_id: String,
    pub visitor_id: String,
    pub visitor_type: VisitorType,
    pub created_at: i64,
}

/// Lower-case hex SHA-256 of a scanned text, as stored in `static_keys.key_hash`.
pub fn hash_key(key: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, key))
}

type KeyRow = (String, String, String, String, i64);

fn from_row((id, store_id, visitor_id, visitor_type, created_at): KeyRow) -> Option<StaticKey> {
    Some(StaticKey {
        id,
        store_id,
        visitor_id,
        visitor_type: VisitorType::parse(&visitor_type)?,
        created_at,
    })
}

/// Finds the active static key of a store by the hash of its text.
pub async fn find_active(
    db: &Database,
    store_id: &str,
    key_hash: &str,
) -> Result<Option<StaticKey>, sqlx::Error> {
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT id, store_id, visitor_id, visitor_type, created_at FROM static_keys \
         WHERE store_id = $1 AND key_hash = $2 AND revoked_at IS NULL",
    )
    .bind(store_id)
    .bind(key_hash)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(from_row))
}

fn describe(key: &StaticKey) -> Value {
    json!({
        "id": key.id,
        "storeId": key.store_id,
        "visitorId": key.visitor_id,
        "type": key.visitor_type.as_str(),
        "created_at": rfc3339(key.created_at),
    })
}

fn string_field<'a>(body: &'a Value, name: &str, max_chars: usize) -> Result<&'a str, Problem> {
    let text = body.get(name).and_then(Value::as_str).unwrap_or("");
    if text.is_empty() || text.chars().count() > max_chars {
        return Err(Problem::invalid(format!(
            "invalid {name}: expected a string of 1 to {max_chars} characters"
        ))
        .with("field", name));
    }
    Ok(text)
}

/// Adds a static key for a store.
#[utoipa::path(post, path = "/admin/v1/static-keys", tag = "admin",
    request_body(content = String, description = "`{\"storeId\", \"key\", \"visitorId\", \"type\": \"SHOPPER\" | \"ASSOCIATE\"}`", content_type = "application/json"),
    responses(
        (status = 201, description = "The static key, without its text"),
        (status = 400, description = "Invalid body, or the store has this key already", content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.require(Scope::KeysWrite)?;
    let body: Value = serde_json::from_slice(&body)
        .map_err(|e| Problem::invalid(format!("invalid JSON body: {e}")))?;
    let store_id = string_field(&body, "storeId", MAX_ID_CHARS)?;
    let visitor_id = string_field(&body, "visitorId", MAX_ID_CHARS)?;
    let key = body.get("key").and_then(Value::as_str).unwrap_or("");
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(Problem::invalid(format!(
            "invalid key: expected the scanned text, 1 to {MAX_KEY_BYTES} bytes"
        ))
        .with("field", "key"));
    }
    let visitor_type = body
        .get("type")
        .and_then(Value::as_str)
        .and_then(VisitorType::parse)
        .ok_or_else(|| {
            Problem::invalid("invalid type: expected SHOPPER or ASSOCIATE").with("field", "type")
        })?;

    let key_hash = hash_key(key.as_bytes());
    if find_active(&state.db, store_id, &key_hash)
        .await
        .map_err(|e| Problem::internal(&e))?
        .is_some()
    {
        return Err(Problem::invalid(format!(
            "store {store_id} already has an active static key with this text"
        ))
        .with("field", "key"));
    }
    let stored = StaticKey {
        id: uuid::Uuid::now_v7().to_string(),
        store_id: store_id.to_owned(),
        visitor_id: visitor_id.to_owned(),
        visitor_type,
        created_at: state.clock.now_ms(),
    };
    sqlx::query(
        "INSERT INTO static_keys (id, store_id, key_hash, visitor_id, visitor_type, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&stored.id)
    .bind(&stored.store_id)
    .bind(&key_hash)
    .bind(&stored.visitor_id)
    .bind(stored.visitor_type.as_str())
    .bind(stored.created_at)
    .execute(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    tracing::info!(static_key_id = %stored.id, store_id = %stored.store_id, key_id = %caller.key_id, "static key added");
    Ok((StatusCode::CREATED, Json(describe(&stored))))
}

/// Lists the active static keys of every store.
#[utoipa::path(get, path = "/admin/v1/static-keys", tag = "admin",
    responses((status = 200, description = "`{\"static_keys\": [...]}`, without key texts")))]
pub async fn list(
    State(state): State<AppState>,
    caller: AdminCaller,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::KeysWrite)?;
    let rows: Vec<KeyRow> = sqlx::query_as(
        "SELECT id, store_id, visitor_id, visitor_type, created_at FROM static_keys \
         WHERE revoked_at IS NULL ORDER BY store_id, created_at, id",
    )
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let keys: Vec<Value> = rows
        .into_iter()
        .filter_map(from_row)
        .map(|k| describe(&k))
        .collect();
    Ok(Json(json!({ "static_keys": keys })))
}

/// Revokes a static key; scans of its text are then treated as entry codes.
#[utoipa::path(delete, path = "/admin/v1/static-keys/{id}", tag = "admin",
    params(("id" = String, Path, description = "Static key id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No active static key with this id", content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::KeysWrite)?;
    let revoked =
        sqlx::query("UPDATE static_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(state.clock.now_ms())
            .bind(&id)
            .execute(&state.db.pool)
            .await
            .map_err(|e| Problem::internal(&e))?
            .rows_affected();
    if revoked == 0 {
        return Err(Problem::new(
            problem::NOT_FOUND,
            "no active static key with this id",
        ));
    }
    tracing::info!(static_key_id = %id, key_id = %caller.key_id, "static key revoked");
    Ok(StatusCode::NO_CONTENT)
}
