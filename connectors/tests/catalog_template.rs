//! The catalog template reader (CSV and JSON) and writer.

use walkout_connectors::catalog::template::{
    CatalogItem, Location, ParseOptions, ParsedCatalog, PricingUnit, RowOutcome, TemplateError,
    read_csv, read_json, write_csv,
};

const HEADER: &str = "item_sku,external_product_id,external_product_id_type,item_name,store_id,standard_price,\
brand_name,product_tax_code,product_category,product_subcategory,unit,additional_external_product_information,currency";

fn parse(text: &str) -> ParsedCatalog {
    read_csv(text.as_bytes(), &ParseOptions::default(), &mut |_| {}).expect("the file parses")
}

fn reasons(parsed: &ParsedCatalog) -> Vec<(Location, String)> {
    parsed
        .rejected()
        .map(|(location, error)| (location, error.to_string()))
        .collect()
}

#[test]
fn valid_rows_become_items() {
    let text = format!(
        "{HEADER}\n\
         85123A,5012345678900,EAN,WHITE HANGING HEART T-LIGHT HOLDER,UK-LON-001,2.95,,standard,lighting,t-light,each,4006381333931;12345678,GBP\n\
         APPLES,,,Apples,UK-LON-001,3.5,,zero,produce,,KG,,gbp\n\
         TEA,,,Sencha,JP-TYO-001,1500,,standard,food,,each,,JPY\n"
    );
    let parsed = parse(&text);
    assert_eq!(parsed.rejected().count(), 0);
    let heart = &parsed.items[0];
    assert_eq!(heart.price_minor, 295);
    assert_eq!(heart.external_product_id_type, "EAN");
    assert_eq!(heart.additional_barcodes, vec!["4006381333931", "12345678"]);
    assert_eq!(parsed.items[1].price_minor, 350);
    assert_eq!(parsed.items[1].unit, PricingUnit::Kg);
    assert_eq!(parsed.items[1].currency, "GBP");
    assert_eq!(parsed.items[2].price_minor, 1500);
}

#[test]
fn headers_ignore_case_and_extra_columns() {
    let text = "\u{feff}Item_SKU, ITEM_NAME ,Store_Id,Standard_Price,External_Product_Id,Colour\n\
                A1,Mug,S1,1.00,,red\n";
    let options = ParseOptions {
        default_currency: Some("GBP".to_owned()),
    };
    let parsed = read_csv(text.as_bytes(), &options, &mut |_| {}).expect("parses");
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].item_name, "Mug");
    assert_eq!(parsed.items[0].unit, PricingUnit::Each);
}

#[test]
fn missing_required_column_is_file_error() {
    let text = "item_sku,item_name,store_id,external_product_id\nA1,Mug,S1,\n";
    let error = read_csv(text.as_bytes(), &ParseOptions::default(), &mut |_| {})
        .expect_err("no price column");
    assert!(matches!(
        error,
        TemplateError::MissingColumn("standard_price")
    ));
    assert_eq!(
        error.to_string(),
        "the catalog file has no standard_price column"
    );
}

#[test]
fn bad_rows_report_line_and_reason() {
    let long_sku = "X".repeat(256);
    let text = format!(
        "{HEADER}\n\
         A1,,,\"Mug with a\nline break\",S1,1.00,,standard,kitchen,,each,,GBP\n\
         A2,,,Mug,S1,\"1,2x\",,standard,kitchen,,each,,GBP\n\
         {long_sku},,,Mug,S1,1.00,,standard,kitchen,,each,,GBP\n\
         A4,,,Mug,S1,1.005,,standard,kitchen,,each,,GBP\n\
         A5,,,Mug,S1,1.00,,standard,kitchen,,box,,GBP\n\
         A6,,,Mug,S1,1.00,,standard,kitchen,,each,,XYZ\n\
         A7,,,,S1,1.00,,standard,kitchen,,each,,GBP\n\
         A8,123,EAN,Mug,S1,1.00,,standard,kitchen,,each,,GBP\n\
         A9,,,Mug,S1,1.00\n"
    );
    let parsed = parse(&text);
    let expected = vec![
        (
            Location::Line(4),
            "standard_price \"1,2x\" is not a decimal number".to_owned(),
        ),
        (
            Location::Line(5),
            "item_sku is 256 characters long, maximum 255".to_owned(),
        ),
        (
            Location::Line(6),
            "standard_price \"1.005\" has more than 2 decimal places".to_owned(),
        ),
        (
            Location::Line(7),
            "unit \"box\" is not one of each, kg, lb".to_owned(),
        ),
        (
            Location::Line(8),
            "currency \"XYZ\" is not a supported ISO 4217 code".to_owned(),
        ),
        (
            Location::Line(9),
            "item_name is missing or empty".to_owned(),
        ),
        (
            Location::Line(10),
            "external_product_id \"123\" is not a barcode of 4 to 14 digits".to_owned(),
        ),
        (
            Location::Line(11),
            "the row has 6 fields, the header has 13".to_owned(),
        ),
    ];
    assert_eq!(reasons(&parsed), expected);
    assert_eq!(parsed.items.len(), 1, "the first row is still accepted");
    assert_eq!(parsed.items[0].item_name, "Mug with a\nline break");
    assert_eq!(parsed.rows.len(), 9, "every row is reported");
}

