//! Catalog import: from file bytes (CSV or JSON, optionally gzip) to stored items and a report
//! of every row. The admin API and the `catalog import` command both go through here.
//!
//! One bad row never stops a file: it is reported with its line (CSV) or position (JSON) and
//! reason, and the good rows land. Only a file that cannot be read as a whole (a missing
//! column, broken JSON, broken gzip) is an error. Beyond the template checks, a row is rejected
//! when it belongs to another store than the one the import is limited to, or when its
//! currency differs from its store's.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use flate2::read::GzDecoder;
use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::keys::sku_key;
use crate::catalog::settings::{
    StoreSettings, put_store_settings, seed_demo_store, store_settings,
};
use crate::catalog::store::{StoreError, upsert_items};
use crate::catalog::template::{
    Location, ParseOptions, ParsedCatalog, RowOutcome, TemplateError, read_csv, read_json,
};
use crate::catalog::uci::DEMO_STORE_ID;
use crate::db::Database;

/// Time zone given to a store that an import creates from a file's currency.
const CREATED_STORE_TIME_ZONE: &str = "UTC";

/// The format of a catalog file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Json,
}

impl FileFormat {
    /// Guesses the format from a file name: `.json` or `.json.gz` is JSON, anything else CSV.
    pub fn from_file_name(name: &str) -> FileFormat {
        let name = name.to_ascii_lowercase();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".json") {
            FileFormat::Json
        } else {
            FileFormat::Csv
        }
    }

    /// Parses a `--format` value: `csv` or `json`.
    pub fn parse(text: &str) -> Option<FileFormat> {
        match text.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "json" => Some(FileFormat::Json),
            _ => None,
        }
    }
}

/// A problem that stops the import of a whole file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] TemplateError),
    #[error("failed to decompress the gzip catalog file: {0}")]
    Gzip(std::io::Error),
    #[error("the decompressed catalog file is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Decompresses `bytes` when they start with the gzip magic bytes (1f 8b), refusing output
/// larger than `limit` bytes; other bytes are returned unchanged.
pub fn decompress(bytes: Vec<u8>, limit: usize) -> Result<Vec<u8>, ImportError> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    let mut plain = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    GzDecoder::new(bytes.as_slice())
        .take(cap)
        .read_to_end(&mut plain)
        .map_err(ImportError::Gzip)?;
    if plain.len() > limit {
        return Err(ImportError::TooLarge { limit });
    }
    Ok(plain)
}

/// Parses a catalog file. `default_currency` applies to rows without a `currency` value.
/// `progress` receives the number of rows read, every [`crate::catalog::template::PROGRESS_EVERY`].
pub fn parse_file(
    bytes: &[u8],
    format: FileFormat,
    default_currency: Option<String>,
    progress: &mut dyn FnMut(u64),
) -> Result<ParsedCatalog, TemplateError> {
    let options = ParseOptions { default_currency };
    match format {
        FileFormat::Csv => read_csv(bytes, &options, progress),
        FileFormat::Json => read_json(bytes, &options, progress),
    }
}

/// The outcome of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Accepted,
    /// A later row with the same SKU and store replaced it.
    Superseded,
    Rejected,
}

/// The report of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowResult {
    /// CSV line where the row starts (the header is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based position of the item in a JSON array.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<u64>,
    pub status: RowStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// Reason for the rejection, naming the column and value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Location of the row that replaced this one, such as `line 12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

impl RowResult {
    /// Returns the row's location as `line 12` or `item 3`.
    pub fn location(&self) -> String {
        match (self.line, self.item) {
            (Some(line), _) => format!("line {line}"),
            (None, Some(item)) => format!("item {item}"),
            (None, None) => "unknown location".to_owned(),
        }
    }
}

/// Counts of an import. `accepted + superseded + rejected = rows`, and `created + updated =
/// accepted`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportCounts {
    pub rows: u64,
    pub accepted: u64,
    pub superseded: u64,
    pub rejected: u64,
    /// Items new to the catalog.
    pub created: u64,
    /// Items that replaced a stored item with the same store and SKU.
    pub updated: u64,
}

/// The result of an import: counts, every row, and warnings about stores it created.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportReport {
    pub counts: ImportCounts,
    pub rows: Vec<RowResult>,
    pub warnings: Vec<String>,
}

impl ImportReport {
    /// Returns the rejected rows, in file order.
    pub fn rejected(&self) -> impl Iterator<Item = &RowResult> {
        self.rows
            .iter()
            .filter(|row| row.status == RowStatus::Rejected)
    }
}

fn row_result(location: Location, outcome: &RowOutcome) -> RowResult {
    let (line, item) = match location {
        Location::Line(line) => (Some(line), None),
        Location::Item(item) => (None, Some(item as u64)),
    };
    let mut result = RowResult {
        line,
        item,
        status: RowStatus::Accepted,
        item_sku: None,
        store_id: None,
        reason: None,
        superseded_by: None,
    };
    match outcome {
        RowOutcome::Accepted { item_sku, store_id } => {
            result.item_sku = Some(item_sku.clone());
            result.store_id = Some(store_id.clone());
        }
        RowOutcome::Superseded { by } => {
            result.status = RowStatus::Superseded;
            result.superseded_by = Some(by.to_string());
        }
        RowOutcome::Rejected(error) => {
            result.status = RowStatus::Rejected;
            result.reason = Some(error.to_string());
        }
    }
    result
}

