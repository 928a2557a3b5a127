//! Receipts in the local store: applying a feed page with its cursor, the sync state row, and
//! the offline queries the shells read.
//!
//! A page and its cursor are written in one transaction, so after a crash the store contains
//! either the whole page and the cursor after it, or neither, and the next sync fetches the
//! same page again. Applying a change twice is harmless too: a version replaces the stored one
//! only when it is at least as new. Nothing here talks to the network.

use rusqlite::{OptionalExtension, Transaction, params};

use super::model::{Money, ReceiptDetail, ReceiptSummary, SyncReport, SyncStatus};
use super::wire::{Document, FeedItem, FeedPage};
use crate::store::{Store, StoreError};

/// Largest page of [`list`].
pub const MAX_LIST_LIMIT: u32 = 500;

/// Receives progress of a sync; the default methods do nothing.
///
/// Both calls come from the syncing thread. `change_applied` runs inside the page's open
/// transaction, so a process that dies there (crash tests abort it on purpose) leaves the
/// store as it was before the page.
pub trait SyncObserver {
    /// Called after each change of a page is written, with the count so far in this sync.
    fn change_applied(&self, changes_so_far: u64) {
        let _ = changes_so_far;
    }
    /// Called after a page and its cursor are committed, with the pages so far in this sync.
    fn page_committed(&self, pages_so_far: u32) {
        let _ = pages_so_far;
    }
}

/// An observer that does nothing.
pub struct NoObserver;

impl SyncObserver for NoObserver {}

/// Result of applying one page.
pub(crate) enum PageOutcome {
    Applied,
    /// The stored cursor moved since the page was requested (another sync ran): nothing was
    /// written, and the caller fetches again from the stored cursor.
    CursorMoved,
}

/// Reads the stored cursor; `None` before the first page.
pub(crate) fn cursor(store: &Store) -> Result<Option<String>, StoreError> {
    store.read(read_cursor)
}

fn read_cursor(connection: &rusqlite::Connection) -> Result<Option<String>, StoreError> {
    let cursor = connection
        .query_row("SELECT cursor FROM receipt_sync WHERE id = 1", [], |row| {
            row.get::<_, Option<String>>(0)
        })
        .optional()?;
    Ok(cursor.flatten())
}

/// Applies `page`, requested after `requested_after`, and stores its `next_cursor`, all in one
/// transaction. Counts go into `report`.
pub(crate) fn apply_page(
    store: &Store,
    requested_after: Option<&str>,
    page: &FeedPage,
    now_ms: i64,
    observer: &dyn SyncObserver,
    report: &mut SyncReport,
) -> Result<PageOutcome, StoreError> {
    store.write(|transaction| {
        if read_cursor(transaction)?.as_deref() != requested_after {
            return Ok(PageOutcome::CursorMoved);
        }
        let mut page_report = SyncReport::default();
        let done_before = report.applied + report.deleted + report.skipped;
        for item in &page.items {
            apply_item(transaction, item, now_ms, &mut page_report)?;
            let done = page_report.applied + page_report.deleted + page_report.skipped;
            observer.change_applied(done_before + done);
        }
        transaction.execute(
            "INSERT INTO receipt_sync (id, cursor) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET cursor = excluded.cursor",
            [&page.next_cursor],
        )?;
        report.applied += page_report.applied;
        report.deleted += page_report.deleted;
        report.skipped += page_report.skipped;
        Ok(PageOutcome::Applied)
    })
}

fn apply_item(
    transaction: &Transaction<'_>,
    item: &FeedItem,
    now_ms: i64,
    report: &mut SyncReport,
) -> Result<(), StoreError> {
    if item.deleted {
        let removed = transaction
            .prepare_cached("DELETE FROM receipts WHERE receipt_id = ?1")?
            .execute([&item.receipt_id])?;
        if removed > 0 {
            report.deleted += 1;
        } else {
            report.skipped += 1;
        }
        return Ok(());
    }
    let Some(receipt) = &item.receipt else {
        tracing::warn!(receipt_id = %item.receipt_id, change_seq = item.change_seq, "feed change without a receipt left out");
        report.skipped += 1;
        return Ok(());
    };
    let document: Document = match serde_json::from_value(receipt.clone()) {
        Ok(document) => document,
        Err(error) => {
            tracing::warn!(receipt_id = %item.receipt_id, change_seq = item.change_seq, %error, "malformed receipt left out");
            report.skipped += 1;
            return Ok(());
        }
    };
    if upsert(transaction, item, &document, &receipt.to_string(), now_ms)? {
        report.applied += 1;
    } else {
        report.skipped += 1;
    }
    Ok(())
}

/// Stores a version unless a newer one is held; returns whether it was stored.
fn upsert(
    transaction: &Transaction<'_>,
    item: &FeedItem,
    document: &Document,
    json: &str,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let receipt_unix_ms = parse_unix_ms(&document.receipt_date_time);
    let changed = transaction
        .prepare_cached(
            "INSERT INTO receipts (receipt_id, version, change_seq, trip_id, store_id, store_name,
                receipt_number, receipt_date_time, receipt_unix_ms, currency, total_minor,
                item_count, is_test, document, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (receipt_id) DO UPDATE SET
                version = excluded.version, change_seq = excluded.change_seq,
                trip_id = excluded.trip_id, store_id = excluded.store_id,
                store_name = excluded.store_name, receipt_number = excluded.receipt_number,
                receipt_date_time = CASE WHEN excluded.receipt_unix_ms < receipts.receipt_unix_ms
                    THEN excluded.receipt_date_time ELSE receipts.receipt_date_time END,
                receipt_unix_ms = MIN(excluded.receipt_unix_ms, receipts.receipt_unix_ms),
                currency = excluded.currency, total_minor = excluded.total_minor,
                item_count = excluded.item_count, is_test = excluded.is_test,
                document = excluded.document, synced_at = excluded.synced_at
             WHERE excluded.version >= receipts.version",
        )?
        .execute(params![
            item.receipt_id,
            item.version,
            item.change_seq,
            document.trip_id,
            document.business_unit.id,
            document.business_unit.name,
            document.receipt_number,
            document.receipt_date_time,
            receipt_unix_ms,
            document.currency,
            document.totals.grand.amount_minor,
            document.item_count(),
            document.is_test,
            json,
            now_ms,
        ])?;
    Ok(changed > 0)
}

