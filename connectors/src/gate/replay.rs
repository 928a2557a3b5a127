//! Replays of VerifyIdentityKeys: one stored answer per `requestId` and per `authEvent.id`.
//!
//! A request claims both ids with one INSERT (status 0) before any check that writes runs, so a
//! retry that arrives while the first attempt is still deciding waits for that decision instead
//! of placing a second hold. Checks that only read may run before the claim. The answer is
//! stored as the exact body sent, so a replay is byte-for-byte the first answer.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::request::IdentityRequest;
use crate::db::Database;
use crate::problem::{self, ProblemSlug};

const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// A decided answer: HTTP status, reason (`admitted` or a slug) and JSON body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub status: u16,
    pub reason: String,
    pub body: String,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::FORBIDDEN);
        let content_type = if self.status >= 400 {
            "application/problem+json"
        } else {
            "application/json"
        };
        let slug = problem::kind_by_slug(&self.reason).map(|kind| kind.slug);
        let mut response = (status, self.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(slug) = slug {
            response.extensions_mut().insert(ProblemSlug(slug));
        }
        response
    }
}

/// Result of claiming a request's ids.
#[derive(Debug)]
pub(crate) enum Claim {
    /// Neither id was seen before: decide this request.
    New,
    /// The first answer to an earlier request with the same `requestId` or `authEvent.id`.
    Replay(Answer),
    /// An earlier request with the same id is still undecided after the wait.
    StillDeciding,
}

/// Claims the request's ids, or returns the earlier answer, waiting up to `wait` for one
/// that is still being decided.
pub(crate) async fn claim(
    db: &Database,
    request: &IdentityRequest,
    now_ms: i64,
    wait: Duration,
) -> Result<Claim, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let mut connection = db.writer.acquire().await?;
        let inserted = try_insert(&mut connection, request, now_ms).await?;
        drop(connection);
        if inserted {
            return Ok(Claim::New);
        }
        // No row means an earlier attempt failed and released its claim, so the next round
        // claims again.
        if let Some((status, reason, body)) = earlier(db, request).await?
            && status != 0
        {
            return Ok(Claim::Replay(Answer {
                status: u16::try_from(status).unwrap_or(403),
                reason: reason.unwrap_or_default(),
                body,
            }));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Claim::StillDeciding);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Claims the request's ids on `connection`, which may be inside a transaction. Returns false
/// when an earlier request has claimed either id.
pub(crate) async fn try_insert(
    connection: &mut sqlx::AnyConnection,
    request: &IdentityRequest,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO gate_decisions (request_id, auth_event_id, store_id, status, body, created_at) \
         VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING",
    )
    .bind(&request.request_id)
    .bind(&request.auth_event_id)
    .bind(&request.store_id)
    .bind(now_ms)
    .execute(connection)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Claims the request's ids and stores the decided `answer` in one statement. Returns false
/// when an earlier request has claimed either id.
pub(crate) async fn insert_answered(
    db: &Database,
    request: &IdentityRequest,
    answer: &Answer,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO gate_decisions (request_id, auth_event_id, store_id, status, reason, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(&request.request_id)
    .bind(&request.auth_event_id)
    .bind(&request.store_id)
    .bind(i64::from(answer.status))
    .bind(&answer.reason)
    .bind(&answer.body)
    .bind(now_ms)
    .execute(&db.writer)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Reads the earliest stored decision with the request's `requestId` or `authEvent.id`.
async fn earlier(
    db: &Database,
    request: &IdentityRequest,
) -> Result<Option<(i64, Option<String>, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT status, reason, body FROM gate_decisions \
         WHERE request_id = $1 OR auth_event_id = $2 ORDER BY created_at LIMIT 1",
    )
    .bind(&request.request_id)
    .bind(&request.auth_event_id)
    .fetch_optional(&db.pool)
    .await
}

/// Stores the answer of a claimed request inside `tx`.
pub(crate) async fn store(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    answer: &Answer,
    trip_id: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE gate_decisions SET status = $1, reason = $2, body = $3, trip_id = $4 WHERE request_id = $5")
        .bind(i64::from(answer.status))
        .bind(&answer.reason)
        .bind(&answer.body)
        .bind(trip_id)
        .bind(request_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Releases a claim after an internal failure, so a retry decides afresh.
pub(crate) async fn release(db: &Database, request_id: &str) {
    let result = sqlx::query("DELETE FROM gate_decisions WHERE request_id = $1 AND status = 0")
        .bind(request_id)
        .execute(&db.writer)
        .await;
    if let Err(error) = result {
        tracing::error!(%error, jwo_request_id = request_id, "cannot release a gate decision claim after a failure");
    }
}
