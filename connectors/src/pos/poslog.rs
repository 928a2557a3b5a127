//! POS export as ARTS POSLog 6.0 XML, one document per transaction, dropped into a folder.
//!
//! Element names follow the POSLog 6.0.0 schema. The store is `BusinessUnit/UnitID` (POSLog 2
//! had `RetailStoreID` in its place). Each item is a `LineItem` containing `Sale` or `Return`
//! with `ItemID`, `Description`, `RegularSalesUnitPrice`, `ActualSalesUnitPrice`,
//! `ExtendedAmount`, `Quantity` and one `RetailPriceModifier` per discount. Tax and tender are
//! `LineItem`s of their own, and `Total@TotalType` carries net, tax and grand amounts. Amounts
//! are decimals in major units, formatted from minor units without floating point. The
//! card appears only as its brand (`CreditCardCompanyCode`) and a masked number ending in the
//! last 4 digits. Text and attribute values are escaped by `quick-xml`.
//!
//! Files are dropped like the CSV export: `<store>_<YYYYMMDD>_<transaction id>.xml`, written
//! atomically and never written twice.

use std::io::Cursor;
use std::path::PathBuf;

use async_trait::async_trait;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::csv::{file_name, receipt_of};
use super::drop_folder::drop_file;
use super::{
    ExportReceipt, LineKind, PosError, PosLine, PosSink, PosTransaction, TenderKind,
    TransactionKind,
};
use crate::catalog::money::{format_minor, minor_digits};

const SINK: &str = "poslog";

/// The namespace of the POSLog 6.0.0 schema. Some producers use
/// `http://www.nrf-arts.org/IXRetail/v6.0.0/poslog` instead, hence [`PoslogOptions`].
pub const ARTS_NAMESPACE: &str = "http://www.nrf-arts.org/IXRetail/namespace/";

/// Settings of the POSLog document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoslogOptions {
    /// Default XML namespace of the document.
    pub namespace: String,
}

impl Default for PoslogOptions {
    fn default() -> PoslogOptions {
        PoslogOptions {
            namespace: ARTS_NAMESPACE.to_owned(),
        }
    }
}

/// Drops one POSLog file per transaction into `folder`.
#[derive(Debug, Clone)]
pub struct PoslogFolderSink {
    folder: PathBuf,
    options: PoslogOptions,
}

impl PoslogFolderSink {
    pub fn new(folder: impl Into<PathBuf>, options: PoslogOptions) -> PoslogFolderSink {
        PoslogFolderSink {
            folder: folder.into(),
            options,
        }
    }
}

#[async_trait]
impl PosSink for PoslogFolderSink {
    fn name(&self) -> &str {
        SINK
    }

