//! SQL of the `offers`, `offer_targets` and `offer_activations` tables: the admin's writes, the
//! offers a shopper may see, and activation.
//!
//! A shopper is shown a general offer that is active now and not withdrawn, and a targeted offer
//! only while an `offer_targets` row names them. Every app read goes through
//! [`visible_offers`], so an offer outside that set is invisible in the same way whether it is
//! missing, withdrawn or someone else's.

use crate::db::Database;
use crate::offers::model::{Offer, OfferInput, OfferKind, time_from_ms, time_to_ms};

/// A stored value that this version cannot read, or a database failure.
#[derive(Debug, thiserror::Error)]
pub enum OfferStoreError {
    #[error("offers database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored offer {offer_id:?} is invalid: {reason}")]
    Corrupt { offer_id: String, reason: String },
}

pub(crate) const OFFER_COLUMNS: &str = "o.offer_id, o.store_id, o.kind, o.title, o.description, \
    o.rule, o.active_from, o.active_to, o.created_at, o.updated_at, o.withdrawn_at";

pub(crate) type OfferRow = (
    String,
    Option<String>,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    Option<i64>,
);

pub(crate) fn offer_from_row(row: OfferRow) -> Result<Offer, OfferStoreError> {
    let (offer_id, store_id, kind, title, description, rule, from, to, created, updated, withdrawn) =
        row;
    let corrupt = |reason: String| OfferStoreError::Corrupt {
        offer_id: offer_id.clone(),
        reason,
    };
    let kind = OfferKind::parse(&kind).ok_or_else(|| corrupt(format!("unknown kind {kind:?}")))?;
    let rule = serde_json::from_str(&rule).map_err(|error| corrupt(format!("rule: {error}")))?;
    Ok(Offer {
        offer_id,
        store_id,
        kind,
        title,
        description,
        rule,
        active_from: from.map(time_from_ms),
        active_to: to.map(time_from_ms),
        created_at: time_from_ms(created),
        updated_at: time_from_ms(updated),
        withdrawn_at: withdrawn.map(time_from_ms),
    })
}

fn rule_json(input: &OfferInput) -> String {
    serde_json::to_string(&input.rule).unwrap_or_default()
}

