//! Catalog storage: upserting items with their barcodes, and the lookups that price carts.
//!
//! Items are keyed by store and SKU key (see [`crate::catalog::keys`]), so lookups ignore the
//! letter case of a SKU. Writes go in batches of multi-row statements inside one transaction per
//! call, so an import either lands whole or not at all. No HTTP here, and no validation of
//! items: they come from the template readers, which have checked every field.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::catalog::keys::{barcode_key, sku_key};
use crate::catalog::{CatalogItem, PricingUnit};
use crate::db::Database;

/// Items per INSERT statement. At 15 bound values per item that is 7,500 values, within both
/// SQLite's limit (32,766 since 3.32) and PostgreSQL's (65,535).
const WRITE_BATCH: usize = 500;

/// SKUs per lookup statement.
const LOOKUP_BATCH: usize = 500;

/// Largest page of [`list_items`].
pub const MAX_PAGE: u32 = 1_000;

/// A failure of the catalog storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("catalog database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A stored value that this version cannot read (written by hand or by a newer version).
    #[error("stored catalog data is invalid: {0}")]
    Corrupt(String),
}

/// Number of items an upsert created and updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteCounts {
    pub created: u64,
    pub updated: u64,
}

const ITEM_COLUMNS: &str = "store_id, sku_key, item_sku, item_name, price_minor, currency, unit, \
     tax_code, category, subcategory, brand, external_product_id, external_product_id_type, \
     additional_barcodes, updated_at";

/// Creates or replaces `items` by store and SKU key, with their barcodes, in one transaction.
///
/// Items whose SKU keys repeat within one store keep the last one. An item's old barcodes are
/// replaced by its new ones; a barcode already held by another item moves to this one.
///
/// NOTE: the automated tests run on SQLite only. On PostgreSQL 15 these statements were run by
/// hand (import, re-import, barcodes), not by a test.
pub async fn upsert_items(
    db: &Database,
    items: &[CatalogItem],
    now_ms: i64,
) -> Result<WriteCounts, StoreError> {
    let mut by_store: BTreeMap<&str, BTreeMap<String, &CatalogItem>> = BTreeMap::new();
    for item in items {
        let store = by_store.entry(item.store_id.as_str()).or_default();
        store.insert(sku_key(&item.item_sku), item);
    }

    let mut counts = WriteCounts::default();
    let mut tx = db.pool.begin().await?;
    for (store_id, store_items) in &by_store {
        let keyed: Vec<(&String, &CatalogItem)> =
            store_items.iter().map(|(k, v)| (k, *v)).collect();
        for batch in keyed.chunks(WRITE_BATCH) {
            let existing = existing_keys(&mut tx, store_id, batch).await?;
            counts.updated += existing.len() as u64;
            counts.created += (batch.len() - existing.len()) as u64;
            write_item_batch(&mut tx, batch, now_ms).await?;
            write_barcode_batch(&mut tx, store_id, batch).await?;
        }
    }
    tx.commit().await?;
    Ok(counts)
}

/// Returns `$first, $first+1, …` for `count` placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn existing_keys(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: &str,
    batch: &[(&String, &CatalogItem)],
) -> Result<HashSet<String>, sqlx::Error> {
    let sql = format!(
        "SELECT sku_key FROM catalog_items WHERE store_id = $1 AND sku_key IN ({})",
        placeholders(2, batch.len())
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql).bind(store_id);
    for (key, _) in batch {
        query = query.bind(key.as_str());
    }
    Ok(query.fetch_all(&mut **tx).await?.into_iter().collect())
}

