//! Pricing of carts: lines, promotions and tax.
