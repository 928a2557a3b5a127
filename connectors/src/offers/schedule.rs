//! The schedule of the association-rule job when several instances share one database. Every
//! instance wakes at each period boundary (a multiple of `interval_secs` in unix time). Only the
//! instance that claims the period in `scheduled_runs` mines it, and the others skip it.
//!
//! The running instance renews its claim every third of `lease_secs`. When it stops, its claim
//! expires and another instance takes the period over. If the claim is lost while the run is
//! still going, the run is dropped, so its transaction rolls back and the new owner's run is
//! the one that counts. The writes are upserts either way, so a second run of one period adds
//! no rows and no `offers-new` events. The manual run of the admin API does not claim a period.

use std::time::Duration;

use super::recompute::{RecomputeCounts, RecomputeError, RecomputeSettings, recompute_all};
use super::run_claim::{self, Claim, ClaimOutcome, period_start};
use crate::clock::Clock;
use crate::db::Database;

/// Job name of the association-rule job in `scheduled_runs`.
pub const JOB_NAME: &str = "offers-recompute";

/// Outcome of one period on one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodOutcome {
    /// This instance mined the period.
    Ran(RecomputeCounts),
    /// Another instance holds the period until `lease_expires_at` (unix milliseconds), or a
    /// failed attempt waits until then for its retry.
    Held { lease_expires_at: i64 },
    /// The period is done, or failed too often to retry.
    Finished,
    /// This instance claimed the period, but the claim expired and passed to another instance
    /// before the run finished; the run was dropped.
    Lost,
}

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("scheduled_runs database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Recompute(#[from] RecomputeError),
}

/// Milliseconds of `secs`, at least 1 s, without overflow.
fn millis(secs: u64) -> i64 {
    i64::try_from(secs.max(1).saturating_mul(1_000)).unwrap_or(i64::MAX)
}

/// Claims the period that starts at `period_start` for `owner` and, when the claim is won, runs
/// the job for every store while renewing the claim. A failed run is recorded in the claim row,
/// and another attempt may follow after `lease_secs`.
pub async fn run_period(
    db: &Database,
    clock: &Clock,
    settings: &RecomputeSettings,
    owner: &str,
    period_start: i64,
) -> Result<PeriodOutcome, ScheduleError> {
    let lease_ms = millis(settings.lease_secs);
    let outcome = run_claim::claim(
        &db.pool,
        JOB_NAME,
        period_start,
        owner,
        clock.now_ms(),
        lease_ms,
    )
    .await?;
    let claim = match outcome {
        ClaimOutcome::Won(claim) => claim,
        ClaimOutcome::Held {
            lease_expires_at, ..
        } => return Ok(PeriodOutcome::Held { lease_expires_at }),
        ClaimOutcome::Finished => return Ok(PeriodOutcome::Finished),
    };
    if claim.attempts > 1 {
        tracing::warn!(
            job = JOB_NAME,
            period_start,
            attempt = claim.attempts,
            %owner,
            "taking over a scheduled period whose claim expired or whose run failed"
        );
    }

    let run = recompute_all(db, settings, clock.now_ms());
    let result = tokio::select! {
        result = run => result,
        () = keep_claim(db, clock, &claim, lease_ms) => return Ok(PeriodOutcome::Lost),
    };
    let now_ms = clock.now_ms();
    match result {
        Ok(counts) => {
            let text = serde_json::to_string(&counts).unwrap_or_default();
            if !run_claim::finish(&db.pool, &claim, &text, now_ms).await? {
                tracing::warn!(job = JOB_NAME, period_start, %owner, "the claim passed to another instance before the run was recorded");
            }
            Ok(PeriodOutcome::Ran(counts))
        }
        Err(error) => {
            let message = error.to_string();
            let retry_at = now_ms.saturating_add(lease_ms);
            run_claim::fail(&db.pool, &claim, &message, retry_at, now_ms).await?;
            Err(error.into())
        }
    }
}

/// Renews `claim` every third of the lease; returns only when the claim is lost. A failed
/// renewal is logged and tried again, because the lease still runs until it expires.
async fn keep_claim(db: &Database, clock: &Clock, claim: &Claim, lease_ms: i64) {
    let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1_000).max(100));
    loop {
        tokio::time::sleep(every).await;
        match run_claim::renew(&db.pool, claim, clock.now_ms(), lease_ms).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(
                    job = JOB_NAME,
                    period_start = claim.period_start,
                    owner = %claim.owner,
                    "the claim passed to another instance; dropping this run"
                );
                return;
            }
            Err(error) => {
                tracing::error!(job = JOB_NAME, %error, "renewing the claim of a scheduled period failed");
            }
        }
    }
}

/// Starts the scheduled job on the current runtime, unless `interval_secs` is 0. The first
/// period an instance tries is the one after its start, so a restart does not mine at once.
pub fn spawn(db: Database, clock: Clock, settings: RecomputeSettings) {
    if settings.interval_secs == 0 {
        return;
    }
    let owner = format!("offers-{}", uuid::Uuid::now_v7());
    tokio::spawn(async move {
        tracing::info!(job = JOB_NAME, %owner, interval_secs = settings.interval_secs, "scheduled offer recomputation started");
        let interval_ms = millis(settings.interval_secs);
        let mut wake_at = period_start(clock.now_ms(), interval_ms).saturating_add(interval_ms);
        loop {
            sleep_until(&clock, wake_at).await;
            let period = period_start(clock.now_ms(), interval_ms);
            let next_period = period.saturating_add(interval_ms);
            wake_at = match run_period(&db, &clock, &settings, &owner, period).await {
                Ok(PeriodOutcome::Ran(counts)) => {
                    tracing::info!(
                        period_start = period,
                        ?counts,
                        "scheduled offer recomputation finished"
                    );
                    next_period
                }
                Ok(PeriodOutcome::Held { lease_expires_at }) => {
                    lease_expires_at.saturating_add(1).min(next_period)
                }
                Ok(PeriodOutcome::Finished | PeriodOutcome::Lost) => next_period,
                Err(error) => {
                    tracing::error!(period_start = period, %error, "scheduled offer recomputation failed");
                    clock
                        .now_ms()
                        .saturating_add(millis(settings.lease_secs))
                        .min(next_period)
                }
            };
        }
    });
}

/// Sleeps until `clock` reads `at_ms` (unix milliseconds), or not at all when it already does.
async fn sleep_until(clock: &Clock, at_ms: i64) {
    let wait_ms = at_ms.saturating_sub(clock.now_ms()).max(0);
    tokio::time::sleep(Duration::from_millis(wait_ms.unsigned_abs())).await;
}
