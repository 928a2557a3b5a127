//! Offers at pricing: the activated offers that apply to a shopper's cart, and their redemption
//! inside the purchase's transaction.
//!
//! An offer applies when all of these hold: the shopper activated it and has not redeemed it
//! yet, it is active now and not withdrawn, and it is for the cart's store or every store. A
//! targeted offer also needs the shopper to still be one of its targets. The purchase that gives a discount with source `offer`
//! marks that activation redeemed in the transaction that stores the purchase, so an activation
//! applies to one purchase only.

use crate::db::Database;
use crate::ordering::cart::StoredCart;
use crate::pricing::Promotion;

use super::store::{OFFER_COLUMNS, OfferRow, OfferStoreError, offer_from_row};

/// Returns the offers that apply to the shopper's cart in `store_id` at `now_ms`, in the pricing
/// engine's form, oldest activation first.
pub async fn activated_offers(
    db: &Database,
    shopper_id: &str,
    store_id: &str,
    now_ms: i64,
) -> Result<Vec<Promotion>, OfferStoreError> {
    let sql = format!(
        "SELECT {OFFER_COLUMNS} FROM offer_activations a \
         JOIN offers o ON o.offer_id = a.offer_id \
         LEFT JOIN offer_targets t ON t.offer_id = o.offer_id AND t.shopper_id = a.shopper_id \
         WHERE a.shopper_id = $1 AND a.redeemed_purchase_id IS NULL \
         AND o.withdrawn_at IS NULL \
         AND (o.store_id IS NULL OR o.store_id = $2) \
         AND (o.active_from IS NULL OR o.active_from <= $3) \
         AND (o.active_to IS NULL OR o.active_to > $3) \
         AND (o.kind = 'general' OR t.shopper_id IS NOT NULL) \
         ORDER BY a.activated_at, o.offer_id"
    );
    let rows: Vec<OfferRow> = sqlx::query_as(&sql)
        .bind(shopper_id)
        .bind(store_id)
        .bind(now_ms)
        .fetch_all(&db.pool)
        .await?;
    let mut offers = Vec::with_capacity(rows.len());
    for row in rows {
        offers.push(offer_from_row(row)?.to_pricing());
    }
    Ok(offers)
}

/// Marks redeemed, inside `tx`, every activation whose offer gave a discount in `cart`.
///
/// Fails when an activation was redeemed by another purchase after this cart was priced, so
/// the caller's transaction rolls back and the retried request prices the cart without it.
pub async fn redeem(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    shopper_id: &str,
    purchase_id: &str,
    cart: &StoredCart,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let offer_ids = cart
        .discounts
        .iter()
        .filter(|discount| discount.source == "offer")
        .map(|discount| discount.promotion_id.as_str());
    for offer_id in offer_ids {
        let updated = sqlx::query(
            "UPDATE offer_activations SET redeemed_purchase_id = $1, redeemed_at = $2 \
             WHERE offer_id = $3 AND shopper_id = $4 AND redeemed_purchase_id IS NULL",
        )
        .bind(purchase_id)
        .bind(now_ms)
        .bind(offer_id)
        .bind(shopper_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if updated != 1 {
            tracing::warn!(%purchase_id, %offer_id, "offer activation was redeemed by another purchase; the cart will be priced again");
            return Err(sqlx::Error::Protocol(format!(
                "the activation of offer {offer_id:?} was redeemed by another purchase"
            )));
        }
        tracing::info!(%purchase_id, %offer_id, "offer redeemed");
    }
    Ok(())
}
