//! Crash safety of receipt sync: a child process syncs and aborts (`std::process::abort`) in
//! the middle of a page or between pages, then this process resumes from the same store and
//! checks that nothing is lost or applied twice.
//!
//! The child is this test binary run again with `SYNC_CHILD_*` variables set, filtered to the
//! `sync_child` test, which does nothing when those variables are absent.

mod receipts_support;

use std::process::Command;

use walkout_core::receipts::SyncObserver;

use receipts_support::{backend_with, grand_minor, receipt_id, start_backend, walkout};

const RECEIPTS: u32 = 1_200;

/// Aborts the process after a number of changes or committed pages.
struct AbortAt {
    changes: Option<u64>,
    pages: Option<u32>,
}

impl SyncObserver for AbortAt {
    fn change_applied(&self, changes_so_far: u64) {
        if Some(changes_so_far) == self.changes {
            std::process::abort();
        }
    }

    fn page_committed(&self, pages_so_far: u32) {
        if Some(pages_so_far) == self.pages {
            std::process::abort();
        }
    }
}

#[test]
fn sync_child() {
    let (Ok(url), Ok(storage)) = (
        std::env::var("SYNC_CHILD_URL"),
        std::env::var("SYNC_CHILD_STORAGE"),
    ) else {
        return;
    };
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    let observer = AbortAt {
        changes: number("SYNC_CHILD_ABORT_AFTER_CHANGES"),
        pages: number("SYNC_CHILD_ABORT_AFTER_PAGES").map(|p: u64| p as u32),
    };
    let core = walkout(&url, std::path::Path::new(&storage));
    let _ = core.sync_receipts_observed(&observer);
}

/// Runs the child until it aborts at `abort_variable = value`.
fn crash_child(url: &str, storage: &std::path::Path, abort_variable: &str, value: &str) {
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", "sync_child", "--nocapture", "--test-threads=1"])
        .env("SYNC_CHILD_URL", url)
        .env("SYNC_CHILD_STORAGE", storage)
        .env(abort_variable, value)
        .status()
        .expect("child runs");
    assert!(
        !status.success(),
        "the child should have aborted, but exited with {status}"
    );
}

/// Checks that every receipt is stored once with its own total.
fn assert_all_stored(core: &walkout_core::Walkout) {
    let status = core.receipt_sync_status().expect("status");
    assert_eq!(status.receipt_count, u64::from(RECEIPTS));
    let mut total = 0;
    let mut before: Option<String> = None;
    let mut ids = std::collections::BTreeSet::new();
    loop {
        let page = core.receipts(500, before.as_deref()).expect("list");
        let Some(last) = page.last() else { break };
        before = Some(last.receipt_id.clone());
        for summary in page {
            total += summary.total.amount_minor;
            assert!(
                ids.insert(summary.receipt_id.clone()),
                "{} listed twice",
                summary.receipt_id
            );
        }
    }
    assert_eq!(ids.len(), RECEIPTS as usize);
    assert_eq!(total, (1..=RECEIPTS).map(grand_minor).sum::<i64>());
    assert!(ids.contains(&receipt_id(RECEIPTS)));
}

#[test]
fn crash_mid_page_loses_nothing() {
    let url = start_backend(backend_with(RECEIPTS));
    let storage = tempfile::tempdir().expect("tempdir");

    // The first page (500 changes) commits; the second dies after 250 of its changes.
    crash_child(
        &url,
        storage.path(),
        "SYNC_CHILD_ABORT_AFTER_CHANGES",
        "750",
    );

    let core = walkout(&url, storage.path());
    let status = core.receipt_sync_status().expect("status");
    assert_eq!(
        status.receipt_count, 500,
        "only the committed page is stored"
    );
    assert_eq!(status.cursor.as_deref(), Some("s500"));

    let report = core.sync_receipts().expect("resumed sync");

    assert_eq!(report.pages, 2);
    assert_eq!(report.applied, 700);
    assert_eq!(report.skipped, 0);
    assert_all_stored(&core);
}

#[test]
fn crash_between_pages_loses_nothing() {
    let url = start_backend(backend_with(RECEIPTS));
    let storage = tempfile::tempdir().expect("tempdir");

    crash_child(&url, storage.path(), "SYNC_CHILD_ABORT_AFTER_PAGES", "2");

    let core = walkout(&url, storage.path());
    let status = core.receipt_sync_status().expect("status");
    assert_eq!(status.receipt_count, 1_000);
    assert_eq!(status.cursor.as_deref(), Some("s1000"));

    let report = core.sync_receipts().expect("resumed sync");

    assert_eq!(report.pages, 1);
    assert_eq!(report.applied, 200);
    assert_all_stored(&core);
}

#[test]
fn crash_in_first_change_stores_nothing() {
    let url = start_backend(backend_with(RECEIPTS));
    let storage = tempfile::tempdir().expect("tempdir");

    crash_child(&url, storage.path(), "SYNC_CHILD_ABORT_AFTER_CHANGES", "1");

    let core = walkout(&url, storage.path());
    let status = core.receipt_sync_status().expect("status");
    assert_eq!(status.receipt_count, 0);
    assert_eq!(status.cursor, None);

    let report = core.sync_receipts().expect("resumed sync");

    assert_eq!(report.applied, u64::from(RECEIPTS));
    assert_all_stored(&core);
}
