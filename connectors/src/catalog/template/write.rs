//! Writer for the catalog template CSV.
//!
//! Output is RFC 4180: CRLF line ends, and fields with commas, quotes or line breaks are quoted
//! with inner quotes doubled (the `csv` crate's necessary-quoting style). The columns are
//! [`COLUMNS`], so the readers in this module accept every file written here.

use std::io::Write;

use super::item::{COLUMNS, CatalogItem};
use crate::catalog::money::{format_minor, minor_digits};

/// Writes `items` as a template CSV with a header row.
///
/// Prices are written with the currency's minor digits (`255` GBP → `2.55`). A currency that
/// is not in the money table (which the readers never produce) is written with 2 digits.
pub fn write_csv<W: Write>(items: &[CatalogItem], writer: W) -> Result<(), csv::Error> {
    let mut csv_writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(writer);
    csv_writer.write_record(COLUMNS)?;
    for item in items {
        let digits = minor_digits(&item.currency).unwrap_or(2);
        let price = format_minor(item.price_minor, digits);
        let barcodes = item.additional_barcodes.join(";");
        csv_writer.write_record([
            item.item_sku.as_str(),
            item.external_product_id.as_str(),
            item.external_product_id_type.as_str(),
            item.item_name.as_str(),
            item.store_id.as_str(),
            price.as_str(),
            item.brand_name.as_str(),
            item.product_tax_code.as_str(),
            item.product_category.as_str(),
            item.product_subcategory.as_str(),
            item.unit.as_str(),
            barcodes.as_str(),
            item.currency.as_str(),
        ])?;
    }
    csv_writer.flush()?;
    Ok(())
}
