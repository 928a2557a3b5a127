//! An activated offer at CreatePurchases: it takes its discount off the first purchase of the
//! shopper, shows on the receipt, is marked redeemed with that purchase, and never applies again.

mod auth_support;
mod offers_support;
mod ordering_support;

use reqwest::Method;
use serde_json::Value;
use walkout_connectors::catalog::store::lookup_items;

use offers_support::{OffersService, percent_off_sku};
use ordering_support::{
    STORE, import_demo_catalog, open_trip, purchase_body, receipt_of, shopper_with_card,
};

const SUB: &str = "7e2f9a34-5b6c-4d7e-8f90-a1b2c3d4e5f6";
/// WHITE HANGING HEART T-LIGHT HOLDER.
const SKU: &str = "85123A";

/// Runs one trip that buys two units of SKU and returns the purchase id and its stored cart.
async fn buy_two(
    service: &OffersService,
    shopper: (&str, &str),
    trip_key: &str,
) -> (String, Value) {
    let state = &service.service.state;
    let (_, auth_event_id) = open_trip(state, Some(shopper), false).await;
    let body = purchase_body(
        trip_key,
        &auth_event_id,
        shopper.1,
        &[(SKU, "SKU", "2", "each")],
    );
    let (status, created) = service.service.post_purchase(&body).await;
    assert_eq!(status, 201, "{created}");
    let purchase_id = created["purchaseId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(service.service.wait_for_job(&purchase_id).await, "done");
    let cart: String =
        sqlx::query_scalar("SELECT priced_cart FROM purchases WHERE purchase_id = $1")
            .bind(&purchase_id)
            .fetch_one(&state.db.pool)
            .await
            .expect("priced cart");
    (purchase_id, serde_json::from_str(&cart).expect("cart JSON"))
}

#[tokio::test]
async fn activated_offer_applies_once() {
    let service = OffersService::start().await;
    import_demo_catalog(&service.service.state).await;
    let price = lookup_items(service.db(), STORE, [SKU])
        .await
        .expect("lookup")[SKU]
        .price_minor;
    let (shopper_id, visitor_id) = shopper_with_card(&service.service, SUB).await;

    let key = service.admin_key();
    let body = percent_off_sku("half-heart", SKU, 5_000);
    let (status, created) = service
        .admin(Method::POST, "/admin/v1/offers", &key, Some(body))
        .await;
    assert_eq!(status, 201, "{created}");
    let (status, activated) = service.activate(SUB, "half-heart").await;
    assert_eq!(status, 200, "{activated}");

    let shopper = (shopper_id.as_str(), visitor_id.as_str());
    let (first_id, first) = buy_two(&service, shopper, "offer-trip-1").await;
    let discounts = first["discounts"].as_array().cloned().unwrap_or_default();
    assert_eq!(discounts.len(), 1, "{first}");
    assert_eq!(discounts[0]["source"], "offer");
    assert_eq!(discounts[0]["promotion_id"], "half-heart");
    assert_eq!(discounts[0]["amount_minor"], price);
    assert_eq!(first["totals"]["grand_minor"], price);

    let receipt = receipt_of(&service.service.state, &first_id)
        .await
        .expect("receipt");
    let text = receipt.to_string();
    assert!(text.contains("\"promotionId\":\"half-heart\""), "{text}");
    assert!(text.contains("Offer half-heart"), "{text}");

    let redeemed: Option<String> = sqlx::query_scalar(
        "SELECT redeemed_purchase_id FROM offer_activations WHERE offer_id = 'half-heart' AND shopper_id = $1",
    )
    .bind(&shopper_id)
    .fetch_one(&service.db().pool)
    .await
    .expect("activation");
    assert_eq!(redeemed.as_deref(), Some(first_id.as_str()));

    let (_, second) = buy_two(&service, shopper, "offer-trip-2").await;
    assert_eq!(second["discounts"], Value::Array(Vec::new()), "{second}");
    assert_eq!(second["totals"]["grand_minor"], price * 2);

    let offers = service.offers(SUB).await;
    let listed = offers
        .iter()
        .find(|o| o["offer_id"] == "half-heart")
        .expect("listed");
    assert_eq!(listed["redeemed"], true);
}

#[tokio::test]
async fn offer_without_activation_is_not_applied() {
    let service = OffersService::start().await;
    import_demo_catalog(&service.service.state).await;
    let price = lookup_items(service.db(), STORE, [SKU])
        .await
        .expect("lookup")[SKU]
        .price_minor;
    let (shopper_id, visitor_id) = shopper_with_card(&service.service, SUB).await;
    let body = percent_off_sku("not-activated", SKU, 5_000);
    let (status, _) = service
        .admin(
            Method::POST,
            "/admin/v1/offers",
            &service.admin_key(),
            Some(body),
        )
        .await;
    assert_eq!(status, 201);

    let (_, cart) = buy_two(&service, (&shopper_id, &visitor_id), "plain-trip").await;
    assert_eq!(cart["totals"]["grand_minor"], price * 2);
}
