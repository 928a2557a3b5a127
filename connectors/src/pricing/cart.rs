//! Inputs and outputs of cart pricing. All amounts are minor units of the cart's currency.

use rust_decimal::Decimal;
use thiserror::Error;

use super::promotion::{InvalidPromotion, Promotion};
use super::quantity::{QuantityError, UnitTable};
use super::tax::{TaxRow, TaxSettings};
use crate::catalog::{CatalogItem, PricingUnit};

/// One cart line, its SKU or scan code already resolved by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// The cart item id as sent (SKU or scan code).
    pub cart_item_id: String,
    /// The catalog item, or `None` for an unknown SKU.
    pub item: Option<CatalogItem>,
    /// Quantity value as a decimal string.
    pub quantity: String,
    /// Unit name, mapped through the [`UnitTable`].
    pub unit: String,
}

/// Everything that prices a cart.
#[derive(Debug, Clone, Copy)]
pub struct PricingInput<'a> {
    /// ISO 4217 code of the store; every item must be priced in it.
    pub currency: &'a str,
    pub lines: &'a [CartLine],
    pub tax: &'a TaxSettings,
    pub units: &'a UnitTable,
    pub promotions: &'a [Promotion],
    /// Offers the shopper activated; they compete and stack like promotions, after them in order.
    pub offers: &'a [Promotion],
}

/// A charged line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLine {
    /// Position of the line in the cart (0-based).
    pub line_index: usize,
    pub item_sku: String,
    pub item_name: String,
    /// Quantity in `unit` (weights converted to the item's pricing unit).
    pub quantity: Decimal,
    pub unit: PricingUnit,
    pub unit_price_minor: i64,
    pub extended_minor: i64,
    pub tax_rate_bp: u32,
}

/// Where a discount comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountSource {
    Promotion,
    Offer,
}

/// The part of a discount that falls on one sale line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub line_index: usize,
    pub amount_minor: i64,
}

/// One discount line: a promotion or offer and the lines it reduces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountLine {
    pub promotion_id: String,
    pub name: String,
    pub source: DiscountSource,
    /// Positive amount taken off; equals the sum of `allocations`.
    pub amount_minor: i64,
    pub allocations: Vec<Allocation>,
}

/// A cart line whose SKU is not in the catalog: not charged, shown as an unpriced item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpricedLine {
    pub line_index: usize,
    pub cart_item_id: String,
    pub quantity: String,
    pub unit: String,
}

/// Totals of a priced cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Sum of the sale lines' extended amounts.
    pub lines_minor: i64,
    /// Sum of the discount lines.
    pub discounts_minor: i64,
    /// Amount without tax.
    pub net_minor: i64,
    pub tax_minor: i64,
    /// Amount to charge: lines − discounts, plus tax when prices exclude it.
    pub grand_minor: i64,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedCart {
    pub currency: String,
    pub lines: Vec<SaleLine>,
    pub discounts: Vec<DiscountLine>,
    pub unpriced: Vec<UnpricedLine>,
    pub taxes: Vec<TaxRow>,
    pub totals: Totals,
}

/// Why a cart could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PricingError {
    /// Bad quantity or unit on a cart line; the caller answers 400.
    #[error("cart line {line_index}: {source}")]
    Quantity {
        line_index: usize,
        source: QuantityError,
    },
    #[error("item {sku:?} is priced in {currency}, the store uses {expected}")]
    CurrencyMismatch {
        sku: String,
        currency: String,
        expected: String,
    },
    #[error("item {sku:?} has tax code {tax_code:?}, which has no tax rate in the store settings")]
    NoTaxRate { sku: String, tax_code: String },
    #[error("item {sku:?} has a negative price")]
    NegativePrice { sku: String },
    #[error(transparent)]
    InvalidPromotion(#[from] InvalidPromotion),
    #[error("the cart needs {units} units for promotions, maximum {max}")]
    TooManyUnits { units: usize, max: usize },
    #[error("an amount in the cart is too large")]
    Overflow,
}
