//! Refunds: the next version of a receipt, with return lines, reduced tax rows and totals, and
//! a refund tender. The previous version is only read, never changed.
//!
//! Each affected tax row is recomputed on its new taxable amount (the old one less the amounts
//! returned at that rate), rounded half up to the minor unit, and the tax given back is the
//! difference. Recomputing the row, rather than rounding the tax of each refund on its own,
//! means that refunding a line in several parts gives back exactly the tax it carried, and a
//! full refund leaves every row at zero.
//!
//! An amount refund (money given back without goods) is turned into return lines first, by
//! [`allocate_amount`], and then follows the same path.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use thiserror::Error;
use time::OffsetDateTime;

use super::document::{ItemLine, LineItem, Money, Receipt, ReturnLine, TaxRow, Tender, TenderKind};
use super::validate::{ReceiptError, add, validate};

mod allocate;

pub use allocate::allocate_amount;

/// A refund request: the lines given back and the receipt number of the new version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundInput {
    /// Number of the new version, from [`super::format_receipt_number`].
    pub receipt_number: String,
    pub refund_date_time: OffsetDateTime,
    pub lines: Vec<RefundLineInput>,
    /// Shown on each return line.
    pub reason: Option<String>,
}

/// One refunded sale line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundLineInput {
    /// `lineNumber` of the sale line on the receipt.
    pub original_line_number: u32,
    /// Quantity given back, a positive decimal string in the sale line's unit.
    pub quantity: String,
    /// Amount given back for the line, in the form the line was priced in (tax included when
    /// the receipt's prices include tax). At most what the shopper paid for the line after
    /// discounts and earlier refunds.
    pub amount_minor: i64,
}

/// Reasons a refund is rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefundError {
    #[error("the refund has no lines")]
    NoLines,
    #[error("line {0} is not a sale line of this receipt")]
    NotASaleLine(u32),
    #[error("line {line}: refund amount {amount} must be positive")]
    NonPositiveAmount { line: u32, amount: i64 },
    #[error("line {line}: quantity {quantity:?} is not a positive decimal number")]
    InvalidQuantity { line: u32, quantity: String },
    #[error("line {line}: refund of {requested} exceeds the {refundable} still refundable")]
    AmountExceedsLine {
        line: u32,
        requested: i64,
        refundable: i64,
    },
    #[error("line {line}: quantity {requested} exceeds the {remaining} not yet returned")]
    QuantityExceedsLine {
        line: u32,
        requested: Decimal,
        remaining: Decimal,
    },
    #[error("the receipt has no card tender to refund to")]
    NoCardTender,
    #[error("the receipt has an outstanding balance of {0}; settle it before refunding")]
    OutstandingBalance(i64),
    #[error("refund of {requested} exceeds the {refundable} captured and not yet refunded")]
    ExceedsCaptured { requested: i64, refundable: i64 },
    #[error("tax rate {0} bp of a refunded line has no tax row on the receipt")]
    MissingTaxRow(u32),
    #[error("refund amount {0} must be positive")]
    NonPositiveRefund(i64),
    #[error("the new version breaks a receipt invariant: {0}")]
    Receipt(#[from] ReceiptError),
}

/// An amount given back without goods, spread over the sale lines by [`allocate_amount`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountRefundInput {
    /// Number of the new version, from [`super::format_receipt_number`].
    pub receipt_number: String,
    pub refund_date_time: OffsetDateTime,
    /// Money given back to the card, in minor units of the receipt's currency.
    pub amount_minor: i64,
    /// Shown on each return line.
    pub reason: Option<String>,
}

/// Produces the next version of `previous` with `input.amount_minor` refunded, as return lines
/// made by [`allocate_amount`].
pub fn refund_amount_receipt(
    previous: &Receipt,
    input: &AmountRefundInput,
) -> Result<Receipt, RefundError> {
    if input.amount_minor <= 0 {
        return Err(RefundError::NonPositiveRefund(input.amount_minor));
    }
    if let Some(outstanding) = previous.outstanding.as_ref().filter(|m| m.amount_minor > 0) {
        return Err(RefundError::OutstandingBalance(outstanding.amount_minor));
    }
    check_captured(previous, input.amount_minor)?;
    let lines = allocate_amount(previous, input.amount_minor)?;
    let as_lines = RefundInput {
        receipt_number: input.receipt_number.clone(),
        refund_date_time: input.refund_date_time,
        lines,
        reason: input.reason.clone(),
    };
    refund_receipt(previous, &as_lines)
}

