//! The scheduled association-rule job across instances: one instance mines each period, a claim
//! whose instance stopped is taken over, and the targets and `offers-new` events equal those of
//! a single-instance run. The claim tests run on SQLite, or on PostgreSQL when
//! `WALKOUT_TEST_POSTGRES_URL` is set. The tests with several instances need PostgreSQL, so they
//! are skipped without it, except under `CI=true`, where a missing server is a failure.

mod auth_support;
mod common;
mod offers_support;
mod ordering_support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::offers::consent;
use walkout_connectors::offers::run_claim::{self, ClaimOutcome, MAX_ATTEMPTS, period_start};
use walkout_connectors::offers::schedule::{JOB_NAME, PeriodOutcome, run_period};
use walkout_connectors::server::{self, AppState};

use common::database::{TestDatabase, postgres_available};
use common::launch::Launch;
use offers_support::insert_purchases;
use ordering_support::import_demo_catalog;

/// WHITE HANGING HEART T-LIGHT HOLDER and WHITE METAL LANTERN, bought together below, and a
/// filler item bought alone.
const X: &str = "85123A";
const Y: &str = "71053";
const FILLER: &str = "84406B";
/// Shoppers who opted in, and the SKUs each bought.
const SHOPPERS: &[(&str, &[&str])] = &[
    ("sub-buys-x", &[X]),
    ("sub-buys-y", &[Y]),
    ("sub-buys-x-and-filler", &[X, FILLER]),
];
/// A shopper who bought X but never opted in, so gets no target.
const SUB_NO_CONSENT: &str = "sub-no-consent";

/// Targets as (shopper's sub, offer id, reason, score).
type TargetRow = (String, String, String, i64);
/// `offers-new` events as (shopper's sub, payload).
type EventRow = (String, String);

fn basket(skus: &[&str]) -> BTreeSet<String> {
    skus.iter().map(|sku| (*sku).to_owned()).collect()
}

/// Writes the catalog, a purchase history in which X and Y are bought together, and the shoppers
/// of [`SHOPPERS`] with their consent. Of the 30 baskets, 9 hold X, 7 hold Y and 6 hold both, so
/// X → Y and Y → X both have a lift of about 2.86, above the default minimum of 2.
async fn seed(state: &AppState) {
    import_demo_catalog(state).await;
    let db = &state.db;
    let now = state.clock.now_ms();
    let pairs: Vec<_> = (0..6).map(|_| basket(&[X, Y])).collect();
    let fillers: Vec<_> = (0..20).map(|_| basket(&[FILLER])).collect();
    insert_purchases(db, None, &pairs, now).await;
    insert_purchases(db, None, &fillers, now).await;
    for (sub, skus) in SHOPPERS {
        let shopper = walkout_connectors::shoppers::get_or_create(db, sub, now)
            .await
            .expect("shopper");
        consent::set(db, &shopper.id, true, now)
            .await
            .expect("consent");
        insert_purchases(db, Some(&shopper.id), &[basket(skus)], now).await;
    }
    let silent = walkout_connectors::shoppers::get_or_create(db, SUB_NO_CONSENT, now)
        .await
        .expect("shopper");
    insert_purchases(db, Some(&silent.id), &[basket(&[X])], now).await;
}

async fn targets(state: &AppState) -> Vec<TargetRow> {
    sqlx::query_as(
        "SELECT s.cognito_sub, t.offer_id, t.reason, t.score FROM offer_targets t \
         JOIN shoppers s ON s.id = t.shopper_id ORDER BY s.cognito_sub, t.offer_id",
    )
    .fetch_all(&state.db.pool)
    .await
    .expect("targets")
}

async fn offers_new_events(state: &AppState) -> Vec<EventRow> {
    sqlx::query_as(
        "SELECT s.cognito_sub, e.payload FROM events e JOIN shoppers s ON s.id = e.shopper_id \
         WHERE e.kind = 'offers-new' ORDER BY s.cognito_sub, e.id",
    )
    .fetch_all(&state.db.pool)
    .await
    .expect("events")
}

