//! Receipts, receipt sync and trips. Times are RFC 3339 strings in UTC, which the app formats
//! in the device's locale; amounts are [`Money`].

use walkout_core::receipts as core;

use super::wallet::Money;

/// One receipt in the list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptSummary {
    /// The receipt's id; pass it to `receipt` for the whole receipt.
    pub receipt_id: String,
    /// Version held: above 1 after a refund or adjustment.
    pub version: i64,
    /// The number printed on the receipt.
    pub receipt_number: String,
    /// Instant of the sale, RFC 3339 in UTC.
    pub date_time: String,
    /// The store's id.
    pub store_id: String,
    /// The store's name.
    pub store_name: String,
    /// Grand total of the version held.
    pub total: Money,
    /// Number of sale lines.
    pub item_count: u32,
    /// A receipt of a test trip: nothing was charged.
    pub is_test: bool,
}

impl From<core::ReceiptSummary> for ReceiptSummary {
    fn from(summary: core::ReceiptSummary) -> Self {
        Self {
            receipt_id: summary.receipt_id,
            version: summary.version,
            receipt_number: summary.receipt_number,
            date_time: summary.date_time,
            store_id: summary.store_id,
            store_name: summary.store_name,
            total: summary.total.into(),
            item_count: summary.item_count,
            is_test: summary.is_test,
        }
    }
}

/// A whole receipt, as the receipt screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptDetail {
    /// The receipt's id.
    pub receipt_id: String,
    /// Version held: above 1 after a refund or adjustment.
    pub version: i64,
    /// The number printed on the receipt.
    pub receipt_number: String,
    /// Instant of this version (the sale, or the refund on later versions), RFC 3339 in UTC.
    pub date_time: String,
    /// IANA time zone of the store, for showing `date_time` in store time.
    pub time_zone: String,
    /// The store's id.
    pub store_id: String,
    /// The store's name.
    pub store_name: String,
    /// The trip the receipt belongs to.
    pub trip_id: Option<String>,
    /// A receipt of a test trip: nothing was charged.
    pub is_test: bool,
    /// ISO 4217 code of every amount on the receipt.
    pub currency: String,
    /// Whether line amounts include tax.
    pub prices_include_tax: bool,
    /// Sale and return lines, in receipt order.
    pub lines: Vec<ReceiptLine>,
    /// Promotions and offers applied.
    pub discounts: Vec<ReceiptDiscount>,
    /// One row per tax rate.
    pub taxes: Vec<ReceiptTax>,
    /// Net, tax and grand totals.
    pub totals: ReceiptTotals,
    /// Card payments and refunds.
    pub tenders: Vec<ReceiptTender>,
    /// Amount not charged because it was below the payment provider's minimum.
    pub written_off: Option<Money>,
    /// Amount still owed after a failed capture.
    pub outstanding: Option<Money>,
}

impl From<core::ReceiptDetail> for ReceiptDetail {
    fn from(detail: core::ReceiptDetail) -> Self {
        Self {
            receipt_id: detail.receipt_id,
            version: detail.version,
            receipt_number: detail.receipt_number,
            date_time: detail.date_time,
            time_zone: detail.time_zone,
            store_id: detail.store_id,
            store_name: detail.store_name,
            trip_id: detail.trip_id,
            is_test: detail.is_test,
            currency: detail.currency,
            prices_include_tax: detail.prices_include_tax,
            lines: detail.lines.into_iter().map(Into::into).collect(),
            discounts: detail.discounts.into_iter().map(Into::into).collect(),
            taxes: detail.taxes.into_iter().map(Into::into).collect(),
            totals: detail.totals.into(),
            tenders: detail.tenders.into_iter().map(Into::into).collect(),
            written_off: detail.written_off.map(Into::into),
            outstanding: detail.outstanding.map(Into::into),
        }
    }
}

/// Whether a line sold an item or gave one back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReceiptLineKind {
    /// An item bought.
    Sale,
    /// An item given back.
    Return,
}

/// A sale or return line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptLine {
    /// 1-based line number.
    pub line_number: u32,
    /// Sale or return.
    pub kind: ReceiptLineKind,
    /// The item's SKU.
    pub sku: String,
    /// The item's description.
    pub description: String,
    /// Decimal string, such as `"2"` or `"0.455"`.
    pub quantity: String,
    /// Unit of `quantity`: `each`, `kg`, `lb`, …
    pub unit: String,
    /// Price of one unit.
    pub unit_price: Money,
    /// Amount of the line before discounts; positive on returns too (money given back).
    pub amount: Money,
    /// Tax rate in basis points (2000 = 20%).
    pub tax_rate_bp: u32,
    /// The SKU was not in the catalog: shown, not charged.
    pub unpriced: bool,
    /// On a return, the sale line the item was bought on.
    pub original_line_number: Option<u32>,
    /// On a return, the refund reason.
    pub reason: Option<String>,
}

