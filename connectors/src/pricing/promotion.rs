//! Promotions and activated shopper offers, as the pricing engine reads them.

use thiserror::Error;

use crate::catalog::CatalogItem;

/// Items that an item-level promotion applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One SKU, compared exactly.
    Sku(String),
    /// Every item whose `product_category` equals this, ignoring ASCII case.
    Category(String),
}

impl Target {
    /// Returns true when `item` is in this target.
    pub fn matches(&self, item: &CatalogItem) -> bool {
        match self {
            Target::Sku(sku) => item.item_sku == *sku,
            Target::Category(category) => item.product_category.eq_ignore_ascii_case(category),
        }
    }
}

/// Choice of the units that a buy-X-get-Y promotion gives away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeUnits {
    /// In each group of X + Y eligible units (any SKUs of the target, most expensive grouped
    /// first), the Y cheapest are free.
    Cheapest,
    /// Groups are formed within one SKU: buy X of a SKU, get Y more of the same SKU free.
    SameSku,
}

/// The reward of a basket-threshold promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasketReward {
    /// Minor units off the basket, at most the basket subtotal.
    AmountOff(i64),
    /// Basis points (1/100 of a percent) off the basket subtotal.
    PercentOff(u32),
}

/// The rule of a promotion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionKind {
    /// Basis points off each eligible unit; the only item-level kind that applies to weighed
    /// lines (on their whole amount).
    PercentOff { target: Target, basis_points: u32 },
    /// Minor units off each eligible counted unit, at most the unit's price.
    AmountOff { target: Target, amount_minor: i64 },
    /// "N for X": any `quantity` eligible counted units for `price_minor` together.
    MultiBuy {
        target: Target,
        quantity: u32,
        price_minor: i64,
    },
    /// Buy `buy` eligible counted units, get `get` more free.
    BuyGet {
        target: Target,
        buy: u32,
        get: u32,
        free: FreeUnits,
    },
    /// When the basket subtotal after item-level discounts reaches `threshold_minor`.
    BasketThreshold {
        threshold_minor: i64,
        reward: BasketReward,
    },
}

/// A promotion of the store, or an offer the shopper activated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promotion {
    pub id: String,
    /// Text for the receipt's discount line.
    pub name: String,
    /// A stackable promotion applies on top of others; a unit gets at most one item-level
    /// discount from the promotions that are not stackable.
    pub stackable: bool,
    pub kind: PromotionKind,
}

/// Error for a promotion whose numbers are out of range.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("promotion {id:?} is invalid: {reason}")]
pub struct InvalidPromotion {
    pub id: String,
    pub reason: &'static str,
}

impl Promotion {
    /// Returns true for the kinds that apply to single items rather than the basket.
    pub fn is_item_level(&self) -> bool {
        !matches!(self.kind, PromotionKind::BasketThreshold { .. })
    }

    /// Checks the promotion's numbers.
    pub fn validate(&self) -> Result<(), InvalidPromotion> {
        let invalid = |reason| {
            Err(InvalidPromotion {
                id: self.id.clone(),
                reason,
            })
        };
        match &self.kind {
            PromotionKind::PercentOff { basis_points, .. } if *basis_points > 10_000 => {
                invalid("percent off is above 100%")
            }
            PromotionKind::AmountOff { amount_minor, .. } if *amount_minor < 0 => {
                invalid("amount off is negative")
            }
            PromotionKind::MultiBuy {
                quantity,
                price_minor,
                ..
            } if *quantity == 0 || *price_minor < 0 => {
                invalid("multi-buy needs a quantity of at least 1 and a price of at least 0")
            }
            PromotionKind::BuyGet { buy, get, .. } if *buy == 0 || *get == 0 => {
                invalid("buy-X-get-Y needs X and Y of at least 1")
            }
            PromotionKind::BasketThreshold {
                threshold_minor,
                reward,
            } => match reward {
                _ if *threshold_minor < 0 => invalid("basket threshold is negative"),
                BasketReward::AmountOff(amount) if *amount < 0 => invalid("amount off is negative"),
                BasketReward::PercentOff(points) if *points > 10_000 => {
                    invalid("percent off is above 100%")
                }
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}
