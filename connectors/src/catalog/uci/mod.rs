//! Converter from the UCI "Online Retail" data (a UK giftware shop, 2010–2011) to the catalog
//! template for the demo store, and extraction of its real sale baskets.
//!
//! The demo store is `UK-LON-001`, currency GBP, prices tax-included, every good under the
//! `standard` tax code (UK VAT 20% applies to giftware). The catalog price of a StockCode is
//! its most common UnitPrice on sale rows with a CustomerID; ties go to the lower price. The
//! quirks of the data each have a written rule in [`rules`], [`read`] or [`date`], and every row
//! is counted under one rule in the [`ConversionReport`]: nothing is dropped silently.
//!
//! No HTTP or SQL here; the only I/O is reading the input file and writing the output file in
//! [`convert_uci_to_template`].

mod baskets;
mod convert;
pub mod date;
pub mod read;
mod report;
pub mod rules;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use baskets::{Basket, BasketExtract, BasketLine, baskets};
pub use convert::{
    DEMO_CURRENCY, DEMO_STORE_ID, DEMO_TAX_CODE, UciCatalog, build_catalog, convert_uci_to_template,
};
pub use read::{MalformedRow, UciRow};
pub use report::{ConversionReport, FileStats};
pub use rules::RowRule;

/// The text encoding the input was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// Decoded with the Windows-1252 table because the input was not valid UTF-8.
    Latin1,
}

/// A failure that stops the conversion of a whole file.
#[derive(Debug, Error)]
pub enum UciError {
    #[error("failed to read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to decompress the gzip input: {0}")]
    Gzip(std::io::Error),
    #[error("the input has no {0} column")]
    MissingColumn(&'static str),
    #[error("failed to read the input CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("failed to write {path}: {source}")]
    Write { path: PathBuf, source: csv::Error },
}

/// A parsed input file: its rows, the rows that could not be parsed, and the rule of each row.
#[derive(Debug, Clone)]
pub struct UciData {
    pub encoding: TextEncoding,
    pub rows: Vec<UciRow>,
    pub malformed: Vec<MalformedRow>,
    /// The rule of each entry of `rows`, at the same index.
    pub rules: Vec<RowRule>,
}

/// Parses input bytes (gzip or plain, UTF-8 or Latin-1). `progress` receives rows read.
pub fn parse(bytes: Vec<u8>, progress: &mut dyn FnMut(u64)) -> Result<UciData, UciError> {
    let (text, encoding) = read::decode_input(bytes)?;
    let mut rows = Vec::new();
    let mut malformed = Vec::new();
    for row in read::parse_rows(&text, progress)? {
        match row {
            Ok(row) => rows.push(row),
            Err(bad) => malformed.push(bad),
        }
    }
    let rules = rules::classify(&rows);
    Ok(UciData {
        encoding,
        rows,
        malformed,
        rules,
    })
}

/// Reads and parses a file.
pub fn load(path: &Path, progress: &mut dyn FnMut(u64)) -> Result<UciData, UciError> {
    let bytes = std::fs::read(path).map_err(|source| UciError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(bytes, progress)
}
