//! At-least-once delivery of POS exports: backoff, dead letters and replay.
//!
//! Every (sink, transaction) pair becomes a row in `pos_export_jobs` (see [`super::jobs`]).
//! [`Delivery::run_due`] claims the due jobs, exports each through its sink, and records the
//! outcome: done, retried after [`retry_delay`], or dead-lettered after a permanent failure or
//! [`RetryPolicy::max_attempts`] attempts. Dead letters wait for [`Delivery::replay`]. A worker
//! may stop between a successful export and recording it, so a transaction can reach a sink
//! twice. Sinks are idempotent on the transaction id for that reason.
//!
//! The schedule is a pure function of the attempt number and an injected [`Jitter`], so tests
//! fix the random part.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use sqlx::AnyPool;

use super::jobs::{self, Enqueued, JobState};
use super::{PosSink, PosTransaction};
use crate::clock::Clock;

/// Retry settings of failed exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay ceiling after the first failed attempt; it doubles with each further one.
    pub base_delay: Duration,
    /// Largest delay ceiling.
    pub max_delay: Duration,
    /// Attempts after which a job is dead-lettered.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, doubling up to 1 h, dead after 12 attempts: about 5 hours of retries in all.
    fn default() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(3600),
            max_attempts: 12,
        }
    }
}

/// A source of random jitter.
pub trait Jitter: Send {
    /// Returns a value in `0..=max`.
    fn up_to(&mut self, max: u64) -> u64;
}

/// Jitter from the thread-local random generator.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn up_to(&mut self, max: u64) -> u64 {
        rand::rng().random_range(0..=max)
    }
}

impl<F: FnMut(u64) -> u64 + Send> Jitter for F {
    fn up_to(&mut self, max: u64) -> u64 {
        self(max).min(max)
    }
}

/// The delay before retrying after failed attempt number `attempt` (1 for the first).
///
/// The ceiling is `base_delay × 2^(attempt − 1)`, capped at `max_delay`. The delay is half the
/// ceiling plus a jitter of up to the other half ("equal jitter"), so retries of many jobs
/// spread out but none comes back sooner than half the ceiling. Computed in whole milliseconds.
pub fn retry_delay(policy: &RetryPolicy, attempt: u32, jitter: &mut dyn Jitter) -> Duration {
    let base = u64::try_from(policy.base_delay.as_millis()).unwrap_or(u64::MAX);
    let max = u64::try_from(policy.max_delay.as_millis()).unwrap_or(u64::MAX);
    let doublings = attempt.saturating_sub(1).min(63);
    let ceiling = base.saturating_mul(1u64 << doublings).min(max);
    let half = ceiling / 2;
    Duration::from_millis(half + jitter.up_to(ceiling - half))
}

/// The step that follows a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    RetryAfter(Duration),
    DeadLetter,
}

/// Decides the step after failed attempt number `attempt` (1 for the first).
pub fn next_step(
    policy: &RetryPolicy,
    attempt: u32,
    retryable: bool,
    jitter: &mut dyn Jitter,
) -> NextStep {
    if !retryable || attempt >= policy.max_attempts {
        NextStep::DeadLetter
    } else {
        NextStep::RetryAfter(retry_delay(policy, attempt, jitter))
    }
}

/// Counts of what one [`Delivery::run_due`] pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub done: u32,
    pub retried: u32,
    pub dead: u32,
    /// Jobs another worker claimed first.
    pub skipped: u32,
}

/// The export queue of one service instance.
pub struct Delivery {
    pool: AnyPool,
    sinks: HashMap<String, Arc<dyn PosSink>>,
    policy: RetryPolicy,
    clock: Clock,
    lease: Duration,
}

impl Delivery {
    /// `lease` must exceed the longest export (the webhook timeout, for instance), or a second
    /// worker may claim a job that is still being exported.
    pub fn new(
        pool: AnyPool,
        sinks: Vec<Arc<dyn PosSink>>,
        policy: RetryPolicy,
        clock: Clock,
        lease: Duration,
    ) -> Delivery {
        let sinks = sinks
            .into_iter()
            .map(|sink| (sink.name().to_owned(), sink))
            .collect();
        Delivery {
            pool,
            sinks,
            policy,
            clock,
            lease,
        }
    }

