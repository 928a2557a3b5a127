//! The conversion report: file-wide counts and the number of rows under each rule.

use std::collections::{BTreeMap, HashSet};

use super::read::MalformedRow;
use super::rules::{RowRule, row_key};
use super::{TextEncoding, UciData};

/// Counts over every parsed row of the input, before any rule is applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Records in the file, parsed or malformed (the header not included).
    pub rows: u64,
    pub invoices: usize,
    pub sale_invoices: usize,
    pub cancellation_invoices: usize,
    pub cancellation_rows: u64,
    /// Rows with Quantity at or below zero outside cancellations.
    pub negative_quantity_rows: u64,
    /// Distinct StockCodes as written (case-sensitive).
    pub stock_codes: usize,
    pub customers: usize,
    pub countries: usize,
    pub rows_without_customer: u64,
    pub zero_price_rows: u64,
    pub empty_description_rows: u64,
    /// Surplus copies of rows equal in every field but the index column.
    pub exact_duplicate_rows: u64,
    /// Sum of Quantity × UnitPrice over all rows, in pence.
    pub quantity_price_sum_minor: i64,
}

impl FileStats {
    /// Counts the parsed rows of `data`.
    pub fn from_data(data: &UciData) -> FileStats {
        let mut stats = FileStats {
            rows: (data.rows.len() + data.malformed.len()) as u64,
            ..FileStats::default()
        };
        let mut invoices = HashSet::new();
        let mut codes = HashSet::new();
        let mut customers = HashSet::new();
        let mut countries = HashSet::new();
        let mut keys = HashSet::new();
        for row in &data.rows {
            let cancellation = row.invoice_no.starts_with(['C', 'c']);
            invoices.insert(row.invoice_no.as_str());
            codes.insert(row.stock_code.as_str());
            countries.insert(row.country.as_str());
            match &row.customer_id {
                Some(customer) => {
                    customers.insert(customer.as_str());
                }
                None => stats.rows_without_customer += 1,
            }
            stats.cancellation_rows += u64::from(cancellation);
            stats.negative_quantity_rows += u64::from(!cancellation && row.quantity <= 0);
            stats.zero_price_rows += u64::from(row.unit_price_minor == 0);
            stats.empty_description_rows += u64::from(row.description.trim().is_empty());
            stats.exact_duplicate_rows += u64::from(!keys.insert(row_key(row)));
            let amount = row.quantity.saturating_mul(row.unit_price_minor);
            stats.quantity_price_sum_minor = stats.quantity_price_sum_minor.saturating_add(amount);
        }
        stats.invoices = invoices.len();
        stats.cancellation_invoices = invoices
            .iter()
            .filter(|no| no.starts_with(['C', 'c']))
            .count();
        stats.sale_invoices = stats.invoices - stats.cancellation_invoices;
        stats.stock_codes = codes.len();
        stats.customers = customers.len();
        stats.countries = countries.len();
        stats
    }
}

/// What the conversion did with every row and every StockCode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionReport {
    pub encoding: TextEncoding,
    pub stats: FileStats,
    /// Rows that could not be parsed, with line and reason.
    pub malformed: Vec<MalformedRow>,
    /// Parsed rows per rule; the values add up to the number of parsed rows.
    pub rule_rows: BTreeMap<RowRule, u64>,
    /// Rows under [`RowRule::NonProduct`], per canonical code.
    pub non_product_rows: BTreeMap<String, u64>,
    /// Rows whose UnitPrice had more than 2 decimals and was rounded to pence.
    pub prices_rounded: u64,
    /// Distinct StockCodes with lower-case letters, folded into their upper-case SKU.
    pub lowercase_codes_folded: usize,
    pub lowercase_rows_folded: u64,
    /// SKUs whose sale rows carry more than one normalised description.
    pub codes_with_description_variants: usize,
    /// SKUs whose sale rows carry more than one UnitPrice.
    pub codes_with_several_prices: usize,
    /// SKUs with no sale row with a CustomerID, priced from rows without one.
    pub codes_priced_without_customer: usize,
    /// SKUs left out because every sale row has an empty description.
    pub codes_without_description: Vec<String>,
    /// Catalog items written.
    pub items: usize,
    /// Items per product_category.
    pub categories: BTreeMap<String, usize>,
}

impl Default for ConversionReport {
    fn default() -> Self {
        ConversionReport {
            encoding: TextEncoding::Utf8,
            stats: FileStats::default(),
            malformed: Vec::new(),
            rule_rows: BTreeMap::new(),
            non_product_rows: BTreeMap::new(),
            prices_rounded: 0,
            lowercase_codes_folded: 0,
            lowercase_rows_folded: 0,
            codes_with_description_variants: 0,
            codes_with_several_prices: 0,
            codes_priced_without_customer: 0,
            codes_without_description: Vec::new(),
            items: 0,
            categories: BTreeMap::new(),
        }
    }
}

impl ConversionReport {
    /// Returns the number of rows under `rule`.
    pub fn rows_under(&self, rule: RowRule) -> u64 {
        self.rule_rows.get(&rule).copied().unwrap_or(0)
    }
}
