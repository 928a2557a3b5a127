//! Entry points that only the benchmarks in `core/benches/` call: one receipt feed page
//! applied to the local store, as a sync applies it after the HTTP request.
//!
//! This module is hidden from the documentation and is not part of the supported API, so the
//! benchmarks can measure crate-private steps without making them public. It must not grow
//! into a second way to run a sync: it adds no behaviour of its own.

use super::local::{self, NoObserver, PageOutcome};
use super::model::SyncReport;
use super::wire::FeedPage;
use crate::store::{Store, StoreError};

/// A decoded page of `GET /app/v1/receipts`.
pub struct DecodedPage(FeedPage);

/// Decodes a feed page from its JSON body, as a sync does with each response.
pub fn decode_feed_page(body: &[u8]) -> Result<DecodedPage, serde_json::Error> {
    serde_json::from_slice(body).map(DecodedPage)
}

/// Applies `page`, requested after `requested_after`, in one transaction with its cursor.
///
/// Returns the number of receipts written, or `None` when the stored cursor is not
/// `requested_after` (the page was not applied).
pub fn apply_feed_page(
    store: &Store,
    requested_after: Option<&str>,
    page: &DecodedPage,
    now_ms: i64,
) -> Result<Option<u64>, StoreError> {
    let mut report = SyncReport::default();
    let outcome = local::apply_page(
        store,
        requested_after,
        &page.0,
        now_ms,
        &NoObserver,
        &mut report,
    )?;
    Ok(match outcome {
        PageOutcome::Applied => Some(report.applied),
        PageOutcome::CursorMoved => None,
    })
}
