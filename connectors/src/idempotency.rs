//! `Idempotency-Key` for app POSTs that create something: the first response is stored per
//! shopper for 24 hours, a repeat with the same body gets it again without a second effect, and
//! a repeat with another body is a 422.
//!
//! The key is claimed (a row with status 0) before the operation runs, so a concurrent repeat
//! gets a 409 instead of running the operation a second time. A failed operation (a problem
//! response with status 500 or more) releases the claim so the client can retry. A stored
//! client-error problem is replayed as the same `application/problem+json` document.

use std::future::Future;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};

use crate::db::Database;
use crate::problem::{self, Problem};

pub const HEADER: &str = "idempotency-key";
/// How long a stored response is replayed.
pub const RETENTION_MS: i64 = 24 * 60 * 60 * 1000;
const MAX_KEY_LEN: usize = 255;

/// The response of an idempotent operation: status and JSON body.
pub type Stored = (StatusCode, Json<serde_json::Value>);

/// Runs `operation` once per (`scope`, key), replaying the first response for repeats.
pub async fn run<F>(
    db: &Database,
    now_ms: i64,
    scope: &str,
    headers: &HeaderMap,
    fingerprint: &[u8],
    operation: F,
) -> Result<Stored, Problem>
where
    F: Future<Output = Result<Stored, Problem>>,
{
    let key = read_key(headers)?;
    let request_hash = hex::encode(ring::digest::digest(&ring::digest::SHA256, fingerprint));

    if let Some(replayed) = claim(db, now_ms, scope, &key, &request_hash).await? {
        return Ok(replayed);
    }

    match operation.await {
        Ok((status, Json(body))) => {
            sqlx::query("UPDATE idempotency_keys SET status = $1, response_body = $2 WHERE scope = $3 AND key = $4")
                .bind(i64::from(status.as_u16()))
                .bind(body.to_string())
                .bind(scope)
                .bind(&key)
                .execute(&db.pool)
                .await
                .map_err(|e| Problem::internal(&e))?;
            Ok((status, Json(body)))
        }
        Err(problem) => {
            if problem.kind.status >= 500 {
                release(db, scope, &key).await;
            } else {
                store_problem(db, scope, &key, &problem).await;
            }
            Err(problem)
        }
    }
}

fn read_key(headers: &HeaderMap) -> Result<String, Problem> {
    let Some(value) = headers.get(HEADER) else {
        return Err(Problem::new(
            problem::MISSING_IDEMPOTENCY_KEY,
            "this POST creates a resource and needs an Idempotency-Key header",
        ));
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::invalid(format!(
            "invalid Idempotency-Key header: expected 1 to {MAX_KEY_LEN} printable ASCII characters"
        )));
    }
    Ok(key.to_owned())
}

/// Claims the key, or returns the stored response of an earlier request with the same key.
async fn claim(
    db: &Database,
    now_ms: i64,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Stored>, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);

    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at < $3")
        .bind(scope)
        .bind(key)
        .bind(now_ms - RETENTION_MS)
        .execute(&db.pool)
        .await
        .map_err(internal)?;

    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, request_hash, status, response_body, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT (scope, key) DO NOTHING",
    )
    .bind(scope)
    .bind(key)
    .bind(request_hash)
    .bind(now_ms)
    .execute(&db.pool)
    .await
    .map_err(internal)?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }

    let (stored_hash, status, body): (String, i64, String) =
        sqlx::query_as("SELECT request_hash, status, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .fetch_one(&db.pool)
            .await
            .map_err(internal)?;
    if stored_hash != request_hash {
        return Err(Problem::new(
            problem::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used with a different request body",
        ));
    }
    if status == 0 {
        return Err(Problem::new(
            problem::IDEMPOTENT_REQUEST_IN_PROGRESS,
            "a request with this Idempotency-Key is still being processed; retry shortly",
        ));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let body = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
    if let Some(problem) = stored_problem(&body) {
        return Err(problem);
    }
    Ok(Some((status, Json(body))))
}

/// Rebuilds a stored problem document, so a repeat gets it with its problem media type.
fn stored_problem(body: &serde_json::Value) -> Option<Problem> {
    let object = body.as_object()?;
    let slug = object.get("type")?.as_str()?.strip_prefix("/problems/")?;
    let kind = problem::kind_by_slug(slug)?;
    let detail = object.get("detail").and_then(|d| d.as_str()).unwrap_or("");
    let mut problem = Problem::new(*kind, detail);
    for (key, value) in object {
        if !matches!(key.as_str(), "type" | "title" | "status" | "detail") {
            problem = problem.with(key, value.clone());
        }
    }
    Some(problem)
}

async fn release(db: &Database, scope: &str, key: &str) {
    let result =
        sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 0")
            .bind(scope)
            .bind(key)
            .execute(&db.pool)
            .await;
    if let Err(error) = result {
        tracing::error!(%error, "cannot release an idempotency key after a failed request");
    }
}

/// Stores a client-error problem so a repeat gets the same answer.
async fn store_problem(db: &Database, scope: &str, key: &str, problem: &Problem) {
    let mut body = problem.extra.clone();
    body.insert(
        "type".to_owned(),
        format!("/problems/{}", problem.kind.slug).into(),
    );
    body.insert("title".to_owned(), problem.kind.title.into());
    body.insert("status".to_owned(), problem.kind.status.into());
    body.insert("detail".to_owned(), problem.detail.clone().into());
    let body = serde_json::Value::Object(body);
    let result = sqlx::query(
        "UPDATE idempotency_keys SET status = $1, response_body = $2 WHERE scope = $3 AND key = $4",
    )
    .bind(i64::from(problem.kind.status))
    .bind(body.to_string())
    .bind(scope)
    .bind(key)
    .execute(&db.pool)
    .await;
    if let Err(error) = result {
        tracing::error!(%error, "cannot store the response of an idempotent request");
    }
}
