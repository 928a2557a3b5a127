//! Receipt documents: the versioned, ARTS-named receipt a shopper keeps.
//!
//! [`build_receipt`] turns plain figures into version 1 and checks every invariant,
//! [`refund_receipt`] derives the next version after a refund, and [`render_text`] prints a
//! receipt for a person. This module contains no HTTP routes, SQL or pricing logic: the ordering
//! code prices the cart, maps the result onto [`ReceiptInput`], and stores what comes back.

pub mod build;
pub mod document;
pub mod refund;
pub mod render;
pub mod validate;

pub use build::{
    DiscountInput, ReceiptInput, SaleInput, TaxInput, TenderInput, TotalsInput, build_receipt,
};
pub use document::{
    BusinessUnit, DiscountAllocation, DiscountLine, FORMAT_VERSION, ItemLine, LineFlag, LineItem,
    Money, Receipt, ReturnLine, TaxRow, Tender, TenderKind, Totals, format_receipt_number,
};
pub use refund::{RefundError, RefundInput, RefundLineInput, refund_receipt, tax_on};
pub use render::render_text;
pub use validate::{ReceiptError, validate};
