//! Store promotions: their JSON form on the admin API and in storage, and the query that hands
//! the active ones to the pricing engine.
//!
//! The JSON form ([`PromotionRule`]) mirrors [`crate::pricing::PromotionKind`] field for field,
//! with a `type` tag. It is a separate type so the pricing engine stays free of wire formats
//! and a stored rule keeps its meaning when the engine's types change.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::catalog::store::{StoreError, lookup_items};
use crate::db::Database;
use crate::pricing::{BasketReward, FreeUnits, Promotion, PromotionKind, Target};

/// Maximum length of a promotion id, in characters.
pub const MAX_ID_CHARS: usize = 64;
/// Maximum length of a promotion name, in characters (it is printed on receipts like an item name).
pub const MAX_NAME_CHARS: usize = 100;

/// Items a promotion applies to: `{"sku": "85123A"}` or `{"category": "kitchen"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromotionTarget {
    /// One SKU; letter case is ignored when the SKU is in the catalog.
    Sku(String),
    /// Every item of this `product_category`, ignoring ASCII case.
    Category(String),
}

/// The units that a buy-X-get-Y promotion gives away.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromotionFreeUnits {
    /// The cheapest units of each group of X + Y eligible units.
    #[default]
    Cheapest,
    /// Buy X of a SKU, get Y more of the same SKU.
    SameSku,
}

/// Reward of a basket threshold: `{"amount_off": 200}` (minor units) or `{"percent_off": 1000}`
/// (basis points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromotionReward {
    AmountOff(i64),
    PercentOff(u32),
}

/// The rule of a promotion, tagged by `type`. Amounts are minor units of the store currency;
/// percentages are basis points (1000 = 10%).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PromotionRule {
    PercentOff {
        target: PromotionTarget,
        basis_points: u32,
    },
    AmountOff {
        target: PromotionTarget,
        amount_minor: i64,
    },
    /// Any `quantity` eligible units for `price_minor` together.
    MultiBuy {
        target: PromotionTarget,
        quantity: u32,
        price_minor: i64,
    },
    /// Buy `buy` eligible units, get `get` more free.
    BuyGet {
        target: PromotionTarget,
        buy: u32,
        get: u32,
        #[serde(default)]
        free: PromotionFreeUnits,
    },
    /// A reward once the basket subtotal after item discounts reaches `threshold_minor`.
    BasketThreshold {
        threshold_minor: i64,
        reward: PromotionReward,
    },
}

impl PromotionRule {
    /// Returns the pricing engine's form of this rule.
    pub fn to_kind(&self) -> PromotionKind {
        let target = |target: &PromotionTarget| match target {
            PromotionTarget::Sku(sku) => Target::Sku(sku.clone()),
            PromotionTarget::Category(category) => Target::Category(category.clone()),
        };
        match self {
            PromotionRule::PercentOff {
                target: t,
                basis_points,
            } => PromotionKind::PercentOff {
                target: target(t),
                basis_points: *basis_points,
            },
            PromotionRule::AmountOff {
                target: t,
                amount_minor,
            } => PromotionKind::AmountOff {
                target: target(t),
                amount_minor: *amount_minor,
            },
            PromotionRule::MultiBuy {
                target: t,
                quantity,
                price_minor,
            } => PromotionKind::MultiBuy {
                target: target(t),
                quantity: *quantity,
                price_minor: *price_minor,
            },
            PromotionRule::BuyGet {
                target: t,
                buy,
                get,
                free,
            } => PromotionKind::BuyGet {
                target: target(t),
                buy: *buy,
                get: *get,
                free: match free {
                    PromotionFreeUnits::Cheapest => FreeUnits::Cheapest,
                    PromotionFreeUnits::SameSku => FreeUnits::SameSku,
                },
            },
            PromotionRule::BasketThreshold {
                threshold_minor,
                reward,
            } => PromotionKind::BasketThreshold {
                threshold_minor: *threshold_minor,
                reward: match reward {
                    PromotionReward::AmountOff(amount) => BasketReward::AmountOff(*amount),
                    PromotionReward::PercentOff(points) => BasketReward::PercentOff(*points),
                },
            },
        }
    }

    fn target_mut(&mut self) -> Option<&mut PromotionTarget> {
        match self {
            PromotionRule::PercentOff { target, .. }
            | PromotionRule::AmountOff { target, .. }
            | PromotionRule::MultiBuy { target, .. }
            | PromotionRule::BuyGet { target, .. } => Some(target),
            PromotionRule::BasketThreshold { .. } => None,
        }
    }
}

/// A promotion of a store with its active window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StorePromotion {
    /// 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
    pub id: String,
    /// Text of the receipt's discount line.
    pub name: String,
    /// True to apply on top of other promotions.
    pub stackable: bool,
    pub kind: PromotionRule,
    /// Start of the active window (RFC 3339, inclusive); none means always started.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_from: Option<OffsetDateTime>,
    /// End of the active window (RFC 3339, exclusive); none means no end.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_to: Option<OffsetDateTime>,
}

impl StorePromotion {
    /// Returns the pricing engine's form of this promotion.
    pub fn to_pricing(&self) -> Promotion {
        Promotion {
            id: self.id.clone(),
            name: self.name.clone(),
            stackable: self.stackable,
            kind: self.kind.to_kind(),
        }
    }

