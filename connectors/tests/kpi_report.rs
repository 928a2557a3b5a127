//! The KPI report over a small hand-built set of purchases and trips, checked against values
//! worked out by hand: through the admin API (JSON, CSV, HTML, scopes) and the command line.

mod auth_support;

use rust_decimal::Decimal;
use serde_json::{Value, json};
use walkout_connectors::auth::admin::{Scope, create_key};
use walkout_connectors::catalog::PricingUnit;
use walkout_connectors::ordering::cart::{StoredCart, StoredSale, StoredTotals};
use walkout_connectors::shoppers;

use auth_support::{TestService, start_service};

const STORE: &str = "UK-LON-001";
const PERIOD: &str = "from=2024-05-01&to=2024-05-03";

/// 2024-05-01T10:00:00Z plus `hours`.
fn at(hours: i64) -> i64 {
    1_714_557_600_000 + hours * 3_600_000
}

fn sale(index: usize, sku: &str, name: &str, quantity: &str, unit: PricingUnit) -> StoredSale {
    StoredSale {
        line_index: index,
        item_sku: sku.to_owned(),
        item_name: name.to_owned(),
        quantity: quantity.parse::<Decimal>().expect("decimal"),
        unit,
        unit_price_minor: 100,
        extended_minor: 100,
        tax_rate_bp: 2_000,
    }
}

fn line_a(quantity: &str) -> StoredSale {
    sale(0, "A1", "WHITE MUG", quantity, PricingUnit::Each)
}

fn line_b() -> StoredSale {
    sale(1, "B2", "=TEA TOWEL", "1", PricingUnit::Each)
}

fn line_c() -> StoredSale {
    sale(2, "C3", "BAG, \"JUMBO\"", "0.5", PricingUnit::Kg)
}

async fn insert_purchase(
    service: &TestService,
    shopper: Option<&str>,
    charge_mode: &str,
    grand_minor: i64,
    lines: Vec<StoredSale>,
    created_at: i64,
) -> String {
    let cart = StoredCart {
        currency: "GBP".to_owned(),
        lines,
        discounts: vec![],
        unpriced: vec![],
        taxes: vec![],
        totals: StoredTotals {
            grand_minor,
            ..StoredTotals::default()
        },
    };
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO purchases (purchase_id, idempotent_shopping_trip_id, request_id, store_id, trip_id, \
         shopper_id, match_method, charge_mode, request, priced_cart, currency, net_minor, tax_minor, \
         grand_minor, unpriced_count, state, created_at, updated_at) \
         VALUES ($1, $1, $1, $2, NULL, $3, 'visitor', $4, '{}', $5, 'GBP', 0, 0, $6, 0, 'completed', $7, $7)",
    )
    .bind(&id)
    .bind(STORE)
    .bind(shopper)
    .bind(charge_mode)
    .bind(serde_json::to_string(&cart).expect("cart JSON"))
    .bind(grand_minor)
    .bind(created_at)
    .execute(&service.state.db.pool)
    .await
    .expect("purchase row");
    id
}

async fn insert_trip(service: &TestService, shopper: Option<&str>, is_test: bool, entered_at: i64) {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO trips (id, store_id, shopper_id, visitor_id, auth_event_id, state, is_test, entered_at, updated_at) \
         VALUES ($1, $2, $3, $1, $1, 'receipt_ready', $4, $5, $5)",
    )
    .bind(&id)
    .bind(STORE)
    .bind(shopper)
    .bind(i64::from(is_test))
    .bind(entered_at)
    .execute(&service.state.db.pool)
    .await
    .expect("trip row");
}

/// Three baskets in the period (one of them late on 1 May UTC, which is 2 May in London), and
/// three purchases that are not baskets of the period.
async fn service_with_sales() -> TestService {
    let service = start_service(|_| {}, |_| axum::Router::new()).await;
    let mut ids = Vec::new();
    for sub in ["sub-1", "sub-2"] {
        let shopper = shoppers::get_or_create(&service.state.db, sub, 0)
            .await
            .expect("shopper");
        ids.push(shopper.id);
    }
    let (s1, s2) = (Some(ids[0].as_str()), Some(ids[1].as_str()));
    insert_purchase(
        &service,
        s1,
        "charge",
        1_000,
        vec![line_a("2"), line_b()],
        at(0),
    )
    .await;
    insert_purchase(
        &service,
        s2,
        "charge",
        1_501,
        vec![line_a("1"), line_b(), line_c()],
        at(13) + 1_800_000,
    )
    .await;
    insert_purchase(
        &service,
        s1,
        "charge",
        252,
        vec![line_a("1"), line_c()],
        at(50),
    )
    .await;
    insert_purchase(
        &service,
        None,
        "test",
        9_999,
        vec![line_a("1"), line_b()],
        at(1),
    )
    .await;
    insert_purchase(&service, s2, "charge", 0, vec![], at(2)).await;
    insert_purchase(
        &service,
        s1,
        "charge",
        700,
        vec![line_a("1"), line_b()],
        at(80),
    )
    .await;

    insert_trip(&service, s1, false, at(0)).await;
    insert_trip(&service, s1, false, at(50)).await;
    insert_trip(&service, s2, false, at(13)).await;
    insert_trip(&service, None, true, at(1)).await;
    service
}

