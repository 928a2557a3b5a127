//! Catalog: the JWO catalog template (parsing and writing), currency minor units, and the
//! converter from the UCI "Online Retail" data to a demo catalog.
//!
//! Pure logic: no HTTP and no SQL here, so the routes and the database layer can call it and
//! tests can run it directly.

pub mod keys;
pub mod money;
pub mod template;
pub mod uci;

pub use template::{CatalogItem, PricingUnit};