#[test]
fn duplicate_sku_and_store_last_wins() {
    let text = format!(
        "{HEADER}\n\
         A1,,,Mug,S1,1.00,,standard,kitchen,,each,,GBP\n\
         A1,,,Mug,S2,1.10,,standard,kitchen,,each,,GBP\n\
         A1,,,Big mug,S1,1.50,,standard,kitchen,,each,,GBP\n"
    );
    let parsed = parse(&text);
    assert_eq!(parsed.items.len(), 2);
    assert_eq!(parsed.items[0].item_name, "Big mug");
    assert_eq!(parsed.items[0].price_minor, 150);
    assert_eq!(
        parsed.rows[0].outcome,
        RowOutcome::Superseded {
            by: Location::Line(4)
        }
    );
    assert!(matches!(
        parsed.rows[2].outcome,
        RowOutcome::Accepted { .. }
    ));
}

#[test]
fn more_than_fifty_barcodes_rejected() {
    let barcodes: Vec<String> = (0..51).map(|n| format!("{:08}", 10_000_000 + n)).collect();
    let text = format!(
        "{HEADER}\nA1,,,Mug,S1,1.00,,standard,kitchen,,each,{},GBP\n",
        barcodes.join(";")
    );
    let parsed = parse(&text);
    assert_eq!(
        reasons(&parsed)[0].1,
        "additional_external_product_information has 51 barcodes, maximum 50"
    );
}

#[test]
fn progress_reports_rows_done() {
    let mut text = format!("{HEADER}\n");
    for n in 0..2_500 {
        text.push_str(&format!(
            "SKU{n},,,Mug,S1,1.00,,standard,kitchen,,each,,GBP\n"
        ));
    }
    let mut calls = Vec::new();
    let parsed = read_csv(text.as_bytes(), &ParseOptions::default(), &mut |done| {
        calls.push(done)
    })
    .expect("parses");
    assert_eq!(parsed.items.len(), 2_500);
    assert_eq!(calls, vec![1_000, 2_000, 2_500]);
}

#[test]
fn json_forms_are_read() {
    let wrapped = r#"{"catalogItems": [
        {"item_sku": "A1", "item_name": "Mug", "store_id": "S1", "standard_price": "1.25", "currency": "GBP",
         "additional_external_product_information": ["12345678", "87654321"]},
        {"item_sku": "A2", "item_name": "Bowl", "store_id": "S1", "standard_price": 1.25, "currency": "GBP"},
        "not an object"
    ]}"#;
    let parsed =
        read_json(wrapped.as_bytes(), &ParseOptions::default(), &mut |_| {}).expect("parses");
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].additional_barcodes.len(), 2);
    let expected = vec![
        (
            Location::Item(2),
            "standard_price must be a string".to_owned(),
        ),
        (
            Location::Item(3),
            "the item is not a JSON object".to_owned(),
        ),
    ];
    assert_eq!(reasons(&parsed), expected);

    let bare =
        r#"[{"ITEM_SKU": "A1", "item_name": "Mug", "store_id": "S1", "standard_price": "2"}]"#;
    let options = ParseOptions {
        default_currency: Some("EUR".to_owned()),
    };
    let parsed = read_json(bare.as_bytes(), &options, &mut |_| {}).expect("parses");
    assert_eq!(parsed.items[0].price_minor, 200);
    assert_eq!(parsed.items[0].currency, "EUR");
}

#[test]
fn json_without_items_is_file_error() {
    let error = read_json(br#"{"items": []}"#, &ParseOptions::default(), &mut |_| {})
        .expect_err("no array");
    assert!(matches!(error, TemplateError::NotAnItemArray));
}

fn tricky_item(sku: &str, name: &str) -> CatalogItem {
    CatalogItem {
        item_sku: sku.to_owned(),
        external_product_id: "5012345678900".to_owned(),
        external_product_id_type: "EAN".to_owned(),
        item_name: name.to_owned(),
        store_id: "UK-LON-001".to_owned(),
        price_minor: 1205,
        currency: "GBP".to_owned(),
        brand_name: "Smith, Jones & Co".to_owned(),
        product_tax_code: "standard".to_owned(),
        product_category: "kitchen".to_owned(),
        product_subcategory: "mug".to_owned(),
        unit: PricingUnit::Each,
        additional_barcodes: vec!["12345678".to_owned(), "87654321".to_owned()],
    }
}

#[test]
fn writer_escapes_tricky_values() {
    let items = [tricky_item("A1", "Mug, \"big\"\nsecond line")];
    let mut output = Vec::new();
    write_csv(&items, &mut output).expect("writes");
    let text = String::from_utf8(output).expect("UTF-8");
    assert!(text.starts_with("item_sku,external_product_id,"));
    assert!(text.contains("\"Mug, \"\"big\"\"\nsecond line\""));
    assert!(text.contains("\"Smith, Jones & Co\""));
    assert!(text.contains(",12.05,"));
    assert!(text.ends_with("GBP\r\n"));
}

#[test]
fn writer_round_trips() {
    let items = vec![
        tricky_item("A1", "Mug, \"big\"\r\nsecond line"),
        tricky_item("B,2", "Café crème £"),
        CatalogItem {
            unit: PricingUnit::Lb,
            additional_barcodes: Vec::new(),
            ..tricky_item("C3", "'quoted' name")
        },
        CatalogItem {
            currency: "JPY".to_owned(),
            price_minor: 1500,
            ..tricky_item("D4", "Sencha")
        },
    ];
    let mut output = Vec::new();
    write_csv(&items, &mut output).expect("writes");
    let parsed =
        read_csv(output.as_slice(), &ParseOptions::default(), &mut |_| {}).expect("parses");
    assert_eq!(parsed.rejected().count(), 0);
    assert_eq!(parsed.items, items);
}
