//! Mapping a receipt version onto the POS transaction the export sinks book.
//!
//! Version 1 of a receipt is a sale; each later version is a return holding only the return
//! lines that version added. Unpriced lines are left out, because nothing was sold for them.

use std::collections::HashMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::pos::{
    LineKind, PosDiscount, PosLine, PosTax, PosTender, PosTotals, PosTransaction, TenderKind,
    TransactionKind, transaction_id,
};
use crate::receipts::{self, LineFlag, LineItem, Receipt};

/// The virtual POS workstation of checkout-free sales.
pub const WORKSTATION_ID: &str = "WALKOUT";

/// Builds the POS transaction of one receipt version. `new_return_lines` lists the line
/// numbers this version added (empty for version 1).
pub fn pos_transaction(receipt: &Receipt, new_return_lines: &[u32]) -> PosTransaction {
    let trip_or_receipt = if receipt.trip_id.is_empty() {
        receipt.receipt_id.as_str()
    } else {
        receipt.trip_id.as_str()
    };
    let is_sale = receipt.version == 1;
    let mut discounts: HashMap<u32, Vec<PosDiscount>> = HashMap::new();
    for item in &receipt.line_items {
        if let LineItem::Discount(discount) = item {
            for share in &discount.applies_to {
                discounts
                    .entry(share.line_number)
                    .or_default()
                    .push(PosDiscount {
                        description: discount.description.clone(),
                        promotion_id: discount.promotion_id.clone(),
                        amount_minor: share.amount.amount_minor,
                    });
            }
        }
    }

    let mut lines = Vec::new();
    for item in &receipt.line_items {
        match item {
            LineItem::Sale(line) if is_sale && !line.flags.contains(&LineFlag::Unpriced) => {
                let line_discounts = discounts.remove(&line.line_number).unwrap_or_default();
                lines.push(pos_line(LineKind::Sale, line, line_discounts));
            }
            LineItem::Return(line)
                if !is_sale && new_return_lines.contains(&line.item.line_number) =>
            {
                lines.push(pos_line(LineKind::Return, &line.item, Vec::new()));
            }
            _ => {}
        }
    }

    let (taxes, totals, tenders) = if is_sale {
        sale_figures(receipt)
    } else {
        return_figures(receipt, &lines)
    };
    let sequence_number = receipt
        .receipt_number
        .rsplit('-')
        .next()
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0);

    PosTransaction {
        transaction_id: transaction_id(trip_or_receipt, receipt.version),
        kind: if is_sale {
            TransactionKind::Sale
        } else {
            TransactionKind::Return
        },
        store_id: receipt.business_unit.id.clone(),
        store_name: receipt.business_unit.name.clone(),
        workstation_id: WORKSTATION_ID.to_owned(),
        sequence_number,
        business_day: business_day(receipt),
        begin: receipt.receipt_date_time,
        end: receipt.receipt_date_time,
        currency: receipt.currency.clone(),
        prices_include_tax: receipt.prices_include_tax,
        receipt_number: receipt.receipt_number.clone(),
        original_transaction_id: (!is_sale).then(|| transaction_id(trip_or_receipt, 1)),
        is_test: receipt.is_test,
        lines,
        taxes,
        totals,
        tenders,
    }
}

fn pos_line(kind: LineKind, line: &receipts::ItemLine, discounts: Vec<PosDiscount>) -> PosLine {
    let discount_total: i64 = discounts.iter().map(|d| d.amount_minor).sum();
    let extended = line.extended_amount.amount_minor - discount_total;
    // Actual unit price: the discounted line amount over the quantity, rounded half away from
    // zero to the minor unit (the POS shows it; totals use `extended_minor`).
    let quantity: Decimal = line.quantity.parse().unwrap_or(Decimal::ONE);
    let actual = if quantity > Decimal::ZERO {
        (Decimal::from(extended) / quantity)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .to_i64()
            .unwrap_or(line.unit_price.amount_minor)
    } else {
        line.unit_price.amount_minor
    };
    PosLine {
        kind,
        sku: line.sku.clone(),
        description: line.description.clone(),
        quantity: line.quantity.clone(),
        unit: line.unit.clone(),
        regular_unit_price_minor: line.unit_price.amount_minor,
        actual_unit_price_minor: actual,
        extended_minor: extended,
        tax_rate_bp: line.tax_rate_bp,
        discounts,
    }
}