    /// Checks the id, the name, the window and the rule's numbers; the error names the field.
    pub fn check(&self) -> Result<(), String> {
        let id_chars = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if self.id.is_empty()
            || self.id.chars().count() > MAX_ID_CHARS
            || !self.id.chars().all(id_chars)
        {
            return Err(format!(
                "id {:?} must be 1 to {MAX_ID_CHARS} characters from A-Z a-z 0-9 . _ -",
                self.id
            ));
        }
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 || name_chars > MAX_NAME_CHARS {
            return Err(format!("name must be 1 to {MAX_NAME_CHARS} characters"));
        }
        if let (Some(from), Some(to)) = (self.active_from, self.active_to)
            && from >= to
        {
            return Err("active_from must be before active_to".to_owned());
        }
        self.to_pricing()
            .validate()
            .map_err(|error| error.to_string())
    }
}

fn to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn from_ms(ms: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|_| StoreError::Corrupt(format!("promotion time {ms} is out of range")))
}

/// Rewrites a SKU target to the SKU as the catalog spells it, when the catalog has the item,
/// because the pricing engine compares SKU targets exactly.
///
/// NOTE: the spelling is taken once, here. If a later import spells the SKU in another letter
/// case, the promotion no longer matches until it is posted again.
pub async fn resolve_sku_target(
    db: &Database,
    store_id: &str,
    rule: &mut PromotionRule,
) -> Result<(), StoreError> {
    let Some(PromotionTarget::Sku(sku)) = rule.target_mut() else {
        return Ok(());
    };
    let found = lookup_items(db, store_id, [sku.as_str()]).await?;
    if let Some(item) = found.get(sku.as_str()) {
        *sku = item.item_sku.clone();
    }
    Ok(())
}

/// Creates or replaces a promotion of a store by id. A replaced promotion keeps its place in
/// the order promotions apply in.
pub async fn put_promotion(
    db: &Database,
    store_id: &str,
    promotion: &StorePromotion,
    now_ms: i64,
) -> Result<(), StoreError> {
    let kind = serde_json::to_string(&promotion.kind)
        .map_err(|error| StoreError::Corrupt(format!("promotion rule: {error}")))?;
    sqlx::query(
        "INSERT INTO promotions \
         (store_id, id, name, stackable, kind, active_from, active_to, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (store_id, id) DO UPDATE SET name = excluded.name, \
         stackable = excluded.stackable, kind = excluded.kind, \
         active_from = excluded.active_from, active_to = excluded.active_to",
    )
    .bind(store_id)
    .bind(&promotion.id)
    .bind(&promotion.name)
    .bind(i64::from(promotion.stackable))
    .bind(kind)
    .bind(promotion.active_from.map(to_ms))
    .bind(promotion.active_to.map(to_ms))
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(())
}

type PromotionRow = (String, String, i64, String, Option<i64>, Option<i64>);

fn promotion_from_row(row: PromotionRow) -> Result<StorePromotion, StoreError> {
    let (id, name, stackable, kind, active_from, active_to) = row;
    let kind = serde_json::from_str(&kind)
        .map_err(|error| StoreError::Corrupt(format!("promotion {id:?} rule: {error}")))?;
    Ok(StorePromotion {
        id,
        name,
        stackable: stackable != 0,
        kind,
        active_from: active_from.map(from_ms).transpose()?,
        active_to: active_to.map(from_ms).transpose()?,
    })
}

const SELECT_PROMOTION: &str =
    "SELECT id, name, stackable, kind, active_from, active_to FROM promotions";

/// Lists every promotion of a store, active or not, in the order they apply.
pub async fn list_promotions(
    db: &Database,
    store_id: &str,
) -> Result<Vec<StorePromotion>, StoreError> {
    let sql = format!("{SELECT_PROMOTION} WHERE store_id = $1 ORDER BY created_at, id");
    let rows: Vec<PromotionRow> = sqlx::query_as(&sql)
        .bind(store_id)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter().map(promotion_from_row).collect()
}

/// Deletes a promotion; returns false when the store has no promotion with this id.
pub async fn delete_promotion(db: &Database, store_id: &str, id: &str) -> Result<bool, StoreError> {
    let deleted = sqlx::query("DELETE FROM promotions WHERE store_id = $1 AND id = $2")
        .bind(store_id)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// Returns the promotions of a store active at `at_ms` (unix milliseconds), in the order they
/// apply, in the pricing engine's form.
pub async fn active_promotions(
    db: &Database,
    store_id: &str,
    at_ms: i64,
) -> Result<Vec<Promotion>, StoreError> {
    let sql = format!(
        "{SELECT_PROMOTION} WHERE store_id = $1 \
         AND (active_from IS NULL OR active_from <= $2) \
         AND (active_to IS NULL OR active_to > $2) ORDER BY created_at, id"
    );
    let rows: Vec<PromotionRow> = sqlx::query_as(&sql)
        .bind(store_id)
        .bind(at_ms)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter()
        .map(|row| promotion_from_row(row).map(|promotion| promotion.to_pricing()))
        .collect()
}
