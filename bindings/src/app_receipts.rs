//! `WalkoutApp` methods for receipts: sync from the backend, then offline reads.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::receipts::{ReceiptDetail, ReceiptSummary, SyncReport, SyncStatus};

#[uniffi::export]
impl WalkoutApp {
    /// Fetches receipt changes from the backend until none are left and stores them. While an
    /// earlier failure's backoff lasts, returns `Offline` without a request.
    pub fn sync_receipts(&self) -> FfiResult<SyncReport> {
        Ok(self.core.sync_receipts()?.into())
    }

    /// Reacts to a server-sent event of `kind`: `receipt-ready` syncs receipts and returns the
    /// report; other kinds return `null`.
    pub fn handle_server_event(&self, kind: String) -> FfiResult<Option<SyncReport>> {
        Ok(self.core.handle_server_event(&kind)?.map(Into::into))
    }

    /// Returns the sync cursor, backoff state and number of stored receipts.
    pub fn receipt_sync_status(&self) -> FfiResult<SyncStatus> {
        Ok(self.core.receipt_sync_status()?.into())
    }

    /// Lists stored receipts, newest first: up to `limit`, after the receipt `before` when
    /// given (the last id of the previous page). Makes no network call.
    pub fn receipts(&self, limit: u32, before: Option<String>) -> FfiResult<Vec<ReceiptSummary>> {
        let list = self.core.receipts(limit, before.as_deref())?;
        Ok(list.into_iter().map(ReceiptSummary::from).collect())
    }

    /// Reads one stored receipt, or `null` when it is not stored. Makes no network call.
    pub fn receipt(&self, receipt_id: String) -> FfiResult<Option<ReceiptDetail>> {
        Ok(self.core.receipt(&receipt_id)?.map(Into::into))
    }

    /// Renders one stored receipt as plain text, or `null` when it is not stored.
    pub fn receipt_text(&self, receipt_id: String) -> FfiResult<Option<String>> {
        Ok(self.core.receipt_text(&receipt_id)?)
    }
}
