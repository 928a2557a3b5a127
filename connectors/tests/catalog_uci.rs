//! The UCI converter on the real data file and on small synthetic inputs.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

use walkout_connectors::catalog::template::{ParseOptions, read_csv};
use walkout_connectors::catalog::uci::{self, RowRule, TextEncoding, UciCatalog, UciData};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);

fn real_data() -> &'static UciData {
    static DATA_ONCE: OnceLock<UciData> = OnceLock::new();
    DATA_ONCE.get_or_init(|| uci::load(DATA.as_ref(), &mut |_| {}).expect("the data file loads"))
}

fn real_catalog() -> &'static UciCatalog {
    static CATALOG: OnceLock<UciCatalog> = OnceLock::new();
    CATALOG.get_or_init(|| uci::build_catalog(real_data()))
}

/// Raw records of the data file, read without the converter.
fn raw_records() -> Vec<csv::StringRecord> {
    let mut text = String::new();
    let file = std::fs::File::open(DATA).expect("the data file opens");
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gzip");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| record.expect("record"))
        .collect()
}

/// Computes the catalog price rule again from scratch: most common UnitPrice (in pence) over
/// distinct sale rows with a CustomerID, ties to the lower price.
fn expected_price(records: &[csv::StringRecord], sku: &str) -> i64 {
    let mut seen = HashSet::new();
    let mut votes: HashMap<i64, u32> = HashMap::new();
    for record in records {
        let fields: Vec<&str> = record.iter().skip(1).collect();
        let pence = (fields[5].parse::<f64>().expect("price") * 100.0).round() as i64;
        let sale = !fields[0].starts_with('C') && fields[3].parse::<i64>().expect("qty") > 0;
        let matches_sku = fields[1].trim().eq_ignore_ascii_case(sku);
        let has_customer = !fields[6].is_empty();
        if sale && matches_sku && has_customer && pence > 0 && seen.insert(fields.join("\u{1}")) {
            *votes.entry(pence).or_default() += 1;
        }
    }
    let best = votes.values().copied().max().expect("the SKU has votes");
    votes
        .into_iter()
        .filter(|(_, count)| *count == best)
        .map(|(price, _)| price)
        .min()
        .expect("price")
}

#[test]
fn file_counts_match_source() {
    let stats = &real_catalog().report.stats;
    assert_eq!(stats.rows, 30_000);
    assert_eq!(stats.invoices, 1_406);
    assert_eq!(stats.sale_invoices, 1_198);
    assert_eq!(stats.cancellation_invoices, 208);
    assert_eq!(stats.cancellation_rows, 494);
    assert_eq!(stats.negative_quantity_rows, 68);
    assert_eq!(stats.zero_price_rows, 186);
    assert_eq!(stats.empty_description_rows, 114);
    assert_eq!(stats.rows_without_customer, 10_043);
    assert_eq!(stats.exact_duplicate_rows, 431);
    assert_eq!(stats.stock_codes, 2_645);
    assert_eq!(stats.customers, 755);
    assert_eq!(stats.countries, 19);
    assert_eq!(stats.quantity_price_sum_minor, 50_277_388);
}

#[test]
fn every_row_has_one_rule() {
    let report = &real_catalog().report;
    let total: u64 = report.rule_rows.values().sum();
    assert_eq!(total + report.malformed.len() as u64, 30_000);
    assert!(report.malformed.is_empty());
    assert_eq!(report.encoding, TextEncoding::Utf8);
}

#[test]
fn rule_counts_on_real_file() {
    // Counts follow from the rules in order (cancellation, adjustment, negative price,
    // non-product, zero price, duplicate, sale); checked against a separate script.
    let report = &real_catalog().report;
    let cases = [
        (RowRule::Cancellation, 494),
        (RowRule::StockAdjustment, 68),
        (RowRule::NegativePrice, 0),
        (RowRule::NonProduct, 97),
        (RowRule::ZeroPrice, 118),
        (RowRule::Duplicate, 421),
        (RowRule::SaleWithoutCustomer, 9_794),
        (RowRule::SaleWithCustomer, 19_008),
    ];
    for (rule, expected) in cases {
        assert_eq!(report.rows_under(rule), expected, "rule {rule:?}");
    }
    assert_eq!(report.codes_with_description_variants, 13);
}

