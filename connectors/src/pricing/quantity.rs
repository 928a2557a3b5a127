//! Cart quantities: units of measure, exact weight conversion and line amounts.
//!
//! JWO sends a quantity as a decimal string with a unit. The unit maps through a configurable
//! [`UnitTable`] to a count or a weight; any other unit is an error that the caller turns into a
//! 400. Weights convert to the item's pricing unit (kg or lb) with `rust_decimal`, never floats.

use std::collections::HashMap;

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

use crate::catalog::PricingUnit;

/// Kilograms in one international avoirdupois pound (exact by definition).
const KG_PER_LB: Decimal = Decimal::from_parts(45_359_237, 0, 0, false, 8);

/// A weight unit that a cart quantity may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeightUnit {
    Kilogram,
    Gram,
    Pound,
    Ounce,
}

/// Meaning of a unit name in a cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitKind {
    Count,
    Weight(WeightUnit),
}

/// Maps cart unit names (compared in lower case) to their meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTable {
    units: HashMap<String, UnitKind>,
}

impl Default for UnitTable {
    /// Builds the default table: `each`, `unit` and `ea` count, while `kg`, `g`, `lb` and `oz` weigh.
    fn default() -> Self {
        let mut table = UnitTable::empty();
        for name in ["each", "unit", "ea"] {
            table.insert(name, UnitKind::Count);
        }
        table.insert("kg", UnitKind::Weight(WeightUnit::Kilogram));
        table.insert("g", UnitKind::Weight(WeightUnit::Gram));
        table.insert("lb", UnitKind::Weight(WeightUnit::Pound));
        table.insert("oz", UnitKind::Weight(WeightUnit::Ounce));
        table
    }
}

impl UnitTable {
    /// Returns a table with no units.
    pub fn empty() -> Self {
        UnitTable {
            units: HashMap::new(),
        }
    }

    /// Adds or replaces a unit name.
    pub fn insert(&mut self, name: &str, kind: UnitKind) {
        self.units.insert(name.trim().to_lowercase(), kind);
    }

    /// Returns the meaning of a unit name, ignoring case and surrounding spaces.
    pub fn lookup(&self, name: &str) -> Option<UnitKind> {
        self.units.get(&name.trim().to_lowercase()).copied()
    }
}

/// Error for an invalid cart quantity or unit.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QuantityError {
    #[error("unit {unit:?} is not a known unit of measure")]
    UnknownUnit { unit: String },
    #[error("quantity {value:?} is not a positive decimal number")]
    NotPositiveDecimal { value: String },
    #[error("quantity {value:?} is not a whole number of items")]
    NotWholeCount { value: String },
    #[error("unit {unit:?} does not fit an item priced {pricing_unit}")]
    UnitMismatch {
        unit: String,
        pricing_unit: &'static str,
    },
    #[error("quantity {value:?} is too large")]
    TooLarge { value: String },
}

/// A cart quantity in the item's pricing unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Whole items, for items priced `each`.
    Count(i64),
    /// Weight in the item's pricing unit (kg or lb).
    Weight(Decimal),
}

impl Quantity {
    /// Returns the quantity as a decimal (a count as a whole number).
    pub fn as_decimal(self) -> Decimal {
        match self {
            Quantity::Count(count) => Decimal::from(count),
            Quantity::Weight(weight) => weight,
        }
    }
}

/// Parses plain positive decimal text: digits, optionally a dot and digits.
pub fn parse_positive_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    Decimal::from_str_exact(text)
        .ok()
        .filter(|value| value.is_sign_positive() && !value.is_zero())
}

/// Checks that a unit name is in the table, without an item to price against.
pub fn check_unit(unit: &str, table: &UnitTable) -> Result<UnitKind, QuantityError> {
    table
        .lookup(unit)
        .ok_or_else(|| QuantityError::UnknownUnit {
            unit: unit.to_owned(),
        })
}

/// Parses a cart quantity and converts it to `pricing_unit`.
///
/// Counts must be whole (`"2"` or `"2.0"`). Grams and ounces convert exactly (×0.001 kg,
/// ×0.0625 lb), pounds and ounces to kilograms exactly (1 lb = 0.45359237 kg). Kilograms and
/// grams to pounds need a division, which `rust_decimal` carries to 28 significant digits.
pub fn parse_quantity(
    value: &str,
    unit: &str,
    table: &UnitTable,
    pricing_unit: PricingUnit,
) -> Result<Quantity, QuantityError> {
    let kind = check_unit(unit, table)?;
    let amount =
        parse_positive_decimal(value).ok_or_else(|| QuantityError::NotPositiveDecimal {
            value: value.to_owned(),
        })?;
    let mismatch = || QuantityError::UnitMismatch {
        unit: unit.to_owned(),
        pricing_unit: pricing_unit.as_str(),
    };
    let too_large = || QuantityError::TooLarge {
        value: value.to_owned(),
    };

    match (kind, pricing_unit) {
        (UnitKind::Count, PricingUnit::Each) => {
            if !amount.fract().is_zero() {
                return Err(QuantityError::NotWholeCount {
                    value: value.to_owned(),
                });
            }
            i64::try_from(amount)
                .map(Quantity::Count)
                .map_err(|_| too_large())
        }
        (UnitKind::Weight(weight), PricingUnit::Kg) => {
            let kilograms = match weight {
                WeightUnit::Kilogram => Some(amount),
                WeightUnit::Gram => amount.checked_div(Decimal::ONE_THOUSAND),
                WeightUnit::Pound => amount.checked_mul(KG_PER_LB),
                WeightUnit::Ounce => amount
                    .checked_mul(KG_PER_LB)
                    .and_then(|kg| kg.checked_div(Decimal::from(16))),
            };
            kilograms.map(Quantity::Weight).ok_or_else(too_large)
        }
        (UnitKind::Weight(weight), PricingUnit::Lb) => {
            let pounds = match weight {
                WeightUnit::Pound => Some(amount),
                WeightUnit::Ounce => amount.checked_div(Decimal::from(16)),
                WeightUnit::Kilogram => amount.checked_div(KG_PER_LB),
                WeightUnit::Gram => amount
                    .checked_div(Decimal::ONE_THOUSAND)
                    .and_then(|kg| kg.checked_div(KG_PER_LB)),
            };
            pounds.map(Quantity::Weight).ok_or_else(too_large)
        }
        _ => Err(mismatch()),
    }
}

/// Rounds a non-negative decimal amount of minor units half up (away from zero) to an integer.
pub fn round_half_up(amount: Decimal) -> Option<i64> {
    let rounded = amount.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).ok()
}

/// Returns the extended amount of a line in minor units: price × count exactly, or for a
/// weight, price × weight rounded half up to the minor unit. `None` on overflow.
pub fn extended_amount(unit_price_minor: i64, quantity: Quantity) -> Option<i64> {
    match quantity {
        Quantity::Count(count) => unit_price_minor.checked_mul(count),
        Quantity::Weight(weight) => {
            round_half_up(Decimal::from(unit_price_minor).checked_mul(weight)?)
        }
    }
}
