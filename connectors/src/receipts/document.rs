//! The receipt document as stored, synced to the app and shown to the shopper.
//!
//! Field names follow the ARTS Digital Receipt (`businessUnit`, `receiptNumber`,
//! `receiptDateTime`, `lineItems`, `taxes`, `totals`, `tenders`), so an ARTS XML export is a
//! mechanical mapping. Every amount is a [`Money`] in minor units: nothing here goes through
//! floating point. A receipt is never edited once issued: a refund produces a new version that
//! names the version it supersedes (see [`super::refund`]).
//!
//! These types carry no checks of their own; [`super::validate`] checks a whole document.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use crate::payments::gateway::Money;

/// The receipt JSON layout version, stored in `formatVersion`. It changes only when a field
/// changes meaning or is removed; new optional fields keep it.
pub const FORMAT_VERSION: u32 = 1;

/// One version of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// Layout version of this JSON document ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Stable id of the receipt, the same in every version (UUID v7).
    pub receipt_id: String,
    /// 1 for the receipt issued at exit, then one more for each refund or adjustment.
    pub version: u32,
    /// The version this one replaces: `None` on version 1, else `version - 1`.
    pub supersedes: Option<u32>,
    pub trip_id: String,
    /// A receipt of a trip opened with a test key: nothing was charged.
    pub is_test: bool,
    pub business_unit: BusinessUnit,
    pub receipt_number: String,
    /// The instant of the sale (or of the refund, on later versions), in UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub receipt_date_time: OffsetDateTime,
    /// IANA time zone name of the store, used to show `receiptDateTime` in local time.
    pub time_zone: String,
    /// ISO 4217 code shared by every amount of the receipt.
    pub currency: String,
    /// Whether shelf prices, and so line amounts, include tax.
    pub prices_include_tax: bool,
    pub line_items: Vec<LineItem>,
    /// One row per tax rate.
    pub taxes: Vec<TaxRow>,
    pub totals: Totals,
    pub tenders: Vec<Tender>,
    /// Amount not charged because it was below the payment provider's minimum charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_off: Option<Money>,
    /// Amount still owed by the shopper after a failed capture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outstanding: Option<Money>,
}

/// The store that issued the receipt (ARTS `BusinessUnit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessUnit {
    /// Store id, such as `UK-LON-001`.
    pub id: String,
    pub name: String,
}

/// One line of the receipt: a sale, a return or a discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum LineItem {
    Sale(ItemLine),
    Return(ReturnLine),
    Discount(DiscountLine),
}

impl LineItem {
    /// Returns the line's number, unique within the receipt.
    pub fn line_number(&self) -> u32 {
        match self {
            LineItem::Sale(line) => line.line_number,
            LineItem::Return(line) => line.item.line_number,
            LineItem::Discount(line) => line.line_number,
        }
    }
}

/// An item sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemLine {
    /// Position on the receipt, from 1.
    pub line_number: u32,
    pub sku: String,
    pub description: String,
    /// Decimal string, such as `"2"` or `"0.455"`.
    pub quantity: String,
    /// Unit of `quantity`: `each`, `kg`, `lb`, …
    pub unit: String,
    pub unit_price: Money,
    /// Amount of the line before discounts.
    pub extended_amount: Money,
    /// Tax rate of the line in basis points (2000 = 20%).
    pub tax_rate_bp: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<LineFlag>,
}

/// Markers shown next to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LineFlag {
    /// The SKU is not in the catalog: the line is shown but not charged.
    Unpriced,
}

/// An item given back, refunded from an earlier sale line of the same receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnLine {
    /// The returned quantity and the refunded amount (`extendedAmount`), both positive.
    #[serde(flatten)]
    pub item: ItemLine,
    /// `lineNumber` of the sale line the item was bought on.
    pub original_line_number: u32,
    /// Refund reason, shown on the receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A promotion or offer and the amount it takes off each line it reduces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountLine {
    pub line_number: u32,
    pub description: String,
    /// Id of the promotion or offer, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_id: Option<String>,
    /// Positive amount taken off; equals the sum of `appliesTo`.
    pub amount: Money,
    pub applies_to: Vec<DiscountAllocation>,
}

/// The part of a discount that falls on one sale line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscountAllocation {
    pub line_number: u32,
    pub amount: Money,
}

/// Tax of one rate (ARTS `Tax` with `TaxableAmount`, `Amount` and `Percent`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaxRow {
    /// Rate in basis points (2000 = 20%).
    pub rate_bp: u32,
    /// Amount the tax is computed on, after discounts; it includes the tax when `taxIncluded`.
    pub taxable_amount: Money,
    pub tax_amount: Money,
    pub tax_included: bool,
}

/// Receipt totals (ARTS `Total` with `TransactionNetAmount`, `TransactionTaxAmount` and
/// `TransactionGrandAmount`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    /// Amount without tax.
    pub net: Money,
    pub tax: Money,
    /// Amount the shopper pays: net plus tax.
    pub grand: Money,
}

/// A card payment or refund. Only the brand and the last 4 digits are kept, never more of the
/// card number and never the expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tender {
    /// `sale` for the captured payment, `refund` for money given back (ARTS `Tender@TypeCode`).
    #[serde(rename = "type")]
    pub kind: TenderKind,
    /// Card brand as the payment provider names it: `visa`, `mastercard`, …
    pub brand: String,
    pub last4: String,
    /// Positive amount captured or refunded.
    pub amount: Money,
}

/// Direction of a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TenderKind {
    Sale,
    Refund,
}

/// Formats a receipt number from the store id and the store's receipt sequence number.
///
/// The sequence is zero-padded to 8 digits (`UK-LON-001-00000042`), so receipt numbers of one
/// store sort in issue order as text up to 99,999,999; larger sequences print in full and stay
/// unique. The caller owns the sequence and must never reuse a value for a store.
pub fn format_receipt_number(store_id: &str, sequence: u64) -> String {
    format!("{store_id}-{sequence:08}")
}
