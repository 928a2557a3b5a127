//! The background worker that runs ordering jobs: claim due jobs with a lease, run their
//! steps, retry failures with backoff, and alert the retailer about dead letters.
//!
//! Several workers (one per connector instance) may run against one database: the lease makes
//! each job run in one place at a time, and a worker that dies mid-job leaves a lease that
//! expires, after which another worker resumes the job at its last recorded step.

use std::time::Duration;

use serde_json::json;

use super::config::PausePoint;
use super::job::{self, Job, RetryPolicy};
use crate::outbox;
use crate::server::AppState;

/// Jobs claimed per poll.
const CLAIM_BATCH: i64 = 8;

/// Starts the worker on the current tokio runtime. It runs until the runtime stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(state))
}

async fn run(state: AppState) {
    let owner = format!("worker-{}", uuid::Uuid::now_v7());
    let config = &state.config.ordering;
    let poll = Duration::from_millis(config.worker_poll_ms);
    let lease_ms = i64::try_from(config.lease_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    tracing::info!(worker = %owner, "ordering worker started");
    let delivery = match super::pos_delivery::delivery(&state) {
        Ok(delivery) => Some(delivery),
        Err(error) => {
            tracing::error!(%error, "POS sinks are misconfigured; POS exports stay queued");
            None
        }
    };
    loop {
        if let Some(delivery) = &delivery {
            deliver_pos_exports(delivery).await;
        }
        let now_ms = state.clock.now_ms();
        let jobs =
            match job::claim_due(&state.db.writer, &owner, now_ms, lease_ms, CLAIM_BATCH).await {
                Ok(jobs) => jobs,
                Err(error) => {
                    tracing::error!(worker = %owner, %error, "claiming ordering jobs failed");
                    tokio::time::sleep(poll).await;
                    continue;
                }
            };
        if jobs.is_empty() {
            tokio::time::sleep(poll).await;
            continue;
        }
        for claimed in jobs {
            run_one(&state, &owner, claimed).await;
        }
    }
}

/// Runs the due POS exports once.
async fn deliver_pos_exports(delivery: &crate::pos::delivery::Delivery) {
    let mut jitter = crate::pos::delivery::RandomJitter;
    if let Err(error) = delivery.run_due(CLAIM_BATCH, &mut jitter).await {
        tracing::error!(%error, "running POS exports failed");
    }
}

/// Runs one claimed job to its end or to its first failure.
async fn run_one(state: &AppState, owner: &str, job: Job) {
    let result = match job.kind.as_str() {
        "purchase" => super::purchase_job::run(state, owner, &job).await,
        "refund" => super::refund_job::run(state, owner, &job).await,
        other => Err(format!("unknown job kind {other:?}")),
    };
    let Err(error) = result else {
        return;
    };

    let config = &state.config.ordering;
    let retry = RetryPolicy {
        max_attempts: config.max_attempts,
        base_ms: config.retry_base_ms,
        max_ms: config.retry_max_ms,
    };
    let now_ms = state.clock.now_ms();
    match job::record_failure(&state.db.writer, &job, owner, &error, &retry, now_ms).await {
        Ok(false) => tracing::warn!(
            job_id = %job.job_id,
            purchase_id = %job.purchase_id,
            step = %job.step,
            attempt = job.attempts + 1,
            %error,
            "ordering job failed; it will be retried"
        ),
        Ok(true) => {
            tracing::error!(
                job_id = %job.job_id,
                purchase_id = %job.purchase_id,
                step = %job.step,
                %error,
                "ordering job failed for the last time; moved to the dead letters"
            );
            let details =
                json!({ "job_id": job.job_id, "kind": job.kind, "step": job.step, "error": error });
            alert(state, &job.purchase_id, "job-dead-lettered", &details).await;
        }
        Err(db_error) => tracing::error!(
            job_id = %job.job_id,
            %db_error,
            "recording the failure of an ordering job failed; the lease will expire"
        ),
    }
}

/// Publishes a retailer alert about a purchase in its own transaction, logging a failure.
pub async fn alert(state: &AppState, purchase_id: &str, reason: &str, details: &serde_json::Value) {
    let payload = json!({ "reason": reason, "purchase_id": purchase_id, "details": details });
    let now_ms = state.clock.now_ms();
    let result = async {
        let mut tx = state.db.writer.begin().await?;
        outbox::publish(&mut tx, None, super::RETAILER_ALERT, &payload, now_ms).await?;
        tx.commit().await
    }
    .await;
    if let Err(error) = result {
        tracing::error!(%purchase_id, reason, %error, "publishing a retailer alert failed");
    }
}

/// Stops the worker for good at `point` when `ordering.test_pause_after` names it and the
/// service runs the test clock, so a crash test can kill the process there.
pub async fn pause_if_configured(state: &AppState, point: PausePoint, purchase_id: &str) {
    if state.config.ordering.test_pause_after == Some(point) && state.clock.is_test() {
        tracing::warn!(%purchase_id, ?point, "ordering worker paused by ordering.test_pause_after");
        std::future::pending::<()>().await;
    }
}
