//! Readers for the catalog template: CSV (RFC 4180, through the `csv` crate) and JSON.
//!
//! Every row gets a [`RowReport`]: accepted, superseded by a later row with the same SKU and
//! store, or rejected with its location and reason. One bad row never stops the file. Only
//! problems that make the whole file unreadable (a missing required column, broken JSON, an
//! I/O error) are file-level errors.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use serde_json::Value;
use thiserror::Error;

use super::item::{COLUMNS, CatalogItem};
use super::validate::{RawRow, RowError, validate_row};
use crate::catalog::keys::sku_key;

/// Columns that a CSV header must contain.
pub const REQUIRED_COLUMNS: [&str; 5] = [
    "item_sku",
    "external_product_id",
    "item_name",
    "store_id",
    "standard_price",
];

/// Interval, in rows, between progress callbacks (one more comes at the end).
pub const PROGRESS_EVERY: u64 = 1_000;

/// Position of a row in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Physical line where a CSV record starts; the header is line 1.
    Line(u64),
    /// 1-based position of an object in a JSON array.
    Item(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(formatter, "line {line}"),
            Location::Item(index) => write!(formatter, "item {index}"),
        }
    }
}

/// Result of reading one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Accepted {
        item_sku: String,
        store_id: String,
    },
    /// A later row with the same SKU (ignoring letter case) and store replaced this one (the
    /// last row wins).
    Superseded {
        by: Location,
    },
    Rejected(RowError),
}

/// The outcome of one row, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowReport {
    pub location: Location,
    pub outcome: RowOutcome,
}

/// A parsed template: the accepted items (one per SKU and store, in order of first appearance)
/// and a report for every row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedCatalog {
    pub items: Vec<CatalogItem>,
    pub rows: Vec<RowReport>,
}

impl ParsedCatalog {
    /// Returns the rejected rows with their reasons.
    pub fn rejected(&self) -> impl Iterator<Item = (Location, &RowError)> {
        self.rows.iter().filter_map(|row| match &row.outcome {
            RowOutcome::Rejected(error) => Some((row.location, error)),
            _ => None,
        })
    }
}

/// Options for the readers.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Currency for rows without a `currency` value; with `None` such rows are rejected.
    pub default_currency: Option<String>,
}

/// A problem that makes the whole file unreadable.
#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("the catalog file has no {0} column")]
    MissingColumn(&'static str),
    #[error("failed to read the catalog CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("failed to read the catalog JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "the catalog JSON is neither an array of items nor an object with a catalogItems array"
    )]
    NotAnItemArray,
}

/// Collects row outcomes and applies the last-row-wins rule for duplicate SKU and store.
struct Collector<'a> {
    parsed: ParsedCatalog,
    /// (SKU key, store) → (index in `items`, index in `rows` of the accepted row).
    seen: HashMap<(String, String), (usize, usize)>,
    default_currency: Option<&'a str>,
}

impl<'a> Collector<'a> {
    fn new(options: &'a ParseOptions) -> Self {
        Collector {
            parsed: ParsedCatalog::default(),
            seen: HashMap::new(),
            default_currency: options.default_currency.as_deref(),
        }
    }

    fn add(&mut self, location: Location, row: Result<RawRow, RowError>) {
        let item = row.and_then(|raw| validate_row(&raw, self.default_currency));
        let item = match item {
            Ok(item) => item,
            Err(error) => {
                let outcome = RowOutcome::Rejected(error);
                self.parsed.rows.push(RowReport { location, outcome });
                return;
            }
        };

        // SKUs that differ only in letter case are one item, as in storage and lookups.
        let key = (sku_key(&item.item_sku), item.store_id.clone());
        let row_index = self.parsed.rows.len();
        self.parsed.rows.push(RowReport {
            location,
            outcome: RowOutcome::Accepted {
                item_sku: item.item_sku.clone(),
                store_id: item.store_id.clone(),
            },
        });
        match self.seen.get(&key).copied() {
            Some((item_index, previous_row)) => {
                self.parsed.items[item_index] = item;
                self.parsed.rows[previous_row].outcome = RowOutcome::Superseded { by: location };
                self.seen.insert(key, (item_index, row_index));
            }
            None => {
                self.seen.insert(key, (self.parsed.items.len(), row_index));
                self.parsed.items.push(item);
            }
        }
    }
}

