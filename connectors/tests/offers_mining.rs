//! Association rules mined from the real baskets of the data file, checked against counts made
//! here by hand over the invoices.

mod auth_support;
mod offers_support;
mod ordering_support;

use std::collections::BTreeSet;

use walkout_connectors::offers::MiningThresholds;

use offers_support::{OffersService, insert_purchases, real_baskets};

/// Rounds `numerator / denominator` in millionths half up, written apart from the service's
/// own helper so that a mistake in one does not hide in the other.
fn ppm(numerator: u128, denominator: u128) -> i64 {
    let scaled = numerator * 1_000_000;
    let floor = scaled / denominator;
    let round_up = (scaled % denominator) * 2 >= denominator;
    i64::try_from(floor + u128::from(round_up)).unwrap_or(i64::MAX)
}

#[tokio::test]
async fn rules_match_hand_counts() {
    let service = OffersService::start().await;
    let baskets = real_baskets();
    assert!(baskets.len() > 1_000, "baskets: {}", baskets.len());
    let now = service.service.state.clock.now_ms();
    insert_purchases(service.db(), None, &baskets, now).await;

    let counts = service.recompute().await;
    let limits = MiningThresholds::default();
    let counted: Vec<&BTreeSet<String>> = baskets
        .iter()
        .filter(|basket| !basket.is_empty() && basket.len() <= limits.max_basket_items)
        .collect();
    let n = counted.len() as u128;
    assert_eq!(counts["baskets"], n as u64, "{counts}");

    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT antecedent, consequent, support, confidence, lift FROM association_rules \
         ORDER BY support DESC, antecedent, consequent",
    )
    .fetch_all(&service.db().pool)
    .await
    .expect("rules");
    assert!(rows.len() >= 5, "rules mined: {}", rows.len());
    assert_eq!(counts["rules"], rows.len() as u64);

    let with = |sku: &str| counted.iter().filter(|b| b.contains(sku)).count() as u128;
    let both = |x: &str, y: &str| {
        counted
            .iter()
            .filter(|b| b.contains(x) && b.contains(y))
            .count() as u128
    };
    for (x, y, support, confidence, lift) in rows.iter().take(8) {
        let (n_x, n_y, n_xy) = (with(x), with(y), both(x, y));
        assert_eq!(*support, ppm(n_xy, n), "support of {x} -> {y}");
        assert_eq!(*confidence, ppm(n_xy, n_x), "confidence of {x} -> {y}");
        assert_eq!(*lift, ppm(n_xy * n, n_x * n_y), "lift of {x} -> {y}");
        assert!(n_xy >= u128::from(limits.min_pair_count), "{x} -> {y}");
        assert!(*lift >= limits.min_lift, "{x} -> {y}");
    }
}