/// Produces the next version of `previous` with `input`'s lines returned.
///
/// The new version keeps every earlier line, adds one return line per refunded line, lowers
/// the tax rows and totals, and adds a refund tender on the card of the first sale tender for
/// the whole refund. The refund amount is that tender's amount.
pub fn refund_receipt(previous: &Receipt, input: &RefundInput) -> Result<Receipt, RefundError> {
    if input.lines.is_empty() {
        return Err(RefundError::NoLines);
    }
    if let Some(outstanding) = previous.outstanding.as_ref().filter(|m| m.amount_minor > 0) {
        return Err(RefundError::OutstandingBalance(outstanding.amount_minor));
    }
    let card = previous
        .tenders
        .iter()
        .find(|tender| tender.kind == TenderKind::Sale)
        .ok_or(RefundError::NoCardTender)?;
    let money = |amount_minor: i64| Money {
        amount_minor,
        currency: previous.currency.clone(),
    };

    let returns = return_lines(previous, input, &money)?;
    let by_rate = returned_by_rate(&returns)?;
    let (taxes, returned_tax) = reduce_tax_rows(previous, &by_rate)?;
    let returned_amount = by_rate
        .values()
        .try_fold(0i64, |sum, amount| add(sum, *amount))?;
    let (returned_net, refund) = if previous.prices_include_tax {
        (
            returned_amount.saturating_sub(returned_tax),
            returned_amount,
        )
    } else {
        (returned_amount, add(returned_amount, returned_tax)?)
    };
    check_captured(previous, refund)?;

    let mut next = previous.clone();
    next.version = previous.version.saturating_add(1);
    next.supersedes = Some(previous.version);
    next.receipt_number = input.receipt_number.clone();
    next.receipt_date_time = input.refund_date_time;
    next.line_items
        .extend(returns.into_iter().map(LineItem::Return));
    next.taxes = taxes;
    next.totals.net = money(
        previous
            .totals
            .net
            .amount_minor
            .saturating_sub(returned_net),
    );
    next.totals.tax = money(
        previous
            .totals
            .tax
            .amount_minor
            .saturating_sub(returned_tax),
    );
    next.totals.grand = money(previous.totals.grand.amount_minor.saturating_sub(refund));
    next.tenders.push(Tender {
        kind: TenderKind::Refund,
        brand: card.brand.clone(),
        last4: card.last4.clone(),
        amount: money(refund),
    });
    validate(&next)?;
    Ok(next)
}

/// Builds the return lines, checking each against what is left of its sale line.
fn return_lines(
    previous: &Receipt,
    input: &RefundInput,
    money: &impl Fn(i64) -> Money,
) -> Result<Vec<ReturnLine>, RefundError> {
    let mut next_number = previous
        .line_items
        .iter()
        .map(LineItem::line_number)
        .max()
        .unwrap_or(0);
    let mut lines: Vec<ReturnLine> = Vec::with_capacity(input.lines.len());
    for refund in &input.lines {
        let number = refund.original_line_number;
        let sale = sale_line(previous, number).ok_or(RefundError::NotASaleLine(number))?;
        if refund.amount_minor <= 0 {
            return Err(RefundError::NonPositiveAmount {
                line: number,
                amount: refund.amount_minor,
            });
        }
        let quantity = parse_quantity(number, &refund.quantity)?;
        let left = Remaining::of(previous, &lines, sale);
        if refund.amount_minor > left.amount {
            return Err(RefundError::AmountExceedsLine {
                line: number,
                requested: refund.amount_minor,
                refundable: left.amount,
            });
        }
        if quantity > left.quantity {
            return Err(RefundError::QuantityExceedsLine {
                line: number,
                requested: quantity,
                remaining: left.quantity,
            });
        }

        next_number = next_number.saturating_add(1);
        lines.push(ReturnLine {
            item: ItemLine {
                line_number: next_number,
                quantity: refund.quantity.clone(),
                extended_amount: money(refund.amount_minor),
                ..sale.clone()
            },
            original_line_number: number,
            reason: input.reason.clone(),
        });
    }
    Ok(lines)
}

fn sale_line(receipt: &Receipt, number: u32) -> Option<&ItemLine> {
    receipt.line_items.iter().find_map(|item| match item {
        LineItem::Sale(line) if line.line_number == number => Some(line),
        _ => None,
    })
}