/// Returns (shopper's sub, offer id) once for every offer id named by an `offers-new` event.
fn announced(events: &[EventRow]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (sub, payload) in events {
        let payload: Value = serde_json::from_str(payload).expect("event payload");
        for offer_id in payload["offer_ids"].as_array().expect("offer_ids") {
            pairs.push((sub.clone(), offer_id.as_str().unwrap_or("").to_owned()));
        }
    }
    pairs.sort();
    pairs
}

/// Claim rows of the job as (period start, state, owner, attempts, result).
async fn claim_rows(state: &AppState) -> Vec<(i64, String, String, i64, Option<String>)> {
    sqlx::query_as(
        "SELECT period_start, state, owner, attempts, result FROM scheduled_runs \
         WHERE job_name = $1 ORDER BY period_start",
    )
    .bind(JOB_NAME)
    .fetch_all(&state.db.pool)
    .await
    .expect("scheduled_runs")
}

/// Checks that targets exist, that the shopper without consent has none, and that each target
/// was announced by exactly one `offers-new` event.
async fn assert_targets_announced_once(state: &AppState) {
    let targets = targets(state).await;
    assert!(!targets.is_empty(), "the history yields targets");
    assert!(
        targets.iter().all(|(sub, ..)| sub != SUB_NO_CONSENT),
        "a shopper without consent has no target: {targets:?}"
    );
    let mut targeted: Vec<(String, String)> = targets
        .iter()
        .map(|(sub, offer_id, ..)| (sub.clone(), offer_id.clone()))
        .collect();
    targeted.sort();
    let events = offers_new_events(state).await;
    assert_eq!(
        announced(&events),
        targeted,
        "one announcement per target: {events:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_three_instances_mines_a_period() {
    let launch = Launch::prepare(|config| config.clock = ClockMode::Test).await;
    let state = &launch.state;
    seed(state).await;
    let settings = state.config.offers;
    let period = period_start(state.clock.now_ms(), 60_000);

    let owners = ["instance-a", "instance-b", "instance-c"];
    let runs = owners.map(|owner| run_period(&state.db, &state.clock, &settings, owner, period));
    let [a, b, c] = runs;
    let (a, b, c) = tokio::join!(a, b, c);
    let outcomes = [a, b, c].map(|outcome| outcome.expect("run_period"));
    let ran: Vec<&PeriodOutcome> = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, PeriodOutcome::Ran(_)))
        .collect();
    assert_eq!(ran.len(), 1, "{outcomes:?}");

    let rows = claim_rows(state).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (row_period, row_state, _, attempts, result) = &rows[0];
    assert_eq!(*row_period, period);
    assert_eq!(row_state, "done");
    assert_eq!(*attempts, 1);
    let result: Value = serde_json::from_str(result.as_deref().unwrap_or("")).expect("result");
    let target_count = i64::try_from(targets(state).await.len()).unwrap_or(-1);
    assert_eq!(result["new_targets"].as_i64(), Some(target_count));
    assert_targets_announced_once(state).await;

    // Once done, the period is never mined again.
    let again = run_period(&state.db, &state.clock, &settings, "instance-b", period)
        .await
        .expect("run_period");
    assert_eq!(again, PeriodOutcome::Finished);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_claim_is_taken_over() {
    let launch = Launch::prepare(|config| config.clock = ClockMode::Test).await;
    let state = &launch.state;
    seed(state).await;
    let settings = state.config.offers;
    let lease_ms = i64::try_from(settings.lease_secs * 1_000).unwrap_or(i64::MAX);
    let now = state.clock.now_ms();
    let period = period_start(now, 60_000);

    // An instance claims the period and stops before it finishes.
    let ClaimOutcome::Won(stale) = run_claim::claim(
        &state.db.pool,
        JOB_NAME,
        period,
        "instance-gone",
        now,
        lease_ms,
    )
    .await
    .expect("claim") else {
        panic!("the first claim of a period wins");
    };

    let while_held = run_period(&state.db, &state.clock, &settings, "instance-b", period)
        .await
        .expect("run_period");
    assert_eq!(
        while_held,
        PeriodOutcome::Held {
            lease_expires_at: now + lease_ms
        }
    );
    assert!(targets(state).await.is_empty(), "nothing ran while held");

    assert!(state.clock.advance_ms(lease_ms + 1));
    let takeover = run_period(&state.db, &state.clock, &settings, "instance-b", period)
        .await
        .expect("run_period");
    assert!(matches!(takeover, PeriodOutcome::Ran(_)), "{takeover:?}");

    let rows = claim_rows(state).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    let (_, row_state, owner, attempts, _) = &rows[0];
    assert_eq!(row_state, "done");
    assert_eq!(owner, "instance-b");
    assert_eq!(*attempts, 2);
    assert_targets_announced_once(state).await;

    // The instance that lost its claim cannot record a result over the new owner's.
    let late = run_claim::finish(&state.db.pool, &stale, "{}", state.clock.now_ms())
        .await
        .expect("finish");
    assert!(!late, "a lost claim records nothing");
}