#[test]
fn non_product_codes_are_counted() {
    // Rows outside cancellations and stock adjustments, per code.
    let rows = &real_catalog().report.non_product_rows;
    let cases = [
        ("POST", 40),
        ("DOT", 25),
        ("M", 25),
        ("C2", 5),
        ("BANK CHARGES", 1),
        ("AMAZONFEE", 1),
    ];
    for (code, expected) in cases {
        assert_eq!(rows.get(code), Some(&expected), "code {code}");
    }
    assert_eq!(rows.len(), cases.len());
    assert!(
        !real_catalog()
            .items
            .iter()
            .any(|item| item.item_sku == "POST")
    );
}

#[test]
fn lowercase_codes_fold_to_one_sku() {
    let catalog = real_catalog();
    assert_eq!(catalog.report.lowercase_codes_folded, 50);
    let blue = catalog
        .items
        .iter()
        .filter(|item| item.item_sku.eq_ignore_ascii_case("15056bl"));
    assert_eq!(blue.count(), 1);
}

#[test]
fn catalog_prices_match_independent_rule() {
    let records = raw_records();
    let catalog = real_catalog();
    for sku in ["85123A", "22423", "15056BL", "84879", "22197", "21212"] {
        let item = catalog
            .items
            .iter()
            .find(|item| item.item_sku == sku)
            .expect(sku);
        assert_eq!(item.price_minor, expected_price(&records, sku), "SKU {sku}");
    }
}

#[test]
fn known_prices_and_names() {
    let catalog = real_catalog();
    let find = |sku: &str| {
        catalog
            .items
            .iter()
            .find(|item| item.item_sku == sku)
            .expect(sku)
    };
    assert_eq!(find("85123A").price_minor, 295);
    assert_eq!(find("22423").price_minor, 1275);
    assert_eq!(
        find("85123A").item_name,
        "WHITE HANGING HEART T-LIGHT HOLDER"
    );
    assert_eq!(find("85123A").product_category, "lighting");
    assert_eq!(find("85123A").store_id, "UK-LON-001");
    assert_eq!(find("85123A").currency, "GBP");
    assert_eq!(find("85123A").product_tax_code, "standard");
}

#[test]
fn catalog_has_no_blank_names() {
    let catalog = real_catalog();
    assert!(catalog.items.iter().all(|item| !item.item_name.is_empty()));
    assert!(catalog.items.iter().all(|item| item.price_minor > 0));
    assert_eq!(catalog.report.items, catalog.items.len());
}

#[test]
fn baskets_from_real_file() {
    let extract = uci::baskets(real_data());
    assert_eq!(extract.sale_invoices, 1_198);
    assert_eq!(
        extract.baskets.len() + extract.invoices_without_lines,
        1_198
    );
    let first = &extract.baskets[0];
    assert_eq!(first.invoice_no, "536365");
    assert_eq!(first.lines.len(), 7);
    assert_eq!(first.customer_id.as_deref(), Some("17850"));
    assert_eq!(first.lines[0].sku, "85123A");
    assert_eq!(first.lines[0].quantity, 6);
    assert_eq!(first.lines[0].unit_price_minor, 255);
}

#[test]
fn converted_file_reads_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("catalog.csv");
    let mut calls = 0;
    let report = uci::convert_uci_to_template(DATA.as_ref(), &output, &mut |_| calls += 1)
        .expect("conversion succeeds");
    assert!(calls >= 6, "progress reported every 5,000 rows");

    let file = std::fs::File::open(&output).expect("output exists");
    let parsed = read_csv(file, &ParseOptions::default(), &mut |_| {}).expect("parses");
    assert_eq!(parsed.items.len(), report.items);
    assert_eq!(parsed.rejected().count(), 0);
    assert_eq!(parsed.items, real_catalog().items);
}

