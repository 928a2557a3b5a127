//! Binding of an entry code to a store, and the group limit.
//!
//! Each code (credential id and time step) gets one `entry_codes` row at its first scan. Every
//! step here is one statement that is atomic on both engines, so concurrent scans of one code
//! at several gates cannot exceed the limit. The first scan is the INSERT that succeeds. A
//! companion is counted by an UPDATE whose WHERE clause checks the store, the state, the count
//! and the window in the same statement: PostgreSQL re-checks it on the locked row, and SQLite
//! runs one writer at a time.
//!
//! The first scan's row stays `pending` while the shopper checks and the payment hold run
//! outside any transaction; companions that arrive meanwhile wait for its outcome. A denied
//! first scan (or one left `pending` by a crash for longer than the stale limit) can be taken
//! over by the next scan of the same code, which then starts a new group.

use std::time::Duration;

use crate::db::Database;

/// How often a waiting companion reads the first scan's state.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// One entry code: hex credential id and time step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeKey {
    pub credential_id: String,
    pub step: i64,
}

/// Result of counting a scan against its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// The first scan of a group: it opens `trip_id` if the checks and the hold pass.
    Leader {
        trip_id: String,
    },
    /// A further scan of the group, number `ordinal` (2 and up).
    Companion {
        trip_id: String,
        ordinal: i64,
    },
    StoreMismatch,
    LimitReached,
}

/// Limits of a group, from `[gate]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupLimits {
    pub max_scans: i64,
    pub window_ms: i64,
    /// Age after which a `pending` first scan counts as abandoned.
    pub stale_ms: i64,
}

/// Counts a scan of `code` at `store_id`.
pub(crate) async fn claim(
    db: &Database,
    code: &CodeKey,
    store_id: &str,
    now_ms: i64,
    limits: GroupLimits,
) -> Result<Claim, sqlx::Error> {
    let trip_id = uuid::Uuid::now_v7().to_string();
    let inserted = sqlx::query(
        "INSERT INTO entry_codes (credential_id, step, store_id, trip_id, first_scan_at, scans, state) \
         VALUES ($1, $2, $3, $4, $5, 1, 'pending') ON CONFLICT (credential_id, step) DO NOTHING",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(store_id)
    .bind(&trip_id)
    .bind(now_ms)
    .execute(&db.pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::Leader { trip_id });
    }

    let taken_over = sqlx::query(
        "UPDATE entry_codes SET store_id = $1, trip_id = $2, first_scan_at = $3, scans = 1, \
         state = 'pending', denial_reason = NULL \
         WHERE credential_id = $4 AND step = $5 \
         AND (state = 'denied' OR (state = 'pending' AND first_scan_at < $6))",
    )
    .bind(store_id)
    .bind(&trip_id)
    .bind(now_ms)
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(now_ms.saturating_sub(limits.stale_ms))
    .execute(&db.pool)
    .await?
    .rows_affected();
    if taken_over == 1 {
        return Ok(Claim::Leader { trip_id });
    }

    let joined: Option<(String, i64)> = sqlx::query_as(
        "UPDATE entry_codes SET scans = scans + 1 \
         WHERE credential_id = $1 AND step = $2 AND store_id = $3 AND state <> 'denied' \
         AND scans < $4 AND first_scan_at >= $5 RETURNING trip_id, scans",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(store_id)
    .bind(limits.max_scans)
    .bind(now_ms.saturating_sub(limits.window_ms))
    .fetch_optional(&db.pool)
    .await?;
    if let Some((trip_id, ordinal)) = joined {
        return Ok(Claim::Companion { trip_id, ordinal });
    }

    let bound_store: Option<String> = sqlx::query_scalar(
        "SELECT store_id FROM entry_codes WHERE credential_id = $1 AND step = $2",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match bound_store {
        Some(bound) if bound != store_id => Claim::StoreMismatch,
        _ => Claim::LimitReached,
    })
}

/// Outcome of the first scan of a group, as read by a waiting companion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeaderOutcome {
    Admitted,
    /// Denied with this problem slug.
    Denied(String),
    /// Still undecided after the wait.
    TimedOut,
}

/// Waits up to `wait` for the first scan of the group of `trip_id` to be decided.
pub(crate) async fn wait_for_leader(
    db: &Database,
    code: &CodeKey,
    trip_id: &str,
    wait: Duration,
) -> Result<LeaderOutcome, sqlx::Error> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let row: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT trip_id, state, denial_reason FROM entry_codes WHERE credential_id = $1 AND step = $2",
        )
        .bind(&code.credential_id)
        .bind(code.step)
        .fetch_optional(&db.pool)
        .await?;
        match row {
            Some((current, state, _)) if current == trip_id && state == "admitted" => {
                return Ok(LeaderOutcome::Admitted);
            }
            Some((current, state, reason)) if current == trip_id && state == "denied" => {
                return Ok(LeaderOutcome::Denied(reason.unwrap_or_default()));
            }
            Some((current, _, _)) if current == trip_id => {}
            // Another scan took the code over, so this group's first scan was denied.
            _ => return Ok(LeaderOutcome::Denied(leader_denial(db, trip_id).await?)),
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(LeaderOutcome::TimedOut);
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Reads the slug of the stored denial of the first scan of `trip_id`.
async fn leader_denial(db: &Database, trip_id: &str) -> Result<String, sqlx::Error> {
    let reason: Option<Option<String>> = sqlx::query_scalar(
        "SELECT reason FROM gate_decisions WHERE trip_id = $1 AND status = 403 LIMIT 1",
    )
    .bind(trip_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(reason.flatten().unwrap_or_default())
}

/// Marks the first scan of `trip_id` as admitted, inside `tx`.
pub(crate) async fn mark_admitted(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    code: &CodeKey,
    trip_id: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE entry_codes SET state = 'admitted' WHERE credential_id = $1 AND step = $2 AND trip_id = $3",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(trip_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks the first scan of `trip_id` as denied with `reason`, inside `tx`.
pub(crate) async fn mark_denied(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    code: &CodeKey,
    trip_id: &str,
    reason: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE entry_codes SET state = 'denied', denial_reason = $1 \
         WHERE credential_id = $2 AND step = $3 AND trip_id = $4",
    )
    .bind(reason)
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(trip_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
