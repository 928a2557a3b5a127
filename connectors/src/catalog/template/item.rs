//! The catalog row model shared by the template reader, the writer, the UCI converter and
//! pricing.

use serde::{Deserialize, Serialize};

/// Column names of the JWO catalog template, in the order the writer emits them, followed by
/// Walkout's extra columns.
pub const COLUMNS: [&str; 13] = [
    "item_sku",
    "external_product_id",
    "external_product_id_type",
    "item_name",
    "store_id",
    "standard_price",
    "brand_name",
    "product_tax_code",
    "product_category",
    "product_subcategory",
    "unit",
    "additional_external_product_information",
    "currency",
];

/// Maximum length of `item_sku`, in characters (JWO catalog limit).
pub const MAX_SKU_CHARS: usize = 255;
/// Maximum length of `item_name`, in characters (JWO prints it on receipts, 1 to 100).
pub const MAX_NAME_CHARS: usize = 100;
/// Maximum number of extra barcodes per SKU (JWO catalog limit).
pub const MAX_ADDITIONAL_BARCODES: usize = 50;

/// The unit a catalog price refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PricingUnit {
    /// Price per item.
    Each,
    /// Price per kilogram.
    Kg,
    /// Price per pound (0.45359237 kg).
    Lb,
}

impl PricingUnit {
    /// Returns the template spelling: `each`, `kg` or `lb`.
    pub fn as_str(self) -> &'static str {
        match self {
            PricingUnit::Each => "each",
            PricingUnit::Kg => "kg",
            PricingUnit::Lb => "lb",
        }
    }

    /// Parses the template spelling, ignoring ASCII case and surrounding spaces.
    pub fn parse(text: &str) -> Option<PricingUnit> {
        match text.trim().to_ascii_lowercase().as_str() {
            "each" => Some(PricingUnit::Each),
            "kg" => Some(PricingUnit::Kg),
            "lb" => Some(PricingUnit::Lb),
            _ => None,
        }
    }
}

/// One accepted catalog row. Text fields are trimmed; optional text fields are empty when the
/// file left them empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub item_sku: String,
    /// Primary barcode; empty when the item has none.
    pub external_product_id: String,
    /// `UPC`, `EAN`, `EAN8`, `ISBN`, `GTIN` or `PLU`; empty exactly when the barcode is empty.
    pub external_product_id_type: String,
    pub item_name: String,
    pub store_id: String,
    /// `standard_price` in minor units of `currency`, per `unit`.
    pub price_minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
    pub brand_name: String,
    pub product_tax_code: String,
    pub product_category: String,
    pub product_subcategory: String,
    pub unit: PricingUnit,
    /// Extra barcodes (at most 50) that resolve to this SKU.
    pub additional_barcodes: Vec<String>,
}
