//! Sandbox PaymentIntents as stored rows: loading, saving with a status check, the automatic
//! cancellation of lapsed holds, and the JSON shape of Stripe's PaymentIntent and Charge objects.
//!
//! A hold lapses `payments.sandbox_hold_hours` after it was placed (Stripe: 7 days for online
//! card holds), measured on the service clock. Lapsing is applied whenever an intent is read,
//! so an expired uncaptured intent reads as `canceled` with `cancellation_reason = automatic`
//! and a later capture fails.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;

use super::methods::load_method;
use super::wire::StripeError;
use crate::server::AppState;

/// One stored PaymentIntent and its single charge.
#[derive(Debug, Clone)]
pub struct IntentRow {
    pub id: String,
    pub charge_id: Option<String>,
    pub amount: i64,
    pub amount_capturable: i64,
    pub amount_received: i64,
    pub amount_refunded: i64,
    pub currency: String,
    pub status: String,
    pub capture_method: String,
    pub customer: Option<String>,
    pub payment_method: Option<String>,
    pub metadata: Value,
    pub incremental: Option<String>,
    pub increment_attempts: i64,
    pub capture_before: Option<i64>,
    pub cancellation_reason: Option<String>,
    pub canceled_at: Option<i64>,
    pub last_error: Option<Value>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, charge_id, amount, amount_capturable, amount_received, amount_refunded, currency, status, \
    capture_method, customer, payment_method, metadata, incremental, increment_attempts, capture_before, \
    cancellation_reason, canceled_at, last_error, created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<IntentRow, sqlx::Error> {
    let metadata: String = row.try_get("metadata")?;
    let last_error: Option<String> = row.try_get("last_error")?;
    Ok(IntentRow {
        id: row.try_get("id")?,
        charge_id: row.try_get("charge_id")?,
        amount: row.try_get("amount")?,
        amount_capturable: row.try_get("amount_capturable")?,
        amount_received: row.try_get("amount_received")?,
        amount_refunded: row.try_get("amount_refunded")?,
        currency: row.try_get("currency")?,
        status: row.try_get("status")?,
        capture_method: row.try_get("capture_method")?,
        customer: row.try_get("customer")?,
        payment_method: row.try_get("payment_method")?,
        metadata: serde_json::from_str(&metadata).unwrap_or_else(|_| json!({})),
        incremental: row.try_get("incremental")?,
        increment_attempts: row.try_get("increment_attempts")?,
        capture_before: row.try_get("capture_before")?,
        cancellation_reason: row.try_get("cancellation_reason")?,
        canceled_at: row.try_get("canceled_at")?,
        last_error: last_error.and_then(|text| serde_json::from_str(&text).ok()),
        created_at: row.try_get("created_at")?,
    })
}

/// Loads an intent, applying automatic cancellation if its hold has lapsed.
pub async fn load(state: &AppState, id: &str) -> Result<IntentRow, StripeError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM psp_payment_intents WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(|| StripeError::missing("payment_intent", id))?;
    let intent = from_row(&row)?;
    expire_if_due(state, intent).await
}

async fn expire_if_due(state: &AppState, mut intent: IntentRow) -> Result<IntentRow, StripeError> {
    let lapsed =
        matches!(intent.capture_before, Some(deadline) if deadline <= state.clock.now_secs());
    if intent.status != "requires_capture" || !lapsed {
        return Ok(intent);
    }
    let previous = intent.status.clone();
    intent.status = "canceled".to_owned();
    intent.cancellation_reason = Some("automatic".to_owned());
    intent.canceled_at = intent.capture_before;
    intent.amount_capturable = 0;
    save(state, &intent, &previous).await?;
    tracing::info!(payment_intent = %intent.id, "sandbox hold lapsed and was canceled automatically");
    Ok(intent)
}

pub async fn insert(state: &AppState, intent: &IntentRow) -> Result<(), StripeError> {
    sqlx::query(
        "INSERT INTO psp_payment_intents (id, amount, amount_capturable, amount_received, amount_refunded, currency, \
         status, capture_method, customer, payment_method, metadata, incremental, increment_attempts, created_at) \
         VALUES ($1, $2, 0, 0, 0, $3, $4, $5, $6, $7, $8, $9, 0, $10)",
    )
    .bind(&intent.id)
    .bind(intent.amount)
    .bind(&intent.currency)
    .bind(&intent.status)
    .bind(&intent.capture_method)
    .bind(&intent.customer)
    .bind(&intent.payment_method)
    .bind(intent.metadata.to_string())
    .bind(&intent.incremental)
    .bind(intent.created_at)
    .execute(&state.db.pool)
    .await?;
    Ok(())
}

