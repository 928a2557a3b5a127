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
    /// A further scan of the group, number `ordinal` (2 and up). `admitted` is true when the
    /// group's first scan was already admitted at the time of the count.
    Companion {
        trip_id: String,
        ordinal: i64,
        admitted: bool,
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

/// Counts a scan of `code` at `store_id`, each statement committed on its own.
pub(crate) async fn claim(
    db: &Database,
    code: &CodeKey,
    store_id: &str,
    now_ms: i64,
    limits: GroupLimits,
) -> Result<Claim, sqlx::Error> {
    let mut connection = db.writer.acquire().await?;
    claim_on(&mut connection, code, store_id, now_ms, limits).await
}

/// Counts a scan of `code` at `store_id` on `connection`, which may be inside a transaction.
///
/// A companion of a live group, the most frequent case, is counted by the first statement,
/// which leaves a group that the scan may take over to the statements after it.
pub(crate) async fn claim_on(
    connection: &mut sqlx::AnyConnection,
    code: &CodeKey,
    store_id: &str,
    now_ms: i64,
    limits: GroupLimits,
) -> Result<Claim, sqlx::Error> {
    let stale_before = now_ms.saturating_sub(limits.stale_ms);
    if let Some(companion) = join(connection, code, store_id, now_ms, limits, stale_before).await? {
        return Ok(companion);
    }

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
    .execute(&mut *connection)
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
    .bind(stale_before)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if taken_over == 1 {
        return Ok(Claim::Leader { trip_id });
    }

    // On PostgreSQL another instance may have opened the group since the first join.
    if let Some(companion) = join(connection, code, store_id, now_ms, limits, i64::MIN).await? {
        return Ok(companion);
    }
    let bound_store: Option<String> = sqlx::query_scalar(
        "SELECT store_id FROM entry_codes WHERE credential_id = $1 AND step = $2",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(match bound_store {
        Some(bound) if bound != store_id => Claim::StoreMismatch,
        _ => Claim::LimitReached,
    })
}

/// Counts a companion of a live group at `store_id`: not denied, under the scan limit, inside
/// the group window, and not a `pending` first scan older than `stale_before` (the takeover
/// statement handles that one).
async fn join(
    connection: &mut sqlx::AnyConnection,
    code: &CodeKey,
    store_id: &str,
    now_ms: i64,
    limits: GroupLimits,
    stale_before: i64,
) -> Result<Option<Claim>, sqlx::Error> {
    let joined: Option<(String, i64, String)> = sqlx::query_as(
        "UPDATE entry_codes SET scans = scans + 1 \
         WHERE credential_id = $1 AND step = $2 AND store_id = $3 AND state <> 'denied' \
         AND scans < $4 AND first_scan_at >= $5 \
         AND NOT (state = 'pending' AND first_scan_at < $6) RETURNING trip_id, scans, state",
    )
    .bind(&code.credential_id)
    .bind(code.step)
    .bind(store_id)
    .bind(limits.max_scans)
    .bind(now_ms.saturating_sub(limits.window_ms))
    .bind(stale_before)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(joined.map(|(trip_id, ordinal, state)| Claim::Companion {
        trip_id,
        ordinal,
        admitted: state == "admitted",
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: GroupLimits = GroupLimits {
        max_scans: 4,
        window_ms: 60_000,
        stale_ms: 10_000,
    };

    async fn open_database() -> (tempfile::TempDir, Database) {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!(
            "sqlite://{}?mode=rwc",
            folder.path().join("gate.sqlite").display()
        );
        let db = Database::open(&url).await.expect("open the database");
        (folder, db)
    }

    fn code() -> CodeKey {
        CodeKey {
            credential_id: "0123456789abcdef".to_owned(),
            step: 7,
        }
    }

    #[tokio::test]
    async fn rolled_back_count_is_undone() {
        let (_folder, db) = open_database().await;
        let first = claim(&db, &code(), "store-1", 1_000, LIMITS).await.unwrap();
        assert!(matches!(first, Claim::Leader { .. }), "{first:?}");

        let mut tx = db.writer.begin().await.unwrap();
        let counted = claim_on(&mut tx, &code(), "store-1", 1_100, LIMITS)
            .await
            .unwrap();
        assert!(
            matches!(counted, Claim::Companion { ordinal: 2, .. }),
            "{counted:?}"
        );
        tx.rollback().await.unwrap();

        let again = claim(&db, &code(), "store-1", 1_200, LIMITS).await.unwrap();
        assert!(
            matches!(again, Claim::Companion { ordinal: 2, .. }),
            "{again:?}"
        );
    }

    #[tokio::test]
    async fn stale_first_scan_is_taken_over() {
        let (_folder, db) = open_database().await;
        let Claim::Leader { trip_id: first } =
            claim(&db, &code(), "store-1", 1_000, LIMITS).await.unwrap()
        else {
            panic!("the first scan did not lead");
        };
        let later = 1_000 + LIMITS.stale_ms + 1;
        let next = claim(&db, &code(), "store-1", later, LIMITS).await.unwrap();
        let Claim::Leader { trip_id: second } = next else {
            panic!("a stale first scan was joined instead of taken over: {next:?}");
        };
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn companion_sees_admitted_first_scan() {
        let (_folder, db) = open_database().await;
        let Claim::Leader { trip_id } =
            claim(&db, &code(), "store-1", 1_000, LIMITS).await.unwrap()
        else {
            panic!("the first scan did not lead");
        };
        let pending = claim(&db, &code(), "store-1", 1_100, LIMITS).await.unwrap();
        assert_eq!(
            pending,
            Claim::Companion {
                trip_id: trip_id.clone(),
                ordinal: 2,
                admitted: false
            }
        );

        let mut tx = db.writer.begin().await.unwrap();
        mark_admitted(&mut tx, &code(), &trip_id).await.unwrap();
        tx.commit().await.unwrap();

        let admitted = claim(&db, &code(), "store-1", 1_200, LIMITS).await.unwrap();
        assert_eq!(
            admitted,
            Claim::Companion {
                trip_id,
                ordinal: 3,
                admitted: true
            }
        );
    }
}
