//! Catalog storage against a real SQLite database: batched upserts, SKU and barcode lookups,
//! store settings and promotions.

use walkout_connectors::catalog::promotions::{
    PromotionFreeUnits, PromotionReward, PromotionRule, PromotionTarget, StorePromotion,
    active_promotions, list_promotions, put_promotion,
};
use walkout_connectors::catalog::settings::{StoreSettings, store_settings, tax_settings};
use walkout_connectors::catalog::store::{
    count_items, list_items, lookup_barcode, lookup_items, upsert_items,
};
use walkout_connectors::catalog::{CatalogItem, PricingUnit};
use walkout_connectors::db::Database;
use walkout_connectors::pricing::{BasketReward, FreeUnits, PromotionKind, Target};

async fn database() -> (tempfile::TempDir, Database) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        folder.path().join("test.sqlite3").display()
    );
    let db = Database::open(&url).await.expect("database opens");
    (folder, db)
}

fn item(sku: &str, price_minor: i64) -> CatalogItem {
    CatalogItem {
        item_sku: sku.to_owned(),
        external_product_id: String::new(),
        external_product_id_type: String::new(),
        item_name: format!("Item {sku}"),
        store_id: "TEST-1".to_owned(),
        price_minor,
        currency: "GBP".to_owned(),
        brand_name: String::new(),
        product_tax_code: "standard".to_owned(),
        product_category: "giftware".to_owned(),
        product_subcategory: String::new(),
        unit: PricingUnit::Each,
        additional_barcodes: Vec::new(),
    }
}

fn with_barcodes(mut item: CatalogItem, primary: &str, extra: &[&str]) -> CatalogItem {
    item.external_product_id = primary.to_owned();
    item.external_product_id_type = if primary.is_empty() { "" } else { "EAN" }.to_owned();
    item.additional_barcodes = extra.iter().map(|code| (*code).to_owned()).collect();
    item
}

#[tokio::test]
async fn upsert_spans_batches() {
    let (_folder, db) = database().await;
    let items: Vec<CatalogItem> = (0..1_200)
        .map(|n| item(&format!("SKU-{n:04}"), n))
        .collect();

    let created = upsert_items(&db, &items, 1).await.expect("first upsert");
    assert_eq!(created.created, 1_200);
    assert_eq!(created.updated, 0);

    let repriced: Vec<CatalogItem> = items.iter().map(|i| item(&i.item_sku, 7)).collect();
    let updated = upsert_items(&db, &repriced, 2)
        .await
        .expect("second upsert");
    assert_eq!(updated.created, 0);
    assert_eq!(updated.updated, 1_200);
    assert_eq!(count_items(&db, "TEST-1").await.expect("count"), 1_200);
    let found = lookup_items(&db, "TEST-1", ["sku-1199"])
        .await
        .expect("lookup");
    assert_eq!(found["sku-1199"].price_minor, 7);
}

#[tokio::test]
async fn case_variants_in_one_call_keep_the_last() {
    let (_folder, db) = database().await;
    let items = [item("85123a", 250), item("85123A", 295)];

    let counts = upsert_items(&db, &items, 1).await.expect("upsert");
    assert_eq!(counts.created, 1);
    let found = lookup_items(&db, "TEST-1", ["85123a", "85123A"])
        .await
        .expect("lookup");
    assert_eq!(found.len(), 2);
    assert_eq!(found["85123a"].price_minor, 295);
    assert_eq!(found["85123a"].item_sku, "85123A");
}

#[tokio::test]
async fn item_fields_round_trip() {
    let (_folder, db) = database().await;
    let mut original = with_barcodes(item("W-1", 1299), "5012345678900", &["96385074", "4011"]);
    original.unit = PricingUnit::Kg;
    original.brand_name = "Brand".to_owned();
    original.product_subcategory = "apples".to_owned();
    upsert_items(&db, std::slice::from_ref(&original), 1)
        .await
        .expect("upsert");

    let found = lookup_items(&db, "TEST-1", ["W-1"]).await.expect("lookup");
    assert_eq!(found["W-1"], original);
}

#[tokio::test]
async fn lookups_stay_within_store() {
    let (_folder, db) = database().await;
    let mut other = with_barcodes(item("S-1", 100), "5012345678900", &[]);
    other.store_id = "TEST-2".to_owned();
    upsert_items(&db, &[other], 1).await.expect("upsert");

    let found = lookup_items(&db, "TEST-1", ["S-1"]).await.expect("lookup");
    assert!(found.is_empty());
    let scanned = lookup_barcode(&db, "TEST-1", "5012345678900")
        .await
        .expect("lookup");
    assert!(scanned.is_none());
}

#[tokio::test]
async fn barcode_moves_to_later_item() {
    let (_folder, db) = database().await;
    let first = with_barcodes(item("A", 100), "5012345678900", &["036000291452"]);
    upsert_items(&db, &[first], 1).await.expect("first");
    let second = with_barcodes(item("B", 200), "", &["5012345678900"]);
    upsert_items(&db, &[second], 2).await.expect("second");

    let scanned = lookup_barcode(&db, "TEST-1", "5012345678900")
        .await
        .expect("lookup");
    assert_eq!(scanned.map(|item| item.item_sku).as_deref(), Some("B"));
    let upc = lookup_barcode(&db, "TEST-1", "0036000291452")
        .await
        .expect("lookup");
    assert_eq!(upc.map(|item| item.item_sku).as_deref(), Some("A"));
}

