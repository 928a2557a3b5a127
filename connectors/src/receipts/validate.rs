//! Invariants of a receipt document, checked before a receipt is issued and usable on any
//! receipt read back.
//!
//! Each rule has its own error variant whose message names the rule and the amounts involved,
//! so a failed check names the wrong figure. Amounts are compared exactly in minor units.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use thiserror::Error;

use super::document::{LineFlag, LineItem, Money, Receipt, TenderKind};
use crate::catalog::money::minor_digits;

/// A receipt invariant that does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReceiptError {
    #[error("receipt field {field} is empty")]
    EmptyField { field: &'static str },
    #[error("currency {0:?} is not a known ISO 4217 code")]
    UnknownCurrency(String),
    #[error("time zone {0:?} is not a known IANA time zone name")]
    UnknownTimeZone(String),
    #[error("rule `one currency`: {field} is in {found}, the receipt is in {expected}")]
    CurrencyMismatch {
        field: String,
        found: String,
        expected: String,
    },
    #[error("rule `amounts are not negative`: {field} is {amount}")]
    NegativeAmount { field: String, amount: i64 },
    #[error("line {line}: quantity {quantity:?} is not a positive decimal number")]
    InvalidQuantity { line: u32, quantity: String },
    #[error("line number {0} appears more than once")]
    DuplicateLineNumber(u32),
    #[error("rule `unpriced lines are free`: line {line} is unpriced but has amount {amount}")]
    UnpricedLineCharged { line: u32, amount: i64 },
    #[error("discount line {discount} reduces line {target}, which is not a sale line")]
    UnknownDiscountTarget { discount: u32, target: u32 },
    #[error(
        "rule `discount = sum of its allocations`: discount line {discount} is {amount}, \
         its allocations sum to {allocated}"
    )]
    DiscountAllocationMismatch {
        discount: u32,
        amount: i64,
        allocated: i64,
    },
    #[error("return line {line} refers to line {original}, which is not a sale line")]
    UnknownReturnTarget { line: u32, original: u32 },
    #[error("tax rate {0} bp has more than one tax row")]
    DuplicateTaxRate(u32),
    #[error("tax row {rate_bp} bp says tax_included = {found}, the receipt says {expected}")]
    TaxIncludedMismatch {
        rate_bp: u32,
        found: bool,
        expected: bool,
    },
    #[error("rule `tax rows sum to the tax total`: rows sum to {rows}, totals.tax is {tax}")]
    TaxRowsMismatch { rows: i64, tax: i64 },
    #[error("rule `grand = net + tax`: net {net} + tax {tax} is not grand {grand}")]
    NetPlusTaxMismatch { net: i64, tax: i64, grand: i64 },
    #[error(
        "rule `grand = sales - discounts - returns` (prices include tax): \
         {sales} - {discounts} - {returns} is not grand {grand}"
    )]
    GrandFromLinesMismatch {
        sales: i64,
        discounts: i64,
        returns: i64,
        grand: i64,
    },
    #[error(
        "rule `net = sales - discounts - returns` (prices exclude tax): \
         {sales} - {discounts} - {returns} is not net {net}"
    )]
    NetFromLinesMismatch {
        sales: i64,
        discounts: i64,
        returns: i64,
        net: i64,
    },
    #[error(
        "rule `captured - refunded + written off + outstanding = grand`: \
         {captured} - {refunded} + {written_off} + {outstanding} is not grand {grand}"
    )]
    TendersMismatch {
        captured: i64,
        refunded: i64,
        written_off: i64,
        outstanding: i64,
        grand: i64,
    },
    #[error("tender {index}: last4 must be exactly 4 digits")]
    InvalidLast4 { index: usize },
    #[error("rule `version n supersedes n - 1`: version {version} supersedes {supersedes:?}")]
    VersionChain {
        version: u32,
        supersedes: Option<u32>,
    },
    #[error("an amount overflows 64 bits")]
    Overflow,
}

/// Sums of the receipt's lines, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct LineSums {
    pub sales: i64,
    pub discounts: i64,
    pub returns: i64,
}

/// Checks every invariant of `receipt`.
///
/// The rules:
/// - identity fields are set, and version `n` supersedes `n - 1`;
/// - every amount is in the receipt currency and not negative;
/// - quantities are positive decimals, and unpriced lines are free;
/// - discounts and returns point at sale lines;
/// - there is one tax row per rate, and the rows sum to `totals.tax`;
/// - `grand = net + tax`, and the lines sum to `grand` (prices include tax) or to `net`
///   (prices exclude tax);
/// - except on test receipts, captured − refunded + written off + outstanding = `grand`.
pub fn validate(receipt: &Receipt) -> Result<(), ReceiptError> {
    check_identity(receipt)?;
    check_currencies(receipt)?;
    let sums = check_lines(receipt)?;
    check_taxes(receipt)?;
    check_totals(receipt, sums)?;
    check_tenders(receipt)
}

