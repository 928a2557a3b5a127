//! Pricing a validated cart with the store's catalog, tax settings and active promotions.
//!
//! SKU lines look the SKU up (ignoring letter case); SCANCODE lines look the barcode up, and a
//! line that misses falls back to its `externalIdentifiers`. A line that still has no item is an
//! unknown SKU: under `skip-and-alert` it is kept as an unpriced line (not charged) and named in
//! an alert, under `reject` the cart is refused with a 400 naming the line.

use std::collections::HashMap;

use super::cart::StoredCart;
use super::config::UnknownSkuPolicy;
use super::request::{ItemKind, ValidPurchase};
use crate::catalog::CatalogItem;
use crate::catalog::settings::{StoreSettings, store_settings, tax_settings};
use crate::catalog::store::{StoreError, lookup_barcode, lookup_items};
use crate::db::Database;
use crate::pricing::{CartLine, PricingError, PricingInput, Promotion, UnitTable, price_cart};

/// A priced cart and the cart lines the catalog does not know.
#[derive(Debug, Clone)]
pub struct Priced {
    pub cart: StoredCart,
    pub settings: StoreSettings,
    /// `(line index, cart item id)` of each unknown item.
    pub unknown: Vec<(usize, String)>,
}

/// Failure to price a cart.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    /// The cart is invalid, so the handler responds 400 naming `field`.
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    /// The store has no settings (name, currency, tax); the retailer must configure it.
    #[error("store {0:?} has no settings; set them through the admin API")]
    UnknownStore(String),
    /// The catalog or its settings are inconsistent (a tax code without a rate, a currency
    /// that differs from the store's).
    #[error("the catalog of store {store_id:?} cannot price this cart: {source}")]
    Catalog {
        store_id: String,
        source: PricingError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Prices `purchase` at `now_ms` (which selects the active promotions), with the shopper's
/// activated `offers` competing beside the promotions.
pub async fn price(
    db: &Database,
    purchase: &ValidPurchase,
    units: &UnitTable,
    policy: UnknownSkuPolicy,
    offers: &[Promotion],
    now_ms: i64,
) -> Result<Priced, PriceError> {
    let store_id = purchase.store_id.as_str();
    let settings = store_settings(db, store_id)
        .await?
        .ok_or_else(|| PriceError::UnknownStore(store_id.to_owned()))?;
    if purchase.items.is_empty() {
        return Ok(Priced {
            cart: StoredCart::empty(&settings.currency),
            settings,
            unknown: Vec::new(),
        });
    }

    let items = resolve_items(db, purchase).await?;
    let unknown: Vec<(usize, String)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.is_none())
        .map(|(index, _)| (index, purchase.items[index].id.clone()))
        .collect();
    if policy == UnknownSkuPolicy::Reject
        && let Some((index, id)) = unknown.first()
    {
        return Err(PriceError::Invalid {
            field: format!("cartItems[{index}].id"),
            reason: format!("{id:?} is not in the catalog of store {store_id}"),
        });
    }

    let lines: Vec<CartLine> = purchase
        .items
        .iter()
        .zip(items)
        .map(|(line, item)| CartLine {
            cart_item_id: line.id.clone(),
            item,
            quantity: line.quantity.to_string(),
            unit: line.unit.clone(),
        })
        .collect();
    let tax = tax_settings(db, store_id).await?;
    let promotions = crate::catalog::promotions::active_promotions(db, store_id, now_ms).await?;
    let input = PricingInput {
        currency: &settings.currency,
        lines: &lines,
        tax: &tax,
        units,
        promotions: &promotions,
        offers,
    };
    let priced = price_cart(&input).map_err(|error| match error {
        PricingError::Quantity { line_index, source } => PriceError::Invalid {
            field: format!("cartItems[{line_index}].quantity"),
            reason: source.to_string(),
        },
        source => PriceError::Catalog {
            store_id: store_id.to_owned(),
            source,
        },
    })?;
    Ok(Priced {
        cart: StoredCart::from(&priced),
        settings,
        unknown,
    })
}

/// Looks up the catalog item of each cart line, in cart order.
async fn resolve_items(
    db: &Database,
    purchase: &ValidPurchase,
) -> Result<Vec<Option<CatalogItem>>, StoreError> {
    let store_id = purchase.store_id.as_str();
    let skus = purchase
        .items
        .iter()
        .filter(|line| line.kind == ItemKind::Sku)
        .map(|line| line.id.as_str());
    let by_sku: HashMap<String, CatalogItem> = lookup_items(db, store_id, skus).await?;

    let mut resolved = Vec::with_capacity(purchase.items.len());
    for line in &purchase.items {
        let mut item = match line.kind {
            ItemKind::Sku => by_sku.get(&line.id).cloned(),
            ItemKind::ScanCode => lookup_barcode(db, store_id, &line.id).await?,
        };
        for barcode in &line.barcodes {
            if item.is_some() {
                break;
            }
            item = lookup_barcode(db, store_id, barcode).await?;
        }
        resolved.push(item);
    }
    Ok(resolved)
}
