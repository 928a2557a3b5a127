//! Store settings, tax rates, promotions and the catalog listing through the real service, and
//! the stored settings feeding the pricing engine.

mod catalog_api_support;

use catalog_api_support::{TestService, csv};
use serde_json::json;
use walkout_connectors::catalog::promotions::active_promotions;
use walkout_connectors::catalog::settings::tax_settings;
use walkout_connectors::catalog::store::lookup_items;
use walkout_connectors::pricing::{CartLine, PricingInput, UnitTable, price_cart};

async fn tax_store(service: &TestService) {
    let settings = json!({"name": "Test store", "currency": "GBP",
        "time_zone": "Europe/London", "prices_include_tax": true});
    let answer = service
        .put_json("/admin/v1/stores/TEST-TAX", &settings)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let rates = json!({"rates": {"standard": 2000, "zero": 0}, "prices_include_tax": true});
    let answer = service
        .put_json("/admin/v1/stores/TEST-TAX/tax-rates", &rates)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);

    let file = csv(&[
        "MUG-1,,,Red mug,TEST-TAX,2.50,,standard,kitchen,mug,each,,GBP",
        "BREAD-1,,,Loaf,TEST-TAX,1.20,,zero,bakery,,each,,GBP",
    ]);
    assert_eq!(
        service.import_csv(&file).await.json()["counts"]["accepted"],
        2
    );
}

fn kitchen_promotion() -> serde_json::Value {
    json!({"id": "kitchen-10", "name": "10% off kitchen",
        "kind": {"type": "percent_off", "target": {"category": "kitchen"}, "basis_points": 1000}})
}

#[tokio::test]
async fn settings_round_trip() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;

    let store = service.get("/admin/v1/stores/TEST-TAX").await.json();
    assert_eq!(store["name"], "Test store");
    assert_eq!(store["currency"], "GBP");
    assert_eq!(store["time_zone"], "Europe/London");
    assert_eq!(store["prices_include_tax"], true);
    assert_eq!(store["tax_rates"], json!({"standard": 2000, "zero": 0}));
}

#[tokio::test]
async fn stored_settings_price_a_cart() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let answer = service
        .post_json("/admin/v1/stores/TEST-TAX/promotions", &kitchen_promotion())
        .await;
    assert_eq!(answer.status, 201, "{}", answer.text);

    let db = &service.state.db;
    let now = service.state.clock.now_ms();
    let tax = tax_settings(db, "TEST-TAX").await.expect("tax settings");
    let promotions = active_promotions(db, "TEST-TAX", now)
        .await
        .expect("promotions");
    let items = lookup_items(db, "TEST-TAX", ["mug-1", "BREAD-1"])
        .await
        .expect("items");
    let line = |sku: &str, quantity: &str| CartLine {
        cart_item_id: sku.to_owned(),
        item: items.get(sku).cloned(),
        quantity: quantity.to_owned(),
        unit: "each".to_owned(),
    };
    let lines = [line("mug-1", "2"), line("BREAD-1", "1")];
    let units = UnitTable::default();
    let input = PricingInput {
        currency: "GBP",
        lines: &lines,
        tax: &tax,
        units: &units,
        promotions: &promotions,
        offers: &[],
    };

    // 2 × 2.50 + 1.20 = 6.20; 10% off the mugs is 0.50; VAT included in the mugs' 4.50 at
    // 20% is 4.50 × 20 / 120 = 0.75; the loaf is zero-rated.
    let totals = price_cart(&input).expect("cart prices").totals;
    assert_eq!(totals.lines_minor, 620);
    assert_eq!(totals.discounts_minor, 50);
    assert_eq!(totals.tax_minor, 75);
    assert_eq!(totals.grand_minor, 570);
    assert_eq!(totals.net_minor, 495);
}

#[tokio::test]
async fn promotions_round_trip() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let path = "/admin/v1/stores/TEST-TAX/promotions";

    assert_eq!(
        service.post_json(path, &kitchen_promotion()).await.status,
        201
    );
    assert_eq!(
        service.post_json(path, &kitchen_promotion()).await.status,
        200
    );
    let listed = service.get(path).await.json();
    let promotions = listed["promotions"].as_array().expect("array");
    assert_eq!(promotions.len(), 1);
    assert_eq!(promotions[0]["kind"], kitchen_promotion()["kind"]);
    assert_eq!(promotions[0]["stackable"], false);

    let deleted = service.delete(&format!("{path}/kitchen-10")).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(
        service.delete(&format!("{path}/kitchen-10")).await.status,
        404
    );
    let now = service.state.clock.now_ms();
    let active = active_promotions(&service.state.db, "TEST-TAX", now)
        .await
        .expect("promotions");
    assert!(active.is_empty());
}

#[tokio::test]
async fn sku_target_takes_catalog_spelling() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let body = json!({"name": "Mug for 2.00",
        "kind": {"type": "amount_off", "target": {"sku": "mug-1"}, "amount_minor": 50}});

    let created = service
        .post_json("/admin/v1/stores/TEST-TAX/promotions", &body)
        .await
        .json();
    assert_eq!(created["kind"]["target"]["sku"], "MUG-1");
    assert!(!created["id"].as_str().unwrap_or("").is_empty());
}

#[tokio::test]
async fn promotion_window_limits_activity() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let mut body = kitchen_promotion();
    body["active_from"] = json!("2030-01-01T00:00:00Z");
    body["active_to"] = json!("2030-02-01T00:00:00Z");
    assert_eq!(
        service
            .post_json("/admin/v1/stores/TEST-TAX/promotions", &body)
            .await
            .status,
        201
    );

    let db = &service.state.db;
    let inside = 1_893_456_000_000 + 86_400_000; // 2030-01-02T00:00:00Z
    let before = 1_893_456_000_000 - 1;
    let end = 1_896_134_400_000; // 2030-02-01T00:00:00Z, exclusive
    let cases = [(inside, 1), (before, 0), (end, 0)];
    for (at_ms, expected) in cases {
        let active = active_promotions(db, "TEST-TAX", at_ms)
            .await
            .expect("query");
        assert_eq!(active.len(), expected, "at {at_ms}");
    }
}