async fn get(service: &TestService, query: &str, key: Option<&str>) -> reqwest::Response {
    let mut request = service
        .http
        .get(service.url(&format!("/admin/v1/reports/kpis?{query}")));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("request sent")
}

async fn report_json(service: &TestService) -> Value {
    let key = service.state.credentials.admin_api_key.clone();
    let response = get(service, &format!("store_id={STORE}&{PERIOD}"), Some(&key)).await;
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("JSON report")
}

#[tokio::test]
async fn basket_figures_match_hand_count() {
    let service = service_with_sales().await;
    let report = report_json(&service).await;

    assert_eq!(report["baskets"], 3);
    let per_day: Vec<i64> = report["baskets_per_day"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["baskets"].as_i64().expect("count"))
        .collect();
    assert_eq!(per_day, vec![1, 1, 1]);
    assert_eq!(report["baskets_per_day"][1]["date"], "2024-05-02");
    assert_eq!(report["baskets_per_day"][1]["value_minor"]["GBP"], 1_501);
    // (1000 + 1501 + 252) / 3 = 917.67, rounded half away from zero to 918.
    assert_eq!(report["average_basket"][0]["total_minor"], 2_753);
    assert_eq!(report["average_basket"][0]["average_minor"], 918);
    assert_eq!(report["average_basket"][0]["currency"], "GBP");
    // Items: 2 + 1, 1 + 1 + one weighed line, 1 + one weighed line = 8; 8 / 3 = 2.67.
    assert_eq!(report["items_total"], 8);
    assert_eq!(report["average_basket_items"], "2.67");
}

#[tokio::test]
async fn visits_and_offers_match_hand_count() {
    let service = service_with_sales().await;
    let report = report_json(&service).await;

    assert_eq!(report["visits"]["visits"], 3);
    assert_eq!(report["visits"]["shoppers"], 2);
    assert_eq!(report["visits"]["mean_per_shopper"], "1.50");
    assert_eq!(
        report["visits"]["distribution"],
        json!([["1", 1], ["2", 1], ["3", 0], ["4", 0], ["5+", 0]])
    );
    assert_eq!(report["offers"]["activations"], 0);
    assert_eq!(report["offers"]["redemptions"], 0);
    assert_eq!(report["offers"]["redemption_rate_bp"], Value::Null);
}

