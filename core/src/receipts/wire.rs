//! The backend's JSON: the change-feed page and the receipt document with its ARTS names
//! (`businessUnit`, `receiptNumber`, `receiptDateTime`, `lineItems`, `taxes`, `totals`,
//! `tenders`).
//!
//! Decoding is lenient: unknown fields are ignored and missing ones take defaults, so a newer
//! backend that adds fields never stops an older app from syncing. The core defines these types
//! itself rather than sharing the connectors' crate, which the app must not link.

use serde::Deserialize;

use super::model::{
    Money, ReceiptDetail, ReceiptDiscount, ReceiptLine, ReceiptLineKind, ReceiptTax, ReceiptTender,
    ReceiptTotals, TenderKind,
};

/// One page of `GET /app/v1/receipts`.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedPage {
    pub items: Vec<FeedItem>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// One change: `{change_seq, receipt_id, version, deleted, receipt}`.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedItem {
    pub change_seq: i64,
    pub receipt_id: String,
    pub version: i64,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub receipt: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Document {
    pub trip_id: Option<String>,
    pub is_test: bool,
    pub business_unit: BusinessUnit,
    pub receipt_number: String,
    pub receipt_date_time: String,
    pub time_zone: String,
    pub currency: String,
    pub prices_include_tax: bool,
    pub line_items: Vec<Line>,
    pub taxes: Vec<Tax>,
    pub totals: Totals,
    pub tenders: Vec<Tender>,
    pub written_off: Option<Money>,
    pub outstanding: Option<Money>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct BusinessUnit {
    pub id: String,
    pub name: String,
}

/// A line of any type; the fields of the other types stay at their defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Line {
    #[serde(rename = "type")]
    pub kind: String,
    pub line_number: u32,
    pub sku: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub unit_price: Money,
    pub extended_amount: Money,
    pub tax_rate_bp: u32,
    pub flags: Vec<String>,
    pub original_line_number: Option<u32>,
    pub reason: Option<String>,
    pub promotion_id: Option<String>,
    pub amount: Money,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Tax {
    pub rate_bp: u32,
    pub taxable_amount: Money,
    pub tax_amount: Money,
    pub tax_included: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Totals {
    pub net: Money,
    pub tax: Money,
    pub grand: Money,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct Tender {
    #[serde(rename = "type")]
    pub kind: String,
    pub brand: String,
    pub last4: String,
    pub amount: Money,
}

impl Document {
    /// Number of sale lines.
    pub fn item_count(&self) -> u32 {
        let count = self.line_items.iter().filter(|l| l.kind == "sale").count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Turns the document into the detail model of `receipt_id` at `version`.
    pub fn into_detail(self, receipt_id: String, version: i64) -> ReceiptDetail {
        let mut lines = Vec::new();
        let mut discounts = Vec::new();
        for line in self.line_items {
            match line.kind.as_str() {
                "sale" => lines.push(item_line(line, ReceiptLineKind::Sale)),
                "return" => lines.push(item_line(line, ReceiptLineKind::Return)),
                "discount" => discounts.push(ReceiptDiscount {
                    line_number: line.line_number,
                    description: line.description,
                    promotion_id: line.promotion_id,
                    amount: line.amount,
                }),
                other => tracing::debug!(
                    line_type = other,
                    "receipt line of an unknown type left out"
                ),
            }
        }
        ReceiptDetail {
            receipt_id,
            version,
            receipt_number: self.receipt_number,
            date_time: self.receipt_date_time,
            time_zone: self.time_zone,
            store_id: self.business_unit.id,
            store_name: self.business_unit.name,
            trip_id: self.trip_id,
            is_test: self.is_test,
            currency: self.currency,
            prices_include_tax: self.prices_include_tax,
            lines,
            discounts,
            taxes: self.taxes.into_iter().map(tax_row).collect(),
            totals: ReceiptTotals {
                net: self.totals.net,
                tax: self.totals.tax,
                grand: self.totals.grand,
            },
            tenders: self.tenders.into_iter().map(tender).collect(),
            written_off: self.written_off,
            outstanding: self.outstanding,
        }
    }
}

fn item_line(line: Line, kind: ReceiptLineKind) -> ReceiptLine {
    ReceiptLine {
        line_number: line.line_number,
        kind,
        unpriced: line.flags.iter().any(|f| f == "unpriced"),
        sku: line.sku,
        description: line.description,
        quantity: line.quantity,
        unit: line.unit,
        unit_price: line.unit_price,
        amount: line.extended_amount,
        tax_rate_bp: line.tax_rate_bp,
        original_line_number: line.original_line_number,
        reason: line.reason,
    }
}

fn tax_row(tax: Tax) -> ReceiptTax {
    ReceiptTax {
        rate_bp: tax.rate_bp,
        taxable: tax.taxable_amount,
        tax: tax.tax_amount,
        included: tax.tax_included,
    }
}

fn tender(tender: Tender) -> ReceiptTender {
    let kind = if tender.kind == "refund" {
        TenderKind::Refund
    } else {
        TenderKind::Sale
    };
    ReceiptTender {
        kind,
        brand: tender.brand,
        last4: tender.last4,
        amount: tender.amount,
    }
}
