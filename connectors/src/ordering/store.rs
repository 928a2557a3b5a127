//! Persistence of purchases: the atomic insert-if-absent on `idempotentShoppingTripId`, and
//! the reads the job and the refund route need.
//!
//! A purchase, its job and its alerts are written in one transaction, so an accepted cart
//! always has its after-201 work queued, and a duplicate delivery writes nothing at all.

use serde_json::Value;

use super::cart::StoredCart;
use crate::outbox;

/// Method that matched the cart to a gate trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMethod {
    /// One of the cart's `authEvents[].id` was admitted at the gate.
    AuthEvent,
    /// (storeId, `scanResult.id`) named a visitor with an open trip.
    Visitor,
    Unmatched,
}

impl MatchMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchMethod::AuthEvent => "auth-event",
            MatchMethod::Visitor => "visitor",
            MatchMethod::Unmatched => "unmatched",
        }
    }
}

/// Whether the purchase charges a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeMode {
    /// A shopper's trip with a hold: capture the total.
    Charge,
    /// An associate trip or a static test key: never charged, the receipt is marked test.
    Test,
    /// No trip matched, so there is no card to charge and no shopper to send a receipt to.
    None,
}

impl ChargeMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeMode::Charge => "charge",
            ChargeMode::Test => "test",
            ChargeMode::None => "none",
        }
    }

    pub fn parse(text: &str) -> ChargeMode {
        match text {
            "charge" => ChargeMode::Charge,
            "test" => ChargeMode::Test,
            _ => ChargeMode::None,
        }
    }
}

/// A purchase ready to be stored.
#[derive(Debug, Clone)]
pub struct NewPurchase {
    pub idempotent_shopping_trip_id: String,
    pub request_id: String,
    pub store_id: String,
    pub trip_id: Option<String>,
    pub shopper_id: Option<String>,
    pub match_method: MatchMethod,
    pub charge_mode: ChargeMode,
    pub request: Value,
    pub cart: StoredCart,
    /// Retailer alerts to publish with the purchase: (reason, details).
    pub alerts: Vec<(String, Value)>,
}

/// Outcome of [`insert_if_absent`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// This call stored the purchase and queued its job.
    New { purchase_id: String },
    /// A purchase with this `idempotentShoppingTripId` already exists.
    Existing { purchase_id: String },
}

impl Inserted {
    pub fn purchase_id(&self) -> &str {
        match self {
            Inserted::New { purchase_id } | Inserted::Existing { purchase_id } => purchase_id,
        }
    }
}

/// Returns the purchase id stored for an `idempotentShoppingTripId`, if any.
pub async fn find_by_trip_key(
    pool: &sqlx::AnyPool,
    key: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT purchase_id FROM purchases WHERE idempotent_shopping_trip_id = $1")
        .bind(key)
        .fetch_optional(pool)
        .await
}

/// Stores the purchase, its job and its alerts unless a purchase with the same
/// `idempotentShoppingTripId` exists. Concurrent calls converge: the unique index lets one
/// insert through, and the others find its row.
pub async fn insert_if_absent(
    pool: &sqlx::AnyPool,
    purchase: &NewPurchase,
    now_ms: i64,
) -> Result<Inserted, sqlx::Error> {
    let purchase_id = uuid::Uuid::now_v7().to_string();
    let mut tx = pool.begin().await?;
    let cart_json = serde_json::to_string(&purchase.cart).unwrap_or_default();
    let totals = purchase.cart.totals;
    let state = if purchase.charge_mode == ChargeMode::None {
        "unmatched"
    } else {
        "accepted"
    };

    let inserted = sqlx::query(
        "INSERT INTO purchases (purchase_id, idempotent_shopping_trip_id, request_id, store_id, trip_id, \
         shopper_id, match_method, charge_mode, request, priced_cart, currency, net_minor, tax_minor, \
         grand_minor, unpriced_count, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
         ON CONFLICT (idempotent_shopping_trip_id) DO NOTHING",
    )
    .bind(&purchase_id)
    .bind(&purchase.idempotent_shopping_trip_id)
    .bind(&purchase.request_id)
    .bind(&purchase.store_id)
    .bind(&purchase.trip_id)
    .bind(&purchase.shopper_id)
    .bind(purchase.match_method.as_str())
    .bind(purchase.charge_mode.as_str())
    .bind(purchase.request.to_string())
    .bind(cart_json)
    .bind(&purchase.cart.currency)
    .bind(totals.net_minor)
    .bind(totals.tax_minor)
    .bind(totals.grand_minor)
    .bind(i64::try_from(purchase.cart.unpriced.len()).unwrap_or(i64::MAX))
    .bind(state)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();

    if inserted == 0 {
        tx.rollback().await?;
        let existing = find_by_trip_key(pool, &purchase.idempotent_shopping_trip_id).await?;
        return existing
            .map(|purchase_id| Inserted::Existing { purchase_id })
            .ok_or(sqlx::Error::RowNotFound);
    }

    super::job::enqueue(&mut tx, "purchase", &purchase_id, None, now_ms).await?;
    if let Some(shopper_id) = &purchase.shopper_id {
        crate::offers::redeem(&mut tx, shopper_id, &purchase_id, &purchase.cart, now_ms).await?;
    }
    if let Some(trip_id) = &purchase.trip_id {
        super::trips::transition(
            &mut tx,
            trip_id,
            &[super::trips::TripState::Entered],
            super::trips::TripState::CartReceived,
            now_ms,
        )
        .await?;
    }
    for (reason, details) in &purchase.alerts {
        let payload = super::alert_payload(&purchase_id, purchase, reason, details);
        outbox::publish(&mut tx, None, super::RETAILER_ALERT, &payload, now_ms).await?;
    }
    tx.commit().await?;
    Ok(Inserted::New { purchase_id })
}

/// A stored purchase, as the job and the refund route read it.
#[derive(Debug, Clone)]
pub struct Purchase {
    pub purchase_id: String,
    pub idempotent_shopping_trip_id: String,
    pub store_id: String,
    pub trip_id: Option<String>,
    pub shopper_id: Option<String>,
    pub charge_mode: ChargeMode,
    pub cart: StoredCart,
    pub state: String,
    pub created_at: i64,
}

type PurchaseRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    i64,
);

/// Reads a purchase by id.
pub async fn load(
    pool: &sqlx::AnyPool,
    purchase_id: &str,
) -> Result<Option<Purchase>, sqlx::Error> {
    let row: Option<PurchaseRow> = sqlx::query_as(
        "SELECT purchase_id, idempotent_shopping_trip_id, store_id, trip_id, shopper_id, charge_mode, \
         priced_cart, state, created_at FROM purchases WHERE purchase_id = $1",
    )
    .bind(purchase_id)
    .fetch_optional(pool)
    .await?;
    let Some((purchase_id, key, store_id, trip_id, shopper_id, mode, cart, state, created_at)) =
        row
    else {
        return Ok(None);
    };
    let cart: StoredCart =
        serde_json::from_str(&cart).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
    Ok(Some(Purchase {
        purchase_id,
        idempotent_shopping_trip_id: key,
        store_id,
        trip_id,
        shopper_id,
        charge_mode: ChargeMode::parse(&mode),
        cart,
        state,
        created_at,
    }))
}

/// Sets the purchase state inside `tx`.
pub async fn set_state(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purchase_id: &str,
    state: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE purchases SET state = $1, updated_at = $2 WHERE purchase_id = $3")
        .bind(state)
        .bind(now_ms)
        .bind(purchase_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