#[tokio::test]
async fn failed_period_is_retried_until_limit() {
    let launch = Launch::prepare(|config| config.clock = ClockMode::Test).await;
    let pool = &launch.state.db.pool;
    let period = 1_800_000;
    let mut now = 2_000_000;

    for attempt in 1..=MAX_ATTEMPTS {
        let owner = format!("instance-{attempt}");
        let outcome = run_claim::claim(pool, "test-job", period, &owner, now, 1_000)
            .await
            .expect("claim");
        let ClaimOutcome::Won(claim) = outcome else {
            panic!("attempt {attempt} is claimed: {outcome:?}");
        };
        assert_eq!(claim.attempts, attempt);
        let recorded = run_claim::fail(pool, &claim, "store lookup failed", now + 500, now)
            .await
            .expect("fail");
        assert!(recorded, "attempt {attempt} records its failure");

        // Before the retry delay passes, the failed period is held.
        let early = run_claim::claim(pool, "test-job", period, "instance-early", now + 100, 1_000)
            .await
            .expect("claim");
        assert!(
            matches!(early, ClaimOutcome::Held { .. } | ClaimOutcome::Finished),
            "a claim during the retry delay: {early:?}"
        );
        now += 501;
    }

    let after_limit = run_claim::claim(pool, "test-job", period, "instance-last", now, 1_000)
        .await
        .expect("claim");
    assert_eq!(after_limit, ClaimOutcome::Finished);
}

/// Instances that share one PostgreSQL database; each runs the background workers with the
/// `[offers]` settings that `configure` sets.
struct Instances {
    states: Vec<AppState>,
    _data_dir: tempfile::TempDir,
    /// Declared last, so the database is dropped after the states.
    _database: TestDatabase,
}

impl Instances {
    /// Opens `count` instance states without starting their workers.
    async fn open(count: usize, configure: impl Fn(&mut Config)) -> Option<Instances> {
        if !postgres_available("multi_instance_offers") {
            return None;
        }
        let database = TestDatabase::from_environment().await?;
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        let mut states = Vec::new();
        for _ in 0..count {
            let mut config = Config {
                data_dir: data_dir.path().to_path_buf(),
                database_url: Some(database.url.clone()),
                clock: ClockMode::System,
                ..Config::default()
            };
            configure(&mut config);
            let (credentials, db) = walkout_connectors::cli::open_data(&config)
                .await
                .unwrap_or_else(|error| panic!("the service data does not open: {error:#}"));
            let state = AppState::new(config, db, credentials)
                .await
                .unwrap_or_else(|error| panic!("the service state does not build: {error:#}"));
            states.push(state);
        }
        Some(Instances {
            states,
            _data_dir: data_dir,
            _database: database,
        })
    }

    fn start_workers(&self) {
        for state in &self.states {
            server::spawn_background_workers(state);
        }
    }

    fn first(&self) -> &AppState {
        &self.states[0]
    }

