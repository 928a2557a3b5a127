//! Reads what the KPIs need from the service database: the store's priced purchases, its
//! shoppers' trips and the offer counts. Read-only; the arithmetic is in `compute`.
//!
//! A basket is a purchase of the store with `charge_mode = 'charge'` (test, associate and
//! unmatched trips are left out), not in state `failed`, with at least one priced sale line.
//! Its value is the grand total charged. Refunds are not subtracted.

use std::collections::BTreeMap;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use rust_decimal::prelude::ToPrimitive;

use super::compute::{Basket, OfferCounts};
use crate::catalog::PricingUnit;
use crate::db::{Database, Engine};
use crate::ordering::cart::StoredCart;

/// A period as Unix millisecond bounds: `[start_ms, end_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Returns whether a table exists, so features whose migrations may be absent can be skipped.
pub async fn table_exists(db: &Database, name: &str) -> Result<bool, sqlx::Error> {
    let sql = match db.engine {
        Engine::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Engine::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let count: i64 = sqlx::query_scalar(sql)
        .bind(name)
        .fetch_one(&db.pool)
        .await?;
    Ok(count > 0)
}

/// Reads the store's baskets in `bounds`, dated in `zone`.
pub async fn baskets(
    db: &Database,
    store_id: &str,
    bounds: Bounds,
    zone: &TimeZone,
) -> Result<Vec<Basket>, sqlx::Error> {
    let rows: Vec<(Option<String>, String, i64, String, i64)> = sqlx::query_as(
        "SELECT shopper_id, currency, grand_minor, priced_cart, created_at FROM purchases \
         WHERE store_id = $1 AND charge_mode = 'charge' AND state <> 'failed' \
         AND created_at >= $2 AND created_at < $3 ORDER BY created_at, purchase_id",
    )
    .bind(store_id)
    .bind(bounds.start_ms)
    .bind(bounds.end_ms)
    .fetch_all(&db.pool)
    .await?;

    let mut baskets = Vec::with_capacity(rows.len());
    let mut unreadable = 0_u64;
    for (shopper_id, currency, grand_minor, priced_cart, created_at) in rows {
        let Ok(cart) = serde_json::from_str::<StoredCart>(&priced_cart) else {
            unreadable += 1;
            continue;
        };
        if cart.lines.is_empty() {
            continue;
        }
        let Some(day) = local_date(created_at, zone) else {
            unreadable += 1;
            continue;
        };
        baskets.push(Basket {
            shopper_id,
            day,
            currency,
            grand_minor,
            items: item_count(&cart),
            lines: cart
                .lines
                .iter()
                .map(|l| (l.item_sku.clone(), l.item_name.clone()))
                .collect(),
        });
    }
    if unreadable > 0 {
        tracing::warn!(
            store_id,
            unreadable,
            "purchases left out of the KPIs: priced cart or time unreadable"
        );
    }
    Ok(baskets)
}

/// Units of count items (quantities rounded to whole units) plus one per weighed line.
fn item_count(cart: &StoredCart) -> i64 {
    cart.lines
        .iter()
        .map(|line| match line.unit {
            PricingUnit::Each => line.quantity.round().to_i64().unwrap_or(1),
            PricingUnit::Kg | PricingUnit::Lb => 1,
        })
        .sum()
}

/// Returns the date in `zone` of a Unix millisecond instant.
pub fn local_date(unix_ms: i64, zone: &TimeZone) -> Option<Date> {
    let instant = jiff::Timestamp::from_millisecond(unix_ms).ok()?;
    Some(instant.to_zoned(zone.clone()).date())
}

/// Counts the trips of each shopper in the store within `bounds` (test and associate trips
/// are not visits).
pub async fn visits_by_shopper(
    db: &Database,
    store_id: &str,
    bounds: Bounds,
) -> Result<BTreeMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT shopper_id, COUNT(*) FROM trips WHERE store_id = $1 AND shopper_id IS NOT NULL \
         AND is_test = 0 AND is_associate = 0 AND entered_at >= $2 AND entered_at < $3 \
         GROUP BY shopper_id",
    )
    .bind(store_id)
    .bind(bounds.start_ms)
    .bind(bounds.end_ms)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Counts offers, targets, activations and redemptions of the store (offers with no store
/// apply everywhere) within `bounds`. All zero when the offer tables do not exist.
pub async fn offer_counts(
    db: &Database,
    store_id: &str,
    bounds: Bounds,
) -> Result<OfferCounts, sqlx::Error> {
    if !table_exists(db, "offers").await? || !table_exists(db, "offer_activations").await? {
        return Ok(OfferCounts::default());
    }
    let of_store = "(o.store_id = $1 OR o.store_id IS NULL)";
    let queries = [
        format!(
            "SELECT COUNT(*) FROM offers o WHERE {of_store} AND o.created_at < $3 \
             AND (o.active_from IS NULL OR o.active_from < $3) AND (o.active_to IS NULL OR o.active_to > $2) \
             AND (o.withdrawn_at IS NULL OR o.withdrawn_at > $2)"
        ),
        format!(
            "SELECT COUNT(*) FROM offer_targets t JOIN offers o ON o.offer_id = t.offer_id \
             WHERE {of_store} AND t.created_at >= $2 AND t.created_at < $3"
        ),
        format!(
            "SELECT COUNT(*) FROM offer_activations a JOIN offers o ON o.offer_id = a.offer_id \
             WHERE {of_store} AND a.activated_at >= $2 AND a.activated_at < $3"
        ),
        format!(
            "SELECT COUNT(*) FROM offer_activations a JOIN offers o ON o.offer_id = a.offer_id \
             JOIN offer_targets t ON t.offer_id = a.offer_id AND t.shopper_id = a.shopper_id \
             WHERE {of_store} AND a.activated_at >= $2 AND a.activated_at < $3"
        ),
        "SELECT COUNT(*) FROM offer_activations a JOIN purchases p ON p.purchase_id = a.redeemed_purchase_id \
         WHERE p.store_id = $1 AND a.redeemed_at >= $2 AND a.redeemed_at < $3"
            .to_owned(),
    ];
    let mut counts = [0_i64; 5];
    for (slot, sql) in counts.iter_mut().zip(&queries) {
        *slot = sqlx::query_scalar(sql)
            .bind(store_id)
            .bind(bounds.start_ms)
            .bind(bounds.end_ms)
            .fetch_one(&db.pool)
            .await?;
    }
    let [
        offers_live,
        targets,
        activations,
        targeted_activations,
        redemptions,
    ] = counts;
    Ok(OfferCounts {
        offers_live,
        targets,
        activations,
        targeted_activations,
        redemptions,
    })
}
