//! Building the demo catalog from classified UCI rows.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::report::{ConversionReport, FileStats};
use super::rules::{RowRule, categorise, non_product_code, normalise_description, normalise_sku};
use super::{UciData, UciError, load};
use crate::catalog::template::{CatalogItem, PricingUnit, write_csv};

/// Store id of the demo store.
pub const DEMO_STORE_ID: &str = "UK-LON-001";
/// Currency of the demo store and of UnitPrice in the data.
pub const DEMO_CURRENCY: &str = "GBP";
/// Tax code of every demo item: UK VAT standard rate (20%), which applies to giftware.
pub const DEMO_TAX_CODE: &str = "standard";

/// The converted catalog (sorted by SKU) and its report.
#[derive(Debug, Clone)]
pub struct UciCatalog {
    pub items: Vec<CatalogItem>,
    pub report: ConversionReport,
}

/// Votes collected for one SKU from its sale rows.
#[derive(Default)]
struct SkuVotes {
    prices_with_customer: HashMap<i64, u64>,
    prices_without_customer: HashMap<i64, u64>,
    descriptions: HashMap<String, u64>,
}

/// Builds the catalog from parsed data.
///
/// Rules: the price is the most common UnitPrice on sale rows with a CustomerID, ties to the
/// lower price. A SKU with no such row takes the most common UnitPrice of its sale rows
/// without a CustomerID (counted in `codes_priced_without_customer`). The name is the most
/// common normalised non-empty description of its sale rows, ties to the lexicographically
/// smaller one, cut to the template's 100 characters. A SKU whose sale rows all have an empty
/// description is left out (listed in `codes_without_description`).
pub fn build_catalog(data: &UciData) -> UciCatalog {
    let mut report = ConversionReport {
        encoding: data.encoding,
        stats: FileStats::from_data(data),
        malformed: data.malformed.clone(),
        ..ConversionReport::default()
    };
    count_rules(data, &mut report);

    let mut votes: BTreeMap<String, SkuVotes> = BTreeMap::new();
    for (row, rule) in data.rows.iter().zip(&data.rules) {
        if !rule.is_sale() {
            continue;
        }
        let entry = votes.entry(normalise_sku(&row.stock_code)).or_default();
        let prices = match rule {
            RowRule::SaleWithCustomer => &mut entry.prices_with_customer,
            _ => &mut entry.prices_without_customer,
        };
        *prices.entry(row.unit_price_minor).or_default() += 1;
        let description = normalise_description(&row.description);
        if !description.is_empty() {
            *entry.descriptions.entry(description).or_default() += 1;
        }
    }

    let mut items = Vec::new();
    for (sku, sku_votes) in votes {
        if let Some(item) = item_from_votes(sku, &sku_votes, &mut report) {
            *report
                .categories
                .entry(item.product_category.clone())
                .or_default() += 1;
            items.push(item);
        }
    }
    report.items = items.len();
    UciCatalog { items, report }
}

fn count_rules(data: &UciData, report: &mut ConversionReport) {
    let mut lowercase_codes = std::collections::HashSet::new();
    for (row, rule) in data.rows.iter().zip(&data.rules) {
        *report.rule_rows.entry(*rule).or_default() += 1;
        if *rule == RowRule::NonProduct {
            let code = non_product_code(&row.stock_code).unwrap_or("");
            *report.non_product_rows.entry(code.to_owned()).or_default() += 1;
        }
        if row.price_rounded {
            report.prices_rounded += 1;
        }
        if row.stock_code.chars().any(char::is_lowercase) {
            report.lowercase_rows_folded += 1;
            lowercase_codes.insert(row.stock_code.clone());
        }
    }
    report.lowercase_codes_folded = lowercase_codes.len();
}

fn item_from_votes(
    sku: String,
    votes: &SkuVotes,
    report: &mut ConversionReport,
) -> Option<CatalogItem> {
    let distinct_prices = votes
        .prices_with_customer
        .keys()
        .chain(votes.prices_without_customer.keys())
        .collect::<std::collections::HashSet<_>>()
        .len();
    if distinct_prices > 1 {
        report.codes_with_several_prices += 1;
    }
    if votes.descriptions.len() > 1 {
        report.codes_with_description_variants += 1;
    }

    let Some(item_name) = most_common_description(&votes.descriptions) else {
        report.codes_without_description.push(sku);
        return None;
    };
    let price_minor = match most_common_price(&votes.prices_with_customer) {
        Some(price) => price,
        None => {
            report.codes_priced_without_customer += 1;
            most_common_price(&votes.prices_without_customer)?
        }
    };

    let (category, subcategory) = categorise(&item_name);
    Some(CatalogItem {
        item_sku: sku,
        external_product_id: String::new(),
        external_product_id_type: String::new(),
        item_name: item_name
            .chars()
            .take(crate::catalog::template::MAX_NAME_CHARS)
            .collect(),
        store_id: DEMO_STORE_ID.to_owned(),
        price_minor,
        currency: DEMO_CURRENCY.to_owned(),
        brand_name: String::new(),
        product_tax_code: DEMO_TAX_CODE.to_owned(),
        product_category: category.to_owned(),
        product_subcategory: subcategory,
        unit: PricingUnit::Each,
        additional_barcodes: Vec::new(),
    })
}

/// Most common price; ties go to the lower price.
fn most_common_price(votes: &HashMap<i64, u64>) -> Option<i64> {
    votes
        .iter()
        .max_by(|(price_a, count_a), (price_b, count_b)| {
            count_a.cmp(count_b).then(price_b.cmp(price_a))
        })
        .map(|(price, _)| *price)
}

/// Most common description; ties go to the lexicographically smaller one.
fn most_common_description(votes: &HashMap<String, u64>) -> Option<String> {
    votes
        .iter()
        .max_by(|(text_a, count_a), (text_b, count_b)| {
            count_a.cmp(count_b).then(text_b.cmp(text_a))
        })
        .map(|(text, _)| text.clone())
}

/// Converts a UCI file (gzip or plain CSV) to a catalog template CSV for the demo store.
/// `progress` receives the number of input rows read.
pub fn convert_uci_to_template(
    input: &Path,
    output: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<ConversionReport, UciError> {
    let data = load(input, progress)?;
    let catalog = build_catalog(&data);
    let write_error = |source: csv::Error| UciError::Write {
        path: output.to_owned(),
        source,
    };
    let file = std::fs::File::create(output).map_err(|error| write_error(error.into()))?;
    write_csv(&catalog.items, std::io::BufWriter::new(file)).map_err(write_error)?;
    Ok(catalog.report)
}
