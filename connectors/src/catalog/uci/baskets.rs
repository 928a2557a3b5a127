//! Real sale baskets from the UCI data, for tests and the demo to replay.

use std::collections::{BTreeMap, HashSet};

use time::PrimitiveDateTime;

use super::UciData;
use super::rules::{RowRule, normalise_sku};

/// One line of a basket: a sale row of the invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasketLine {
    /// Physical line of the row in the input.
    pub line: u64,
    /// SKU normalised as in the catalog.
    pub sku: String,
    pub quantity: i64,
    /// UnitPrice of this row, in pence; it may differ from the catalog price.
    pub unit_price_minor: i64,
}

/// One sale invoice with its sale lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basket {
    pub invoice_no: String,
    pub invoice_date: PrimitiveDateTime,
    pub customer_id: Option<String>,
    pub country: String,
    pub lines: Vec<BasketLine>,
}

/// Baskets in order of first appearance, with counts of what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasketExtract {
    pub baskets: Vec<Basket>,
    /// Invoices that are not cancellations.
    pub sale_invoices: usize,
    /// Sale invoices with no sale line left (for example only stock adjustments), not returned.
    pub invoices_without_lines: usize,
    /// Rows of sale invoices left out of the baskets, per rule.
    pub rows_left_out: BTreeMap<RowRule, u64>,
}

/// Extracts the sale invoices. A basket keeps the rows whose rule is a sale
/// ([`RowRule::SaleWithCustomer`] or [`RowRule::SaleWithoutCustomer`]); the rest are counted
/// in `rows_left_out`. NOTE: the last invoice of a file cut from a larger one may be partial,
/// which the file cannot show (in the 30,000-row slice, `538839` has 27 of its 45 lines).
pub fn baskets(data: &UciData) -> BasketExtract {
    let mut order: Vec<&str> = Vec::new();
    let mut by_invoice: BTreeMap<&str, Basket> = BTreeMap::new();
    let mut sale_invoices = HashSet::new();
    let mut rows_left_out = BTreeMap::new();

    for (row, rule) in data.rows.iter().zip(&data.rules) {
        if *rule == RowRule::Cancellation {
            continue;
        }
        sale_invoices.insert(row.invoice_no.as_str());
        if !rule.is_sale() {
            *rows_left_out.entry(*rule).or_default() += 1;
            continue;
        }
        let basket = by_invoice
            .entry(row.invoice_no.as_str())
            .or_insert_with(|| {
                order.push(row.invoice_no.as_str());
                Basket {
                    invoice_no: row.invoice_no.clone(),
                    invoice_date: row.invoice_date,
                    customer_id: row.customer_id.clone(),
                    country: row.country.clone(),
                    lines: Vec::new(),
                }
            });
        basket.lines.push(BasketLine {
            line: row.line,
            sku: normalise_sku(&row.stock_code),
            quantity: row.quantity,
            unit_price_minor: row.unit_price_minor,
        });
    }

    let baskets: Vec<Basket> = order
        .iter()
        .filter_map(|no| by_invoice.remove(no))
        .collect();
    BasketExtract {
        invoices_without_lines: sale_invoices.len() - baskets.len(),
        sale_invoices: sale_invoices.len(),
        baskets,
        rows_left_out,
    }
}
