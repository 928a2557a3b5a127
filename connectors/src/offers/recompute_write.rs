//! The write half of the association-rule job: one transaction per store that upserts the rules,
//! the targeted offers and their targets, deletes what the new rules no longer back, and
//! publishes `offers-new` to each shopper who gained a target.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::mining::AssociationRule;
use super::recompute::RecomputeCounts;
use crate::catalog::promotions::{MAX_NAME_CHARS, PromotionRule, PromotionTarget};
use crate::db::Database;
use crate::outbox;

/// Event kind sent to a shopper when targeted offers appear for them.
pub const OFFERS_NEW: &str = "offers-new";

/// One wanted target: the shopper, the SKU of the offer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub shopper_id: String,
    pub sku: String,
    pub reason: String,
    /// Lift of the rule behind the target, in millionths.
    pub score: i64,
}

/// Everything the job writes for one store.
pub struct StoreWrite<'a> {
    pub store_id: &'a str,
    pub rules: &'a [AssociationRule],
    /// Catalog names by SKU, for the offer titles.
    pub names: &'a HashMap<String, String>,
    pub targets: &'a [Target],
    pub discount_basis_points: u32,
    pub now_ms: i64,
}

/// Returns the id of the targeted offer on `sku` in `store_id`: `assoc-` and 24 hex digits of
/// SHA-256, so it is the same on every run and every instance.
pub fn targeted_offer_id(store_id: &str, sku: &str) -> String {
    let text = format!("{store_id}\n{sku}");
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex = hex::encode(digest.as_ref());
    format!("assoc-{}", &hex[..24])
}

/// Formats basis points as a percentage without trailing zeros: 1000 is "10", 1250 is "12.5".
fn percent_text(basis_points: u32) -> String {
    let whole = basis_points / 100;
    let fraction = basis_points % 100;
    match fraction {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole}.{}", f / 10),
        f => format!("{whole}.{f:02}"),
    }
}

fn offer_title(basis_points: u32, item_name: &str) -> String {
    let title = format!("{}% off {item_name}", percent_text(basis_points));
    title.chars().take(MAX_NAME_CHARS).collect()
}

/// Writes one store's rules, offers and targets in one transaction.
pub async fn write_store(
    db: &Database,
    write: &StoreWrite<'_>,
) -> Result<RecomputeCounts, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    // The first statement writes, so SQLite takes the write lock at once instead of upgrading
    // a read lock later, which could fail with SQLITE_BUSY under a concurrent writer.
    upsert_rules(&mut tx, write).await?;

    let skus: BTreeSet<&str> = write.targets.iter().map(|t| t.sku.as_str()).collect();
    for sku in &skus {
        upsert_offer(&mut tx, write, sku).await?;
    }

    let mut new_by_shopper: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for target in write.targets {
        let offer_id = targeted_offer_id(write.store_id, &target.sku);
        if upsert_target(&mut tx, &offer_id, target, write.now_ms).await? {
            new_by_shopper
                .entry(target.shopper_id.as_str())
                .or_default()
                .push(offer_id);
        }
    }
    delete_stale_targets(&mut tx, write).await?;

    let new_targets = new_by_shopper.values().map(Vec::len).sum::<usize>() as u64;
    for (shopper_id, offer_ids) in new_by_shopper {
        let payload = serde_json::json!({ "offer_ids": offer_ids });
        outbox::publish(
            &mut tx,
            Some(shopper_id),
            OFFERS_NEW,
            &payload,
            write.now_ms,
        )
        .await?;
    }
    let targets: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM offer_targets t JOIN offers o ON o.offer_id = t.offer_id \
         WHERE o.store_id = $1 AND o.kind = 'targeted'",
    )
    .bind(write.store_id)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;

    Ok(RecomputeCounts {
        stores: 1,
        baskets: 0,
        rules: write.rules.len() as u64,
        offers: skus.len() as u64,
        targets: u64::try_from(targets).unwrap_or(0),
        new_targets,
    })
}

