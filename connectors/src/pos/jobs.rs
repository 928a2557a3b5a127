//! The `pos_export_jobs` table: one export job per (sink, transaction id).
//!
//! The same SQL text runs on SQLite and PostgreSQL through sqlx's `Any` driver. A job is
//! claimed with a conditional `UPDATE` that sets a lease only when no live lease exists. The
//! engine serialises the two updates of a race, so exactly one claimer changes the row.
//! Every later update of a claimed job also matches the claimer's lease token, so a worker
//! whose lease ran out and was taken over cannot overwrite the new holder's result.

use sqlx::{AnyPool, Row};

/// State of an export job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for its next attempt.
    Pending,
    Done,
    /// Gave up after a permanent failure or too many attempts; waits for a replay.
    Dead,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    fn parse(text: &str) -> Result<JobState, sqlx::Error> {
        match text {
            "pending" => Ok(JobState::Pending),
            "done" => Ok(JobState::Done),
            "dead" => Ok(JobState::Dead),
            other => Err(sqlx::Error::Decode(
                format!("unknown pos_export_jobs.state {other:?}").into(),
            )),
        }
    }
}

/// One row of `pos_export_jobs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportJob {
    pub id: String,
    pub sink: String,
    pub transaction_id: String,
    /// The transaction as JSON.
    pub payload: String,
    pub attempts: i64,
    /// Unix milliseconds.
    pub next_attempt_at: i64,
    pub state: JobState,
    pub last_error: Option<String>,
}

/// A claim on a job, valid until its lease runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job_id: String,
    token: String,
}

/// Result of [`enqueue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job with this id.
    New(String),
    /// The (sink, transaction id) pair had a job already; this is its id.
    AlreadyQueued(String),
}

const COLUMNS: &str =
    "id, sink, transaction_id, payload, attempts, next_attempt_at, state, last_error";

fn job_from_row(row: &sqlx::any::AnyRow) -> Result<ExportJob, sqlx::Error> {
    let state: String = row.try_get("state")?;
    Ok(ExportJob {
        id: row.try_get("id")?,
        sink: row.try_get("sink")?,
        transaction_id: row.try_get("transaction_id")?,
        payload: row.try_get("payload")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        state: JobState::parse(&state)?,
        last_error: row.try_get("last_error")?,
    })
}

/// Adds a job due at `now_ms`, unless the (sink, transaction id) pair has one already.
pub async fn enqueue(
    pool: &AnyPool,
    sink: &str,
    transaction_id: &str,
    payload: &str,
    now_ms: i64,
) -> Result<Enqueued, sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = sqlx::query(
        "INSERT INTO pos_export_jobs \
         (id, sink, transaction_id, payload, attempts, next_attempt_at, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, 'pending', $5, $5) \
         ON CONFLICT (sink, transaction_id) DO NOTHING",
    )
    .bind(&id)
    .bind(sink)
    .bind(transaction_id)
    .bind(payload)
    .bind(now_ms)
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Enqueued::New(id));
    }
    let existing: String = sqlx::query_scalar(
        "SELECT id FROM pos_export_jobs WHERE sink = $1 AND transaction_id = $2",
    )
    .bind(sink)
    .bind(transaction_id)
    .fetch_one(pool)
    .await?;
    Ok(Enqueued::AlreadyQueued(existing))
}

/// Pending jobs due at `now_ms` and not held by a live lease, oldest due first.
pub async fn due(pool: &AnyPool, now_ms: i64, limit: i64) -> Result<Vec<ExportJob>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM pos_export_jobs \
         WHERE state = 'pending' AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until < $1) \
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    rows.iter().map(job_from_row).collect()
}

/// Reads one job.
pub async fn find(pool: &AnyPool, id: &str) -> Result<Option<ExportJob>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM pos_export_jobs WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
    row.as_ref().map(job_from_row).transpose()
}

/// Claims a due pending job until `now_ms + lease_ms`. Returns `None` when another worker has
/// a live lease on it or it is no longer due.
pub async fn claim(
    pool: &AnyPool,
    id: &str,
    now_ms: i64,
    lease_ms: i64,
) -> Result<Option<Lease>, sqlx::Error> {
    let token = uuid::Uuid::new_v4().to_string();
    let updated = sqlx::query(
        "UPDATE pos_export_jobs SET lease_until = $1, lease_owner = $2, updated_at = $3 \
         WHERE id = $4 AND state = 'pending' AND next_attempt_at <= $3 \
         AND (lease_until IS NULL OR lease_until < $3)",
    )
    .bind(now_ms.saturating_add(lease_ms))
    .bind(&token)
    .bind(now_ms)
    .bind(id)
    .execute(pool)
    .await?;
    Ok((updated.rows_affected() == 1).then(|| Lease {
        job_id: id.to_owned(),
        token,
    }))
}

/// Records the outcome of one attempt and releases the lease: `Done`, `Dead`, or `Pending`
/// again from `next_attempt_at`. Returns false when the lease was lost to another worker, in
/// which case nothing changed.
pub async fn finish_attempt(
    pool: &AnyPool,
    lease: &Lease,
    state: JobState,
    next_attempt_at: i64,
    error: Option<&str>,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE pos_export_jobs SET state = $1, attempts = attempts + 1, next_attempt_at = $2, \
         last_error = $3, lease_until = NULL, lease_owner = NULL, updated_at = $4 \
         WHERE id = $5 AND lease_owner = $6",
    )
    .bind(state.as_str())
    .bind(next_attempt_at)
    .bind(error)
    .bind(now_ms)
    .bind(&lease.job_id)
    .bind(&lease.token)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Dead-lettered jobs, oldest first.
pub async fn dead_letters(pool: &AnyPool, limit: i64) -> Result<Vec<ExportJob>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM pos_export_jobs WHERE state = 'dead' \
         ORDER BY updated_at, id LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(pool).await?;
    rows.iter().map(job_from_row).collect()
}

/// Puts a dead-lettered job back in the queue, due at `now_ms` with its attempt count reset;
/// `last_error` is kept until the next attempt. Returns false when the job is not dead.
pub async fn replay(pool: &AnyPool, id: &str, now_ms: i64) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE pos_export_jobs SET state = 'pending', attempts = 0, next_attempt_at = $1, \
         lease_until = NULL, lease_owner = NULL, updated_at = $1 \
         WHERE id = $2 AND state = 'dead'",
    )
    .bind(now_ms)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}
