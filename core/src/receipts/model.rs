//! The receipt and trip values the core hands to the shells and the CLI.
//!
//! These are plain data, ready to show: amounts are [`Money`] in minor units, never floating
//! point, and times are RFC 3339 strings in UTC, which the shells format in the device's
//! locale and time zone. Nothing here touches the network or the store.

use serde::{Deserialize, Serialize};

/// An amount in minor units of an ISO 4217 currency, as on the wire:
/// `{"amount_minor": 1234, "currency": "GBP"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

/// One receipt in the list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptSummary {
    pub receipt_id: String,
    /// Version held: above 1 after a refund or adjustment.
    pub version: i64,
    pub receipt_number: String,
    /// Instant of the sale, RFC 3339 in UTC.
    pub date_time: String,
    pub store_id: String,
    pub store_name: String,
    /// Grand total of the version held.
    pub total: Money,
    /// Number of sale lines.
    pub item_count: u32,
    /// A receipt of a test trip: nothing was charged.
    pub is_test: bool,
}

/// A whole receipt, as the receipt screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptDetail {
    pub receipt_id: String,
    pub version: i64,
    pub receipt_number: String,
    /// Instant of this version (the sale, or the refund on later versions), RFC 3339 in UTC.
    pub date_time: String,
    /// IANA time zone of the store, for showing `date_time` in store time.
    pub time_zone: String,
    pub store_id: String,
    pub store_name: String,
    pub trip_id: Option<String>,
    pub is_test: bool,
    pub currency: String,
    /// Whether line amounts include tax.
    pub prices_include_tax: bool,
    /// Sale and return lines, in receipt order.
    pub lines: Vec<ReceiptLine>,
    pub discounts: Vec<ReceiptDiscount>,
    /// One row per tax rate.
    pub taxes: Vec<ReceiptTax>,
    pub totals: ReceiptTotals,
    pub tenders: Vec<ReceiptTender>,
    /// Amount not charged because it was below the payment provider's minimum.
    pub written_off: Option<Money>,
    /// Amount still owed after a failed capture.
    pub outstanding: Option<Money>,
}

/// Whether a line sold an item or gave one back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptLineKind {
    Sale,
    Return,
}

/// A sale or return line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptLine {
    pub line_number: u32,
    pub kind: ReceiptLineKind,
    pub sku: String,
    pub description: String,
    /// Decimal string, such as `"2"` or `"0.455"`.
    pub quantity: String,
    /// Unit of `quantity`: `each`, `kg`, `lb`, …
    pub unit: String,
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

/// A promotion or offer and the amount it took off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptDiscount {
    pub line_number: u32,
    pub description: String,
    pub promotion_id: Option<String>,
    /// Positive amount taken off.
    pub amount: Money,
}

/// Tax of one rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptTax {
    pub rate_bp: u32,
    /// Amount the tax is computed on; it includes the tax when `included`.
    pub taxable: Money,
    pub tax: Money,
    pub included: bool,
}

/// Receipt totals: `grand` is what the shopper pays (net plus tax).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReceiptTotals {
    pub net: Money,
    pub tax: Money,
    pub grand: Money,
}

/// Direction of a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    Sale,
    Refund,
}

/// A card payment or refund: brand and last 4 digits only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceiptTender {
    pub kind: TenderKind,
    pub brand: String,
    pub last4: String,
    /// Positive amount captured or refunded.
    pub amount: Money,
}

/// The state of a trip, one enum across the backend and the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TripState {
    Entered,
    CartReceived,
    Charged,
    PaymentFailed,
    ReceiptReady,
    ClosedEmpty,
    /// A state added to the backend after this version of the core.
    #[serde(other)]
    Unknown,
}

/// A shopping trip as the backend reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trip {
    pub trip_id: String,
    pub store_id: String,
    pub state: TripState,
    #[serde(default)]
    pub is_test: bool,
    /// RFC 3339 in UTC.
    pub entered_at: String,
    /// RFC 3339 in UTC.
    pub updated_at: String,
    /// The trip's receipt, once issued.
    #[serde(default)]
    pub receipt_id: Option<String>,
    /// Amount owed when `state` is `payment_failed`.
    #[serde(default)]
    pub outstanding: Option<Money>,
}

/// What one receipt sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Pages fetched and committed.
    pub pages: u32,
    /// Changes that stored a receipt version (new receipts and newer versions).
    pub applied: u64,
    /// Tombstones that removed a stored receipt.
    pub deleted: u64,
    /// Changes left out because they were malformed or older than the version held.
    pub skipped: u64,
    /// The feed cursor after the sync; `None` when the feed has never returned a page.
    pub cursor: Option<String>,
}

/// The state of receipt sync, for diagnostics and for scheduling the next sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
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