fn check_identity(receipt: &Receipt) -> Result<(), ReceiptError> {
    let fields = [
        ("receiptId", &receipt.receipt_id),
        ("tripId", &receipt.trip_id),
        ("businessUnit.id", &receipt.business_unit.id),
        ("businessUnit.name", &receipt.business_unit.name),
        ("receiptNumber", &receipt.receipt_number),
    ];
    if let Some((field, _)) = fields.iter().find(|(_, value)| value.trim().is_empty()) {
        return Err(ReceiptError::EmptyField { field });
    }
    let chain_ok = match receipt.version {
        0 => false,
        1 => receipt.supersedes.is_none(),
        version => receipt.supersedes == Some(version - 1),
    };
    if !chain_ok {
        return Err(ReceiptError::VersionChain {
            version: receipt.version,
            supersedes: receipt.supersedes,
        });
    }
    if jiff::tz::TimeZone::get(&receipt.time_zone).is_err() {
        return Err(ReceiptError::UnknownTimeZone(receipt.time_zone.clone()));
    }
    Ok(())
}

/// Lists every amount of the receipt with a name for error messages.
fn amounts(receipt: &Receipt) -> Vec<(String, &Money)> {
    let mut all = Vec::new();
    for item in &receipt.line_items {
        let number = item.line_number();
        match item {
            LineItem::Sale(line)
            | LineItem::Return(super::document::ReturnLine { item: line, .. }) => {
                all.push((format!("line {number} unitPrice"), &line.unit_price));
                all.push((
                    format!("line {number} extendedAmount"),
                    &line.extended_amount,
                ));
            }
            LineItem::Discount(discount) => {
                all.push((format!("line {number} amount"), &discount.amount));
                for share in &discount.applies_to {
                    let target = share.line_number;
                    all.push((
                        format!("line {number} share of line {target}"),
                        &share.amount,
                    ));
                }
            }
        }
    }
    for row in &receipt.taxes {
        let rate = row.rate_bp;
        all.push((format!("tax {rate} bp taxableAmount"), &row.taxable_amount));
        all.push((format!("tax {rate} bp taxAmount"), &row.tax_amount));
    }
    all.push(("totals.net".to_owned(), &receipt.totals.net));
    all.push(("totals.tax".to_owned(), &receipt.totals.tax));
    all.push(("totals.grand".to_owned(), &receipt.totals.grand));
    for (index, tender) in receipt.tenders.iter().enumerate() {
        all.push((format!("tender {index} amount"), &tender.amount));
    }
    if let Some(amount) = &receipt.written_off {
        all.push(("writtenOff".to_owned(), amount));
    }
    if let Some(amount) = &receipt.outstanding {
        all.push(("outstanding".to_owned(), amount));
    }
    all
}

fn check_currencies(receipt: &Receipt) -> Result<(), ReceiptError> {
    if minor_digits(&receipt.currency).is_none() {
        return Err(ReceiptError::UnknownCurrency(receipt.currency.clone()));
    }
    for (field, money) in amounts(receipt) {
        if money.currency != receipt.currency {
            return Err(ReceiptError::CurrencyMismatch {
                field,
                found: money.currency.clone(),
                expected: receipt.currency.clone(),
            });
        }
        if money.amount_minor < 0 {
            return Err(ReceiptError::NegativeAmount {
                field,
                amount: money.amount_minor,
            });
        }
    }
    Ok(())
}

fn check_lines(receipt: &Receipt) -> Result<LineSums, ReceiptError> {
    let mut numbers = BTreeSet::new();
    for item in &receipt.line_items {
        if !numbers.insert(item.line_number()) {
            return Err(ReceiptError::DuplicateLineNumber(item.line_number()));
        }
    }
    let sale_numbers: BTreeSet<u32> = receipt
        .line_items
        .iter()
        .filter_map(|item| match item {
            LineItem::Sale(line) => Some(line.line_number),
            _ => None,
        })
        .collect();

    let mut sums = LineSums::default();
    for item in &receipt.line_items {
        match item {
            LineItem::Sale(line) => {
                check_item_line(line)?;
                sums.sales = add(sums.sales, line.extended_amount.amount_minor)?;
            }
            LineItem::Return(line) => {
                check_item_line(&line.item)?;
                if !sale_numbers.contains(&line.original_line_number) {
                    return Err(ReceiptError::UnknownReturnTarget {
                        line: line.item.line_number,
                        original: line.original_line_number,
                    });
                }
                sums.returns = add(sums.returns, line.item.extended_amount.amount_minor)?;
            }
            LineItem::Discount(discount) => {
                check_discount(discount, &sale_numbers)?;
                sums.discounts = add(sums.discounts, discount.amount.amount_minor)?;
            }
        }
    }
    Ok(sums)
}