#[tokio::test]
async fn removed_barcode_no_longer_resolves() {
    let (_folder, db) = database().await;
    let tagged = with_barcodes(item("A", 100), "5012345678900", &[]);
    upsert_items(&db, &[tagged], 1).await.expect("first");
    upsert_items(&db, &[item("A", 100)], 2)
        .await
        .expect("second");

    let scanned = lookup_barcode(&db, "TEST-1", "5012345678900")
        .await
        .expect("lookup");
    assert!(scanned.is_none());
}

#[tokio::test]
async fn listing_clamps_limit() {
    let (_folder, db) = database().await;
    let items: Vec<CatalogItem> = (0..3).map(|n| item(&format!("L-{n}"), n)).collect();
    upsert_items(&db, &items, 1).await.expect("upsert");

    let page = list_items(&db, "TEST-1", None, 0).await.expect("page");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.next_after.as_deref(), Some("L-0"));
    let rest = list_items(&db, "TEST-1", Some("l-0"), 10)
        .await
        .expect("page");
    assert_eq!(rest.items.len(), 2);
    assert_eq!(rest.next_after, None);
}

#[tokio::test]
async fn unknown_store_has_no_settings() {
    let (_folder, db) = database().await;
    assert_eq!(store_settings(&db, "TEST-1").await.expect("settings"), None);
    let tax = tax_settings(&db, "TEST-1").await.expect("tax");
    assert!(tax.rates_bp.is_empty());
    assert_eq!(tax.default_rate_bp, None);
}

#[tokio::test]
async fn demo_defaults_apply_without_rows() {
    let (_folder, db) = database().await;
    let settings = store_settings(&db, "UK-LON-001").await.expect("settings");
    assert_eq!(settings, Some(StoreSettings::demo()));
    let tax = tax_settings(&db, "UK-LON-001").await.expect("tax");
    assert!(tax.prices_include_tax);
    assert_eq!(tax.rate_for("standard"), Some(2_000));
    assert_eq!(tax.rate_for("unknown"), None);
}

fn promotion(id: &str, kind: PromotionRule) -> StorePromotion {
    StorePromotion {
        id: id.to_owned(),
        name: format!("Promotion {id}"),
        stackable: id.ends_with("stack"),
        kind,
        active_from: None,
        active_to: None,
    }
}

#[tokio::test]
async fn promotion_kinds_round_trip() {
    let (_folder, db) = database().await;
    let sku = || PromotionTarget::Sku("85123A".to_owned());
    let kitchen = || PromotionTarget::Category("kitchen".to_owned());
    let cases = [
        (
            promotion(
                "p1",
                PromotionRule::PercentOff {
                    target: kitchen(),
                    basis_points: 1_000,
                },
            ),
            PromotionKind::PercentOff {
                target: Target::Category("kitchen".into()),
                basis_points: 1_000,
            },
        ),
        (
            promotion(
                "p2",
                PromotionRule::AmountOff {
                    target: sku(),
                    amount_minor: 50,
                },
            ),
            PromotionKind::AmountOff {
                target: Target::Sku("85123A".into()),
                amount_minor: 50,
            },
        ),
        (
            promotion(
                "p3",
                PromotionRule::MultiBuy {
                    target: kitchen(),
                    quantity: 3,
                    price_minor: 500,
                },
            ),
            PromotionKind::MultiBuy {
                target: Target::Category("kitchen".into()),
                quantity: 3,
                price_minor: 500,
            },
        ),
        (
            promotion(
                "p4-stack",
                PromotionRule::BuyGet {
                    target: sku(),
                    buy: 2,
                    get: 1,
                    free: PromotionFreeUnits::SameSku,
                },
            ),
            PromotionKind::BuyGet {
                target: Target::Sku("85123A".into()),
                buy: 2,
                get: 1,
                free: FreeUnits::SameSku,
            },
        ),
        (
            promotion(
                "p5",
                PromotionRule::BasketThreshold {
                    threshold_minor: 2_000,
                    reward: PromotionReward::PercentOff(500),
                },
            ),
            PromotionKind::BasketThreshold {
                threshold_minor: 2_000,
                reward: BasketReward::PercentOff(500),
            },
        ),
    ];
    for (index, (stored, _)) in cases.iter().enumerate() {
        put_promotion(&db, "TEST-1", stored, index as i64)
            .await
            .expect("put");
    }

    let listed = list_promotions(&db, "TEST-1").await.expect("list");
    let expected: Vec<StorePromotion> = cases.iter().map(|(stored, _)| stored.clone()).collect();
    assert_eq!(listed, expected);
    let active = active_promotions(&db, "TEST-1", 10).await.expect("active");
    for ((_, kind), promotion) in cases.iter().zip(&active) {
        assert_eq!(&promotion.kind, kind, "promotion {}", promotion.id);
    }
    assert_eq!(active.len(), cases.len());
    assert!(active[3].stackable);
}
