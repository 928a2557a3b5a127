//! Validation of one catalog row, whatever file format it came from.
//!
//! The readers turn a CSV record or a JSON object into a [`RawRow`] (one optional string per
//! template column) and this module turns that into a [`CatalogItem`] or a [`RowError`] that
//! names the column and the value. It does no I/O.

use thiserror::Error;

use super::item::{
    COLUMNS, CatalogItem, MAX_ADDITIONAL_BARCODES, MAX_NAME_CHARS, MAX_SKU_CHARS, PricingUnit,
};
use crate::catalog::money::{DecimalError, minor_digits, parse_minor};

/// Barcode types that JWO accepts for `external_product_id_type`.
const BARCODE_TYPES: [&str; 6] = ["UPC", "EAN", "EAN8", "ISBN", "GTIN", "PLU"];

/// One row as read from a file: the value of each template column, in [`COLUMNS`] order;
/// `None` when the file has no such column or the JSON object no such key.
#[derive(Debug, Clone, Default)]
pub struct RawRow {
    pub values: [Option<String>; COLUMNS.len()],
}

impl RawRow {
    fn get(&self, column: &str) -> &str {
        COLUMNS
            .iter()
            .position(|name| *name == column)
            .and_then(|index| self.values[index].as_deref())
            .map(str::trim)
            .unwrap_or("")
    }
}

/// Why one row was rejected. The message names the column and quotes the value.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RowError {
    #[error("{column} is missing or empty")]
    Missing { column: &'static str },
    #[error("{column} is {actual} characters long, maximum {max}")]
    TooLong {
        column: &'static str,
        actual: usize,
        max: usize,
    },
    #[error("{column} {value:?} {reason}")]
    InvalidPrice {
        column: &'static str,
        value: String,
        reason: DecimalError,
    },
    #[error("currency {value:?} is not a supported ISO 4217 code")]
    UnknownCurrency { value: String },
    #[error("unit {value:?} is not one of each, kg, lb")]
    UnknownUnit { value: String },
    #[error("external_product_id_type {value:?} is not one of UPC, EAN, EAN8, ISBN, GTIN, PLU")]
    UnknownBarcodeType { value: String },
    #[error("{column} {value:?} {reason}")]
    InvalidBarcode {
        column: &'static str,
        value: String,
        reason: &'static str,
    },
    #[error("additional_external_product_information has {count} barcodes, maximum {max}")]
    TooManyBarcodes { count: usize, max: usize },
    #[error("{0}")]
    Malformed(String),
}

/// Validates one row. `default_currency` applies when the row has no `currency` value.
pub fn validate_row(raw: &RawRow, default_currency: Option<&str>) -> Result<CatalogItem, RowError> {
    let item_sku = required(raw, "item_sku", MAX_SKU_CHARS)?;
    let item_name = required(raw, "item_name", MAX_NAME_CHARS)?;
    let store_id = required(raw, "store_id", MAX_SKU_CHARS)?;

    let currency = match raw.get("currency") {
        "" => default_currency.unwrap_or("").to_ascii_uppercase(),
        value => value.to_ascii_uppercase(),
    };
    if currency.is_empty() {
        return Err(RowError::Missing { column: "currency" });
    }
    let digits = minor_digits(&currency).ok_or_else(|| RowError::UnknownCurrency {
        value: currency.clone(),
    })?;

    let price_text = raw.get("standard_price");
    if price_text.is_empty() {
        return Err(RowError::Missing {
            column: "standard_price",
        });
    }
    let price_minor = parse_minor(price_text, digits).map_err(|reason| RowError::InvalidPrice {
        column: "standard_price",
        value: price_text.to_owned(),
        reason,
    })?;

    let unit = match raw.get("unit") {
        "" => PricingUnit::Each,
        value => PricingUnit::parse(value).ok_or_else(|| RowError::UnknownUnit {
            value: value.to_owned(),
        })?,
    };

    let (external_product_id, external_product_id_type) = primary_barcode(raw)?;
    let additional_barcodes =
        additional_barcodes(raw.get("additional_external_product_information"))?;

    Ok(CatalogItem {
        item_sku,
        external_product_id,
        external_product_id_type,
        item_name,
        store_id,
        price_minor,
        currency,
        brand_name: raw.get("brand_name").to_owned(),
        product_tax_code: raw.get("product_tax_code").to_owned(),
        product_category: raw.get("product_category").to_owned(),
        product_subcategory: raw.get("product_subcategory").to_owned(),
        unit,
        additional_barcodes,
    })
}

fn required(raw: &RawRow, column: &'static str, max: usize) -> Result<String, RowError> {
    let value = raw.get(column);
    if value.is_empty() {
        return Err(RowError::Missing { column });
    }
    let actual = value.chars().count();
    if actual > max {
        return Err(RowError::TooLong {
            column,
            actual,
            max,
        });
    }
    Ok(value.to_owned())
}

/// Reads the primary barcode. Both fields empty means the item has no barcode; a barcode
/// needs a known type, and its length must fit that type.
fn primary_barcode(raw: &RawRow) -> Result<(String, String), RowError> {
    let id = raw.get("external_product_id");
    let kind = raw.get("external_product_id_type").to_ascii_uppercase();
    if id.is_empty() && kind.is_empty() {
        return Ok((String::new(), String::new()));
    }
    if id.is_empty() {
        return Err(RowError::Missing {
            column: "external_product_id",
        });
    }
    if kind.is_empty() {
        return Err(RowError::Missing {
            column: "external_product_id_type",
        });
    }
    if !BARCODE_TYPES.contains(&kind.as_str()) {
        return Err(RowError::UnknownBarcodeType { value: kind });
    }
    check_barcode("external_product_id", id)?;
    let length_ok = match kind.as_str() {
        "UPC" => id.len() == 12 || id.len() == 8,
        "EAN" => id.len() == 13,
        "EAN8" => id.len() == 8,
        "ISBN" => id.len() == 10 || id.len() == 13,
        "GTIN" => id.len() == 14,
        _ => (4..=5).contains(&id.len()),
    };
    if !length_ok {
        return Err(RowError::InvalidBarcode {
            column: "external_product_id",
            value: id.to_owned(),
            reason: "has the wrong length for its external_product_id_type",
        });
    }
    Ok((id.to_owned(), kind))
}

/// A barcode is 4 to 14 ASCII digits; an ISBN-10 may end in `X`.
fn check_barcode(column: &'static str, value: &str) -> Result<(), RowError> {
    let body = value.strip_suffix(['X', 'x']).unwrap_or(value);
    let digits_only = body.bytes().all(|byte| byte.is_ascii_digit());
    if !digits_only || !(4..=14).contains(&value.len()) {
        return Err(RowError::InvalidBarcode {
            column,
            value: value.to_owned(),
            reason: "is not a barcode of 4 to 14 digits",
        });
    }
    Ok(())
}

fn additional_barcodes(text: &str) -> Result<Vec<String>, RowError> {
    let column = "additional_external_product_information";
    let barcodes: Vec<String> = text
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect();
    if barcodes.len() > MAX_ADDITIONAL_BARCODES {
        return Err(RowError::TooManyBarcodes {
            count: barcodes.len(),
            max: MAX_ADDITIONAL_BARCODES,
        });
    }
    for barcode in &barcodes {
        check_barcode(column, barcode)?;
    }
    Ok(barcodes)
}
