//! Reading the UCI "Online Retail" CSV: decompression, text encoding, header mapping and the
//! parsing of each field.
//!
//! Rules written here:
//! - Input starting with the gzip magic bytes (1f 8b) is decompressed; anything else is read as
//!   plain CSV.
//! - Text that is valid UTF-8 is read as UTF-8. Otherwise the whole file is decoded as Latin-1,
//!   using the WHATWG Windows-1252 table (the superset that files labelled Latin-1 use in
//!   practice), so `0xA3` becomes `£`.
//! - CRLF and LF line ends are both accepted (the `csv` crate handles both).
//! - Columns are found by name, ignoring ASCII case and spaces. The unnamed pandas index column
//!   may be present or absent, and it is ignored like any other extra column.
//! - A row whose fields cannot be parsed is kept as a [`MalformedRow`] with its line and reason,
//!   never dropped silently.

use std::io::Read;

use encoding_rs::WINDOWS_1252;
use flate2::read::GzDecoder;
use rust_decimal::{Decimal, RoundingStrategy};
use time::PrimitiveDateTime;

use super::date::parse_invoice_date;
use super::{TextEncoding, UciError};

/// Interval, in rows, between progress callbacks (one more comes at the end).
pub const PROGRESS_EVERY: u64 = 5_000;

/// Header names of the columns used, and other spellings that copies of the dataset use
/// (the "Online Retail II" release names them `Invoice`, `Price` and `Customer ID`).
const HEADER_NAMES: [(&str, &[&str]); 8] = [
    ("InvoiceNo", &["invoiceno", "invoice"]),
    ("StockCode", &["stockcode"]),
    ("Description", &["description"]),
    ("Quantity", &["quantity"]),
    ("InvoiceDate", &["invoicedate"]),
    ("UnitPrice", &["unitprice", "price"]),
    ("CustomerID", &["customerid"]),
    ("Country", &["country"]),
];

/// One parsed row of the dataset, with its fields as published (not yet normalised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UciRow {
    /// Physical line where the record starts; the header is line 1.
    pub line: u64,
    pub invoice_no: String,
    pub stock_code: String,
    pub description: String,
    pub quantity: i64,
    pub invoice_date: PrimitiveDateTime,
    /// UnitPrice in pence, rounded half away from zero when the file has more than 2 decimals.
    pub unit_price_minor: i64,
    /// True when `unit_price_minor` was rounded.
    pub price_rounded: bool,
    /// CustomerID as integer text (`17850.0` becomes `17850`); `None` when empty.
    pub customer_id: Option<String>,
    pub country: String,
}

/// A row that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedRow {
    pub line: u64,
    pub reason: String,
}

/// Decompresses (when gzip) and decodes input bytes.
pub fn decode_input(bytes: Vec<u8>) -> Result<(String, TextEncoding), UciError> {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut plain)
            .map_err(UciError::Gzip)?;
        plain
    } else {
        bytes
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, TextEncoding::Utf8)),
        Err(error) => {
            let (text, _, _) = WINDOWS_1252.decode(error.as_bytes());
            Ok((text.into_owned(), TextEncoding::Latin1))
        }
    }
}

/// Parses every record of the decoded text.
pub fn parse_rows(
    text: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Result<UciRow, MalformedRow>>, UciError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let columns = map_columns(&headers)?;

    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let line = record.position().map_or(0, |position| position.line());
        let row =
            parse_record(&record, &columns, line).map_err(|reason| MalformedRow { line, reason });
        rows.push(row);
        if (rows.len() as u64).is_multiple_of(PROGRESS_EVERY) {
            progress(rows.len() as u64);
        }
    }
    progress(rows.len() as u64);
    Ok(rows)
}

fn map_columns(headers: &csv::StringRecord) -> Result<[usize; 8], UciError> {
    let names: Vec<String> = headers
        .iter()
        .map(|name| {
            name.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .collect();
    let mut columns = [0; 8];
    for (slot, (canonical, spellings)) in columns.iter_mut().zip(HEADER_NAMES) {
        *slot = names
            .iter()
            .position(|name| spellings.contains(&name.as_str()))
            .ok_or(UciError::MissingColumn(canonical))?;
    }
    Ok(columns)
}

fn parse_record(
    record: &csv::StringRecord,
    columns: &[usize; 8],
    line: u64,
) -> Result<UciRow, String> {
    let field = |at: usize| -> Result<&str, String> {
        record
            .get(columns[at])
            .ok_or_else(|| format!("the row has no {} field", HEADER_NAMES[at].0))
    };

    let quantity_text = field(3)?.trim();
    let quantity = parse_integer(quantity_text)
        .ok_or_else(|| format!("Quantity {quantity_text:?} is not an integer"))?;
    let date_text = field(4)?.trim();
    let invoice_date = parse_invoice_date(date_text)
        .ok_or_else(|| format!("InvoiceDate {date_text:?} is not a known date form"))?;
    let price_text = field(5)?.trim();
    let (unit_price_minor, price_rounded) = parse_price(price_text)
        .ok_or_else(|| format!("UnitPrice {price_text:?} is not a decimal number"))?;
    let customer_text = field(6)?.trim();
    let customer_id = parse_customer(customer_text)
        .ok_or_else(|| format!("CustomerID {customer_text:?} is not a whole number"))?;

    Ok(UciRow {
        line,
        invoice_no: field(0)?.trim().to_owned(),
        stock_code: field(1)?.to_owned(),
        description: field(2)?.to_owned(),
        quantity,
        invoice_date,
        unit_price_minor,
        price_rounded,
        customer_id,
        country: field(7)?.trim().to_owned(),
    })
}

/// Parses plain decimal text: an optional minus sign, digits, an optional dot and digits.
/// Exponents, plus signs and digit separators are rejected.
fn parse_decimal(text: &str) -> Option<Decimal> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    Decimal::from_str_exact(text).ok()
}

/// Accepts `6` and `6.0`, the form some spreadsheet exports write.
fn parse_integer(text: &str) -> Option<i64> {
    let value = parse_decimal(text)?;
    if !value.fract().is_zero() {
        return None;
    }
    i64::try_from(value).ok()
}

/// Converts pounds to pence, rounding half away from zero past 2 decimals.
fn parse_price(text: &str) -> Option<(i64, bool)> {
    let pounds = parse_decimal(text)?;
    let pence = pounds.checked_mul(Decimal::ONE_HUNDRED)?;
    let rounded = pence.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    let minor = i64::try_from(rounded).ok()?;
    Some((minor, rounded != pence))
}

/// CustomerID is written as a float (`17850.0`) in pandas exports; keep its integer text.
fn parse_customer(text: &str) -> Option<Option<String>> {
    if text.is_empty() {
        return Some(None);
    }
    let value = parse_integer(text)?;
    if value < 0 {
        return None;
    }
    Some(Some(value.to_string()))
}