async fn write_item_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    batch: &[(&String, &CatalogItem)],
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    const PER_ROW: usize = 15;
    let rows: Vec<String> = (0..batch.len())
        .map(|row| format!("({})", placeholders(1 + row * PER_ROW, PER_ROW)))
        .collect();
    let sql = format!(
        "INSERT INTO catalog_items ({ITEM_COLUMNS}) VALUES {} \
         ON CONFLICT (store_id, sku_key) DO UPDATE SET \
         item_sku = excluded.item_sku, item_name = excluded.item_name, \
         price_minor = excluded.price_minor, currency = excluded.currency, unit = excluded.unit, \
         tax_code = excluded.tax_code, category = excluded.category, \
         subcategory = excluded.subcategory, brand = excluded.brand, \
         external_product_id = excluded.external_product_id, \
         external_product_id_type = excluded.external_product_id_type, \
         additional_barcodes = excluded.additional_barcodes, updated_at = excluded.updated_at",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (key, item) in batch {
        query = query
            .bind(item.store_id.as_str())
            .bind(key.as_str())
            .bind(item.item_sku.as_str())
            .bind(item.item_name.as_str())
            .bind(item.price_minor)
            .bind(item.currency.as_str())
            .bind(item.unit.as_str())
            .bind(item.product_tax_code.as_str())
            .bind(item.product_category.as_str())
            .bind(item.product_subcategory.as_str())
            .bind(item.brand_name.as_str())
            .bind(item.external_product_id.as_str())
            .bind(item.external_product_id_type.as_str())
            .bind(item.additional_barcodes.join(";"))
            .bind(now_ms);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// Replaces the barcodes of the batch's items. Within the batch the last item to name a
/// barcode keeps it, because one statement may not update a row twice on PostgreSQL.
async fn write_barcode_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: &str,
    batch: &[(&String, &CatalogItem)],
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "DELETE FROM catalog_barcodes WHERE store_id = $1 AND sku_key IN ({})",
        placeholders(2, batch.len())
    );
    let mut query = sqlx::query(&sql).bind(store_id);
    for (key, _) in batch {
        query = query.bind(key.as_str());
    }
    query.execute(&mut **tx).await?;

    // barcode key → (barcode as written, SKU key, primary)
    let mut barcodes: BTreeMap<String, (&str, &str, bool)> = BTreeMap::new();
    for (key, item) in batch {
        if !item.external_product_id.is_empty() {
            let code = item.external_product_id.as_str();
            barcodes.insert(barcode_key(code), (code, key.as_str(), true));
        }
        for code in &item.additional_barcodes {
            barcodes.insert(barcode_key(code), (code.as_str(), key.as_str(), false));
        }
    }
    if barcodes.is_empty() {
        return Ok(());
    }

    const PER_ROW: usize = 5;
    let rows: Vec<String> = (0..barcodes.len())
        .map(|row| format!("({})", placeholders(1 + row * PER_ROW, PER_ROW)))
        .collect();
    let sql = format!(
        "INSERT INTO catalog_barcodes (store_id, barcode_key, barcode, sku_key, is_primary) \
         VALUES {} ON CONFLICT (store_id, barcode_key) DO UPDATE SET \
         barcode = excluded.barcode, sku_key = excluded.sku_key, is_primary = excluded.is_primary",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (barcode_key, (barcode, key, primary)) in &barcodes {
        query = query
            .bind(store_id)
            .bind(barcode_key.as_str())
            .bind(*barcode)
            .bind(*key)
            .bind(i64::from(*primary));
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

const SELECT_ITEM: &str = "SELECT store_id, item_sku, item_name, price_minor, currency, unit, \
     tax_code, category, subcategory, brand, external_product_id, external_product_id_type, \
     additional_barcodes, sku_key FROM catalog_items";

fn item_from_row(row: &AnyRow) -> Result<CatalogItem, StoreError> {
    let unit_text: String = row.try_get("unit")?;
    let unit = PricingUnit::parse(&unit_text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown unit {unit_text:?}")))?;
    let barcodes: String = row.try_get("additional_barcodes")?;
    Ok(CatalogItem {
        item_sku: row.try_get("item_sku")?,
        external_product_id: row.try_get("external_product_id")?,
        external_product_id_type: row.try_get("external_product_id_type")?,
        item_name: row.try_get("item_name")?,
        store_id: row.try_get("store_id")?,
        price_minor: row.try_get("price_minor")?,
        currency: row.try_get("currency")?,
        brand_name: row.try_get("brand")?,
        product_tax_code: row.try_get("tax_code")?,
        product_category: row.try_get("category")?,
        product_subcategory: row.try_get("subcategory")?,
        unit,
        additional_barcodes: barcodes
            .split(';')
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// Looks up items of a store by SKU, ignoring letter case. The map's keys are the SKUs as
/// requested; SKUs not in the catalog are absent.
pub async fn lookup_items<I, S>(
    db: &Database,
    store_id: &str,
    skus: I,
) -> Result<HashMap<String, CatalogItem>, StoreError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut requested: HashMap<String, Vec<String>> = HashMap::new();
    for sku in skus {
        let sku = sku.as_ref();
        requested
            .entry(sku_key(sku))
            .or_default()
            .push(sku.to_owned());
    }
    let keys: Vec<&String> = requested.keys().collect();

    let mut found = HashMap::new();
    for batch in keys.chunks(LOOKUP_BATCH) {
        let sql = format!(
            "{SELECT_ITEM} WHERE store_id = $1 AND sku_key IN ({})",
            placeholders(2, batch.len())
        );
        let mut query = sqlx::query(&sql).bind(store_id);
        for key in batch {
            query = query.bind(key.as_str());
        }
        for row in query.fetch_all(&db.pool).await? {
            let key: String = row.try_get("sku_key")?;
            let item = item_from_row(&row)?;
            for spelling in requested.get(&key).into_iter().flatten() {
                found.insert(spelling.clone(), item.clone());
            }
        }
    }
    Ok(found)
}

/// Looks up the item of a store that carries `barcode`, as its primary or an additional
/// barcode. UPC-A, EAN-13 and GTIN-14 spellings of one number match each other.
pub async fn lookup_barcode(
    db: &Database,
    store_id: &str,
    barcode: &str,
) -> Result<Option<CatalogItem>, StoreError> {
    let sql = format!(
        "{SELECT_ITEM} WHERE store_id = $1 AND sku_key = \
         (SELECT sku_key FROM catalog_barcodes WHERE store_id = $1 AND barcode_key = $2)"
    );
    let row = sqlx::query(&sql)
        .bind(store_id)
        .bind(barcode_key(barcode))
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(item_from_row).transpose()
}

/// One page of a store's catalog, in SKU key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPage {
    pub items: Vec<CatalogItem>,
    /// The `after` value for the next page; `None` on the last page.
    pub next_after: Option<String>,
}

/// Lists up to `limit` items (at most [`MAX_PAGE`]) whose SKU key comes after `after`'s key.
pub async fn list_items(
    db: &Database,
    store_id: &str,
    after: Option<&str>,
    limit: u32,
) -> Result<ItemPage, StoreError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let after_key = after.map(sku_key).unwrap_or_default();
    let sql =
        format!("{SELECT_ITEM} WHERE store_id = $1 AND sku_key > $2 ORDER BY sku_key LIMIT $3");
    let rows = sqlx::query(&sql)
        .bind(store_id)
        .bind(after_key)
        .bind(i64::from(limit) + 1)
        .fetch_all(&db.pool)
        .await?;

    let has_more = rows.len() > limit as usize;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows.iter().take(limit as usize) {
        items.push(item_from_row(row)?);
    }
    let next_after = match items.last() {
        Some(last) if has_more => Some(last.item_sku.clone()),
        _ => None,
    };
    Ok(ItemPage { items, next_after })
}

/// Counts the items of a store.
pub async fn count_items(db: &Database, store_id: &str) -> Result<i64, StoreError> {
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM catalog_items WHERE store_id = $1")
        .bind(store_id)
        .fetch_one(&db.pool)
        .await?;
    Ok(count)
}

/// Counts the items of a store priced in another currency than `currency`.
pub async fn count_items_not_in(
    db: &Database,
    store_id: &str,
    currency: &str,
) -> Result<i64, StoreError> {
    let count = sqlx::query_scalar(
        "SELECT COUNT(*) FROM catalog_items WHERE store_id = $1 AND currency <> $2",
    )
    .bind(store_id)
    .bind(currency)
    .fetch_one(&db.pool)
    .await?;
    Ok(count)
}
