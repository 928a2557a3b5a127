//! Building version 1 of a receipt from plain figures.
//!
//! The input is deliberately plain (strings and minor units), so the code that priced the cart
//! maps its own types onto it. The builder numbers the lines, wraps every amount in the receipt currency
//! and runs [`validate`], so a receipt that leaves here satisfies every invariant.

use time::OffsetDateTime;

use super::document::{
    BusinessUnit, DiscountAllocation, DiscountLine, FORMAT_VERSION, ItemLine, LineFlag, LineItem,
    Money, Receipt, TaxRow, Tender, TenderKind, Totals,
};
use super::validate::{ReceiptError, validate};

/// Everything that makes version 1 of a receipt. Amounts are minor units of `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptInput {
    pub receipt_id: String,
    pub trip_id: String,
    pub is_test: bool,
    pub store_id: String,
    pub store_name: String,
    /// IANA name of the store's time zone, such as `Europe/London`.
    pub time_zone: String,
    /// From [`super::format_receipt_number`].
    pub receipt_number: String,
    pub receipt_date_time: OffsetDateTime,
    pub currency: String,
    pub prices_include_tax: bool,
    pub lines: Vec<SaleInput>,
    pub discounts: Vec<DiscountInput>,
    pub taxes: Vec<TaxInput>,
    pub totals: TotalsInput,
    /// The captured card payment; `None` when nothing was captured.
    pub tender: Option<TenderInput>,
    /// Amount below the payment provider's minimum charge, not charged.
    pub written_off_minor: i64,
    /// Amount still owed after a failed capture.
    pub outstanding_minor: i64,
}

/// A sale line, charged or unpriced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleInput {
    pub sku: String,
    pub description: String,
    /// Decimal string.
    pub quantity: String,
    pub unit: String,
    pub unit_price_minor: i64,
    /// Amount of the line before discounts.
    pub extended_minor: i64,
    pub tax_rate_bp: u32,
    /// The SKU is unknown: the line is shown with zero amounts and the `unpriced` flag.
    pub unpriced: bool,
}

/// A discount and its share of each line, lines given by their index in
/// [`ReceiptInput::lines`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountInput {
    pub description: String,
    pub promotion_id: Option<String>,
    pub amount_minor: i64,
    /// (index into `lines`, amount) pairs.
    pub allocations: Vec<(usize, i64)>,
}

/// One tax row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxInput {
    pub rate_bp: u32,
    pub taxable_minor: i64,
    pub tax_minor: i64,
}

/// The receipt totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotalsInput {
    pub net_minor: i64,
    pub tax_minor: i64,
    pub grand_minor: i64,
}

/// A card tender: brand, last 4 digits and the amount captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderInput {
    pub brand: String,
    pub last4: String,
    pub amount_minor: i64,
}

/// Builds and validates version 1 of a receipt.
///
/// Sale lines are numbered from 1 in input order, then the discount lines follow. Errors name
/// the violated rule; a discount that points at a line index outside `lines` is reported as a
/// discount of an unknown line.
pub fn build_receipt(input: &ReceiptInput) -> Result<Receipt, ReceiptError> {
    let money = |amount_minor: i64| Money {
        amount_minor,
        currency: input.currency.clone(),
    };

    let mut line_items = Vec::with_capacity(input.lines.len() + input.discounts.len());
    for (index, line) in input.lines.iter().enumerate() {
        line_items.push(LineItem::Sale(sale_line(line, line_number(index), &money)));
    }
    let first_discount = input.lines.len();
    for (offset, discount) in input.discounts.iter().enumerate() {
        let number = line_number(first_discount + offset);
        line_items.push(LineItem::Discount(discount_line(
            discount, number, input, &money,
        )));
    }

    let taxes = input
        .taxes
        .iter()
        .map(|row| TaxRow {
            rate_bp: row.rate_bp,
            taxable_amount: money(row.taxable_minor),
            tax_amount: money(row.tax_minor),
            tax_included: input.prices_include_tax,
        })
        .collect();
    let tenders = input
        .tender
        .iter()
        .map(|tender| Tender {
            kind: TenderKind::Sale,
            brand: tender.brand.clone(),
            last4: tender.last4.clone(),
            amount: money(tender.amount_minor),
        })
        .collect();

    let receipt = Receipt {
        format_version: FORMAT_VERSION,
        receipt_id: input.receipt_id.clone(),
        version: 1,
        supersedes: None,
        trip_id: input.trip_id.clone(),
        is_test: input.is_test,
        business_unit: BusinessUnit {
            id: input.store_id.clone(),
            name: input.store_name.clone(),
        },
        receipt_number: input.receipt_number.clone(),
        receipt_date_time: input.receipt_date_time,
        time_zone: input.time_zone.clone(),
        currency: input.currency.clone(),
        prices_include_tax: input.prices_include_tax,
        line_items,
        taxes,
        totals: Totals {
            net: money(input.totals.net_minor),
            tax: money(input.totals.tax_minor),
            grand: money(input.totals.grand_minor),
        },
        tenders,
        written_off: (input.written_off_minor != 0).then(|| money(input.written_off_minor)),
        outstanding: (input.outstanding_minor != 0).then(|| money(input.outstanding_minor)),
    };
    validate(&receipt)?;
    Ok(receipt)
}

/// Line numbers start at 1; receipts never hold anywhere near `u32::MAX` lines.
fn line_number(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

fn sale_line(line: &SaleInput, number: u32, money: &impl Fn(i64) -> Money) -> ItemLine {
    ItemLine {
        line_number: number,
        sku: line.sku.clone(),
        description: line.description.clone(),
        quantity: line.quantity.clone(),
        unit: line.unit.clone(),
        unit_price: money(line.unit_price_minor),
        extended_amount: money(line.extended_minor),
        tax_rate_bp: line.tax_rate_bp,
        flags: if line.unpriced {
            vec![LineFlag::Unpriced]
        } else {
            Vec::new()
        },
    }
}

fn discount_line(
    discount: &DiscountInput,
    number: u32,
    input: &ReceiptInput,
    money: &impl Fn(i64) -> Money,
) -> DiscountLine {
    // An index past the sale lines maps to a number no sale line has, so validation rejects
    // it as an unknown target instead of silently dropping the share.
    let applies_to = discount
        .allocations
        .iter()
        .map(|(index, amount)| DiscountAllocation {
            line_number: if *index < input.lines.len() {
                line_number(*index)
            } else {
                0
            },
            amount: money(*amount),
        })
        .collect();
    DiscountLine {
        line_number: number,
        description: discount.description.clone(),
        promotion_id: discount.promotion_id.clone(),
        amount: money(discount.amount_minor),
        applies_to,
    }
}