/// Stores the accepted items of a parsed file and reports every row.
///
/// With `only_store`, rows of other stores are rejected. A store that has no settings gets
/// them: the demo store its defaults, any other store the currency of its first item, time
/// zone UTC, prices excluding tax and no tax rates, and the report gets a warning that names these defaults.
pub async fn store_parsed(
    db: &Database,
    parsed: ParsedCatalog,
    only_store: Option<&str>,
    now_ms: i64,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport {
        rows: parsed
            .rows
            .iter()
            .map(|row| row_result(row.location, &row.outcome))
            .collect(),
        ..ImportReport::default()
    };
    // (store, SKU key) → index of the row whose item is in `parsed.items`.
    let mut row_of: HashMap<(String, String), usize> = HashMap::new();
    for (index, row) in report.rows.iter().enumerate() {
        if let (Some(sku), Some(store)) = (&row.item_sku, &row.store_id) {
            row_of.insert((store.clone(), sku_key(sku)), index);
        }
    }

    let settings = settle_stores(db, &parsed, only_store, now_ms, &mut report.warnings).await?;
    let mut items = Vec::with_capacity(parsed.items.len());
    for item in parsed.items {
        let reason = match (only_store, settings.get(&item.store_id)) {
            (Some(only), _) if item.store_id != only => Some(format!(
                "store_id {:?} is not the store this import is limited to ({only:?})",
                item.store_id
            )),
            (_, Some(store)) if store.currency != item.currency => Some(format!(
                "currency {} differs from the currency of store {} ({})",
                item.currency, item.store_id, store.currency
            )),
            _ => None,
        };
        match reason {
            None => items.push(item),
            Some(reason) => {
                let key = (item.store_id.clone(), sku_key(&item.item_sku));
                if let Some(row) = row_of
                    .get(&key)
                    .and_then(|index| report.rows.get_mut(*index))
                {
                    row.status = RowStatus::Rejected;
                    row.reason = Some(reason);
                }
            }
        }
    }

    let written = upsert_items(db, &items, now_ms).await?;
    report.counts = count_rows(&report.rows);
    report.counts.created = written.created;
    report.counts.updated = written.updated;
    Ok(report)
}

fn count_rows(rows: &[RowResult]) -> ImportCounts {
    let mut counts = ImportCounts {
        rows: rows.len() as u64,
        ..ImportCounts::default()
    };
    for row in rows {
        match row.status {
            RowStatus::Accepted => counts.accepted += 1,
            RowStatus::Superseded => counts.superseded += 1,
            RowStatus::Rejected => counts.rejected += 1,
        }
    }
    counts
}

/// Reads, or creates, the settings of every store that the file's items belong to.
async fn settle_stores(
    db: &Database,
    parsed: &ParsedCatalog,
    only_store: Option<&str>,
    now_ms: i64,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, StoreSettings>, StoreError> {
    let mut first_currency: BTreeMap<&str, &str> = BTreeMap::new();
    for item in &parsed.items {
        if only_store.is_none_or(|only| only == item.store_id) {
            first_currency
                .entry(item.store_id.as_str())
                .or_insert(item.currency.as_str());
        }
    }

    let mut settings = BTreeMap::new();
    for (store_id, currency) in first_currency {
        if store_id == DEMO_STORE_ID && seed_demo_store(db, now_ms).await? {
            tracing::info!(
                store_id,
                "stored the demo store's default settings and tax rates"
            );
        }
        let store = match store_settings(db, store_id).await? {
            Some(store) => store,
            None => create_store(db, store_id, currency, now_ms, warnings).await?,
        };
        settings.insert(store_id.to_owned(), store);
    }
    Ok(settings)
}

async fn create_store(
    db: &Database,
    store_id: &str,
    currency: &str,
    now_ms: i64,
    warnings: &mut Vec<String>,
) -> Result<StoreSettings, StoreError> {
    let store = StoreSettings {
        store_id: store_id.to_owned(),
        name: store_id.to_owned(),
        currency: currency.to_owned(),
        time_zone: CREATED_STORE_TIME_ZONE.to_owned(),
        prices_include_tax: false,
    };
    put_store_settings(db, &store, now_ms).await?;
    let warning = format!(
        "store {store_id} had no settings; created with currency {currency}, time zone \
         {CREATED_STORE_TIME_ZONE}, prices excluding tax and no tax rates. Set them with \
         PUT /admin/v1/stores/{store_id} and PUT /admin/v1/stores/{store_id}/tax-rates"
    );
    tracing::warn!(store_id, currency, "catalog import created store settings");
    warnings.push(warning);
    Ok(store)
}

/// Returns the currency for rows without one: the currency of the store the import is
/// limited to, when that store has settings.
pub async fn default_currency(
    db: &Database,
    only_store: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let Some(store_id) = only_store else {
        return Ok(None);
    };
    Ok(store_settings(db, store_id)
        .await?
        .map(|store| store.currency))
}
