//! POS export as RFC 4180 CSV files dropped into a folder, one file per transaction.
//!
//! One file per transaction keeps re-delivery trivially idempotent: the file name is
//! `<store>_<YYYYMMDD business day>_<transaction id>.csv`, and a name that exists is never
//! written again. Files are UTF-8 without BOM, fields are separated by commas, records end in
//! CRLF, and a field holding a comma, a quote, CR or LF is quoted with quotes doubled. Every
//! record starts with its type; amounts are integer minor units of the header's currency and
//! times are RFC 3339 UTC.
//!
//! | type | fields after the type |
//! |---|---|
//! | `H` | transaction id, `sale`/`return`, store id, workstation id, sequence number, business day (`YYYY-MM-DD`), begin, end, currency, receipt number, original transaction id (empty on sales), training flag (`1` for test trips) |
//! | `L` | line number, `sale`/`return`, SKU, description, quantity, unit, regular unit price, actual unit price, discount, extended amount (negative for returns), tax rate in basis points |
//! | `X` | tax rate in basis points, taxable amount, tax amount, tax-included flag (`1`/`0`) |
//! | `P` | `sale`/`refund`, card brand, last 4 digits, amount |
//! | `S` | net, tax, grand total |
//! | `T` | number of records before the trailer, control total (sum of the `L` extended amounts) |

use std::path::PathBuf;

use async_trait::async_trait;

use super::drop_folder::{Dropped, check_name_part, drop_file};
use super::{
    ExportReceipt, LineKind, PosError, PosSink, PosTransaction, TenderKind, TransactionKind,
};

const SINK: &str = "csv";

/// Drops one CSV file per transaction into `folder`.
#[derive(Debug, Clone)]
pub struct CsvFolderSink {
    folder: PathBuf,
}

impl CsvFolderSink {
    pub fn new(folder: impl Into<PathBuf>) -> CsvFolderSink {
        CsvFolderSink {
            folder: folder.into(),
        }
    }

    /// Returns the file name of a transaction.
    pub fn file_name(transaction: &PosTransaction) -> Result<String, PosError> {
        file_name(SINK, transaction, "csv")
    }
}

/// `<store>_<YYYYMMDD>_<transaction id>.<extension>`, after checking that the parts are safe
/// in a file name.
pub(crate) fn file_name(
    sink: &str,
    transaction: &PosTransaction,
    extension: &str,
) -> Result<String, PosError> {
    check_name_part(sink, "store id", &transaction.store_id)?;
    check_name_part(sink, "transaction id", &transaction.transaction_id)?;
    let day = transaction.business_day;
    Ok(format!(
        "{}_{:04}{:02}{:02}_{}.{extension}",
        transaction.store_id,
        day.year(),
        u8::from(day.month()),
        day.day(),
        transaction.transaction_id
    ))
}

#[async_trait]
impl PosSink for CsvFolderSink {
    fn name(&self) -> &str {
        SINK
    }

    async fn export(&self, transaction: &PosTransaction) -> Result<ExportReceipt, PosError> {
        let name = CsvFolderSink::file_name(transaction)?;
        let contents = render_csv(transaction)?;
        let folder = self.folder.clone();
        let dropped =
            tokio::task::spawn_blocking(move || drop_file(SINK, &folder, &name, &contents))
                .await
                .map_err(|error| PosError::Retryable {
                    sink: SINK.to_owned(),
                    message: format!("the file writer task failed: {error}"),
                })??;
        Ok(receipt_of(SINK, transaction, dropped))
    }
}

pub(crate) fn receipt_of(
    sink: &str,
    transaction: &PosTransaction,
    dropped: Dropped,
) -> ExportReceipt {
    let (path, already_exported) = match dropped {
        Dropped::Written(path) => (path, false),
        Dropped::AlreadyThere(path) => (path, true),
    };
    ExportReceipt {
        transaction_id: transaction.transaction_id.clone(),
        sink: sink.to_owned(),
        location: path.display().to_string(),
        already_exported,
    }
}

