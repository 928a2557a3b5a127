//! The schema of the local store, as an ordered list of SQL steps.
//!
//! Step `n` (counting from 1) brings the database to `PRAGMA user_version = n`. Each step runs in
//! one transaction together with its version bump, so a crash leaves the database at a whole
//! version. Add a migration by appending one entry to [`MIGRATIONS`]; never edit or
//! reorder an entry that has shipped. Document every column where it is created.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// The migrations, oldest first.
pub const MIGRATIONS: &[&str] = &[
    // v1: small app state.
    "CREATE TABLE kv (
        -- Name of the value, such as 'profile' or 'clock.offset'; unique.
        key TEXT PRIMARY KEY NOT NULL,
        -- The value as JSON text.
        value TEXT NOT NULL,
        -- Device time of the last write, in Unix milliseconds.
        updated_at INTEGER NOT NULL
    ) STRICT;",
];

/// The schema version this code writes: the number of migrations.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies every migration after `current`, one transaction each.
pub(super) fn migrate(connection: &mut Connection, current: i64) -> Result<(), StoreError> {
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = index as i64 + 1;
        if version <= current {
            continue;
        }
        let apply = |connection: &mut Connection| -> rusqlite::Result<()> {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            transaction.execute_batch(sql)?;
            transaction.pragma_update(None, "user_version", version)?;
            transaction.commit()
        };
        apply(connection).map_err(|source| StoreError::Migration { version, source })?;
        tracing::info!(version, "local store migrated");
    }
    Ok(())
}
