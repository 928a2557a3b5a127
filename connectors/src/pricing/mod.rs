//! Pricing of carts: sale lines, promotions and offers, tax and totals.
//!
//! Pure logic over catalog items that the caller has already looked up: no HTTP and no SQL, so
//! the ordering connector, receipts and benchmarks all price a cart the same way and tests run
//! it directly. Amounts are integer minor units; quantities and exact discounts are
//! `rust_decimal` values, and every rounding rule is written where it is applied.

mod allocate;
mod cart;
mod engine;
pub mod item_level;
pub mod promotion;
pub mod quantity;
pub mod tax;

pub use cart::{
    Allocation, CartLine, DiscountLine, DiscountSource, PricedCart, PricingError, PricingInput,
    SaleLine, Totals, UnpricedLine,
};
pub use engine::price_cart;
pub use promotion::{BasketReward, FreeUnits, InvalidPromotion, Promotion, PromotionKind, Target};
pub use quantity::{Quantity, QuantityError, UnitKind, UnitTable, WeightUnit, parse_quantity};
pub use tax::{TaxRow, TaxSettings};