    /// Queues `transaction` once for every configured sink; a pair queued before is left as
    /// it is. Returns one outcome per sink, in name order.
    pub async fn enqueue(
        &self,
        transaction: &PosTransaction,
    ) -> Result<Vec<(String, Enqueued)>, DeliveryError> {
        let payload = serde_json::to_string(transaction).map_err(DeliveryError::Encode)?;
        let now = self.clock.now_ms();
        let mut names: Vec<&String> = self.sinks.keys().collect();
        names.sort();
        let mut outcomes = Vec::with_capacity(names.len());
        for name in names {
            let outcome =
                jobs::enqueue(&self.pool, name, &transaction.transaction_id, &payload, now).await?;
            outcomes.push((name.clone(), outcome));
        }
        Ok(outcomes)
    }

    /// Runs up to `limit` due jobs once each.
    pub async fn run_due(
        &self,
        limit: i64,
        jitter: &mut dyn Jitter,
    ) -> Result<RunReport, DeliveryError> {
        let mut report = RunReport::default();
        let due = jobs::due(&self.pool, self.clock.now_ms(), limit).await?;
        for job in due {
            let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
            let Some(lease) =
                jobs::claim(&self.pool, &job.id, self.clock.now_ms(), lease_ms).await?
            else {
                report.skipped += 1;
                continue;
            };
            // Another worker may have run the job between the listing and the claim.
            let Some(job) = jobs::find(&self.pool, &job.id).await? else {
                continue;
            };
            let outcome = self.attempt(&job).await;
            let now = self.clock.now_ms();
            let attempt = u32::try_from(job.attempts.saturating_add(1)).unwrap_or(u32::MAX);
            let (state, next_at, error) = match outcome {
                Ok(()) => (JobState::Done, now, None),
                Err((retryable, message)) => {
                    match next_step(&self.policy, attempt, retryable, jitter) {
                        NextStep::RetryAfter(delay) => {
                            let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                            (
                                JobState::Pending,
                                now.saturating_add(delay_ms),
                                Some(message),
                            )
                        }
                        NextStep::DeadLetter => (JobState::Dead, now, Some(message)),
                    }
                }
            };
            log_outcome(&job, state, attempt, error.as_deref());
            match state {
                JobState::Done => report.done += 1,
                JobState::Pending => report.retried += 1,
                JobState::Dead => report.dead += 1,
            }
            if !jobs::finish_attempt(&self.pool, &lease, state, next_at, error.as_deref(), now)
                .await?
            {
                tracing::warn!(job_id = %job.id, "pos export lease was lost before the outcome was recorded");
            }
        }
        Ok(report)
    }

    /// Runs one export attempt. The error carries whether a retry may help, and the message.
    async fn attempt(&self, job: &jobs::ExportJob) -> Result<(), (bool, String)> {
        let Some(sink) = self.sinks.get(&job.sink) else {
            return Err((
                true,
                format!("no POS sink named {:?} is configured", job.sink),
            ));
        };
        let transaction: PosTransaction = serde_json::from_str(&job.payload).map_err(|error| {
            (
                false,
                format!("the stored transaction is not valid: {error}"),
            )
        })?;
        match sink.export(&transaction).await {
            Ok(_) => Ok(()),
            Err(error) => Err((error.is_retryable(), error.to_string())),
        }
    }

    /// Dead-lettered jobs, oldest first.
    pub async fn dead_letters(&self, limit: i64) -> Result<Vec<jobs::ExportJob>, DeliveryError> {
        Ok(jobs::dead_letters(&self.pool, limit).await?)
    }

    /// Queues a dead-lettered job again, due now; false when the job is not dead.
    pub async fn replay(&self, job_id: &str) -> Result<bool, DeliveryError> {
        let replayed = jobs::replay(&self.pool, job_id, self.clock.now_ms()).await?;
        if replayed {
            tracing::info!(job_id, "pos export dead letter replayed");
        }
        Ok(replayed)
    }
}

fn log_outcome(job: &jobs::ExportJob, state: JobState, attempt: u32, error: Option<&str>) {
    let (job_id, sink, transaction_id) = (&job.id, &job.sink, &job.transaction_id);
    match (state, error) {
        (JobState::Done, _) => {
            tracing::info!(job_id, sink, transaction_id, attempt, "pos export done");
        }
        (JobState::Pending, error) => {
            tracing::warn!(
                job_id,
                sink,
                transaction_id,
                attempt,
                error,
                "pos export failed, will retry"
            );
        }
        (JobState::Dead, error) => {
            tracing::error!(
                job_id,
                sink,
                transaction_id,
                attempt,
                error,
                "pos export dead-lettered"
            );
        }
    }
}

/// Failures of the delivery queue itself.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("the POS export queue failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("encoding the POS transaction failed: {0}")]
    Encode(serde_json::Error),
}