#[tokio::test]
async fn top_pairs_match_hand_count() {
    let service = service_with_sales().await;
    let report = report_json(&service).await;
    // A1 is in 3 baskets, B2 in 2, C3 in 2; A1+B2 and A1+C3 in 2 each: lift 2·3/(3·2) = 1.
    // B2+C3 is in one basket only and is left out.
    let pairs = report["top_pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 2);
    assert_eq!(
        (pairs[0]["sku_a"].as_str(), pairs[0]["sku_b"].as_str()),
        (Some("A1"), Some("B2"))
    );
    assert_eq!(pairs[0]["lift_millionths"], 1_000_000);
    assert_eq!(pairs[1]["sku_b"], "C3");
    assert_eq!(pairs[1]["baskets"], 2);
}

#[tokio::test]
async fn csv_is_rfc_4180() {
    let service = service_with_sales().await;
    let key = service.state.credentials.admin_api_key.clone();
    let response = get(
        &service,
        &format!("store_id={STORE}&{PERIOD}&format=csv"),
        Some(&key),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    let text = response.text().await.expect("CSV");

    assert!(text.starts_with("section,key,metric,value,unit\r\n"));
    assert!(text.contains("\r\naverage_basket,GBP,average_minor,918,GBP minor units\r\n"));
    assert!(text.contains("\r\ntop_pairs,A1 + C3,name_b,\"BAG, \"\"JUMBO\"\"\",\r\n"));
    assert!(text.contains("\r\ntop_pairs,A1 + B2,name_b,'=TEA TOWEL,\r\n"));
    assert!(!text.contains("\n\n"));
}

#[tokio::test]
async fn html_has_tables_and_svg() {
    let service = service_with_sales().await;
    let key = service.state.credentials.admin_api_key.clone();
    let response = get(
        &service,
        &format!("store_id={STORE}&{PERIOD}&format=html"),
        Some(&key),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let page = response.text().await.expect("HTML");

    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    assert!(page.contains("<table>"));
    assert!(page.contains("<td class=\"n\">9.18 GBP</td>"));
    assert!(page.contains("BAG, &quot;JUMBO&quot;"));
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http"));
}

#[tokio::test]
async fn key_without_reports_scope_is_forbidden() {
    let service = start_service(|_| {}, |_| axum::Router::new()).await;
    let catalog_key = create_key(&service.state.db, &[Scope::CatalogWrite], "catalog only")
        .await
        .expect("key");
    let reports_key = create_key(&service.state.db, &[Scope::ReportsRead], "reports")
        .await
        .expect("key");
    let query = format!("store_id={STORE}&{PERIOD}");

    let response = get(&service, &query, Some(&catalog_key)).await;
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.expect("problem");
    assert_eq!(body["required_scope"], "reports:read");
    assert_eq!(get(&service, &query, None).await.status().as_u16(), 401);
    assert_eq!(
        get(&service, &query, Some(&reports_key))
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let service = start_service(|_| {}, |_| axum::Router::new()).await;
    let key = service.state.credentials.admin_api_key.clone();
    let cases = [
        (PERIOD.to_owned(), 400, Some("store_id")),
        (format!("store_id={STORE}&format=pdf"), 400, Some("format")),
        (
            format!("store_id={STORE}&from=2024-13-01"),
            400,
            Some("from"),
        ),
        (
            format!("store_id={STORE}&from=2024-05-03&to=2024-05-01"),
            400,
            Some("from"),
        ),
        (
            format!("store_id={STORE}&from=2020-01-01&to=2024-01-01"),
            400,
            Some("to"),
        ),
        ("store_id=NO-SUCH-STORE".to_owned(), 404, None),
    ];
    for (query, status, field) in cases {
        let response = get(&service, &query, Some(&key)).await;
        assert_eq!(response.status().as_u16(), status, "query {query}");
        let body: Value = response.json().await.expect("problem");
        assert_eq!(body["field"].as_str(), field, "query {query}");
    }
}

#[tokio::test]
async fn command_writes_the_same_report() {
    let service = service_with_sales().await;
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("kpis.json");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_walkout-connectors"));
    command
        .arg("--data-dir")
        .arg(&service.state.config.data_dir);
    // On PostgreSQL the service's data lives in its database, not in the data folder.
    if let Some(url) = &service.state.config.database_url {
        command.args(["--database-url", url]);
    }
    let output = command
        .args([
            "report",
            "kpis",
            "--store",
            STORE,
            "--from",
            "2024-05-01",
            "--to",
            "2024-05-03",
        ])
        .args(["--format", "json", "--out"])
        .arg(&file)
        .output()
        .expect("command runs");
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );

    let written: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("report file")).expect("JSON");
    let served = report_json(&service).await;
    assert_eq!(written["baskets"], served["baskets"]);
    assert_eq!(written["average_basket"], served["average_basket"]);
    let summary = String::from_utf8_lossy(&output.stderr);
    assert!(
        summary.contains("3 baskets, average basket 918 GBP minor units"),
        "stderr: {summary}"
    );
}

async fn exec(service: &TestService, sql: &str, binds: &[&str]) {
    let mut query = sqlx::query(sql);
    for value in binds {
        query = query.bind(*value);
    }
    query
        .execute(&service.state.db.pool)
        .await
        .expect("offer row");
}

#[tokio::test]
async fn offer_figures_match_hand_count() {
    let service = start_service(|_| {}, |_| axum::Router::new()).await;
    let purchase = insert_purchase(&service, None, "charge", 500, vec![line_a("1")], at(5)).await;
    let offer = "INSERT INTO offers (offer_id, store_id, kind, title, description, rule, created_at, updated_at, withdrawn_at) \
         VALUES ($1, $2, $3, 'Offer', '', '{}', 0, 0, $4)";
    exec(
        &service,
        &offer.replace("$4", "NULL"),
        &["general-1", STORE, "general"],
    )
    .await;
    exec(
        &service,
        &offer.replace("$4", "NULL"),
        &["assoc-2", STORE, "targeted"],
    )
    .await;
    exec(
        &service,
        &offer.replace("$4", "1"),
        &["withdrawn-3", STORE, "general"],
    )
    .await;
    let target = format!(
        "INSERT INTO offer_targets (offer_id, shopper_id, reason, score, created_at) VALUES ('assoc-2', $1, 'bought A1', 1000000, {})",
        at(1)
    );
    exec(&service, &target, &["s1"]).await;
    exec(&service, &target, &["s2"]).await;
    let activation = "INSERT INTO offer_activations (offer_id, shopper_id, activated_at, redeemed_purchase_id, redeemed_at) \
         VALUES ($1, $2, $3, $4, $5)";
    sqlx::query(activation)
        .bind("assoc-2")
        .bind("s1")
        .bind(at(2))
        .bind(&purchase)
        .bind(at(5))
        .execute(&service.state.db.pool)
        .await
        .expect("activation");
    sqlx::query(activation)
        .bind("general-1")
        .bind("s2")
        .bind(at(3))
        .bind(Option::<String>::None)
        .bind(Option::<i64>::None)
        .execute(&service.state.db.pool)
        .await
        .expect("activation");

    let offers = report_json(&service).await["offers"].clone();
    // Live: general-1 and assoc-2 (withdrawn-3 was withdrawn before the period). Targets: 2;
    // activations: 2, of which 1 by a target; redemptions: 1. Rates 1/2 and 1/2.
    assert_eq!(offers["offers_live"], 2);
    assert_eq!(offers["targets"], 2);
    assert_eq!(offers["activations"], 2);
    assert_eq!(offers["targeted_activations"], 1);
    assert_eq!(offers["redemptions"], 1);
    assert_eq!(offers["activation_rate_bp"], 5_000);
    assert_eq!(offers["redemption_rate_bp"], 5_000);
}