impl From<core::ReceiptLine> for ReceiptLine {
    fn from(line: core::ReceiptLine) -> Self {
        Self {
            line_number: line.line_number,
            kind: match line.kind {
                core::ReceiptLineKind::Sale => ReceiptLineKind::Sale,
                core::ReceiptLineKind::Return => ReceiptLineKind::Return,
            },
            sku: line.sku,
            description: line.description,
            quantity: line.quantity,
            unit: line.unit,
            unit_price: line.unit_price.into(),
            amount: line.amount.into(),
            tax_rate_bp: line.tax_rate_bp,
            unpriced: line.unpriced,
            original_line_number: line.original_line_number,
            reason: line.reason,
        }
    }
}

/// A promotion or offer and the amount it took off.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptDiscount {
    /// The line the discount applies to.
    pub line_number: u32,
    /// The promotion's text.
    pub description: String,
    /// The promotion's id, when it has one.
    pub promotion_id: Option<String>,
    /// Positive amount taken off.
    pub amount: Money,
}

impl From<core::ReceiptDiscount> for ReceiptDiscount {
    fn from(discount: core::ReceiptDiscount) -> Self {
        Self {
            line_number: discount.line_number,
            description: discount.description,
            promotion_id: discount.promotion_id,
            amount: discount.amount.into(),
        }
    }
}

/// Tax of one rate.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptTax {
    /// Tax rate in basis points (2000 = 20%).
    pub rate_bp: u32,
    /// Amount the tax is computed on; it includes the tax when `included`.
    pub taxable: Money,
    /// The tax.
    pub tax: Money,
    /// Whether the tax is included in the line amounts.
    pub included: bool,
}

impl From<core::ReceiptTax> for ReceiptTax {
    fn from(tax: core::ReceiptTax) -> Self {
        Self {
            rate_bp: tax.rate_bp,
            taxable: tax.taxable.into(),
            tax: tax.tax.into(),
            included: tax.included,
        }
    }
}

/// Receipt totals: `grand` is what the shopper pays (net plus tax).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptTotals {
    /// Total before tax.
    pub net: Money,
    /// Total tax.
    pub tax: Money,
    /// What the shopper pays.
    pub grand: Money,
}

impl From<core::ReceiptTotals> for ReceiptTotals {
    fn from(totals: core::ReceiptTotals) -> Self {
        Self {
            net: totals.net.into(),
            tax: totals.tax.into(),
            grand: totals.grand.into(),
        }
    }
}

/// Direction of a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TenderKind {
    /// A payment.
    Sale,
    /// Money given back.
    Refund,
}

/// A card payment or refund: brand and last 4 digits only.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReceiptTender {
    /// Payment or refund.
    pub kind: TenderKind,
    /// The card brand, such as `visa`.
    pub brand: String,
    /// The last 4 digits of the card number.
    pub last4: String,
    /// Positive amount captured or refunded.
    pub amount: Money,
}

impl From<core::ReceiptTender> for ReceiptTender {
    fn from(tender: core::ReceiptTender) -> Self {
        Self {
            kind: match tender.kind {
                core::TenderKind::Sale => TenderKind::Sale,
                core::TenderKind::Refund => TenderKind::Refund,
            },
            brand: tender.brand,
            last4: tender.last4,
            amount: tender.amount.into(),
        }
    }
}

/// What one receipt sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Pages fetched and committed.
    pub pages: u32,
    /// Changes that stored a receipt version (new receipts and newer versions).
    pub applied: u64,
    /// Tombstones that removed a stored receipt.
    pub deleted: u64,
    /// Changes left out because they were malformed or older than the version held.
    pub skipped: u64,
    /// The feed cursor after the sync; `null` when the feed has never returned a page.
    pub cursor: Option<String>,
}

impl From<core::SyncReport> for SyncReport {
    fn from(report: core::SyncReport) -> Self {
        Self {
            pages: report.pages,
            applied: report.applied,
            deleted: report.deleted,
            skipped: report.skipped,
            cursor: report.cursor,
        }
    }
}

/// The state of receipt sync, for diagnostics and for scheduling the next sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    /// The feed cursor held.
    pub cursor: Option<String>,
    /// Device time of the last sync that reached the end of the feed, Unix milliseconds.
    pub last_success_at_millis: Option<i64>,
    /// Failed syncs since the last success.
    pub failures: u32,
    /// Device time before which a sync is rejected without a request, Unix milliseconds.
    pub next_sync_allowed_at_millis: Option<i64>,
    /// Receipts held in the local store.
    pub receipt_count: u64,
}

impl From<core::SyncStatus> for SyncStatus {
    fn from(status: core::SyncStatus) -> Self {
        Self {
            cursor: status.cursor,
            last_success_at_millis: status.last_success_at_millis,
            failures: status.failures,
            next_sync_allowed_at_millis: status.next_sync_allowed_at_millis,
            receipt_count: status.receipt_count,
        }
    }
}