    async fn export(&self, transaction: &PosTransaction) -> Result<ExportReceipt, PosError> {
        let name = file_name(SINK, transaction, "xml")?;
        let contents = render_poslog(transaction, &self.options)?;
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

type XmlWriter = Writer<Cursor<Vec<u8>>>;
type XmlResult = std::io::Result<()>;

/// Renders the POSLog document of one transaction.
pub fn render_poslog(
    transaction: &PosTransaction,
    options: &PoslogOptions,
) -> Result<Vec<u8>, PosError> {
    let digits = minor_digits(&transaction.currency).ok_or_else(|| PosError::Permanent {
        sink: SINK.to_owned(),
        message: format!(
            "currency {:?} is not a known ISO 4217 code",
            transaction.currency
        ),
    })?;
    let mut writer = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| {
            writer
                .create_element("POSLog")
                .with_attributes([
                    ("xmlns", options.namespace.as_str()),
                    ("MajorVersion", "6"),
                    ("MinorVersion", "0"),
                    ("FixVersion", "0"),
                ])
                .write_inner_content(|w| write_transaction(w, transaction, digits))
                .map(|_| ())
        });
    written.map_err(|error| PosError::Permanent {
        sink: SINK.to_owned(),
        message: format!("rendering the POSLog failed: {error}"),
    })?;
    Ok(writer.into_inner().into_inner())
}

fn text(w: &mut XmlWriter, name: &str, value: &str) -> XmlResult {
    w.create_element(name)
        .write_text_content(BytesText::new(value))?;
    Ok(())
}

fn write_transaction(w: &mut XmlWriter, t: &PosTransaction, digits: u32) -> XmlResult {
    let type_code = match t.kind {
        TransactionKind::Sale => "SaleTransaction",
        TransactionKind::Return => "ReturnTransaction",
    };
    let training = if t.is_test { "true" } else { "false" };
    w.create_element("Transaction")
        .with_attributes([("TrainingModeFlag", training), ("TypeCode", type_code)])
        .write_inner_content(|w| {
            w.create_element("BusinessUnit").write_inner_content(|w| {
                w.create_element("UnitID")
                    .with_attributes([("Name", t.store_name.as_str()), ("TypeCode", "RetailStore")])
                    .write_text_content(BytesText::new(&t.store_id))?;
                Ok(())
            })?;
            text(w, "WorkstationID", &t.workstation_id)?;
            text(w, "SequenceNumber", &t.sequence_number.to_string())?;
            text(w, "TransactionID", &t.transaction_id)?;
            text(w, "CurrencyCode", &t.currency)?;
            text(w, "ReceiptNumber", &t.receipt_number)?;
            text(w, "BusinessDayDate", &t.business_day.to_string())?;
            text(w, "BeginDateTime", &rfc3339(t.begin)?)?;
            text(w, "EndDateTime", &rfc3339(t.end)?)?;
            w.create_element("RetailTransaction")
                .with_attribute(("TransactionStatus", "Finished"))
                .write_inner_content(|w| write_retail_transaction(w, t, digits))?;
            Ok(())
        })?;
    Ok(())
}

fn rfc3339(instant: time::OffsetDateTime) -> std::io::Result<String> {
    instant
        .to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(std::io::Error::other)
}

fn write_retail_transaction(w: &mut XmlWriter, t: &PosTransaction, digits: u32) -> XmlResult {
    let amount = |minor: i64| format_minor(minor, digits);
    let mut sequence = 0u32;
    let mut next = || {
        sequence += 1;
        sequence.to_string()
    };

    for line in &t.lines {
        w.create_element("LineItem").write_inner_content(|w| {
            write_item(w, line, digits)?;
            text(w, "SequenceNumber", &next())
        })?;
    }
    for tax in &t.taxes {
        w.create_element("LineItem").write_inner_content(|w| {
            let included = if tax.tax_included { "true" } else { "false" };
            w.create_element("Tax").write_inner_content(|w| {
                w.create_element("TaxableAmount")
                    .with_attribute(("TaxIncludedInTaxableAmountFlag", included))
                    .write_text_content(BytesText::new(&amount(tax.taxable_minor)))?;
                text(w, "Amount", &amount(tax.tax_minor))?;
                text(w, "Percent", &format_minor(i64::from(tax.rate_bp), 2))
            })?;
            text(w, "SequenceNumber", &next())
        })?;
    }
    for tender in &t.tenders {
        w.create_element("LineItem").write_inner_content(|w| {
            let type_code = match tender.kind {
                TenderKind::Sale => "Sale",
                TenderKind::Refund => "Refund",
            };
            w.create_element("Tender")
                .with_attributes([("TenderType", "CreditDebit"), ("TypeCode", type_code)])
                .write_inner_content(|w| {
                    text(w, "Amount", &amount(tender.amount_minor))?;
                    w.create_element("CreditDebit").write_inner_content(|w| {
                        text(w, "PrimaryAccountNumber", &format!("****{}", tender.last4))?;
                        text(w, "CreditCardCompanyCode", &tender.brand)
                    })?;
                    Ok(())
                })?;
            text(w, "SequenceNumber", &next())
        })?;
    }

    let totals = [
        ("TransactionNetAmount", t.totals.net_minor),
        ("TransactionTaxAmount", t.totals.tax_minor),
        ("TransactionGrandAmount", t.totals.grand_minor),
    ];
    for (total_type, minor) in totals {
        w.create_element("Total")
            .with_attribute(("TotalType", total_type))
            .write_text_content(BytesText::new(&amount(minor)))?;
    }
    if let Some(original) = &t.original_transaction_id {
        w.create_element("TransactionLink")
            .write_inner_content(|w| text(w, "TransactionID", original))?;
    }
    Ok(())
}

fn write_item(w: &mut XmlWriter, line: &PosLine, digits: u32) -> XmlResult {
    let amount = |minor: i64| format_minor(minor, digits);
    let element = match line.kind {
        LineKind::Sale => "Sale",
        LineKind::Return => "Return",
    };
    w.create_element(element)
        .with_attribute(("ItemType", "Stock"))
        .write_inner_content(|w| {
            text(w, "ItemID", &line.sku)?;
            text(w, "Description", &line.description)?;
            text(
                w,
                "RegularSalesUnitPrice",
                &amount(line.regular_unit_price_minor),
            )?;
            text(
                w,
                "ActualSalesUnitPrice",
                &amount(line.actual_unit_price_minor),
            )?;
            text(w, "ExtendedAmount", &amount(line.extended_minor))?;
            w.create_element("Quantity")
                .with_attribute(("UnitOfMeasureCode", unit_of_measure(&line.unit).as_str()))
                .write_text_content(BytesText::new(&line.quantity))?;
            for (index, discount) in line.discounts.iter().enumerate() {
                w.create_element("RetailPriceModifier")
                    .write_inner_content(|w| {
                        text(w, "SequenceNumber", &(index + 1).to_string())?;
                        w.create_element("Amount")
                            .with_attribute(("Action", "Subtract"))
                            .write_text_content(BytesText::new(&amount(discount.amount_minor)))?;
                        if let Some(promotion) = &discount.promotion_id {
                            text(w, "PromotionID", promotion)?;
                        }
                        text(w, "ReasonCode", &discount.description)
                    })?;
            }
            w.create_element("Tax").write_inner_content(|w| {
                text(w, "Percent", &format_minor(i64::from(line.tax_rate_bp), 2))
            })?;
            Ok(())
        })?;
    Ok(())
}

/// UN/ECE Recommendation 20 code of a unit, as ARTS `UnitOfMeasureCode` expects; units
/// outside the table pass through in upper case.
fn unit_of_measure(unit: &str) -> String {
    match unit {
        "each" | "unit" | "ea" => "EA".to_owned(),
        "kg" => "KGM".to_owned(),
        "g" => "GRM".to_owned(),
        "lb" => "LBR".to_owned(),
        "oz" => "ONZ".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}