type Figures = (Vec<PosTax>, PosTotals, Vec<PosTender>);

fn sale_figures(receipt: &Receipt) -> Figures {
    let taxes = receipt
        .taxes
        .iter()
        .map(|row| PosTax {
            rate_bp: row.rate_bp,
            taxable_minor: row.taxable_amount.amount_minor,
            tax_minor: row.tax_amount.amount_minor,
            tax_included: row.tax_included,
        })
        .collect();
    let totals = PosTotals {
        net_minor: receipt.totals.net.amount_minor,
        tax_minor: receipt.totals.tax.amount_minor,
        grand_minor: receipt.totals.grand.amount_minor,
    };
    let tenders = receipt
        .tenders
        .iter()
        .filter(|tender| tender.kind == receipts::TenderKind::Sale)
        .map(|tender| PosTender {
            kind: TenderKind::Sale,
            brand: tender.brand.clone(),
            last4: tender.last4.clone(),
            amount_minor: tender.amount.amount_minor,
        })
        .collect();
    (taxes, totals, tenders)
}

/// Figures of a return: tax per rate on the returned amounts, with the receipt's rounding
/// rule, and the refund tender of this version.
fn return_figures(receipt: &Receipt, lines: &[PosLine]) -> Figures {
    let mut by_rate: std::collections::BTreeMap<u32, i64> = std::collections::BTreeMap::new();
    for line in lines {
        *by_rate.entry(line.tax_rate_bp).or_default() += line.extended_minor;
    }
    let taxes: Vec<PosTax> = by_rate
        .into_iter()
        .map(|(rate_bp, taxable_minor)| PosTax {
            rate_bp,
            taxable_minor,
            tax_minor: receipts::tax_on(taxable_minor, rate_bp, receipt.prices_include_tax),
            tax_included: receipt.prices_include_tax,
        })
        .collect();
    let amount: i64 = lines.iter().map(|line| line.extended_minor).sum();
    let tax: i64 = taxes.iter().map(|row| row.tax_minor).sum();
    let (net, grand) = if receipt.prices_include_tax {
        (amount - tax, amount)
    } else {
        (amount, amount + tax)
    };
    let tenders = receipt
        .tenders
        .iter()
        .rev()
        .find(|tender| tender.kind == receipts::TenderKind::Refund)
        .map(|tender| PosTender {
            kind: TenderKind::Refund,
            brand: tender.brand.clone(),
            last4: tender.last4.clone(),
            amount_minor: tender.amount.amount_minor,
        })
        .into_iter()
        .collect();
    let totals = PosTotals {
        net_minor: net,
        tax_minor: tax,
        grand_minor: grand,
    };
    (taxes, totals, tenders)
}

/// Returns the local date of the receipt in the store's time zone (UTC when the zone is unknown).
fn business_day(receipt: &Receipt) -> time::Date {
    let utc_date = receipt.receipt_date_time.date();
    let Ok(timestamp) = jiff::Timestamp::from_second(receipt.receipt_date_time.unix_timestamp())
    else {
        return utc_date;
    };
    let zone = jiff::tz::TimeZone::get(&receipt.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let local = timestamp.to_zoned(zone).date();
    let month = time::Month::try_from(u8::try_from(local.month()).unwrap_or(1))
        .unwrap_or(time::Month::January);
    time::Date::from_calendar_date(
        i32::from(local.year()),
        month,
        u8::try_from(local.day()).unwrap_or(1),
    )
    .unwrap_or(utc_date)
}
