//! Catalog upload through the real service: the converted real catalog, upserts, row-level and
//! file-level errors, JSON, scopes, content types and the body limit.

mod catalog_api_support;

use catalog_api_support::{TestService, csv, real_catalog};
use serde_json::{Value, json};
use walkout_connectors::auth::admin::{Scope, create_key};
use walkout_connectors::catalog::store::{count_items, lookup_barcode, lookup_items};
use walkout_connectors::catalog::template::{ParseOptions, read_csv};

const DEMO_STORE: &str = "UK-LON-001";

fn rejected_rows(report: &Value) -> Vec<Value> {
    report["rows"]
        .as_array()
        .expect("rows array")
        .iter()
        .filter(|row| row["status"] == "rejected")
        .cloned()
        .collect()
}

#[tokio::test]
async fn real_catalog_imports_every_item() {
    let service = TestService::start(|_| {}).await;
    let (text, conversion) = real_catalog();

    let answer = service.import_csv(text).await;
    assert_eq!(
        answer.status,
        200,
        "{}",
        answer.text.get(..500).unwrap_or(&answer.text)
    );
    let report = answer.json();
    assert_eq!(report["counts"]["rows"], conversion.items);
    assert_eq!(report["counts"]["accepted"], conversion.items);
    assert_eq!(report["counts"]["created"], conversion.items);
    assert_eq!(report["counts"]["rejected"], 0);
    let stored = count_items(&service.state.db, DEMO_STORE)
        .await
        .expect("count");
    assert_eq!(stored, conversion.items as i64);
}

#[tokio::test]
async fn real_catalog_prices_are_found_ignoring_case() {
    let service = TestService::start(|_| {}).await;
    let (text, _) = real_catalog();
    assert_eq!(service.import_csv(text).await.status, 200);
    let parsed = read_csv(text.as_bytes(), &ParseOptions::default(), &mut |_| {}).expect("CSV");
    let expected_blue = parsed
        .items
        .iter()
        .find(|item| item.item_sku == "15056BL")
        .expect("15056BL in the converted file")
        .price_minor;

    let skus = ["85123A", "22423", "15056bl", "85123a"];
    let found = lookup_items(&service.state.db, DEMO_STORE, skus)
        .await
        .expect("lookup");
    assert_eq!(found["85123A"].price_minor, 295);
    assert_eq!(found["22423"].price_minor, 1275);
    assert_eq!(found["15056bl"].item_sku, "15056BL");
    assert_eq!(found["15056bl"].price_minor, expected_blue);
    assert_eq!(
        found["85123a"].item_name,
        "WHITE HANGING HEART T-LIGHT HOLDER"
    );
}

#[tokio::test]
async fn demo_import_stores_demo_settings() {
    let service = TestService::start(|_| {}).await;
    let file = csv(&[
        "85123A,,,WHITE HANGING HEART T-LIGHT HOLDER,UK-LON-001,2.95,,standard,lighting,t-light,each,,GBP",
    ]);
    assert_eq!(service.import_csv(&file).await.status, 200);

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_settings WHERE store_id = $1")
        .bind(DEMO_STORE)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("settings query");
    assert_eq!(stored, 1);
    let store = service.get("/admin/v1/stores/UK-LON-001").await.json();
    assert_eq!(store["currency"], "GBP");
    assert_eq!(store["time_zone"], "Europe/London");
    assert_eq!(store["prices_include_tax"], true);
    assert_eq!(store["tax_rates"]["standard"], 2000);
}

#[tokio::test]
async fn reimport_updates_in_place() {
    let service = TestService::start(|_| {}).await;
    let first = csv(&[
        "SKU-1,,,Mug,TEST-1,2.50,,standard,kitchen,,each,,GBP",
        "sku-2,5012345678900,EAN,Tea,TEST-1,1.20,Brand,zero,grocery,,each,,GBP",
    ]);
    let created = service.import_csv(&first).await.json();
    assert_eq!(created["counts"]["created"], 2);

    let second = csv(&[
        "SKU-1,,,Mug,TEST-1,2.75,,standard,kitchen,,each,,GBP",
        "SKU-2,5012345678900,EAN,Tea,TEST-1,1.20,Brand,zero,grocery,,each,,GBP",
    ]);
    let updated = service.import_csv(&second).await.json();
    assert_eq!(updated["counts"]["created"], 0);
    assert_eq!(updated["counts"]["updated"], 2);
    assert_eq!(
        count_items(&service.state.db, "TEST-1")
            .await
            .expect("count"),
        2
    );

    let found = lookup_items(&service.state.db, "TEST-1", ["SKU-1", "sku-2"])
        .await
        .expect("lookup");
    assert_eq!(found["SKU-1"].price_minor, 275);
    assert_eq!(found["sku-2"].item_sku, "SKU-2");
}