/// Inserts a general offer; returns false when an offer with this id exists.
pub async fn insert_general(
    db: &Database,
    offer_id: &str,
    input: &OfferInput,
    now_ms: i64,
) -> Result<bool, OfferStoreError> {
    let inserted = sqlx::query(
        "INSERT INTO offers (offer_id, store_id, kind, title, description, rule, active_from, \
         active_to, created_at, updated_at, withdrawn_at) \
         VALUES ($1, $2, 'general', $3, $4, $5, $6, $7, $8, $8, NULL) \
         ON CONFLICT (offer_id) DO NOTHING",
    )
    .bind(offer_id)
    .bind(&input.store_id)
    .bind(input.title.trim())
    .bind(&input.description)
    .bind(rule_json(input))
    .bind(input.active_from.map(time_to_ms))
    .bind(input.active_to.map(time_to_ms))
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Replaces the fields of a general offer that is not withdrawn; returns false when no such
/// offer exists.
pub async fn update_general(
    db: &Database,
    offer_id: &str,
    input: &OfferInput,
    now_ms: i64,
) -> Result<bool, OfferStoreError> {
    let updated = sqlx::query(
        "UPDATE offers SET store_id = $2, title = $3, description = $4, rule = $5, \
         active_from = $6, active_to = $7, updated_at = $8 \
         WHERE offer_id = $1 AND kind = 'general' AND withdrawn_at IS NULL",
    )
    .bind(offer_id)
    .bind(&input.store_id)
    .bind(input.title.trim())
    .bind(&input.description)
    .bind(rule_json(input))
    .bind(input.active_from.map(time_to_ms))
    .bind(input.active_to.map(time_to_ms))
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Withdraws an offer of either kind. Withdrawing twice keeps the first time. Returns false when
/// no offer has this id.
pub async fn withdraw(db: &Database, offer_id: &str, now_ms: i64) -> Result<bool, OfferStoreError> {
    let updated = sqlx::query(
        "UPDATE offers SET withdrawn_at = COALESCE(withdrawn_at, $2), updated_at = $2 \
         WHERE offer_id = $1",
    )
    .bind(offer_id)
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Reads one offer by id, withdrawn or not.
pub async fn get(db: &Database, offer_id: &str) -> Result<Option<Offer>, OfferStoreError> {
    let row: Option<OfferRow> = sqlx::query_as(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o WHERE o.offer_id = $1"
    ))
    .bind(offer_id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(offer_from_row).transpose()
}

/// Lists offers for the admin, oldest first: one kind or both, withdrawn ones on request.
pub async fn list(
    db: &Database,
    kind: Option<OfferKind>,
    include_withdrawn: bool,
) -> Result<Vec<Offer>, OfferStoreError> {
    let sql = format!(
        "SELECT {OFFER_COLUMNS} FROM offers o WHERE ($1 = '' OR o.kind = $1) \
         AND ($2 = 1 OR o.withdrawn_at IS NULL) ORDER BY o.created_at, o.offer_id"
    );
    let rows: Vec<OfferRow> = sqlx::query_as(&sql)
        .bind(kind.map_or("", OfferKind::as_str))
        .bind(i64::from(include_withdrawn))
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter().map(offer_from_row).collect()
}

/// An offer as one shopper is shown it, with their activation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopperOffer {
    pub offer: Offer,
    /// The explanation of a targeted offer; none for a general one.
    pub reason: Option<String>,
    pub activated_at: Option<i64>,
    pub redeemed_at: Option<i64>,
}

/// Lists the offers the shopper may see at `now_ms`, general ones first, each with the
/// shopper's activation. `only_offer` narrows the list to one id.
pub async fn visible_offers(
    db: &Database,
    shopper_id: &str,
    now_ms: i64,
    only_offer: Option<&str>,
) -> Result<Vec<ShopperOffer>, OfferStoreError> {
    let sql = format!(
        "SELECT {OFFER_COLUMNS}, t.reason, a.activated_at, a.redeemed_at FROM offers o \
         LEFT JOIN offer_targets t ON t.offer_id = o.offer_id AND t.shopper_id = $1 \
         LEFT JOIN offer_activations a ON a.offer_id = o.offer_id AND a.shopper_id = $1 \
         WHERE o.withdrawn_at IS NULL \
         AND (o.active_from IS NULL OR o.active_from <= $2) \
         AND (o.active_to IS NULL OR o.active_to > $2) \
         AND (o.kind = 'general' OR t.shopper_id IS NOT NULL) \
         AND ($3 = '' OR o.offer_id = $3) \
         ORDER BY o.kind, o.created_at, o.offer_id"
    );
    type Row = (
        String,
        Option<String>,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
        i64,
        i64,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<i64>,
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(shopper_id)
        .bind(now_ms)
        .bind(only_offer.unwrap_or(""))
        .fetch_all(&db.pool)
        .await?;
    let mut offers = Vec::with_capacity(rows.len());
    for row in rows {
        let (a, b, c, d, e, f, g, h, i, j, k, reason, activated_at, redeemed_at) = row;
        offers.push(ShopperOffer {
            offer: offer_from_row((a, b, c, d, e, f, g, h, i, j, k))?,
            reason,
            activated_at,
            redeemed_at,
        });
    }
    Ok(offers)
}

/// Records an activation unless the shopper already activated the offer; returns the time of
/// the first activation, which a repeat keeps.
pub async fn activate(
    db: &Database,
    offer_id: &str,
    shopper_id: &str,
    now_ms: i64,
) -> Result<i64, OfferStoreError> {
    sqlx::query(
        "INSERT INTO offer_activations (offer_id, shopper_id, activated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (offer_id, shopper_id) DO NOTHING",
    )
    .bind(offer_id)
    .bind(shopper_id)
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    let activated_at: i64 = sqlx::query_scalar(
        "SELECT activated_at FROM offer_activations WHERE offer_id = $1 AND shopper_id = $2",
    )
    .bind(offer_id)
    .bind(shopper_id)
    .fetch_one(&db.pool)
    .await?;
    Ok(activated_at)
}
