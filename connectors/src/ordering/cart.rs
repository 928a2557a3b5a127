//! The priced cart as stored in `purchases.priced_cart`, and the conversions from and to the
//! pricing engine's [`PricedCart`].
//!
//! The pricing types stay free of serde, so the stored JSON layout is fixed here: a change to
//! the engine's structs cannot silently change the documents already in the database.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::PricingUnit;
use crate::pricing::{
    Allocation, DiscountLine, DiscountSource, PricedCart, SaleLine, TaxRow, Totals, UnpricedLine,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCart {
    pub currency: String,
    pub lines: Vec<StoredSale>,
    pub discounts: Vec<StoredDiscount>,
    pub unpriced: Vec<StoredUnpriced>,
    pub taxes: Vec<StoredTax>,
    pub totals: StoredTotals,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSale {
    pub line_index: usize,
    pub item_sku: String,
    pub item_name: String,
    /// Decimal string, in `unit`.
    pub quantity: Decimal,
    pub unit: PricingUnit,
    pub unit_price_minor: i64,
    pub extended_minor: i64,
    pub tax_rate_bp: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDiscount {
    pub promotion_id: String,
    pub name: String,
    /// `promotion` or `offer`.
    pub source: String,
    pub amount_minor: i64,
    /// `(line_index, amount_minor)` pairs.
    pub allocations: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredUnpriced {
    pub line_index: usize,
    pub cart_item_id: String,
    pub quantity: String,
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTax {
    pub rate_bp: u32,
    pub taxable_minor: i64,
    pub tax_minor: i64,
    pub tax_included: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StoredTotals {
    pub lines_minor: i64,
    pub discounts_minor: i64,
    pub net_minor: i64,
    pub tax_minor: i64,
    pub grand_minor: i64,
}

impl StoredCart {
    /// A cart with no lines, for an empty cart.
    pub fn empty(currency: &str) -> StoredCart {
        StoredCart {
            currency: currency.to_owned(),
            lines: Vec::new(),
            discounts: Vec::new(),
            unpriced: Vec::new(),
            taxes: Vec::new(),
            totals: StoredTotals::default(),
        }
    }
}

impl From<&PricedCart> for StoredCart {
    fn from(cart: &PricedCart) -> Self {
        StoredCart {
            currency: cart.currency.clone(),
            lines: cart.lines.iter().map(StoredSale::from).collect(),
            discounts: cart.discounts.iter().map(StoredDiscount::from).collect(),
            unpriced: cart
                .unpriced
                .iter()
                .map(|line| StoredUnpriced {
                    line_index: line.line_index,
                    cart_item_id: line.cart_item_id.clone(),
                    quantity: line.quantity.clone(),
                    unit: line.unit.clone(),
                })
                .collect(),
            taxes: cart
                .taxes
                .iter()
                .map(|row| StoredTax {
                    rate_bp: row.rate_bp,
                    taxable_minor: row.taxable_minor,
                    tax_minor: row.tax_minor,
                    tax_included: row.tax_included,
                })
                .collect(),
            totals: StoredTotals {
                lines_minor: cart.totals.lines_minor,
                discounts_minor: cart.totals.discounts_minor,
                net_minor: cart.totals.net_minor,
                tax_minor: cart.totals.tax_minor,
                grand_minor: cart.totals.grand_minor,
            },
        }
    }
}

impl From<&SaleLine> for StoredSale {
    fn from(line: &SaleLine) -> Self {
        StoredSale {
            line_index: line.line_index,
            item_sku: line.item_sku.clone(),
            item_name: line.item_name.clone(),
            quantity: line.quantity,
            unit: line.unit,
            unit_price_minor: line.unit_price_minor,
            extended_minor: line.extended_minor,
            tax_rate_bp: line.tax_rate_bp,
        }
    }
}

impl From<&DiscountLine> for StoredDiscount {
    fn from(line: &DiscountLine) -> Self {
        StoredDiscount {
            promotion_id: line.promotion_id.clone(),
            name: line.name.clone(),
            source: match line.source {
                DiscountSource::Promotion => "promotion",
                DiscountSource::Offer => "offer",
            }
            .to_owned(),
            amount_minor: line.amount_minor,
            allocations: line
                .allocations
                .iter()
                .map(|a| (a.line_index, a.amount_minor))
                .collect(),
        }
    }
}

impl StoredCart {
    /// Converts back to the pricing engine's type, for the receipt builder.
    pub fn to_priced(&self) -> PricedCart {
        PricedCart {
            currency: self.currency.clone(),
            lines: self
                .lines
                .iter()
                .map(|line| SaleLine {
                    line_index: line.line_index,
                    item_sku: line.item_sku.clone(),
                    item_name: line.item_name.clone(),
                    quantity: line.quantity,
                    unit: line.unit,
                    unit_price_minor: line.unit_price_minor,
                    extended_minor: line.extended_minor,
                    tax_rate_bp: line.tax_rate_bp,
                })
                .collect(),
            discounts: self.discounts.iter().map(to_discount).collect(),
            unpriced: self
                .unpriced
                .iter()
                .map(|line| UnpricedLine {
                    line_index: line.line_index,
                    cart_item_id: line.cart_item_id.clone(),
                    quantity: line.quantity.clone(),
                    unit: line.unit.clone(),
                })
                .collect(),
            taxes: self
                .taxes
                .iter()
                .map(|row| TaxRow {
                    rate_bp: row.rate_bp,
                    taxable_minor: row.taxable_minor,
                    tax_minor: row.tax_minor,
                    tax_included: row.tax_included,
                })
                .collect(),
            totals: Totals {
                lines_minor: self.totals.lines_minor,
                discounts_minor: self.totals.discounts_minor,
                net_minor: self.totals.net_minor,
                tax_minor: self.totals.tax_minor,
                grand_minor: self.totals.grand_minor,
            },
        }
    }
}

fn to_discount(line: &StoredDiscount) -> DiscountLine {
    DiscountLine {
        promotion_id: line.promotion_id.clone(),
        name: line.name.clone(),
        source: if line.source == "offer" {
            DiscountSource::Offer
        } else {
            DiscountSource::Promotion
        },
        amount_minor: line.amount_minor,
        allocations: line
            .allocations
            .iter()
            .map(|&(line_index, amount_minor)| Allocation {
                line_index,
                amount_minor,
            })
            .collect(),
    }
}