    /// Waits up to 30 s until `count` periods are done.
    async fn wait_for_done_periods(&self, count: usize) {
        for _ in 0..300 {
            let rows = claim_rows(self.first()).await;
            if rows.iter().filter(|row| row.1 == "done").count() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{count} scheduled periods were not done within 30 s");
    }

    /// Waits up to 30 s until the period that starts at `period` is done.
    async fn wait_for_period(&self, period: i64) {
        for _ in 0..300 {
            let rows = claim_rows(self.first()).await;
            if rows.iter().any(|row| row.0 == period && row.1 == "done") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the period that starts at {period} was not done within 30 s");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scheduled_recompute_runs_once_per_period() {
    let Some(chain) = Instances::open(3, |config| {
        config.offers.interval_secs = 2;
        config.offers.lease_secs = 5;
    })
    .await
    else {
        return;
    };
    seed(chain.first()).await;
    chain.start_workers();
    chain.wait_for_done_periods(3).await;

    let rows = claim_rows(chain.first()).await;
    let mut new_targets = 0;
    for (period, state, owner, attempts, result) in &rows {
        assert_eq!(period % 2_000, 0, "period {period} starts on the interval");
        if state == "running" {
            continue;
        }
        assert_eq!(state, "done", "state of period {period}");
        assert_eq!(*attempts, 1, "claims of period {period} (owner {owner})");
        let result: Value = serde_json::from_str(result.as_deref().unwrap_or("")).expect("result");
        new_targets += result["new_targets"].as_i64().expect("new_targets");
    }
    let targets = targets(chain.first()).await;
    assert_eq!(
        new_targets,
        i64::try_from(targets.len()).unwrap_or(-1),
        "runs: {rows:?}"
    );
    assert_targets_announced_once(chain.first()).await;

    // The same history mined by one instance gives the same targets and announcements.
    let single = Launch::prepare(|config| config.clock = ClockMode::Test).await;
    seed(&single.state).await;
    let settings = single.state.config.offers;
    let outcome = run_period(
        &single.state.db,
        &single.state.clock,
        &settings,
        "single",
        0,
    )
    .await
    .expect("run_period");
    assert!(matches!(outcome, PeriodOutcome::Ran(_)), "{outcome:?}");
    assert_eq!(targets, self::targets(&single.state).await);
    assert_eq!(
        offers_new_events(chain.first()).await,
        offers_new_events(&single.state).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_claim_passes_to_live_instance() {
    let interval_ms = 4_000;
    let Some(chain) = Instances::open(3, |config| {
        config.offers.interval_secs = 4;
        config.offers.lease_secs = 5;
    })
    .await
    else {
        return;
    };
    seed(chain.first()).await;

    // An instance that died claimed the next period, with a lease that ends 1.5 s into it.
    let next = period_start(chain.first().clock.now_ms() + 1_000, interval_ms) + interval_ms;
    let pool = &chain.first().db.pool;
    let stale = run_claim::claim(pool, JOB_NAME, next, "instance-killed", next, 1_500)
        .await
        .expect("claim");
    assert!(matches!(stale, ClaimOutcome::Won(_)), "{stale:?}");
    chain.start_workers();
    chain.wait_for_period(next).await;

    let rows = claim_rows(chain.first()).await;
    let (_, state, owner, attempts, _) = rows
        .iter()
        .find(|row| row.0 == next)
        .expect("the claim row of the stale period");
    assert_eq!(state, "done");
    assert_ne!(owner, "instance-killed");
    assert_eq!(*attempts, 2, "one takeover");
    let finished_at: i64 = sqlx::query_scalar(
        "SELECT finished_at FROM scheduled_runs WHERE job_name = $1 AND period_start = $2",
    )
    .bind(JOB_NAME)
    .bind(next)
    .fetch_one(pool)
    .await
    .expect("finished_at");
    assert!(
        finished_at >= next + 1_500,
        "the takeover waited for the lease"
    );
    assert_targets_announced_once(chain.first()).await;
}
