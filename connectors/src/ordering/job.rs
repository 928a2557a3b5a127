//! The durable job table of the ordering connector (`ordering_jobs`): enqueue, claim with a
//! lease, record a step, retry with backoff, and dead letters.
//!
//! Claiming is one portable conditional UPDATE whose affected-row count says whether this
//! worker won, so SQLite and PostgreSQL share the code and two workers never run one job at
//! once while the lease holds. Every write after the claim checks the lease owner, so a worker
//! whose lease was taken over cannot record a step over the new owner's work.

/// The steps of a purchase job, in order. A refund job uses `settle` (the refund at the PSP),
/// `receipt` and `export`.
pub mod step {
    pub const SETTLE: &str = "settle";
    pub const RECEIPT: &str = "receipt";
    pub const EXPORT: &str = "export";
    pub const NOTIFY: &str = "notify";
    pub const DONE: &str = "done";
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub job_id: String,
    pub kind: String,
    pub purchase_id: String,
    pub refund_id: Option<String>,
    pub step: String,
    pub settlement: Option<serde_json::Value>,
    pub attempts: i64,
}

/// Queues a job inside `tx`, starting at the `settle` step and due at once.
pub async fn enqueue(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    kind: &str,
    purchase_id: &str,
    refund_id: Option<&str>,
    now_ms: i64,
) -> Result<String, sqlx::Error> {
    let job_id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO ordering_jobs (job_id, kind, purchase_id, refund_id, step, state, attempts, \
         next_attempt_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6, $6)",
    )
    .bind(&job_id)
    .bind(kind)
    .bind(purchase_id)
    .bind(refund_id)
    .bind(step::SETTLE)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(job_id)
}

/// Claims up to `limit` due jobs for `owner` until `now_ms + lease_ms`.
pub async fn claim_due(
    pool: &sqlx::AnyPool,
    owner: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Job>, sqlx::Error> {
    let candidates: Vec<String> = sqlx::query_scalar(
        "SELECT job_id FROM ordering_jobs WHERE state = 'pending' AND next_attempt_at <= $1 \
         AND (lease_expires_at IS NULL OR lease_expires_at < $1) ORDER BY next_attempt_at LIMIT $2",
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(pool)
    .await?;

    let mut claimed = Vec::new();
    for job_id in candidates {
        let won = sqlx::query(
            "UPDATE ordering_jobs SET lease_owner = $1, lease_expires_at = $2, updated_at = $3 \
             WHERE job_id = $4 AND state = 'pending' AND (lease_expires_at IS NULL OR lease_expires_at < $3)",
        )
        .bind(owner)
        .bind(now_ms + lease_ms)
        .bind(now_ms)
        .bind(&job_id)
        .execute(pool)
        .await?
        .rows_affected();
        if won == 1
            && let Some(job) = load(pool, &job_id).await?
        {
            claimed.push(job);
        }
    }
    Ok(claimed)
}

type JobRow = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    i64,
);

async fn load(pool: &sqlx::AnyPool, job_id: &str) -> Result<Option<Job>, sqlx::Error> {
    let row: Option<JobRow> = sqlx::query_as(
        "SELECT job_id, kind, purchase_id, refund_id, step, settlement, attempts FROM ordering_jobs WHERE job_id = $1",
    )
    .bind(job_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(
        |(job_id, kind, purchase_id, refund_id, step, settlement, attempts)| Job {
            job_id,
            kind,
            purchase_id,
            refund_id,
            step,
            settlement: settlement.and_then(|text| serde_json::from_str(&text).ok()),
            attempts,
        },
    ))
}

/// Why a step could not be recorded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the lease of job {0} passed to another worker")]
    LeaseLost(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Moves the job to `next_step` inside `tx`, with the settlement when given, provided `owner`
/// still holds the lease. The caller commits `tx` together with the step's own writes.
pub async fn advance(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    job: &Job,
    owner: &str,
    next_step: &str,
    settlement: Option<&serde_json::Value>,
    now_ms: i64,
) -> Result<(), RecordError> {
    let done = next_step == step::DONE;
    let updated = sqlx::query(
        "UPDATE ordering_jobs SET step = $1, settlement = COALESCE($2, settlement), \
         state = CASE WHEN $3 = 1 THEN 'done' ELSE state END, updated_at = $4 \
         WHERE job_id = $5 AND lease_owner = $6",
    )
    .bind(next_step)
    .bind(settlement.map(|value| value.to_string()))
    .bind(i64::from(done))
    .bind(now_ms)
    .bind(&job.job_id)
    .bind(owner)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated == 1 {
        Ok(())
    } else {
        Err(RecordError::LeaseLost(job.job_id.clone()))
    }
}

/// Records a failed attempt: the job is due again after an exponential delay, or becomes a
/// dead letter once `max_attempts` is reached. Returns true when it became a dead letter.
pub async fn record_failure(
    pool: &sqlx::AnyPool,
    job: &Job,
    owner: &str,
    error: &str,
    retry: &RetryPolicy,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let attempts = job.attempts + 1;
    let dead = attempts >= i64::from(retry.max_attempts);
    let next_attempt_at = now_ms.saturating_add(retry.delay_ms(attempts));
    sqlx::query(
        "UPDATE ordering_jobs SET attempts = $1, next_attempt_at = $2, last_error = $3, \
         state = CASE WHEN $4 = 1 THEN 'dead' ELSE state END, lease_owner = NULL, \
         lease_expires_at = NULL, updated_at = $5 WHERE job_id = $6 AND lease_owner = $7",
    )
    .bind(attempts)
    .bind(next_attempt_at)
    .bind(error)
    .bind(i64::from(dead))
    .bind(now_ms)
    .bind(&job.job_id)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(dead)
}

/// Frees the lease of a job without counting an attempt (the worker stops mid-job).
pub async fn release(pool: &sqlx::AnyPool, job: &Job, owner: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE ordering_jobs SET lease_owner = NULL, lease_expires_at = NULL \
         WHERE job_id = $1 AND lease_owner = $2",
    )
    .bind(&job.job_id)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(())
}

/// Retry timing of failed jobs.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_ms: u64,
    pub max_ms: u64,
}

impl RetryPolicy {
    /// Delay before attempt `attempts + 1`: `base_ms × 2^(attempts − 1)`, at most `max_ms`.
    pub fn delay_ms(&self, attempts: i64) -> i64 {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay = self
            .base_ms
            .saturating_mul(1u64 << exponent)
            .min(self.max_ms);
        i64::try_from(delay).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;

    #[test]
    fn retry_delay_doubles_up_to_maximum() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_ms: 1_000,
            max_ms: 5_000,
        };
        let delays: Vec<i64> = (1..=5).map(|n| policy.delay_ms(n)).collect();
        assert_eq!(delays, vec![1_000, 2_000, 4_000, 5_000, 5_000]);
    }
}