#[tokio::test]
async fn malformed_rows_are_reported_by_line() {
    let service = TestService::start(|_| {}).await;
    let file = csv(&[
        "GOOD-1,,,Good one,TEST-1,1.00,,standard,,,each,,GBP",
        "BAD-1,,,Bad price,TEST-1,1.2x,,standard,,,each,,GBP",
        "BAD-2,,,,TEST-1,1.00,,standard,,,each,,GBP",
        "BAD-3,,,Bad unit,TEST-1,1.00,,standard,,,litre,,GBP",
        "GOOD-2,,,Good two,TEST-1,2.00,,standard,,,kg,,GBP",
        "good-1,,,Good one again,TEST-1,1.10,,standard,,,each,,GBP",
    ]);

    let answer = service.import_csv(&file).await;
    assert_eq!(answer.status, 200);
    let report = answer.json();
    assert_eq!(report["counts"]["rows"], 6);
    assert_eq!(report["counts"]["accepted"], 2);
    assert_eq!(report["counts"]["superseded"], 1);
    assert_eq!(report["counts"]["rejected"], 3);

    let rejected = rejected_rows(&report);
    let cases = [(3, "standard_price"), (4, "item_name"), (5, "unit")];
    for ((line, column), row) in cases.iter().zip(&rejected) {
        assert_eq!(row["line"], *line, "{row}");
        let reason = row["reason"].as_str().unwrap_or("");
        assert!(reason.contains(column), "line {line}: {reason}");
    }
    assert_eq!(report["rows"][0]["status"], "superseded");
    assert_eq!(report["rows"][0]["superseded_by"], "line 7");

    let found = lookup_items(&service.state.db, "TEST-1", ["GOOD-1", "GOOD-2", "BAD-1"])
        .await
        .expect("lookup");
    assert_eq!(found["GOOD-1"].price_minor, 110);
    assert_eq!(found["GOOD-2"].price_minor, 200);
    assert!(!found.contains_key("BAD-1"));
}

