//! The association-rule job: mines each store's purchases, stores the rules, and turns them into
//! targeted offers for shoppers who opted in.
//!
//! For a shopper who bought X but never Y, a rule X → Y gives an offer on Y with the reason
//! "because you bought <name of X>". When several rules point at one Y, the reason comes from
//! the rule with the highest lift. Only shoppers whose latest consent grants targeted offers get targets, and
//! the insert checks the consent again inside the transaction, so an opt-out that commits first
//! is never overwritten.
//!
//! Every store is written in one transaction of upserts: running the job twice, or on several
//! instances against one database, leaves the same rows. Offer ids are derived from the store and
//! the SKU, and a row's `computed_at` or `updated_at` moves only when its values change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::consent;
use super::mining::{AssociationRule, MiningThresholds, mine_rules};
use super::recompute_write::{StoreWrite, Target, write_store};
use crate::catalog::store::{StoreError, lookup_items};
use crate::db::Database;

/// Settings of the association-rule job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecomputeSettings {
    pub thresholds: MiningThresholds,
    /// Discount of a targeted offer on its SKU, in basis points (1000 = 10%).
    pub discount_basis_points: u32,
    /// Seconds between scheduled runs; 0 turns the schedule off. Periods start at multiples of
    /// this in unix time, and one instance of those sharing a database mines each period.
    pub interval_secs: u64,
    /// Seconds a scheduled run's claim lasts unless renewed (at least 1). The running instance
    /// renews it every third of this, and another instance takes the period over once it
    /// expires.
    pub lease_secs: u64,
}

impl Default for RecomputeSettings {
    fn default() -> Self {
        RecomputeSettings {
            thresholds: MiningThresholds::default(),
            discount_basis_points: 1_000,
            interval_secs: 3_600,
            lease_secs: 300,
        }
    }
}

/// Counts of one run, summed over the stores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecomputeCounts {
    /// Stores with purchases.
    pub stores: u64,
    /// Baskets counted by the mining.
    pub baskets: u64,
    /// Association rules stored.
    pub rules: u64,
    /// Targeted offers that have at least one target.
    pub offers: u64,
    /// Targets (shopper and offer) after the run.
    pub targets: u64,
    /// Targets this run added; each of their shoppers got an `offers-new` event.
    pub new_targets: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum RecomputeError {
    #[error("offers database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Catalog(#[from] StoreError),
}

/// Runs the job for every store that has purchases.
pub async fn recompute_all(
    db: &Database,
    settings: &RecomputeSettings,
    now_ms: i64,
) -> Result<RecomputeCounts, RecomputeError> {
    let stores: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT store_id FROM purchases ORDER BY store_id")
            .fetch_all(&db.pool)
            .await?;
    let mut total = RecomputeCounts::default();
    for store_id in stores {
        let counts = recompute_store(db, &store_id, settings, now_ms).await?;
        tracing::info!(%store_id, ?counts, "association rules and targeted offers recomputed");
        total.stores += 1;
        total.baskets += counts.baskets;
        total.rules += counts.rules;
        total.offers += counts.offers;
        total.targets += counts.targets;
        total.new_targets += counts.new_targets;
    }
    Ok(total)
}

/// The baskets of a store's purchases, and the SKUs each shopper ever bought there.
struct History {
    baskets: Vec<BTreeSet<String>>,
    by_shopper: BTreeMap<String, BTreeSet<String>>,
}

/// Reads the SKUs of the priced lines of every purchase of the store that did not fail.
async fn load_history(db: &Database, store_id: &str) -> Result<History, sqlx::Error> {
    let rows: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT shopper_id, priced_cart FROM purchases WHERE store_id = $1 AND state <> 'failed' \
         ORDER BY created_at, purchase_id",
    )
    .bind(store_id)
    .fetch_all(&db.pool)
    .await?;
    let mut history = History {
        baskets: Vec::with_capacity(rows.len()),
        by_shopper: BTreeMap::new(),
    };
    for (shopper_id, cart) in rows {
        let basket = basket_skus(&cart);
        if let Some(shopper_id) = shopper_id {
            history
                .by_shopper
                .entry(shopper_id)
                .or_default()
                .extend(basket.iter().cloned());
        }
        history.baskets.push(basket);
    }
    Ok(history)
}

