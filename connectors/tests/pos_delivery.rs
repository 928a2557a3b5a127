//! POS export delivery: the retry schedule, the job table, claims with leases and dead letters.

mod pos_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use walkout_connectors::clock::Clock;
use walkout_connectors::db::Database;
use walkout_connectors::pos::delivery::{Delivery, NextStep, RetryPolicy, next_step, retry_delay};
use walkout_connectors::pos::jobs::{self, Enqueued, JobState};
use walkout_connectors::pos::{ExportReceipt, PosError, PosSink, PosTransaction};

fn policy() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(60),
        max_attempts: 5,
    }
}

#[test]
fn delay_doubles_up_to_the_cap() {
    // (attempt, delay with zero jitter, delay with full jitter), in milliseconds.
    let cases = [
        (1, 500, 1_000),
        (2, 1_000, 2_000),
        (3, 2_000, 4_000),
        (6, 16_000, 32_000),
        (7, 30_000, 60_000),
        (40, 30_000, 60_000),
        (u32::MAX, 30_000, 60_000),
    ];
    for (attempt, low, high) in cases {
        let mut none = |_max: u64| 0;
        let mut full = |max: u64| max;
        assert_eq!(
            retry_delay(&policy(), attempt, &mut none),
            Duration::from_millis(low),
            "attempt {attempt}"
        );
        assert_eq!(
            retry_delay(&policy(), attempt, &mut full),
            Duration::from_millis(high),
            "attempt {attempt}"
        );
    }
}

#[test]
fn jitter_is_bounded_by_half_the_ceiling() {
    let mut asked = Vec::new();
    let mut record = |max: u64| {
        asked.push(max);
        max + 1_000_000
    };
    let delay = retry_delay(&policy(), 3, &mut record);
    assert_eq!(asked, [2_000]);
    assert_eq!(
        delay,
        Duration::from_millis(4_000),
        "jitter above its bound is clamped"
    );
}

#[test]
fn last_attempt_and_permanent_errors_dead_letter() {
    let mut none = |_max: u64| 0;
    assert_eq!(
        next_step(&policy(), 4, true, &mut none),
        NextStep::RetryAfter(Duration::from_millis(4_000))
    );
    assert_eq!(
        next_step(&policy(), 5, true, &mut none),
        NextStep::DeadLetter
    );
    assert_eq!(
        next_step(&policy(), 1, false, &mut none),
        NextStep::DeadLetter
    );
}

fn sqlite_url(folder: &tempfile::TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        folder.path().join("walkout.sqlite3").display()
    )
}

#[tokio::test]
async fn job_is_enqueued_once_per_sink_and_transaction() {
    let folder = tempfile::tempdir().unwrap();
    let database = Database::open(&sqlite_url(&folder)).await.unwrap();
    let pool = &database.pool;

    let first = jobs::enqueue(pool, "csv", "trip-1-v1", "{}", 1_000)
        .await
        .unwrap();
    let again = jobs::enqueue(pool, "csv", "trip-1-v1", "{}", 2_000)
        .await
        .unwrap();
    let other_sink = jobs::enqueue(pool, "poslog", "trip-1-v1", "{}", 2_000)
        .await
        .unwrap();

    let Enqueued::New(id) = first else {
        panic!("first enqueue was {first:?}")
    };
    assert_eq!(again, Enqueued::AlreadyQueued(id));
    assert!(matches!(other_sink, Enqueued::New(_)));
}

#[tokio::test]
async fn exactly_one_of_two_concurrent_claimers_wins() {
    let folder = tempfile::tempdir().unwrap();
    let url = sqlite_url(&folder);
    let worker_a = Database::open(&url).await.unwrap();
    let worker_b = Database::open(&url).await.unwrap();

    for round in 0..20 {
        let transaction_id = format!("trip-{round}-v1");
        let Enqueued::New(id) = jobs::enqueue(&worker_a.pool, "csv", &transaction_id, "{}", 0)
            .await
            .unwrap()
        else {
            panic!("job {round} existed already");
        };
        let (a, b) = tokio::join!(
            jobs::claim(&worker_a.pool, &id, 1_000, 30_000),
            jobs::claim(&worker_b.pool, &id, 1_000, 30_000),
        );
        let winners = [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|lease| lease.is_some())
            .count();
        assert_eq!(winners, 1, "round {round}");
    }
}