/// Writes every mutable field, provided the stored status is still `expected_status`.
pub async fn save(
    state: &AppState,
    intent: &IntentRow,
    expected_status: &str,
) -> Result<(), StripeError> {
    save_in(&state.db.pool, intent, expected_status).await
}

/// [`save`] on any executor, so a capture can save inside its transaction.
pub async fn save_in<'e, E>(
    executor: E,
    intent: &IntentRow,
    expected_status: &str,
) -> Result<(), StripeError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let updated = sqlx::query(
        "UPDATE psp_payment_intents SET charge_id = $1, amount = $2, amount_capturable = $3, amount_received = $4, \
         amount_refunded = $5, status = $6, payment_method = $7, incremental = $8, increment_attempts = $9, \
         capture_before = $10, cancellation_reason = $11, canceled_at = $12, last_error = $13 \
         WHERE id = $14 AND status = $15",
    )
    .bind(&intent.charge_id)
    .bind(intent.amount)
    .bind(intent.amount_capturable)
    .bind(intent.amount_received)
    .bind(intent.amount_refunded)
    .bind(&intent.status)
    .bind(&intent.payment_method)
    .bind(&intent.incremental)
    .bind(intent.increment_attempts)
    .bind(intent.capture_before)
    .bind(&intent.cancellation_reason)
    .bind(intent.canceled_at)
    .bind(intent.last_error.as_ref().map(Value::to_string))
    .bind(&intent.id)
    .bind(expected_status)
    .execute(executor)
    .await?
    .rows_affected();
    if updated == 0 {
        let mut error = StripeError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "invalid_request_error",
            "This object cannot be accessed right now because another API request is currently accessing it.",
        );
        error.code = Some("lock_timeout".to_owned());
        return Err(error);
    }
    Ok(())
}

/// The PaymentIntent object; `expand_charge` embeds the charge as `latest_charge`.
pub async fn to_json(
    state: &AppState,
    intent: &IntentRow,
    expand_charge: bool,
) -> Result<Value, StripeError> {
    let latest_charge = match (&intent.charge_id, expand_charge) {
        (Some(charge_id), true) => charge_json(state, intent, charge_id).await?,
        (Some(charge_id), false) => json!(charge_id),
        (None, _) => Value::Null,
    };
    let next_action =
        (intent.status == "requires_action").then(|| json!({"type": "use_stripe_sdk"}));
    let requested = intent.incremental.as_ref().map(|_| "if_available");
    Ok(json!({
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "amount_capturable": intent.amount_capturable,
        "amount_received": intent.amount_received,
        "currency": intent.currency,
        "status": intent.status,
        "capture_method": intent.capture_method,
        "confirmation_method": "automatic",
        "customer": intent.customer,
        "payment_method": intent.payment_method,
        "payment_method_types": ["card"],
        "payment_method_options": {"card": {"request_incremental_authorization": requested}},
        "metadata": intent.metadata,
        "cancellation_reason": intent.cancellation_reason,
        "canceled_at": intent.canceled_at,
        "created": intent.created_at,
        "livemode": false,
        "last_payment_error": intent.last_error,
        "latest_charge": latest_charge,
        "next_action": next_action,
    }))
}

async fn charge_json(
    state: &AppState,
    intent: &IntentRow,
    charge_id: &str,
) -> Result<Value, StripeError> {
    let method = match &intent.payment_method {
        Some(id) => load_method(state, id).await?,
        None => None,
    };
    let card = method.map(|method| {
        json!({
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
            "fingerprint": method.fingerprint,
            "funding": method.funding,
            "capture_before": intent.capture_before,
            "incremental_authorization": {"status": intent.incremental.as_deref().unwrap_or("unavailable")},
        })
    });
    Ok(json!({
        "id": charge_id,
        "object": "charge",
        "amount": intent.amount,
        "amount_captured": intent.amount_received,
        "amount_refunded": intent.amount_refunded,
        "captured": intent.amount_received > 0,
        "refunded": intent.amount_refunded > 0 && intent.amount_refunded >= intent.amount_received,
        "currency": intent.currency,
        "customer": intent.customer,
        "payment_intent": intent.id,
        "payment_method": intent.payment_method,
        "status": "succeeded",
        "paid": true,
        "payment_method_details": {"type": "card", "card": card},
    }))
}