#[tokio::test]
async fn wrong_scope_is_forbidden() {
    let service = TestService::start(|_| {}).await;
    let key = create_key(&service.state.db, &[Scope::ReportsRead], "reports only")
        .await
        .expect("key");
    let file = csv(&["SKU-1,,,Mug,TEST-1,2.50,,standard,kitchen,,each,,GBP"]);

    let answer = service
        .post_with_key("/admin/v1/catalog", &key, "text/csv", file)
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.json()["type"], "/problems/forbidden");
    assert_eq!(
        count_items(&service.state.db, "TEST-1")
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn missing_key_is_unauthenticated() {
    let service = TestService::start(|_| {}).await;
    let response = service
        .http
        .post(service.url("/admin/v1/catalog"))
        .header("content-type", "text/csv")
        .body(csv(&[]))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test]
async fn missing_column_is_named() {
    let service = TestService::start(|_| {}).await;
    let file = "item_sku,external_product_id,item_name,store_id,currency\nSKU-1,,Mug,TEST-1,GBP\n";

    let answer = service.import_csv(file).await;
    assert_eq!(answer.status, 400);
    let problem = answer.json();
    assert_eq!(problem["type"], "/problems/invalid-catalog-file");
    assert_eq!(problem["missing_column"], "standard_price");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("standard_price")
    );
    assert_eq!(
        count_items(&service.state.db, "TEST-1")
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn json_import_lands_with_barcodes() {
    let service = TestService::start(|_| {}).await;
    let body = json!({"catalogItems": [
        {"item_sku": "J-1", "item_name": "Cola", "store_id": "TEST-1", "standard_price": "3.10",
         "external_product_id": "036000291452", "external_product_id_type": "UPC",
         "currency": "GBP", "additional_external_product_information": ["96385074"]},
        {"item_sku": "J-2", "item_name": "No price", "store_id": "TEST-1", "currency": "GBP"}
    ]});

    let answer = service.post_json("/admin/v1/catalog", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let report = answer.json();
    assert_eq!(report["counts"]["accepted"], 1);
    let rejected = rejected_rows(&report);
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["item"], 2);

    let db = &service.state.db;
    for barcode in ["036000291452", "0036000291452", "96385074"] {
        let item = lookup_barcode(db, "TEST-1", barcode).await.expect("lookup");
        assert_eq!(
            item.map(|item| item.item_sku).as_deref(),
            Some("J-1"),
            "barcode {barcode}"
        );
    }
    assert!(
        lookup_barcode(db, "TEST-1", "4011")
            .await
            .expect("lookup")
            .is_none()
    );
}

#[tokio::test]
async fn store_limit_rejects_other_stores() {
    let service = TestService::start(|_| {}).await;
    let file = csv(&[
        "SKU-1,,,Mug,TEST-1,2.50,,standard,,,each,,GBP",
        "SKU-2,,,Tea,TEST-2,1.00,,standard,,,each,,GBP",
    ]);

    let answer = service
        .post_with_key(
            "/admin/v1/catalog?store_id=TEST-1",
            &service.admin_key,
            "text/csv",
            file,
        )
        .await;
    let report = answer.json();
    assert_eq!(report["counts"]["accepted"], 1);
    let rejected = rejected_rows(&report);
    assert_eq!(rejected[0]["line"], 3);
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap_or("")
            .contains("TEST-2")
    );
    assert_eq!(
        count_items(&service.state.db, "TEST-2")
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn new_store_takes_file_currency() {
    let service = TestService::start(|_| {}).await;
    let euro = csv(&["SKU-1,,,Mug,NEW-1,2.50,,standard,,,each,,EUR"]);
    let report = service.import_csv(&euro).await.json();
    assert_eq!(report["counts"]["accepted"], 1);
    let warning = report["warnings"][0].as_str().unwrap_or("");
    assert!(warning.contains("NEW-1"), "{warning}");

    let store = service.get("/admin/v1/stores/NEW-1").await.json();
    assert_eq!(store["currency"], "EUR");

    let dollars = csv(&["SKU-2,,,Tea,NEW-1,1.00,,standard,,,each,,USD"]);
    let report = service.import_csv(&dollars).await.json();
    let rejected = rejected_rows(&report);
    assert_eq!(rejected.len(), 1);
    assert!(rejected[0]["reason"].as_str().unwrap_or("").contains("USD"));
}

#[tokio::test]
async fn unknown_content_type_is_unsupported() {
    let service = TestService::start(|_| {}).await;
    let answer = service
        .post_with_key(
            "/admin/v1/catalog",
            &service.admin_key,
            "text/plain",
            csv(&[]),
        )
        .await;
    assert_eq!(answer.status, 415);
    assert_eq!(answer.json()["type"], "/problems/unsupported-media-type");
}

#[tokio::test]
async fn body_over_limit_names_the_limit() {
    let service = TestService::start(|config| config.max_body_bytes = 2_048).await;
    let rows: Vec<String> = (0..100)
        .map(|n| format!("SKU-{n},,,Item {n},TEST-1,1.00,,standard,,,each,,GBP"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();

    let answer = service.import_csv(&csv(&rows)).await;
    assert_eq!(answer.status, 413);
    let problem = answer.json();
    assert_eq!(problem["type"], "/problems/payload-too-large");
    assert_eq!(problem["max_bytes"], 2_048);
    assert!(problem["detail"].as_str().unwrap_or("").contains("2048"));
}

#[tokio::test]
async fn gzip_upload_is_read() {
    use std::io::Write as _;
    let service = TestService::start(|_| {}).await;
    let file = csv(&["SKU-1,,,Mug,TEST-1,2.50,,standard,,,each,,GBP"]);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(file.as_bytes()).expect("gzip");
    let body = encoder.finish().expect("gzip");

    let answer = service
        .post_with_key("/admin/v1/catalog", &service.admin_key, "text/csv", body)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json()["counts"]["accepted"], 1);
}

#[tokio::test]
async fn openapi_lists_catalog_routes() {
    let service = TestService::start(|_| {}).await;
    let document = service.get("/openapi.json").await.json();
    let paths = &document["paths"];
    for path in [
        "/admin/v1/catalog",
        "/admin/v1/stores/{store_id}",
        "/admin/v1/stores/{store_id}/tax-rates",
        "/admin/v1/stores/{store_id}/promotions",
        "/admin/v1/stores/{store_id}/promotions/{promotion_id}",
        "/admin/v1/stores/{store_id}/catalog",
    ] {
        assert!(
            paths.get(path).is_some(),
            "{path} missing from /openapi.json"
        );
    }
}