fn parse_quantity(line: u32, text: &str) -> Result<Decimal, RefundError> {
    match text.parse::<Decimal>() {
        Ok(quantity) if quantity > Decimal::ZERO => Ok(quantity),
        _ => Err(RefundError::InvalidQuantity {
            line,
            quantity: text.to_owned(),
        }),
    }
}

/// The amount and quantity still refundable on one sale line.
struct Remaining {
    amount: i64,
    quantity: Decimal,
}

impl Remaining {
    /// Paid amount (extended − discounts − earlier returns, including `pending` ones of the
    /// same refund) and quantity not yet returned.
    fn of(receipt: &Receipt, pending: &[ReturnLine], sale: &ItemLine) -> Remaining {
        let mut amount = sale.extended_amount.amount_minor;
        let mut quantity = sale.quantity.parse::<Decimal>().unwrap_or(Decimal::ZERO);
        let earlier = receipt.line_items.iter().filter_map(|item| match item {
            LineItem::Return(line) => Some(line),
            _ => None,
        });
        for returned in earlier.chain(pending.iter()) {
            if returned.original_line_number == sale.line_number {
                amount = amount.saturating_sub(returned.item.extended_amount.amount_minor);
                let returned_quantity = returned.item.quantity.parse().unwrap_or(Decimal::ZERO);
                quantity = quantity
                    .checked_sub(returned_quantity)
                    .unwrap_or(Decimal::MIN);
            }
        }
        for item in &receipt.line_items {
            if let LineItem::Discount(discount) = item {
                for share in &discount.applies_to {
                    if share.line_number == sale.line_number {
                        amount = amount.saturating_sub(share.amount.amount_minor);
                    }
                }
            }
        }
        Remaining { amount, quantity }
    }
}

/// Returned amounts summed per tax rate.
fn returned_by_rate(returns: &[ReturnLine]) -> Result<BTreeMap<u32, i64>, RefundError> {
    let mut by_rate = BTreeMap::new();
    for line in returns {
        let sum = by_rate.entry(line.item.tax_rate_bp).or_insert(0i64);
        *sum = add(*sum, line.item.extended_amount.amount_minor)?;
    }
    Ok(by_rate)
}

/// Lowers each affected rate's row to its recomputed figures; returns the rows and the total
/// tax given back. A 0% line needs no row.
fn reduce_tax_rows(
    previous: &Receipt,
    by_rate: &BTreeMap<u32, i64>,
) -> Result<(Vec<TaxRow>, i64), RefundError> {
    let mut rows = previous.taxes.clone();
    let mut returned_tax = 0i64;
    for (&rate_bp, &amount) in by_rate {
        let Some(row) = rows.iter_mut().find(|row| row.rate_bp == rate_bp) else {
            if rate_bp == 0 {
                continue;
            }
            return Err(RefundError::MissingTaxRow(rate_bp));
        };
        let taxable = row.taxable_amount.amount_minor.saturating_sub(amount);
        let recomputed = tax_on(taxable, rate_bp, previous.prices_include_tax);
        // The row may come from a pricing engine that rounded differently; never give back
        // negative tax because of that.
        let tax = row
            .tax_amount
            .amount_minor
            .saturating_sub(recomputed)
            .max(0);
        row.taxable_amount.amount_minor = taxable;
        row.tax_amount.amount_minor = row.tax_amount.amount_minor.saturating_sub(tax);
        returned_tax = add(returned_tax, tax)?;
    }
    Ok((rows, returned_tax))
}

/// Tax on `amount` at `rate_bp`, rounded half up: `amount × rate / (10000 + rate)` when the
/// amount includes the tax, `amount × rate / 10000` when it does not.
pub fn tax_on(amount: i64, rate_bp: u32, amount_includes_tax: bool) -> i64 {
    let rate = i128::from(rate_bp);
    let denominator = if amount_includes_tax {
        10_000 + rate
    } else {
        10_000
    };
    let numerator = i128::from(amount.max(0)) * rate;
    let tax = (2 * numerator + denominator) / (2 * denominator);
    i64::try_from(tax).unwrap_or(i64::MAX)
}

fn check_captured(previous: &Receipt, refund: i64) -> Result<(), RefundError> {
    let mut refundable = 0i64;
    for tender in &previous.tenders {
        match tender.kind {
            TenderKind::Sale => refundable = add(refundable, tender.amount.amount_minor)?,
            TenderKind::Refund => {
                refundable = refundable.saturating_sub(tender.amount.amount_minor);
            }
        }
    }
    if refund > refundable {
        return Err(RefundError::ExceedsCaptured {
            requested: refund,
            refundable,
        });
    }
    Ok(())
}
