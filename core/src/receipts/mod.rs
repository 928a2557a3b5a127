//! Receipts and trips: crash-safe sync of the backend's receipt change feed into the local
//! store, offline reads for the shells, and the shopper's trips.
//!
//! - [`sync`]: paging with the cursor, backoff and `Retry-After`.
//! - [`local`]: the SQLite side; a page and its cursor commit together.
//! - [`model`]: the values handed to the shells; [`wire`] is the backend's JSON.
//! - [`render`]: plain text for the CLI.
//! - [`trips`]: the current trip and trip lookups.
//!
//! Reads of receipts never touch the network, so they work offline. This module must not
//! depend on the connectors crate: the app links only the core, so it decodes the receipt
//! document with its own lenient types.

#[doc(hidden)]
pub mod bench_support;
pub mod local;
pub mod model;
pub mod render;
pub mod sync;
mod trips;
mod wire;

pub use local::{MAX_LIST_LIMIT, NoObserver, SyncObserver};
pub use model::{
    Money, ReceiptDetail, ReceiptDiscount, ReceiptLine, ReceiptLineKind, ReceiptSummary,
    ReceiptTax, ReceiptTender, ReceiptTotals, SyncReport, SyncStatus, TenderKind, Trip, TripState,
};
pub use render::{format_money, render_text};
pub use sync::{PAGE_LIMIT, RECEIPT_READY_EVENT};

use crate::WalkoutError;
use crate::error::Error;
use crate::walkout::Walkout;

impl Walkout {
    /// Lists stored receipts, newest sale first: up to `limit` (at most [`MAX_LIST_LIMIT`]),
    /// after the receipt `before` when given (pass the last id of the previous page).
    ///
    /// An unknown `before` id is `InvalidInput`.
    pub fn receipts(
        &self,
        limit: u32,
        before: Option<&str>,
    ) -> Result<Vec<ReceiptSummary>, WalkoutError> {
        match local::list(self.store(), limit, before).map_err(Error::from)? {
            Some(list) => Ok(list),
            None => Err(WalkoutError::InvalidInput {
                field: "before".to_owned(),
                reason: "no stored receipt has this id; pass the id of a listed receipt".to_owned(),
            }),
        }
    }

    /// Reads one stored receipt; `None` when it is not stored (never synced, or deleted).
    pub fn receipt(&self, receipt_id: &str) -> Result<Option<ReceiptDetail>, WalkoutError> {
        Ok(local::detail(self.store(), receipt_id).map_err(Error::from)?)
    }

    /// Renders one stored receipt as plain text; `None` when it is not stored.
    pub fn receipt_text(&self, receipt_id: &str) -> Result<Option<String>, WalkoutError> {
        Ok(self.receipt(receipt_id)?.as_ref().map(render_text))
    }
}
