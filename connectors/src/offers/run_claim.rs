//! Claims on scheduled periods (`scheduled_runs`): one row per job name and period start, so a
//! job that every instance schedules runs on one instance per period.
//!
//! The first claim is an `INSERT … ON CONFLICT DO NOTHING`, and a takeover is a conditional
//! `UPDATE`. In both cases the affected-row count shows whether this instance won, so SQLite and
//! PostgreSQL share the SQL. Every later write matches the owner, so an instance whose claim
//! was taken over cannot record a result over the new owner's. This module never runs the job
//! itself: callers decide what a won claim does.

/// Attempts of one period, takeovers included, after which a failing period waits for the next.
pub const MAX_ATTEMPTS: i64 = 3;

/// A claim this instance won.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub job_name: String,
    pub period_start: i64,
    pub owner: String,
    /// 1 for the first claim of the period, more after a takeover or a retry.
    pub attempts: i64,
}

/// Result of [`claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// This instance runs the period.
    Won(Claim),
    /// Another instance holds the period, or a failed attempt waits for its retry, until
    /// `lease_expires_at` (unix milliseconds).
    Held {
        owner: String,
        lease_expires_at: i64,
    },
    /// The period is done, or failed [`MAX_ATTEMPTS`] times.
    Finished,
}

/// Returns the start of the period that contains `now_ms`: a multiple of `interval_ms`.
pub fn period_start(now_ms: i64, interval_ms: i64) -> i64 {
    if interval_ms <= 0 {
        return now_ms;
    }
    now_ms - now_ms.rem_euclid(interval_ms)
}

/// Claims the period of `job_name` that starts at `period_start` for `owner` until
/// `now_ms + lease_ms`: a new row, or a takeover of a running claim whose lease expired, or a
/// retry of a failed attempt whose delay passed.
pub async fn claim(
    pool: &sqlx::AnyPool,
    job_name: &str,
    period_start: i64,
    owner: &str,
    now_ms: i64,
    lease_ms: i64,
) -> Result<ClaimOutcome, sqlx::Error> {
    let lease_expires_at = now_ms.saturating_add(lease_ms);
    let inserted = sqlx::query(
        "INSERT INTO scheduled_runs (job_name, period_start, state, owner, lease_expires_at, \
         attempts, claimed_at) VALUES ($1, $2, 'running', $3, $4, 1, $5) \
         ON CONFLICT (job_name, period_start) DO NOTHING",
    )
    .bind(job_name)
    .bind(period_start)
    .bind(owner)
    .bind(lease_expires_at)
    .bind(now_ms)
    .execute(pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(won(job_name, period_start, owner, 1));
    }

    let taken_over = take_over(
        pool,
        job_name,
        period_start,
        owner,
        now_ms,
        lease_expires_at,
    )
    .await?;

    let row: Option<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT state, owner, lease_expires_at, attempts FROM scheduled_runs \
         WHERE job_name = $1 AND period_start = $2",
    )
    .bind(job_name)
    .bind(period_start)
    .fetch_optional(pool)
    .await?;
    let Some((state, current_owner, expires_at, attempts)) = row else {
        // Nothing deletes claims, so a missing row is not expected. It is reported as held
        // until now, so the caller tries again.
        return Ok(ClaimOutcome::Held {
            owner: String::new(),
            lease_expires_at: now_ms,
        });
    };
    if taken_over {
        return Ok(won(job_name, period_start, owner, attempts));
    }
    Ok(outcome_of(&state, current_owner, expires_at, attempts))
}

/// Takes over a running claim whose lease expired, or retries a failed attempt whose delay
/// passed. Returns true when this instance won the row.
async fn take_over(
    pool: &sqlx::AnyPool,
    job_name: &str,
    period_start: i64,
    owner: &str,
    now_ms: i64,
    lease_expires_at: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE scheduled_runs SET state = 'running', owner = $1, lease_expires_at = $2, \
         attempts = attempts + 1, claimed_at = $3, finished_at = NULL \
         WHERE job_name = $4 AND period_start = $5 AND lease_expires_at < $3 \
         AND (state = 'running' OR (state = 'failed' AND attempts < $6))",
    )
    .bind(owner)
    .bind(lease_expires_at)
    .bind(now_ms)
    .bind(job_name)
    .bind(period_start)
    .bind(MAX_ATTEMPTS)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

fn won(job_name: &str, period_start: i64, owner: &str, attempts: i64) -> ClaimOutcome {
    ClaimOutcome::Won(Claim {
        job_name: job_name.to_owned(),
        period_start,
        owner: owner.to_owned(),
        attempts,
    })
}

/// Describes a row this instance did not win.
fn outcome_of(state: &str, owner: String, lease_expires_at: i64, attempts: i64) -> ClaimOutcome {
    match state {
        "running" => ClaimOutcome::Held {
            owner,
            lease_expires_at,
        },
        "failed" if attempts < MAX_ATTEMPTS => ClaimOutcome::Held {
            owner,
            lease_expires_at,
        },
        _ => ClaimOutcome::Finished,
    }
}

/// Extends the lease of a running claim to `now_ms + lease_ms`. Returns false when the claim
/// passed to another instance, which then runs the period.
pub async fn renew(
    pool: &sqlx::AnyPool,
    claim: &Claim,
    now_ms: i64,
    lease_ms: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE scheduled_runs SET lease_expires_at = $1 WHERE job_name = $2 \
         AND period_start = $3 AND owner = $4 AND state = 'running'",
    )
    .bind(now_ms.saturating_add(lease_ms))
    .bind(&claim.job_name)
    .bind(claim.period_start)
    .bind(&claim.owner)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Marks the period done with `result` (the run's counts as JSON). Returns false when the
/// claim passed to another instance before this one finished.
pub async fn finish(
    pool: &sqlx::AnyPool,
    claim: &Claim,
    result: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE scheduled_runs SET state = 'done', finished_at = $1, result = $2, \
         last_error = NULL WHERE job_name = $3 AND period_start = $4 AND owner = $5 \
         AND state = 'running'",
    )
    .bind(now_ms)
    .bind(result)
    .bind(&claim.job_name)
    .bind(claim.period_start)
    .bind(&claim.owner)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Records a failed attempt. Any instance may retry the period from `retry_at` (unix
/// milliseconds) until it has failed [`MAX_ATTEMPTS`] times. Returns false when the claim
/// passed to another instance first.
pub async fn fail(
    pool: &sqlx::AnyPool,
    claim: &Claim,
    error: &str,
    retry_at: i64,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE scheduled_runs SET state = 'failed', finished_at = $1, last_error = $2, \
         lease_expires_at = $3 WHERE job_name = $4 AND period_start = $5 AND owner = $6 \
         AND state = 'running'",
    )
    .bind(now_ms)
    .bind(error)
    .bind(retry_at)
    .bind(&claim.job_name)
    .bind(claim.period_start)
    .bind(&claim.owner)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use super::period_start;

    #[test]
    fn period_start_rounds_down() {
        let cases = [
            (0, 1_000, 0),
            (999, 1_000, 0),
            (1_000, 1_000, 1_000),
            (7_250, 2_000, 6_000),
            (-1, 1_000, -1_000),
            (5, 0, 5),
        ];
        for (now_ms, interval_ms, expected) in cases {
            assert_eq!(
                period_start(now_ms, interval_ms),
                expected,
                "period of {now_ms} with interval {interval_ms}"
            );
        }
    }
}