const SYNTHETIC_HEADER: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

#[test]
fn latin1_input_is_decoded() {
    let mut bytes = SYNTHETIC_HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(
        b"536365,22000,CAF\xc9 MUG \xa3 SIGN,2,12/1/10 8:26,1.25,17850,United Kingdom\r\n",
    );
    let data = uci::parse(bytes, &mut |_| {}).expect("parses");
    assert_eq!(data.encoding, TextEncoding::Latin1);
    assert_eq!(data.rows[0].description, "CAFÉ MUG £ SIGN");
    let catalog = uci::build_catalog(&data);
    assert_eq!(catalog.items[0].product_category, "kitchen");
}

#[test]
fn other_date_forms_and_no_index_column() {
    let text = format!(
        "{SYNTHETIC_HEADER}536365,22000,MUG,2,12/1/10 8:26,1.25,17850,United Kingdom\n\
         536366,22000,MUG,1,12-01-11 12:50,1.25,,United Kingdom\n\
         536367,22000,MUG,1,12/1/2010 8:26,1.5,17851.0,France\n"
    );
    let data = uci::parse(text.into_bytes(), &mut |_| {}).expect("parses");
    assert!(data.malformed.is_empty());
    assert_eq!(data.rows[1].invoice_date.year(), 2011);
    assert_eq!(data.rows[2].customer_id.as_deref(), Some("17851"));
}

#[test]
fn price_ties_go_to_lower_price() {
    let text = format!(
        "{SYNTHETIC_HEADER}1,22000,MUG,2,2010-12-01 08:00:00,1.50,1,UK\n\
         2,22000,MUG,2,2010-12-01 08:00:00,1.25,2,UK\n"
    );
    let data = uci::parse(text.into_bytes(), &mut |_| {}).expect("parses");
    assert_eq!(uci::build_catalog(&data).items[0].price_minor, 125);
}

#[test]
fn bad_rows_are_reported_not_dropped() {
    let text = format!(
        "{SYNTHETIC_HEADER}1,22000,MUG,two,2010-12-01 08:00:00,1.50,1,UK\n\
         2,22000,MUG,2,31/12/10 8:00,1.25,2,UK\n\
         3,22000,MUG,2,2010-12-01 08:00:00,1.25,2,UK\n"
    );
    let data = uci::parse(text.into_bytes(), &mut |_| {}).expect("parses");
    assert_eq!(data.malformed.len(), 2);
    assert_eq!(data.malformed[0].line, 2);
    assert_eq!(
        data.malformed[0].reason,
        "Quantity \"two\" is not an integer"
    );
    assert_eq!(data.malformed[1].line, 3);
}

#[test]
fn missing_column_is_a_file_error() {
    let text = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,CustomerID,Country\n";
    let error = uci::parse(text.as_bytes().to_vec(), &mut |_| {}).expect_err("no UnitPrice");
    assert_eq!(error.to_string(), "the input has no UnitPrice column");
}

#[test]
fn codes_without_customer_use_other_rows() {
    let text = format!(
        "{SYNTHETIC_HEADER}1,22000,MUG,2,2010-12-01 08:00:00,1.50,,UK\n\
         1,22000,MUG,2,2010-12-01 08:00:00,1.50,,UK\n\
         3,22001,,2,2010-12-01 08:00:00,1.50,,UK\n"
    );
    let catalog = uci::build_catalog(&uci::parse(text.into_bytes(), &mut |_| {}).expect("parses"));
    assert_eq!(catalog.items.len(), 1);
    assert_eq!(catalog.report.codes_priced_without_customer, 1);
    assert_eq!(
        catalog.report.codes_without_description,
        vec!["22001".to_owned()]
    );
    assert_eq!(catalog.report.rows_under(RowRule::Duplicate), 1);
}