#[tokio::test]
async fn invalid_promotions_are_rejected() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let path = "/admin/v1/stores/TEST-TAX/promotions";
    let cases = [
        json!({"name": "Too much", "kind": {"type": "percent_off", "target": {"category": "kitchen"}, "basis_points": 10001}}),
        json!({"name": "", "kind": {"type": "percent_off", "target": {"category": "kitchen"}, "basis_points": 100}}),
        json!({"id": "a/b", "name": "Bad id", "kind": {"type": "percent_off", "target": {"category": "kitchen"}, "basis_points": 100}}),
        json!({"name": "Unknown type", "kind": {"type": "half_price"}}),
        json!({"name": "Backwards", "kind": {"type": "percent_off", "target": {"category": "kitchen"}, "basis_points": 100},
               "active_from": "2030-02-01T00:00:00Z", "active_to": "2030-01-01T00:00:00Z"}),
    ];
    for body in cases {
        let answer = service.post_json(path, &body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
        assert_eq!(answer.json()["type"], "/problems/invalid-request", "{body}");
    }
}

#[tokio::test]
async fn promotion_needs_known_store() {
    let service = TestService::start(|_| {}).await;
    let answer = service
        .post_json("/admin/v1/stores/NOWHERE/promotions", &kitchen_promotion())
        .await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn invalid_settings_are_rejected() {
    let service = TestService::start(|_| {}).await;
    let cases = [
        json!({"name": "X", "currency": "GBP", "time_zone": "Mars/Olympus", "prices_include_tax": true}),
        json!({"name": "X", "currency": "XYZ", "time_zone": "UTC", "prices_include_tax": true}),
        json!({"name": "", "currency": "GBP", "time_zone": "UTC", "prices_include_tax": true}),
        json!({"name": "X", "currency": "GBP"}),
    ];
    for body in cases {
        let answer = service.put_json("/admin/v1/stores/TEST-1", &body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.text);
    }
    let rates = json!({"rates": {"standard": 20000}, "prices_include_tax": true});
    let answer = service
        .put_json("/admin/v1/stores/UK-LON-001/tax-rates", &rates)
        .await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn tax_rates_need_known_store() {
    let service = TestService::start(|_| {}).await;
    let rates = json!({"rates": {"standard": 2000}, "prices_include_tax": true});
    let answer = service
        .put_json("/admin/v1/stores/NOWHERE/tax-rates", &rates)
        .await;
    assert_eq!(answer.status, 404);
    assert_eq!(service.get("/admin/v1/stores/NOWHERE").await.status, 404);
}

#[tokio::test]
async fn demo_store_has_defaults() {
    let service = TestService::start(|_| {}).await;
    let store = service.get("/admin/v1/stores/UK-LON-001").await.json();
    assert_eq!(store["currency"], "GBP");
    assert_eq!(store["time_zone"], "Europe/London");
    assert_eq!(store["prices_include_tax"], true);
    assert_eq!(store["tax_rates"]["standard"], 2000);
}

#[tokio::test]
async fn currency_change_warns_about_items() {
    let service = TestService::start(|_| {}).await;
    tax_store(&service).await;
    let settings = json!({"name": "Test store", "currency": "EUR",
        "time_zone": "Europe/Dublin", "prices_include_tax": true});

    let store = service
        .put_json("/admin/v1/stores/TEST-TAX", &settings)
        .await
        .json();
    assert_eq!(store["currency"], "EUR");
    assert_eq!(store["tax_rates"]["standard"], 2000);
    let warning = store["warnings"][0].as_str().unwrap_or("");
    assert!(warning.starts_with("2 catalog items"), "{warning}");
}

#[tokio::test]
async fn catalog_listing_pages() {
    let service = TestService::start(|_| {}).await;
    let file = csv(&[
        "C-3,,,Three,TEST-1,3.00,,standard,,,each,,GBP",
        "c-1,,,One,TEST-1,1.00,,standard,,,each,,GBP",
        "C-5,,,Five,TEST-1,5.00,,standard,,,kg,,GBP",
        "C-2,,,Two,TEST-1,2.00,,standard,,,each,,GBP",
        "C-4,,,Four,TEST-1,4.00,,standard,,,each,,GBP",
    ]);
    assert_eq!(service.import_csv(&file).await.status, 200);

    let mut seen = Vec::new();
    let mut path = "/admin/v1/stores/TEST-1/catalog?limit=2".to_owned();
    for _ in 0..5 {
        let page = service.get(&path).await.json();
        for item in page["items"].as_array().expect("items") {
            seen.push(item["item_sku"].as_str().unwrap_or("").to_owned());
        }
        match page["next_after"].as_str() {
            Some(after) => path = format!("/admin/v1/stores/TEST-1/catalog?limit=2&after={after}"),
            None => break,
        }
    }
    assert_eq!(seen, ["c-1", "C-2", "C-3", "C-4", "C-5"]);

    let first = service
        .get("/admin/v1/stores/TEST-1/catalog?limit=1")
        .await
        .json();
    assert_eq!(
        first["items"][0]["price"],
        json!({"amount_minor": 100, "currency": "GBP"})
    );
    assert_eq!(
        service
            .get("/admin/v1/stores/TEST-1/catalog?limit=0")
            .await
            .status,
        400
    );
}
