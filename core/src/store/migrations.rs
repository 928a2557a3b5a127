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
    // v2: receipts synced from the backend's change feed, and the sync position.
    "CREATE TABLE receipts (
        -- Receipt id, the same in every version (UUID).
        receipt_id TEXT PRIMARY KEY NOT NULL,
        -- Version held: 1 for the sale, then one more per refund or adjustment. A change
        -- replaces the row only when its version is at least this one.
        version INTEGER NOT NULL,
        -- Feed position (change_seq) of the change that wrote this version.
        change_seq INTEGER NOT NULL,
        -- Gate trip of the sale, when the receipt names one.
        trip_id TEXT,
        -- Store (businessUnit) id and name.
        store_id TEXT NOT NULL,
        store_name TEXT NOT NULL,
        receipt_number TEXT NOT NULL,
        -- Earliest receiptDateTime seen for this receipt (the sale, unless only later
        -- versions were ever received), RFC 3339 in UTC as the backend sent it.
        receipt_date_time TEXT NOT NULL,
        -- The same instant in Unix milliseconds, for ordering; 0 when it did not parse.
        receipt_unix_ms INTEGER NOT NULL,
        -- ISO 4217 code of every amount of the receipt.
        currency TEXT NOT NULL,
        -- Grand total of the held version, in minor units.
        total_minor INTEGER NOT NULL,
        -- Number of sale lines of the held version.
        item_count INTEGER NOT NULL,
        -- 1 for a receipt of a test trip (nothing was charged).
        is_test INTEGER NOT NULL,
        -- The held version's document as JSON, with the backend's ARTS names.
        document TEXT NOT NULL,
        -- Device time when this version was stored, in Unix milliseconds.
        synced_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX receipts_by_date ON receipts (receipt_unix_ms DESC, receipt_id DESC);
    CREATE TABLE receipt_sync (
        -- Always 1: the table has one row.
        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
        -- Opaque next_cursor of the last page applied; NULL before the first page.
        cursor TEXT,
        -- Device time of the last sync that reached the end of the feed, Unix milliseconds.
        last_success_at INTEGER,
        -- Failed syncs since the last success; sets the backoff.
        failures INTEGER NOT NULL DEFAULT 0,
        -- Device time before which no sync is sent, Unix milliseconds; NULL when none.
        next_allowed_at INTEGER
    ) STRICT;",
    // v3: the shopper's saved cards as the backend last listed them, for offline reading.
    // Display data only: never a card number, a CVC or a PSP token.
    "CREATE TABLE payment_methods (
        -- Backend id of the saved card (UUID).
        id TEXT PRIMARY KEY NOT NULL,
        -- PSP brand name, such as 'visa' or 'amex'.
        brand TEXT NOT NULL,
        -- Last four digits of the card number.
        last4 TEXT NOT NULL,
        -- Expiry month, 1 to 12.
        exp_month INTEGER NOT NULL,
        -- Expiry year, four digits.
        exp_year INTEGER NOT NULL,
        -- 1 for the card that trips are charged to.
        is_default INTEGER NOT NULL,
        -- Position in the backend's list, from 0.
        position INTEGER NOT NULL,
        -- Device time of the listing that wrote this row, Unix milliseconds.
        fetched_at INTEGER NOT NULL
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