/// Reads `lines[].item_sku` of a stored priced cart; an unreadable cart is an empty basket.
fn basket_skus(cart: &str) -> BTreeSet<String> {
    let value: serde_json::Value = serde_json::from_str(cart).unwrap_or_default();
    let Some(lines) = value.get("lines").and_then(|lines| lines.as_array()) else {
        return BTreeSet::new();
    };
    lines
        .iter()
        .filter_map(|line| line.get("item_sku").and_then(|sku| sku.as_str()))
        .map(str::to_owned)
        .collect()
}

/// Runs the job for one store.
pub async fn recompute_store(
    db: &Database,
    store_id: &str,
    settings: &RecomputeSettings,
    now_ms: i64,
) -> Result<RecomputeCounts, RecomputeError> {
    let history = load_history(db, store_id).await?;
    let (rules, baskets) = mine_rules(&history.baskets, &settings.thresholds);

    let skus: BTreeSet<&str> = rules
        .iter()
        .flat_map(|rule| [rule.antecedent.as_str(), rule.consequent.as_str()])
        .collect();
    let items = lookup_items(db, store_id, skus).await?;
    let names: HashMap<String, String> = items
        .into_iter()
        .map(|(sku, item)| (sku, item.item_name))
        .collect();

    let mut targets = Vec::new();
    for (shopper_id, bought) in &history.by_shopper {
        if !consent::is_granted(db, shopper_id).await? {
            continue;
        }
        targets.extend(targets_for(shopper_id, bought, &rules, &names));
    }

    let write = StoreWrite {
        store_id,
        rules: &rules,
        names: &names,
        targets: &targets,
        discount_basis_points: settings.discount_basis_points,
        now_ms,
    };
    let mut counts = write_store(db, &write).await?;
    counts.baskets = baskets;
    Ok(counts)
}

/// Chooses the targets of one shopper: for each SKU Y they never bought, the rule X → Y with X
/// bought that has the highest lift (then confidence, then the smaller X). Y must be in the
/// catalog, so the offer can be priced.
fn targets_for(
    shopper_id: &str,
    bought: &BTreeSet<String>,
    rules: &[AssociationRule],
    names: &HashMap<String, String>,
) -> Vec<Target> {
    let mut best: BTreeMap<&str, &AssociationRule> = BTreeMap::new();
    for rule in rules {
        let applies = bought.contains(&rule.antecedent)
            && !bought.contains(&rule.consequent)
            && names.contains_key(&rule.consequent);
        if !applies {
            continue;
        }
        let better = match best.get(rule.consequent.as_str()) {
            None => true,
            Some(current) => {
                (
                    rule.lift,
                    rule.confidence,
                    std::cmp::Reverse(&rule.antecedent),
                ) > (
                    current.lift,
                    current.confidence,
                    std::cmp::Reverse(&current.antecedent),
                )
            }
        };
        if better {
            best.insert(rule.consequent.as_str(), rule);
        }
    }
    best.into_values()
        .map(|rule| {
            let bought_name = names
                .get(&rule.antecedent)
                .map_or(rule.antecedent.as_str(), String::as_str);
            Target {
                shopper_id: shopper_id.to_owned(),
                sku: rule.consequent.clone(),
                reason: format!("because you bought {bought_name}"),
                score: rule.lift,
            }
        })
        .collect()
}

/// Starts the scheduled job on the current runtime, unless `interval_secs` is 0; see
/// [`super::schedule`] for how instances that share a database split the periods.
pub fn spawn(db: Database, clock: crate::clock::Clock, settings: RecomputeSettings) {
    super::schedule::spawn(db, clock, settings);
}
