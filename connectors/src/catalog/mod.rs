//! Catalog: the JWO catalog template (parsing and writing), currency minor units, the
//! converter from the UCI "Online Retail" data to a demo catalog, and the catalog's storage,
//! store settings, promotions and admin routes.
//!
//! The template, money, keys and UCI modules are pure logic: no HTTP and no SQL, so the routes
//! and the database layer can call them and tests can run them directly. [`store`],
//! [`settings`], [`promotions`] and [`import`] hold the SQL; [`routes`] and [`command`] are the
//! admin API and the command line over them.

pub mod command;
pub mod import;
pub mod keys;
pub mod money;
pub mod promotions;
pub mod routes;
pub mod settings;
pub mod store;
mod store_routes;
pub mod template;
pub mod uci;

pub use template::{CatalogItem, PricingUnit};
