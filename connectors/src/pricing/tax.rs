//! Tax per rate group.
//!
//! Rounding rule: tax is computed once per rate group on the group's discounted amount and
//! rounded half up to the minor unit, with integer arithmetic.
//! - Tax-included prices: tax = amount × rate / (1 + rate).
//! - Tax-excluded prices: tax = amount × rate.

use std::collections::BTreeMap;

/// A store's tax settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaxSettings {
    /// True when catalog prices include tax (the UK demo store), false when tax is added.
    pub prices_include_tax: bool,
    /// Rate in basis points per `product_tax_code` (2000 = 20%), matched exactly.
    pub rates_bp: BTreeMap<String, u32>,
    /// Rate for tax codes missing from `rates_bp`; with `None` such an item is an error.
    pub default_rate_bp: Option<u32>,
}

impl TaxSettings {
    /// Returns the rate of a tax code.
    pub fn rate_for(&self, tax_code: &str) -> Option<u32> {
        self.rates_bp
            .get(tax_code)
            .copied()
            .or(self.default_rate_bp)
    }
}

/// One tax row of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRow {
    pub rate_bp: u32,
    /// Discounted amount of the group's lines; it includes the tax when `tax_included`.
    pub taxable_minor: i64,
    pub tax_minor: i64,
    pub tax_included: bool,
}

/// Divides and rounds half up; `numerator` must be non-negative and `denominator` positive.
fn div_half_up(numerator: i128, denominator: i128) -> i128 {
    (2 * numerator + denominator) / (2 * denominator)
}

/// Computes one row per rate from (rate, discounted amount) pairs, sorted by rate.
pub fn tax_rows(amounts: &[(u32, i64)], prices_include_tax: bool) -> Vec<TaxRow> {
    let mut groups: BTreeMap<u32, i64> = BTreeMap::new();
    for (rate, amount) in amounts {
        let total = groups.entry(*rate).or_default();
        *total = total.saturating_add(*amount);
    }
    groups
        .into_iter()
        .map(|(rate_bp, taxable_minor)| {
            let amount = i128::from(taxable_minor.max(0));
            let rate = i128::from(rate_bp);
            let tax = if prices_include_tax {
                div_half_up(amount * rate, 10_000 + rate)
            } else {
                div_half_up(amount * rate, 10_000)
            };
            TaxRow {
                rate_bp,
                taxable_minor,
                tax_minor: i64::try_from(tax).unwrap_or(i64::MAX),
                tax_included: prices_include_tax,
            }
        })
        .collect()
}
