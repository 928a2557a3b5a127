//! Receipt sync against a loopback backend: paging, versions, tombstones, offline reads,
//! `Retry-After` and backoff, and the current trip.

mod receipts_support;

use std::sync::Arc;

use serde_json::json;
use walkout_core::WalkoutError;
use walkout_core::clock::ManualClock;
use walkout_core::receipts::{ReceiptLineKind, TenderKind, TripState};

use receipts_support::{
    backend_with, closed_port_url, grand_minor, line_count, receipt_id, refund_document,
    sale_document, sale_time, start_backend, walkout, with_clock,
};

#[test]
fn ten_thousand_receipts_sync_into_empty_store() {
    let backend = backend_with(10_000);
    let url = start_backend(backend.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let report = core.sync_receipts().expect("sync");

    assert_eq!(report.pages, 20);
    assert_eq!(report.applied, 10_000);
    assert_eq!(report.deleted, 0);
    assert_eq!(report.cursor.as_deref(), Some("s10000"));
    assert_eq!(
        core.receipt_sync_status().expect("status").receipt_count,
        10_000
    );

    let mut total = 0i64;
    let mut lines = 0u64;
    let mut seen = 0;
    let mut before: Option<String> = None;
    loop {
        let page = core.receipts(500, before.as_deref()).expect("list");
        let Some(last) = page.last() else { break };
        before = Some(last.receipt_id.clone());
        seen += page.len();
        total += page.iter().map(|r| r.total.amount_minor).sum::<i64>();
        lines += page.iter().map(|r| u64::from(r.item_count)).sum::<u64>();
    }
    assert_eq!(seen, 10_000);
    assert_eq!(total, (1..=10_000).map(grand_minor).sum::<i64>());
    assert_eq!(
        lines,
        (1..=10_000).map(|n| u64::from(line_count(n))).sum::<u64>()
    );

    for n in [1, 4_321, 10_000] {
        let detail = core.receipt(&receipt_id(n)).expect("read").expect("stored");
        assert_eq!(
            detail.totals.grand.amount_minor,
            grand_minor(n),
            "receipt {n}"
        );
        assert_eq!(detail.lines.len() as u32, line_count(n), "receipt {n}");
        assert_eq!(detail.date_time, sale_time(n), "receipt {n}");
    }
}

#[test]
fn list_is_newest_first_and_pages_with_before() {
    let url = start_backend(backend_with(5));
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("sync");

    let first = core.receipts(2, None).expect("first page");
    let second = core
        .receipts(2, Some(&first[1].receipt_id))
        .expect("second page");
    let third = core
        .receipts(2, Some(&second[1].receipt_id))
        .expect("third page");

    let ids: Vec<String> = [first, second, third]
        .concat()
        .into_iter()
        .map(|r| r.receipt_id)
        .collect();
    let expected: Vec<String> = (1..=5).rev().map(receipt_id).collect();
    assert_eq!(ids, expected);
}

#[test]
fn summary_has_store_total_and_item_count() {
    let url = start_backend(backend_with(2));
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("sync");

    let list = core.receipts(10, None).expect("list");
    let summary = &list[0];

    assert_eq!(summary.receipt_id, receipt_id(2));
    assert_eq!(summary.store_id, "UK-LON-001");
    assert_eq!(summary.store_name, "Walkout London");
    assert_eq!(summary.total.amount_minor, grand_minor(2));
    assert_eq!(summary.total.currency, "GBP");
    assert_eq!(summary.item_count, line_count(2));
    assert_eq!(summary.date_time, sale_time(2));
}

#[test]
fn unknown_before_is_invalid_input() {
    let url = start_backend(backend_with(1));
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("sync");

    let error = core
        .receipts(10, Some("no-such-receipt"))
        .expect_err("unknown id");

    assert!(matches!(error, WalkoutError::InvalidInput { ref field, .. } if field == "before"));
}

#[test]
fn second_sync_applies_nothing() {
    let backend = backend_with(3);
    let url = start_backend(backend.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("first sync");

    let again = core.sync_receipts().expect("second sync");

    assert_eq!(again.applied, 0);
    assert_eq!(again.pages, 1);
    assert_eq!(again.cursor.as_deref(), Some("s3"));
}

#[test]
fn refund_version_replaces_first() {
    let backend = backend_with(3);
    let url = start_backend(backend.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("first sync");

    backend.push(&receipt_id(2), 2, Some(refund_document(2)));
    let report = core.sync_receipts().expect("second sync");

    assert_eq!(report.applied, 1);
    let detail = core.receipt(&receipt_id(2)).expect("read").expect("stored");
    assert_eq!(detail.version, 2);
    let returned = detail
        .lines
        .iter()
        .find(|l| l.kind == ReceiptLineKind::Return)
        .expect("return line");
    assert_eq!(returned.original_line_number, Some(1));
    assert!(detail.tenders.iter().any(|t| t.kind == TenderKind::Refund));
    let list = core.receipts(10, None).expect("list");
    assert_eq!(list.len(), 3);
    let summary = list
        .iter()
        .find(|r| r.receipt_id == receipt_id(2))
        .expect("listed");
    assert_eq!(summary.version, 2);
    assert_eq!(summary.total.amount_minor, grand_minor(2) - 127);
    assert_eq!(
        summary.date_time,
        sale_time(2),
        "the list keeps the sale time"
    );
}

#[test]
fn older_version_never_replaces_newer() {
    let backend = receipts_support::Backend::default();
    backend.push(&receipt_id(1), 2, Some(refund_document(1)));
    backend.push(&receipt_id(1), 1, Some(sale_document(1)));
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let report = core.sync_receipts().expect("sync");

    assert_eq!(report.applied, 1);
    assert_eq!(report.skipped, 1);
    let detail = core.receipt(&receipt_id(1)).expect("read").expect("stored");
    assert_eq!(detail.version, 2);
}

#[test]
fn tombstone_deletes_receipt() {
    let backend = backend_with(3);
    let url = start_backend(backend.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());
    core.sync_receipts().expect("first sync");

    backend.push(&receipt_id(1), 2, None);
    let report = core.sync_receipts().expect("second sync");

    assert_eq!(report.deleted, 1);
    assert_eq!(core.receipt(&receipt_id(1)).expect("read"), None);
    assert_eq!(core.receipts(10, None).expect("list").len(), 2);
}

#[test]
fn tombstone_in_first_sync_leaves_nothing() {
    let backend = backend_with(2);
    backend.push(&receipt_id(2), 2, None);
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let report = core.sync_receipts().expect("sync");

    assert_eq!(report.applied, 2);
    assert_eq!(report.deleted, 1);
    let ids: Vec<String> = core
        .receipts(10, None)
        .expect("list")
        .into_iter()
        .map(|r| r.receipt_id)
        .collect();
    assert_eq!(ids, vec![receipt_id(1)]);
}

#[test]
fn malformed_change_is_skipped() {
    let backend = backend_with(1);
    backend.push(&receipt_id(2), 1, Some(json!({"totals": "not an object"})));
    backend.push(&receipt_id(3), 1, Some(sale_document(3)));
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let report = core.sync_receipts().expect("sync");

    assert_eq!(report.applied, 2);
    assert_eq!(report.skipped, 1);
    assert_eq!(core.receipt(&receipt_id(2)).expect("read"), None);
}

#[test]
fn receipts_read_offline() {
    let url = start_backend(backend_with(2));
    let storage = tempfile::tempdir().expect("tempdir");
    walkout(&url, storage.path()).sync_receipts().expect("sync");

    let offline = walkout(&closed_port_url(), storage.path());

    assert_eq!(offline.receipts(10, None).expect("list").len(), 2);
    let text = offline
        .receipt_text(&receipt_id(1))
        .expect("render")
        .expect("stored");
    assert!(text.contains("Walkout London"), "{text}");
    assert!(text.contains("Total GBP"), "{text}");
    assert!(text.contains("Paid visa **** 4242"), "{text}");
}

#[test]
fn retry_after_sets_next_sync_allowed_at() {
    let backend = backend_with(2);
    backend
        .feed()
        .failures
        .push_back((503, Some("120".to_owned())));
    let url = start_backend(backend.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let start = 1_714_554_000_000;
    let clock = Arc::new(ManualClock::new(start));
    let core = with_clock(&url, storage.path(), clock.clone());

    let error = core.sync_receipts().expect_err("throttled");

    assert!(
        matches!(
            error,
            WalkoutError::Offline {
                retry_after_seconds: Some(120)
            }
        ),
        "{error:?}"
    );
    let allowed = core
        .next_sync_allowed_at()
        .expect("status")
        .expect("backoff set");
    assert!(allowed >= start + 120_000, "allowed at {allowed}");
    assert!(allowed <= start + 121_000, "allowed at {allowed}");
    assert_eq!(core.receipt_sync_status().expect("status").failures, 1);

    let requests = backend.feed_requests();
    let refused = core.sync_receipts().expect_err("still backing off");
    assert!(matches!(
        refused,
        WalkoutError::Offline {
            retry_after_seconds: Some(_)
        }
    ));
    assert_eq!(
        backend.feed_requests(),
        requests,
        "no request during the backoff"
    );

    clock.advance_millis(121_000);
    let report = core.sync_receipts().expect("sync after the backoff");
    assert_eq!(report.applied, 2);
    assert_eq!(core.next_sync_allowed_at().expect("status"), None);
    assert_eq!(core.receipt_sync_status().expect("status").failures, 0);
}

#[test]
fn server_error_backs_off() {
    let backend = backend_with(1);
    backend.feed().failures.push_back((500, None));
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("tempdir");
    let start = 1_714_554_000_000;
    let core = with_clock(&url, storage.path(), Arc::new(ManualClock::new(start)));

    core.sync_receipts().expect_err("server error");

    let allowed = core
        .next_sync_allowed_at()
        .expect("status")
        .expect("backoff set");
    assert!(allowed >= start + 2_500, "allowed at {allowed}");
    assert!(allowed <= start + 5_000, "allowed at {allowed}");
}

#[test]
fn receipt_ready_event_syncs() {
    let url = start_backend(backend_with(2));
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let report = core.handle_server_event("receipt-ready").expect("event");
    let ignored = core.handle_server_event("offers-changed").expect("event");

    assert_eq!(report.map(|r| r.applied), Some(2));
    assert_eq!(ignored, None);
}

#[test]
fn current_trip_is_fetched_and_cached() {
    let backend = backend_with(0);
    backend.feed().current_trip = json!({
        "trip_id": "trip-7", "store_id": "UK-LON-001", "state": "payment_failed",
        "is_test": false, "entered_at": "2024-05-01T09:00:00.000Z",
        "updated_at": "2024-05-01T09:20:00.000Z", "receipt_id": null,
        "outstanding": {"amount_minor": 1234, "currency": "GBP"},
    });
    let url = start_backend(backend);
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let trip = core.current_trip().expect("fetch").expect("a trip");

    assert_eq!(trip.state, TripState::PaymentFailed);
    assert_eq!(
        trip.outstanding.as_ref().map(|m| m.amount_minor),
        Some(1234)
    );
    let cached = walkout(&closed_port_url(), storage.path())
        .cached_trip()
        .expect("cache");
    assert_eq!(cached, Some(trip));
}
