//! Plain-text rendering of a receipt as a shopper reads it, for the CLI and the demo.
//!
//! Lines are [`WIDTH`] characters wide with amounts right-aligned. Amounts are printed from
//! minor units with the currency's number of minor digits, never through floating point. The
//! date is shown in the store's time zone; the JSON document keeps UTC.

use super::document::{LineFlag, LineItem, Money, Receipt, TenderKind};
use crate::catalog::money::{format_minor, minor_digits};

/// Characters per rendered line.
pub const WIDTH: usize = 40;

/// Renders `receipt` as plain text, one `\n` after every line.
pub fn render_text(receipt: &Receipt) -> String {
    let digits = minor_digits(&receipt.currency).unwrap_or(2);
    let amount = |money: &Money| format_minor(money.amount_minor, digits);
    let negative = |money: &Money| format_minor(-money.amount_minor, digits);
    let rule = "-".repeat(WIDTH);
    let mut out = Vec::new();

    out.push(receipt.business_unit.name.clone());
    out.push(format!("Store {}", receipt.business_unit.id));
    out.push(format!("Receipt {}", receipt.receipt_number));
    out.push(local_date_time(receipt));
    if receipt.version > 1 {
        out.push(format!(
            "Version {} (replaces version {})",
            receipt.version,
            receipt.version - 1
        ));
    }
    if receipt.is_test {
        out.push("TEST RECEIPT - not charged".to_owned());
    }
    out.push(rule.clone());

    for item in &receipt.line_items {
        match item {
            LineItem::Sale(line) => {
                let mut title = line.description.clone();
                if line.flags.contains(&LineFlag::Unpriced) {
                    title.push_str(" (unpriced item)");
                }
                out.push(title);
                let price = amount(&line.unit_price);
                let detail = if line.unit == "each" {
                    format!("  {} x {price}", line.quantity)
                } else {
                    format!(
                        "  {} {unit} x {price}/{unit}",
                        line.quantity,
                        unit = line.unit
                    )
                };
                out.push(columns(&detail, &amount(&line.extended_amount)));
            }
            LineItem::Return(line) => {
                out.push(format!("Return: {}", line.item.description));
                let detail = format!("  {}", quantity(&line.item.quantity, &line.item.unit));
                out.push(columns(&detail, &negative(&line.item.extended_amount)));
            }
            LineItem::Discount(discount) => {
                out.push(columns(&discount.description, &negative(&discount.amount)));
            }
        }
    }
    out.push(rule.clone());

    for row in &receipt.taxes {
        let included = if row.tax_included { " incl." } else { "" };
        let label = format!(
            "Tax {}%{} on {}",
            percent(row.rate_bp),
            included,
            amount(&row.taxable_amount)
        );
        out.push(columns(&label, &amount(&row.tax_amount)));
    }
    out.push(columns("Net", &amount(&receipt.totals.net)));
    out.push(columns("Tax", &amount(&receipt.totals.tax)));
    out.push(columns(
        &format!("Total {}", receipt.currency),
        &amount(&receipt.totals.grand),
    ));
    out.push(rule);

    for tender in &receipt.tenders {
        let card = format!("{} **** {}", brand_name(&tender.brand), tender.last4);
        match tender.kind {
            TenderKind::Sale => out.push(columns(&format!("Paid {card}"), &amount(&tender.amount))),
            TenderKind::Refund => out.push(columns(
                &format!("Refund {card}"),
                &negative(&tender.amount),
            )),
        }
    }
    if let Some(written_off) = &receipt.written_off {
        out.push(columns("Not charged (below minimum)", &amount(written_off)));
    }
    if let Some(outstanding) = &receipt.outstanding {
        out.push(columns("Outstanding balance", &amount(outstanding)));
    }

    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// `receiptDateTime` in the store's time zone, such as `14 Mar 2025 17:05 GMT`; in UTC when
/// the zone is unknown, which validation rejects anyway.
fn local_date_time(receipt: &Receipt) -> String {
    let seconds = receipt.receipt_date_time.unix_timestamp();
    let Ok(timestamp) = jiff::Timestamp::from_second(seconds) else {
        return format!("{} UTC", receipt.receipt_date_time);
    };
    let zone = jiff::tz::TimeZone::get(&receipt.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    timestamp
        .to_zoned(zone)
        .strftime("%-d %b %Y %H:%M %Z")
        .to_string()
}

/// Formats a quantity for display: `2` for items counted in `each`, `0.455 kg` otherwise.
fn quantity(value: &str, unit: &str) -> String {
    if unit == "each" {
        value.to_owned()
    } else {
        format!("{value} {unit}")
    }
}

/// Formats a rate in basis points as a percentage without trailing zeros: 2000 → `20`, 550 → `5.5`.
fn percent(rate_bp: u32) -> String {
    let whole = rate_bp / 100;
    let fraction = rate_bp % 100;
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

/// Formats a card brand for print: `visa` → `Visa`, `american_express` → `American Express`.
fn brand_name(brand: &str) -> String {
    brand
        .split(['_', '-', ' '])
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `left` and `right` on one line, `right` ending at column [`WIDTH`], or one space apart
/// when they do not fit.
fn columns(left: &str, right: &str) -> String {
    let used = left.chars().count() + right.chars().count();
    let gap = WIDTH.saturating_sub(used).max(1);
    format!("{left}{}{right}", " ".repeat(gap))
}