/// Reads a template CSV. Headers match case-insensitively after trimming (a UTF-8 byte order
/// mark is ignored); unknown columns are ignored. `progress` receives the number of rows done.
pub fn read_csv<R: Read>(
    reader: R,
    options: &ParseOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ParsedCatalog, TemplateError> {
    let mut csv_reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = csv_reader.byte_headers()?.clone();
    let column_index = map_columns(&headers)?;

    let mut collector = Collector::new(options);
    let mut done: u64 = 0;
    for record in csv_reader.byte_records() {
        let record = record?;
        let line = record.position().map_or(0, |position| position.line());
        let raw = raw_from_record(&record, &column_index, headers.len());
        collector.add(Location::Line(line), raw);

        done += 1;
        if done.is_multiple_of(PROGRESS_EVERY) {
            progress(done);
        }
    }
    progress(done);
    Ok(collector.parsed)
}

/// Maps each template column to its position in the header.
fn map_columns(headers: &csv::ByteRecord) -> Result<[Option<usize>; COLUMNS.len()], TemplateError> {
    let names: Vec<String> = headers
        .iter()
        .map(|field| {
            let text = String::from_utf8_lossy(field);
            text.trim_start_matches('\u{feff}')
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    let mut index = [None; COLUMNS.len()];
    for (slot, column) in index.iter_mut().zip(COLUMNS) {
        *slot = names.iter().position(|name| name == column);
    }
    for required in REQUIRED_COLUMNS {
        let position = COLUMNS.iter().position(|column| *column == required);
        if position.and_then(|at| index[at]).is_none() {
            return Err(TemplateError::MissingColumn(required));
        }
    }
    Ok(index)
}

fn raw_from_record(
    record: &csv::ByteRecord,
    column_index: &[Option<usize>; COLUMNS.len()],
    header_len: usize,
) -> Result<RawRow, RowError> {
    if record.len() != header_len {
        return Err(RowError::Malformed(format!(
            "the row has {} fields, the header has {header_len}",
            record.len()
        )));
    }
    let mut raw = RawRow::default();
    for ((slot, index), column) in raw.values.iter_mut().zip(column_index).zip(COLUMNS) {
        let Some(field) = index.and_then(|at| record.get(at)) else {
            continue;
        };
        let text = std::str::from_utf8(field)
            .map_err(|_| RowError::Malformed(format!("{column} is not valid UTF-8 text")))?;
        *slot = Some(text.to_owned());
    }
    Ok(raw)
}

/// Reads template JSON: an array of item objects, or `{"catalogItems": [...]}`. Keys match
/// case-insensitively. Values are strings, as in the JWO catalog API;
/// `additional_external_product_information` may also be an array of strings.
pub fn read_json(
    bytes: &[u8],
    options: &ParseOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ParsedCatalog, TemplateError> {
    let document: Value = serde_json::from_slice(bytes)?;
    let items = match &document {
        Value::Array(items) => items,
        Value::Object(object) => object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("catalogItems"))
            .and_then(|(_, value)| value.as_array())
            .ok_or(TemplateError::NotAnItemArray)?,
        _ => return Err(TemplateError::NotAnItemArray),
    };

    let mut collector = Collector::new(options);
    for (index, value) in items.iter().enumerate() {
        collector.add(Location::Item(index + 1), raw_from_json(value));
        let done = index as u64 + 1;
        if done.is_multiple_of(PROGRESS_EVERY) {
            progress(done);
        }
    }
    progress(items.len() as u64);
    Ok(collector.parsed)
}

fn raw_from_json(value: &Value) -> Result<RawRow, RowError> {
    let object = value
        .as_object()
        .ok_or_else(|| RowError::Malformed("the item is not a JSON object".to_owned()))?;
    let mut raw = RawRow::default();
    for (key, value) in object {
        let key = key.to_ascii_lowercase();
        let Some(position) = COLUMNS.iter().position(|column| *column == key) else {
            continue;
        };
        raw.values[position] = Some(json_text(COLUMNS[position], value)?);
    }
    Ok(raw)
}

fn json_text(column: &'static str, value: &Value) -> Result<String, RowError> {
    let wrong_type = || RowError::Malformed(format!("{column} must be a string"));
    match value {
        Value::String(text) => Ok(text.clone()),
        Value::Null => Ok(String::new()),
        Value::Array(parts) if column == "additional_external_product_information" => {
            let texts: Option<Vec<&str>> = parts.iter().map(Value::as_str).collect();
            texts.map(|texts| texts.join(";")).ok_or_else(wrong_type)
        }
        _ => Err(wrong_type()),
    }
}