#[tokio::test]
async fn expired_lease_can_be_taken_over() {
    let folder = tempfile::tempdir().unwrap();
    let database = Database::open(&sqlite_url(&folder)).await.unwrap();
    let pool = &database.pool;
    let Enqueued::New(id) = jobs::enqueue(pool, "csv", "trip-1-v1", "{}", 0)
        .await
        .unwrap()
    else {
        panic!("job existed already");
    };

    let first = jobs::claim(pool, &id, 1_000, 30_000)
        .await
        .unwrap()
        .unwrap();
    assert!(
        jobs::claim(pool, &id, 30_999, 30_000)
            .await
            .unwrap()
            .is_none(),
        "lease still live"
    );
    let second = jobs::claim(pool, &id, 31_001, 30_000)
        .await
        .unwrap()
        .unwrap();

    let stale = jobs::finish_attempt(pool, &first, JobState::Done, 0, None, 31_002)
        .await
        .unwrap();
    assert!(!stale, "the first worker lost its lease");
    let current = jobs::finish_attempt(pool, &second, JobState::Done, 0, None, 31_003)
        .await
        .unwrap();
    assert!(current);
}

/// A sink that always fails with a retryable error and counts its calls.
struct DownSink {
    calls: AtomicU32,
}

#[async_trait]
impl PosSink for DownSink {
    fn name(&self) -> &str {
        "down"
    }

    async fn export(&self, _transaction: &PosTransaction) -> Result<ExportReceipt, PosError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(PosError::Retryable {
            sink: "down".to_owned(),
            message: "the POS is offline".to_owned(),
        })
    }
}

#[tokio::test]
async fn retryable_failures_dead_letter_after_max_attempts() {
    let folder = tempfile::tempdir().unwrap();
    let database = Database::open(&sqlite_url(&folder)).await.unwrap();
    let clock = Clock::test();
    let sink = Arc::new(DownSink {
        calls: AtomicU32::new(0),
    });
    let queue = Delivery::new(
        database.pool.clone(),
        vec![sink.clone()],
        policy(),
        clock.clone(),
        Duration::from_secs(30),
    );
    queue.enqueue(&pos_support::sale()).await.unwrap();
    let mut no_jitter = |_max: u64| 0;

    for _ in 0..4 {
        assert_eq!(queue.run_due(10, &mut no_jitter).await.unwrap().retried, 1);
        clock.advance_ms(60_000);
    }
    assert_eq!(queue.run_due(10, &mut no_jitter).await.unwrap().dead, 1);
    assert_eq!(
        queue.run_due(10, &mut no_jitter).await.unwrap().dead,
        0,
        "dead jobs are not run"
    );
    assert_eq!(sink.calls.load(Ordering::SeqCst), 5);

    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(dead[0].attempts, 5);
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("export to down failed, will retry: the POS is offline")
    );
    assert!(queue.replay(&dead[0].id).await.unwrap());
    let replayed = jobs::find(&database.pool, &dead[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((replayed.state, replayed.attempts), (JobState::Pending, 0));
    assert!(
        !queue.replay(&dead[0].id).await.unwrap(),
        "only dead jobs replay"
    );
}

#[tokio::test]
async fn csv_sink_runs_through_the_queue() {
    let folder = tempfile::tempdir().unwrap();
    let drop_folder = tempfile::tempdir().unwrap();
    let database = Database::open(&sqlite_url(&folder)).await.unwrap();
    let sink = Arc::new(walkout_connectors::pos::csv::CsvFolderSink::new(
        drop_folder.path(),
    ));
    let queue = Delivery::new(
        database.pool.clone(),
        vec![sink],
        policy(),
        Clock::test(),
        Duration::from_secs(30),
    );

    let outcomes = queue.enqueue(&pos_support::sale()).await.unwrap();
    let again = queue.enqueue(&pos_support::sale()).await.unwrap();
    let report = queue.run_due(10, &mut |_max: u64| 0).await.unwrap();

    assert!(matches!(outcomes[0].1, Enqueued::New(_)));
    assert!(matches!(again[0].1, Enqueued::AlreadyQueued(_)));
    assert_eq!(report.done, 1);
    assert_eq!(std::fs::read_dir(drop_folder.path()).unwrap().count(), 1);
}
