//! Plain-text rendering of a receipt for the CLI and support tools.
//!
//! Lines are [`WIDTH`] characters wide with amounts right-aligned. Amounts are printed from
//! minor units with the currency's number of minor digits, never through floating point. The
//! time is printed in UTC as stored, because the core carries no time zone database; the
//! shells show store or device time.

use super::model::{Money, ReceiptDetail, ReceiptLineKind, TenderKind};

/// Characters per rendered line.
pub const WIDTH: usize = 40;

/// Renders `receipt` as plain text, with `\n` after every line.
pub fn render_text(receipt: &ReceiptDetail) -> String {
    let rule = "-".repeat(WIDTH);
    let mut out = header(receipt);
    out.push(rule.clone());
    out.extend(item_lines(receipt));
    out.push(rule.clone());
    out.extend(total_lines(receipt));
    out.push(rule);
    out.extend(payment_lines(receipt));

    let mut text = out.join("\n");
    text.push('\n');
    text
}

fn header(receipt: &ReceiptDetail) -> Vec<String> {
    let mut out = vec![
        receipt.store_name.clone(),
        format!("Store {}", receipt.store_id),
        format!("Receipt {}", receipt.receipt_number),
        format!("{} UTC", receipt.date_time),
    ];
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
    out
}

fn item_lines(receipt: &ReceiptDetail) -> Vec<String> {
    let mut out = Vec::new();
    for line in &receipt.lines {
        let mut title = match line.kind {
            ReceiptLineKind::Sale => line.description.clone(),
            ReceiptLineKind::Return => format!("Return: {}", line.description),
        };
        if line.unpriced {
            title.push_str(" (unpriced item)");
        }
        out.push(title);
        let detail = format!(
            "  {} {} x {}",
            line.quantity,
            line.unit,
            amount(&line.unit_price)
        );
        let total = match line.kind {
            ReceiptLineKind::Sale => amount(&line.amount),
            ReceiptLineKind::Return => negative(&line.amount),
        };
        out.push(columns(&detail, &total));
    }
    for discount in &receipt.discounts {
        out.push(columns(&discount.description, &negative(&discount.amount)));
    }
    out
}

fn total_lines(receipt: &ReceiptDetail) -> Vec<String> {
    let mut out = Vec::new();
    for row in &receipt.taxes {
        let included = if row.included { " incl." } else { "" };
        let label = format!(
            "Tax {}%{included} on {}",
            percent(row.rate_bp),
            amount(&row.taxable)
        );
        out.push(columns(&label, &amount(&row.tax)));
    }
    out.push(columns("Net", &amount(&receipt.totals.net)));
    out.push(columns("Tax", &amount(&receipt.totals.tax)));
    out.push(columns(
        &format!("Total {}", receipt.currency),
        &amount(&receipt.totals.grand),
    ));
    out
}

fn payment_lines(receipt: &ReceiptDetail) -> Vec<String> {
    let mut out = Vec::new();
    for tender in &receipt.tenders {
        let card = format!("{} **** {}", tender.brand, tender.last4);
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
    out
}

/// Formats `money` with its currency's minor digits, such as `12.34` or `-0.05`.
pub fn format_money(money: &Money) -> String {
    format_minor(money.amount_minor, minor_digits(&money.currency))
}

fn amount(money: &Money) -> String {
    format_money(money)
}

fn negative(money: &Money) -> String {
    format_minor(
        money.amount_minor.saturating_neg(),
        minor_digits(&money.currency),
    )
}

/// Minor digits of an ISO 4217 currency: 0 and 3 for the currencies that use them, else 2.
fn minor_digits(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
        "VUV", "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if ZERO.contains(&currency) {
        0
    } else if THREE.contains(&currency) {
        3
    } else {
        2
    }
}

fn format_minor(amount_minor: i64, digits: u32) -> String {
    let sign = if amount_minor < 0 { "-" } else { "" };
    let magnitude = amount_minor.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u64.pow(digits);
    let width = digits as usize;
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
}

fn percent(rate_bp: u32) -> String {
    let whole = rate_bp / 100;
    match rate_bp % 100 {
        0 => whole.to_string(),
        fraction if fraction % 10 == 0 => format!("{whole}.{}", fraction / 10),
        fraction => format!("{whole}.{fraction:02}"),
    }
}

/// Puts `left` and `right` on one line of [`WIDTH`] characters, or on two when they do not fit.
fn columns(left: &str, right: &str) -> String {
    let used = left.chars().count() + right.chars().count();
    if used < WIDTH {
        format!("{left}{}{right}", " ".repeat(WIDTH - used))
    } else {
        format!("{left}\n{right:>WIDTH$}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_format_without_floats() {
        let cases = [
            (1234, "GBP", "12.34"),
            (-5, "GBP", "-0.05"),
            (0, "EUR", "0.00"),
            (1500, "JPY", "1500"),
            (1005, "KWD", "1.005"),
            (i64::MIN, "GBP", "-92233720368547758.08"),
        ];
        for (minor, currency, expected) in cases {
            let money = Money {
                amount_minor: minor,
                currency: currency.to_owned(),
            };
            assert_eq!(format_money(&money), expected, "{minor} {currency}");
        }
    }

    #[test]
    fn rates_print_as_percent() {
        assert_eq!(percent(2000), "20");
        assert_eq!(percent(550), "5.5");
        assert_eq!(percent(1234), "12.34");
    }
}