async fn upsert_rules(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &StoreWrite<'_>,
) -> Result<(), sqlx::Error> {
    for rule in write.rules {
        sqlx::query(
            "INSERT INTO association_rules (store_id, antecedent, consequent, support, confidence, \
             lift, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (store_id, antecedent, consequent) DO UPDATE SET \
             support = excluded.support, confidence = excluded.confidence, lift = excluded.lift, \
             computed_at = excluded.computed_at \
             WHERE association_rules.support <> excluded.support \
             OR association_rules.confidence <> excluded.confidence \
             OR association_rules.lift <> excluded.lift",
        )
        .bind(write.store_id)
        .bind(&rule.antecedent)
        .bind(&rule.consequent)
        .bind(rule.support)
        .bind(rule.confidence)
        .bind(rule.lift)
        .bind(write.now_ms)
        .execute(&mut **tx)
        .await?;
    }

    let stored: Vec<(String, String)> =
        sqlx::query_as("SELECT antecedent, consequent FROM association_rules WHERE store_id = $1")
            .bind(write.store_id)
            .fetch_all(&mut **tx)
            .await?;
    let wanted: BTreeSet<(&str, &str)> = write
        .rules
        .iter()
        .map(|rule| (rule.antecedent.as_str(), rule.consequent.as_str()))
        .collect();
    for (antecedent, consequent) in stored {
        if wanted.contains(&(antecedent.as_str(), consequent.as_str())) {
            continue;
        }
        sqlx::query(
            "DELETE FROM association_rules WHERE store_id = $1 AND antecedent = $2 AND consequent = $3",
        )
        .bind(write.store_id)
        .bind(&antecedent)
        .bind(&consequent)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Creates the targeted offer on `sku`, or refreshes its title and rule. A withdrawn offer stays
/// withdrawn: withdrawal is the retailer's decision.
async fn upsert_offer(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &StoreWrite<'_>,
    sku: &str,
) -> Result<(), sqlx::Error> {
    let name = write.names.get(sku).map_or(sku, String::as_str);
    let rule = PromotionRule::PercentOff {
        target: PromotionTarget::Sku(sku.to_owned()),
        basis_points: write.discount_basis_points,
    };
    let rule = serde_json::to_string(&rule).unwrap_or_default();
    sqlx::query(
        "INSERT INTO offers (offer_id, store_id, kind, title, description, rule, active_from, \
         active_to, created_at, updated_at, withdrawn_at) \
         VALUES ($1, $2, 'targeted', $3, $4, $5, NULL, NULL, $6, $6, NULL) \
         ON CONFLICT (offer_id) DO UPDATE SET title = excluded.title, rule = excluded.rule, \
         updated_at = excluded.updated_at \
         WHERE offers.title <> excluded.title OR offers.rule <> excluded.rule",
    )
    .bind(targeted_offer_id(write.store_id, sku))
    .bind(write.store_id)
    .bind(offer_title(write.discount_basis_points, name))
    .bind("Picked for you from what shoppers buy together.")
    .bind(rule)
    .bind(write.now_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a target if the shopper's latest consent still grants targeted offers, or refreshes its
/// reason and score. Returns true when the row is new.
async fn upsert_target(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    offer_id: &str,
    target: &Target,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO offer_targets (offer_id, shopper_id, reason, score, created_at) \
         SELECT $1, $2, $3, $4, $5 WHERE 1 = (SELECT c.granted FROM consents c \
         WHERE c.shopper_id = $2 AND c.purpose = $6 ORDER BY c.seq DESC LIMIT 1) \
         ON CONFLICT (offer_id, shopper_id) DO NOTHING",
    )
    .bind(offer_id)
    .bind(&target.shopper_id)
    .bind(&target.reason)
    .bind(target.score)
    .bind(now_ms)
    .bind(super::consent::TARGETED_OFFERS)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE offer_targets SET reason = $3, score = $4 \
         WHERE offer_id = $1 AND shopper_id = $2 AND (reason <> $3 OR score <> $4)",
    )
    .bind(offer_id)
    .bind(&target.shopper_id)
    .bind(&target.reason)
    .bind(target.score)
    .execute(&mut **tx)
    .await?;
    Ok(false)
}

/// Deletes targets of the store's targeted offers that the new rules no longer back, except
/// those with an unredeemed activation: an offer the shopper activated stays until it is used.
async fn delete_stale_targets(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    write: &StoreWrite<'_>,
) -> Result<(), sqlx::Error> {
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.offer_id, t.shopper_id FROM offer_targets t \
         JOIN offers o ON o.offer_id = t.offer_id \
         WHERE o.store_id = $1 AND o.kind = 'targeted'",
    )
    .bind(write.store_id)
    .fetch_all(&mut **tx)
    .await?;
    let wanted: BTreeSet<(String, &str)> = write
        .targets
        .iter()
        .map(|t| {
            (
                targeted_offer_id(write.store_id, &t.sku),
                t.shopper_id.as_str(),
            )
        })
        .collect();
    for (offer_id, shopper_id) in stored {
        if wanted.contains(&(offer_id.clone(), shopper_id.as_str())) {
            continue;
        }
        sqlx::query(
            "DELETE FROM offer_targets WHERE offer_id = $1 AND shopper_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM offer_activations a WHERE a.offer_id = $1 \
             AND a.shopper_id = $2 AND a.redeemed_purchase_id IS NULL)",
        )
        .bind(&offer_id)
        .bind(&shopper_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
