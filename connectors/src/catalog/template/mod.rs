//! The JWO catalog template (CSV and JSON) with Walkout's extra columns `unit`,
//! `additional_external_product_information` and `currency`.
//!
//! Parsing and writing only: storing items and serving the catalog routes happen elsewhere, so
//! these functions stay free of I/O beyond the reader or writer they are handed.

mod item;
mod read;
mod validate;
mod write;

pub use item::{
    COLUMNS, CatalogItem, MAX_ADDITIONAL_BARCODES, MAX_NAME_CHARS, MAX_SKU_CHARS, PricingUnit,
};
pub use read::{
    Location, PROGRESS_EVERY, ParseOptions, ParsedCatalog, REQUIRED_COLUMNS, RowOutcome, RowReport,
    TemplateError, read_csv, read_json,
};
pub use validate::RowError;
pub use write::write_csv;
