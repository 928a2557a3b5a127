//! The export step of a purchase or refund job: queue one receipt version for every POS sink
//! (CSV drop folder, POSLog, JSON webhook when configured).
//!
//! The POS queue is idempotent on (sink, transaction id), and the transaction id derives from
//! the trip and the receipt version, so repeating this step after a crash queues nothing twice.
//! The POS delivery then retries each export with its own backoff and dead letters.

use super::pos_map::pos_transaction;
use crate::pos::delivery::Delivery;
use crate::receipts::Receipt;

/// Why the export step must be retried.
#[derive(Debug, thiserror::Error)]
#[error("queueing the POS export of receipt {receipt_id} version {version} failed: {reason}")]
pub struct ExportError {
    pub receipt_id: String,
    pub version: u32,
    pub reason: String,
}

/// Queues the POS exports of one receipt version and returns its transaction id.
/// `new_return_lines` lists the return lines this version added (empty for version 1).
pub async fn enqueue_exports(
    delivery: &Delivery,
    receipt: &Receipt,
    new_return_lines: &[u32],
) -> Result<String, ExportError> {
    let transaction = pos_transaction(receipt, new_return_lines);
    delivery
        .enqueue(&transaction)
        .await
        .map_err(|error| ExportError {
            receipt_id: receipt.receipt_id.clone(),
            version: receipt.version,
            reason: error.to_string(),
        })?;
    Ok(transaction.transaction_id)
}
