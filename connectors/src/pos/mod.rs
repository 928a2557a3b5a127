//! Export of finished sales and returns to the retailer's point-of-sale (POS) system.
//!
//! A [`PosTransaction`] is the sale (or return) as the POS books it. A [`PosSink`] delivers
//! it: [`csv::CsvFolderSink`] drops RFC 4180 files, [`poslog::PoslogFolderSink`] drops ARTS
//! POSLog XML, and [`webhook::WebhookSink`] POSTs signed JSON. [`delivery`] retries failed
//! exports with backoff, dead-letters them after a number of attempts and replays them on
//! request, at least once per transaction id. Every sink is idempotent on the transaction id, so
//! a retry after an export that had in fact succeeded books nothing twice.
//!
//! This module depends on no pricing, receipt or HTTP route code. The ordering code maps a
//! receipt version onto a [`PosTransaction`].

pub mod csv;
pub mod delivery;
mod drop_folder;
pub mod jobs;
pub mod poslog;
pub mod webhook;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// A sale or return as booked by the POS. Amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosTransaction {
    /// Idempotency key of the export, from [`transaction_id`].
    pub transaction_id: String,
    pub kind: TransactionKind,
    pub store_id: String,
    pub store_name: String,
    /// The POS workstation (till) the sale is booked on; checkout-free stores use one virtual
    /// workstation per store.
    pub workstation_id: String,
    /// Transaction sequence number on that workstation.
    pub sequence_number: u64,
    /// The store's business day (local date) the transaction belongs to.
    pub business_day: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub begin: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    pub currency: String,
    pub prices_include_tax: bool,
    pub receipt_number: String,
    /// For a return: the transaction id of the original sale.
    pub original_transaction_id: Option<String>,
    /// A test trip: the POS should book it in training mode, if at all.
    pub is_test: bool,
    pub lines: Vec<PosLine>,
    pub taxes: Vec<PosTax>,
    pub totals: PosTotals,
    pub tenders: Vec<PosTender>,
}

/// Whether a transaction sells or takes back goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Sale,
    Return,
}

/// Direction of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Sale,
    Return,
}

/// One item line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosLine {
    pub kind: LineKind,
    pub sku: String,
    pub description: String,
    /// Positive decimal string in `unit`.
    pub quantity: String,
    /// `each`, `kg`, `lb`, …
    pub unit: String,
    /// Shelf price per unit.
    pub regular_unit_price_minor: i64,
    /// Price per unit actually charged, after discounts, rounded by the caller.
    pub actual_unit_price_minor: i64,
    /// Line amount after discounts; positive for returns as well.
    pub extended_minor: i64,
    pub tax_rate_bp: u32,
    /// Discounts that reduced this line.
    pub discounts: Vec<PosDiscount>,
}

impl PosLine {
    /// The line amount with the sign the POS books: negative for returns.
    pub fn signed_extended_minor(&self) -> i64 {
        match self.kind {
            LineKind::Sale => self.extended_minor,
            LineKind::Return => self.extended_minor.saturating_neg(),
        }
    }
}

/// A price reduction on one line (ARTS `RetailPriceModifier`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosDiscount {
    pub description: String,
    pub promotion_id: Option<String>,
    /// Positive amount taken off the line.
    pub amount_minor: i64,
}

/// Tax of one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosTax {
    pub rate_bp: u32,
    pub taxable_minor: i64,
    pub tax_minor: i64,
    pub tax_included: bool,
}

/// Transaction totals, positive for returns as well.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosTotals {
    pub net_minor: i64,
    pub tax_minor: i64,
    pub grand_minor: i64,
}

/// A card payment or refund: brand and last 4 digits only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosTender {
    pub kind: TenderKind,
    pub brand: String,
    pub last4: String,
    pub amount_minor: i64,
}

/// Direction of a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    Sale,
    Refund,
}

/// Derives the transaction id of one receipt version: `<trip id>-v<version>`. The same trip
/// and version always give the same id, so every retry carries the same idempotency key.
pub fn transaction_id(trip_id: &str, receipt_version: u32) -> String {
    format!("{trip_id}-v{receipt_version}")
}

/// The result of a successful export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReceipt {
    pub transaction_id: String,
    /// Name of the sink, as in [`PosSink::name`].
    pub sink: String,
    /// Destination of the export: a file path, or the webhook URL and HTTP status.
    pub location: String,
    /// The transaction had been exported before; nothing new was written or sent.
    pub already_exported: bool,
}

/// A failed export, classified by whether trying again later may help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PosError {
    /// A transient failure (network, timeout, 5xx, full disk): retry with backoff.
    #[error("export to {sink} failed, will retry: {message}")]
    Retryable { sink: String, message: String },
    /// The transaction or the configuration is wrong: retrying cannot help.
    #[error("export to {sink} failed permanently: {message}")]
    Permanent { sink: String, message: String },
}

impl PosError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, PosError::Retryable { .. })
    }
}

/// A destination for POS transactions.
///
/// `export` must be idempotent on [`PosTransaction::transaction_id`]: exporting the same id
/// again returns success (with `already_exported` where the sink can tell) and books nothing
/// twice.
#[async_trait]
pub trait PosSink: Send + Sync {
    /// Stable name of the sink, stored with each export job (`csv`, `poslog`, `webhook`, …).
    fn name(&self) -> &str;

    async fn export(&self, transaction: &PosTransaction) -> Result<ExportReceipt, PosError>;
}