fn check_item_line(line: &super::document::ItemLine) -> Result<(), ReceiptError> {
    let positive = line
        .quantity
        .parse::<Decimal>()
        .is_ok_and(|quantity| quantity > Decimal::ZERO);
    if !positive {
        return Err(ReceiptError::InvalidQuantity {
            line: line.line_number,
            quantity: line.quantity.clone(),
        });
    }
    let charged = line
        .extended_amount
        .amount_minor
        .max(line.unit_price.amount_minor);
    if line.flags.contains(&LineFlag::Unpriced) && charged != 0 {
        return Err(ReceiptError::UnpricedLineCharged {
            line: line.line_number,
            amount: charged,
        });
    }
    Ok(())
}

fn check_discount(
    discount: &super::document::DiscountLine,
    sale_numbers: &BTreeSet<u32>,
) -> Result<(), ReceiptError> {
    let mut allocated = 0i64;
    for share in &discount.applies_to {
        if !sale_numbers.contains(&share.line_number) {
            return Err(ReceiptError::UnknownDiscountTarget {
                discount: discount.line_number,
                target: share.line_number,
            });
        }
        allocated = add(allocated, share.amount.amount_minor)?;
    }
    if allocated != discount.amount.amount_minor {
        return Err(ReceiptError::DiscountAllocationMismatch {
            discount: discount.line_number,
            amount: discount.amount.amount_minor,
            allocated,
        });
    }
    Ok(())
}

fn check_taxes(receipt: &Receipt) -> Result<(), ReceiptError> {
    let mut rows = 0i64;
    let mut rates = BTreeMap::new();
    for row in &receipt.taxes {
        if rates.insert(row.rate_bp, ()).is_some() {
            return Err(ReceiptError::DuplicateTaxRate(row.rate_bp));
        }
        if row.tax_included != receipt.prices_include_tax {
            return Err(ReceiptError::TaxIncludedMismatch {
                rate_bp: row.rate_bp,
                found: row.tax_included,
                expected: receipt.prices_include_tax,
            });
        }
        rows = add(rows, row.tax_amount.amount_minor)?;
    }
    let tax = receipt.totals.tax.amount_minor;
    if rows != tax {
        return Err(ReceiptError::TaxRowsMismatch { rows, tax });
    }
    Ok(())
}

fn check_totals(receipt: &Receipt, sums: LineSums) -> Result<(), ReceiptError> {
    let net = receipt.totals.net.amount_minor;
    let tax = receipt.totals.tax.amount_minor;
    let grand = receipt.totals.grand.amount_minor;
    if add(net, tax)? != grand {
        return Err(ReceiptError::NetPlusTaxMismatch { net, tax, grand });
    }

    let from_lines = sums
        .sales
        .checked_sub(sums.discounts)
        .and_then(|value| value.checked_sub(sums.returns))
        .ok_or(ReceiptError::Overflow)?;
    if receipt.prices_include_tax && from_lines != grand {
        return Err(ReceiptError::GrandFromLinesMismatch {
            sales: sums.sales,
            discounts: sums.discounts,
            returns: sums.returns,
            grand,
        });
    }
    if !receipt.prices_include_tax && from_lines != net {
        return Err(ReceiptError::NetFromLinesMismatch {
            sales: sums.sales,
            discounts: sums.discounts,
            returns: sums.returns,
            net,
        });
    }
    Ok(())
}

fn check_tenders(receipt: &Receipt) -> Result<(), ReceiptError> {
    let mut captured = 0i64;
    let mut refunded = 0i64;
    for (index, tender) in receipt.tenders.iter().enumerate() {
        let digits_only = tender.last4.bytes().all(|byte| byte.is_ascii_digit());
        if tender.last4.len() != 4 || !digits_only {
            return Err(ReceiptError::InvalidLast4 { index });
        }
        match tender.kind {
            TenderKind::Sale => captured = add(captured, tender.amount.amount_minor)?,
            TenderKind::Refund => refunded = add(refunded, tender.amount.amount_minor)?,
        }
    }
    if receipt.is_test {
        return Ok(());
    }

    let written_off = receipt.written_off.as_ref().map_or(0, |m| m.amount_minor);
    let outstanding = receipt.outstanding.as_ref().map_or(0, |m| m.amount_minor);
    let accounted = captured
        .checked_sub(refunded)
        .and_then(|value| value.checked_add(written_off))
        .and_then(|value| value.checked_add(outstanding))
        .ok_or(ReceiptError::Overflow)?;
    let grand = receipt.totals.grand.amount_minor;
    if accounted != grand {
        return Err(ReceiptError::TendersMismatch {
            captured,
            refunded,
            written_off,
            outstanding,
            grand,
        });
    }
    Ok(())
}

pub(crate) fn add(left: i64, right: i64) -> Result<i64, ReceiptError> {
    left.checked_add(right).ok_or(ReceiptError::Overflow)
}