/// Renders the CSV file of one transaction.
pub fn render_csv(transaction: &PosTransaction) -> Result<Vec<u8>, PosError> {
    let failed = |error: ::csv::Error| PosError::Permanent {
        sink: SINK.to_owned(),
        message: format!("rendering the CSV failed: {error}"),
    };
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());

    let records = records(transaction)?;
    let mut control_total: i64 = 0;
    for line in &transaction.lines {
        control_total = control_total
            .checked_add(line.signed_extended_minor())
            .ok_or_else(|| PosError::Permanent {
                sink: SINK.to_owned(),
                message: "the control total overflows 64 bits".to_owned(),
            })?;
    }
    for record in &records {
        writer.write_record(record).map_err(failed)?;
    }
    let trailer = [
        "T".to_owned(),
        records.len().to_string(),
        control_total.to_string(),
    ];
    writer.write_record(&trailer).map_err(failed)?;
    writer.into_inner().map_err(|error| PosError::Permanent {
        sink: SINK.to_owned(),
        message: format!("rendering the CSV failed: {}", error.error()),
    })
}

/// Builds every record before the trailer.
fn records(t: &PosTransaction) -> Result<Vec<Vec<String>>, PosError> {
    let rfc3339 = |instant: time::OffsetDateTime| {
        instant
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|error| PosError::Permanent {
                sink: SINK.to_owned(),
                message: format!("formatting a time failed: {error}"),
            })
    };
    let flag = |value: bool| if value { "1" } else { "0" }.to_owned();
    let kind = match t.kind {
        TransactionKind::Sale => "sale",
        TransactionKind::Return => "return",
    };

    let mut records = vec![vec![
        "H".to_owned(),
        t.transaction_id.clone(),
        kind.to_owned(),
        t.store_id.clone(),
        t.workstation_id.clone(),
        t.sequence_number.to_string(),
        t.business_day.to_string(),
        rfc3339(t.begin)?,
        rfc3339(t.end)?,
        t.currency.clone(),
        t.receipt_number.clone(),
        t.original_transaction_id.clone().unwrap_or_default(),
        flag(t.is_test),
    ]];
    for (index, line) in t.lines.iter().enumerate() {
        let discount: i64 = line
            .discounts
            .iter()
            .map(|d| d.amount_minor)
            .fold(0, i64::saturating_add);
        let line_kind = match line.kind {
            LineKind::Sale => "sale",
            LineKind::Return => "return",
        };
        records.push(vec![
            "L".to_owned(),
            (index + 1).to_string(),
            line_kind.to_owned(),
            line.sku.clone(),
            line.description.clone(),
            line.quantity.clone(),
            line.unit.clone(),
            line.regular_unit_price_minor.to_string(),
            line.actual_unit_price_minor.to_string(),
            discount.to_string(),
            line.signed_extended_minor().to_string(),
            line.tax_rate_bp.to_string(),
        ]);
    }
    for tax in &t.taxes {
        records.push(vec![
            "X".to_owned(),
            tax.rate_bp.to_string(),
            tax.taxable_minor.to_string(),
            tax.tax_minor.to_string(),
            flag(tax.tax_included),
        ]);
    }
    for tender in &t.tenders {
        let tender_kind = match tender.kind {
            TenderKind::Sale => "sale",
            TenderKind::Refund => "refund",
        };
        records.push(vec![
            "P".to_owned(),
            tender_kind.to_owned(),
            tender.brand.clone(),
            tender.last4.clone(),
            tender.amount_minor.to_string(),
        ]);
    }
    records.push(vec![
        "S".to_owned(),
        t.totals.net_minor.to_string(),
        t.totals.tax_minor.to_string(),
        t.totals.grand_minor.to_string(),
    ]);
    Ok(records)
}