fn parse_unix_ms(text: &str) -> i64 {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0))
        .unwrap_or(0)
}

/// Lists up to `limit` receipts, newest sale first, after the receipt `before` in that order.
/// Returns `Ok(None)` when `before` names no stored receipt.
pub(crate) fn list(
    store: &Store,
    limit: u32,
    before: Option<&str>,
) -> Result<Option<Vec<ReceiptSummary>>, StoreError> {
    let limit = limit.min(MAX_LIST_LIMIT);
    store.read(|connection| {
        let anchor = match before {
            None => (i64::MAX, String::new()),
            Some(id) => {
                let found = connection
                    .query_row(
                        "SELECT receipt_unix_ms, receipt_id FROM receipts WHERE receipt_id = ?1",
                        [id],
                        |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
                    )
                    .optional()?;
                match found {
                    Some(anchor) => anchor,
                    None => return Ok(None),
                }
            }
        };
        let mut statement = connection.prepare_cached(
            "SELECT receipt_id, version, receipt_number, receipt_date_time, store_id, store_name,
                    total_minor, currency, item_count, is_test
             FROM receipts
             WHERE receipt_unix_ms < ?1 OR (receipt_unix_ms = ?1 AND receipt_id < ?2) OR ?3
             ORDER BY receipt_unix_ms DESC, receipt_id DESC LIMIT ?4",
        )?;
        let rows = statement.query_map(
            params![anchor.0, anchor.1, before.is_none(), limit],
            summary_from_row,
        )?;
        Ok(Some(rows.collect::<Result<Vec<_>, _>>()?))
    })
}

fn summary_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ReceiptSummary> {
    Ok(ReceiptSummary {
        receipt_id: row.get(0)?,
        version: row.get(1)?,
        receipt_number: row.get(2)?,
        date_time: row.get(3)?,
        store_id: row.get(4)?,
        store_name: row.get(5)?,
        total: Money {
            amount_minor: row.get(6)?,
            currency: row.get(7)?,
        },
        item_count: row.get(8)?,
        is_test: row.get(9)?,
    })
}

/// Reads one stored receipt as the detail model.
pub(crate) fn detail(store: &Store, receipt_id: &str) -> Result<Option<ReceiptDetail>, StoreError> {
    let row = store.read(|connection| {
        connection
            .query_row(
                "SELECT version, document FROM receipts WHERE receipt_id = ?1",
                [receipt_id],
                |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)),
            )
            .optional()
            .map_err(StoreError::from)
    })?;
    let Some((version, json)) = row else {
        return Ok(None);
    };
    let document: Document = serde_json::from_str(&json).map_err(|error| StoreError::Value {
        key: format!("receipts/{receipt_id}"),
        reason: error.to_string(),
    })?;
    Ok(Some(document.into_detail(receipt_id.to_owned(), version)))
}

/// Reads the sync state row and the number of stored receipts.
pub(crate) fn status(store: &Store) -> Result<SyncStatus, StoreError> {
    store.read(|connection| {
        let receipt_count: i64 =
            connection.query_row("SELECT COUNT(*) FROM receipts", [], |row| row.get(0))?;
        let mut status = connection
            .query_row(
                "SELECT cursor, last_success_at, failures, next_allowed_at FROM receipt_sync WHERE id = 1",
                [],
                |row| {
                    Ok(SyncStatus {
                        cursor: row.get(0)?,
                        last_success_at_millis: row.get(1)?,
                        failures: row.get(2)?,
                        next_sync_allowed_at_millis: row.get(3)?,
                        receipt_count: 0,
                    })
                },
            )
            .optional()?
            .unwrap_or_default();
        status.receipt_count = u64::try_from(receipt_count).unwrap_or(0);
        Ok(status)
    })
}

/// Records a sync that reached the end of the feed: no backoff from now on.
pub(crate) fn record_success(store: &Store, now_ms: i64) -> Result<(), StoreError> {
    store.write(|transaction| {
        transaction.execute(
            "INSERT INTO receipt_sync (id, last_success_at, failures, next_allowed_at)
             VALUES (1, ?1, 0, NULL)
             ON CONFLICT (id) DO UPDATE SET last_success_at = ?1, failures = 0, next_allowed_at = NULL",
            [now_ms],
        )?;
        Ok(())
    })
}

/// Records a failed sync and the time before which the next one is rejected; returns the new
/// failure count.
pub(crate) fn record_failure(
    store: &Store,
    next_allowed_at: impl FnOnce(u32) -> i64,
) -> Result<(u32, i64), StoreError> {
    store.write(|transaction| {
        let failures: u32 = transaction
            .query_row(
                "SELECT failures FROM receipt_sync WHERE id = 1",
                [],
                |row| row.get::<_, u32>(0),
            )
            .optional()?
            .unwrap_or(0)
            .saturating_add(1);
        let until = next_allowed_at(failures);
        transaction.execute(
            "INSERT INTO receipt_sync (id, failures, next_allowed_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET failures = ?1, next_allowed_at = ?2",
            params![failures, until],
        )?;
        Ok((failures, until))
    })
}
