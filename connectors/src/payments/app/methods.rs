//! `/app/v1/payment-methods`: a shopper registers, lists, chooses and removes saved cards.
//!
//! Registration takes only a PSP token (`pm_…`). The service reads the card's brand, last 4
//! digits, expiry and fingerprint from the PSP itself rather than trusting the client. It attaches
//! the token to the shopper's PSP customer (created on first use) and stores it. The first card
//! becomes the default. A card id of another shopper answers 404 exactly like an unknown id.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{gateway_problem, rfc3339, shopper_record};
use crate::auth::app::Shopper;
use crate::payments::gateway::{CardDetails, GatewayError, IdempotencyKey, Outcome};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Body of `POST /app/v1/payment-methods`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterPaymentMethod {
    /// The PSP's payment method token from tokenization, e.g. `pm_…`.
    pub payment_method: String,
}

/// A saved card as the app shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodView {
    pub id: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub is_default: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// Stored columns of a card: (id, brand, last4, exp_month, exp_year, is_default, created_at).
type MethodRow = (String, String, String, i64, i64, i64, i64);

const SELECT_METHOD: &str =
    "SELECT id, brand, last4, exp_month, exp_year, is_default, created_at FROM payment_methods";

fn view(
    (id, brand, last4, exp_month, exp_year, is_default, created_at): MethodRow,
) -> PaymentMethodView {
    PaymentMethodView {
        id,
        brand,
        last4,
        exp_month,
        exp_year,
        is_default: is_default == 1,
        created_at: rfc3339(created_at),
    }
}

fn to_value(view: &PaymentMethodView) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

async fn find_method(state: &AppState, shopper_id: &str, id: &str) -> Result<MethodRow, Problem> {
    let row: Option<MethodRow> = sqlx::query_as(&format!(
        "{SELECT_METHOD} WHERE id = $1 AND shopper_id = $2 AND removed_at IS NULL"
    ))
    .bind(id)
    .bind(shopper_id)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    row.ok_or_else(|| {
        Problem::new(
            problem::NOT_FOUND,
            format!("no payment method {id} for this shopper"),
        )
    })
}

/// Registers a PSP token as a saved card.
#[utoipa::path(post, path = "/app/v1/payment-methods", tag = "app",
    request_body = RegisterPaymentMethod,
    params(("Idempotency-Key" = String, Header, description = "Unique per registration; reuse it on retries")),
    responses((status = 201, description = "Card saved", body = PaymentMethodView),
        (status = 200, description = "Card was already saved", body = PaymentMethodView),
        (status = 400, description = "Invalid body or token rejected by the PSP")))]
pub async fn register(
    shopper: Shopper,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let record = shopper_record(&state, &shopper).await?;
    let request: RegisterPaymentMethod = serde_json::from_slice(&body)
        .map_err(|_| Problem::invalid("expected a JSON body {\"payment_method\": \"pm_…\"}"))?;
    let mut fingerprint = b"POST /app/v1/payment-methods\n".to_vec();
    fingerprint.extend_from_slice(&body);
    let now = state.clock.now_ms();
    crate::idempotency::run(&state.db, now, &record.id, &headers, &fingerprint, async {
        register_token(&state, &record.id, &request.payment_method).await
    })
    .await
}

async fn register_token(
    state: &AppState,
    shopper_id: &str,
    token: &str,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let existing: Option<MethodRow> = sqlx::query_as(&format!(
        "{SELECT_METHOD} WHERE shopper_id = $1 AND psp_payment_method = $2 AND removed_at IS NULL"
    ))
    .bind(shopper_id)
    .bind(token)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    if let Some(row) = existing {
        return Ok((StatusCode::OK, Json(to_value(&view(row)))));
    }

    let card = approved(state.payments.retrieve_payment_method(token).await)?;
    let customer = customer_of(state, shopper_id).await?;
    if card
        .customer
        .as_ref()
        .is_some_and(|owner| *owner != customer)
    {
        return Err(rejected());
    }
    let key = IdempotencyKey::for_resource(token, "attach")
        .map_err(|_| Problem::invalid("payment_method is too long"))?;
    let card = approved(
        state
            .payments
            .attach_payment_method(token, &customer, &key)
            .await,
    )?;
    store(state, shopper_id, &customer, &card).await
}

/// Attempts of the card's insert before a write conflict becomes an internal error.
const STORE_ATTEMPTS: u32 = 5;

/// Stores the card, retrying the transaction when a concurrent registration of the same
/// shopper wins the write. The next attempt reads the winner's row and decides the default again.
async fn store(
    state: &AppState,
    shopper_id: &str,
    customer: &str,
    card: &CardDetails,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let mut attempt = 1;
    loop {
        match try_store(state, shopper_id, customer, card).await {
            Err(error) if attempt < STORE_ATTEMPTS && crate::db::is_retryable_conflict(&error) => {
                tracing::debug!(
                    shopper_id,
                    attempt,
                    "payment method insert conflicted; retrying"
                );
                tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                attempt += 1;
            }
            Err(error) => return Err(Problem::internal(&error)),
            Ok(response) => return Ok(response),
        }
    }
}

async fn try_store(
    state: &AppState,
    shopper_id: &str,
    customer: &str,
    card: &CardDetails,
) -> Result<(StatusCode, Json<Value>), sqlx::Error> {
    let now = state.clock.now_ms();
    let id = uuid::Uuid::now_v7().to_string();
    let mut tx = state.db.pool.begin().await?;
    let defaults: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM payment_methods WHERE shopper_id = $1 AND is_default = 1 AND removed_at IS NULL")
        .bind(shopper_id)
        .fetch_one(&mut *tx)
        .await
        ?;
    let is_default = i64::from(defaults == 0);
    sqlx::query(
        "INSERT INTO payment_methods (id, shopper_id, psp_payment_method, psp_customer, brand, last4, exp_month, exp_year, \
         fingerprint, is_default, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(shopper_id)
    .bind(&card.id)
    .bind(customer)
    .bind(&card.brand)
    .bind(&card.last4)
    .bind(card.exp_month)
    .bind(card.exp_year)
    .bind(&card.fingerprint)
    .bind(is_default)
    .bind(now)
    .execute(&mut *tx)
    .await
    ?;
    tx.commit().await?;
    tracing::info!(shopper_id, payment_method_id = %id, brand = %card.brand, "payment method registered");
    let row = (
        id,
        card.brand.clone(),
        card.last4.clone(),
        card.exp_month,
        card.exp_year,
        is_default,
        now,
    );
    Ok((StatusCode::CREATED, Json(to_value(&view(row)))))
}

fn rejected() -> Problem {
    Problem::new(
        problem::PAYMENT_METHOD_REJECTED,
        "the payment service provider rejected this payment method token",
    )
}

/// The approved value, with PSP failures as problems (an unknown token is the client's error).
fn approved<T>(result: Result<Outcome<T>, GatewayError>) -> Result<T, Problem> {
    match result {
        Ok(Outcome::Approved(value)) => Ok(value),
        Err(GatewayError::InvalidRequest(_)) => Err(rejected()),
        other => Err(gateway_problem(other.map(|outcome| outcome.map(|_| ())))),
    }
}

/// The shopper's PSP customer, created on first use with a key unique to the shopper, so
/// concurrent first registrations converge on one customer.
async fn customer_of(state: &AppState, shopper_id: &str) -> Result<String, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let select = "SELECT psp_customer FROM payment_customers WHERE shopper_id = $1";
    let found: Option<String> = sqlx::query_scalar(select)
        .bind(shopper_id)
        .fetch_optional(&state.db.pool)
        .await
        .map_err(internal)?;
    if let Some(customer) = found {
        return Ok(customer);
    }
    let key =
        IdempotencyKey::for_resource(shopper_id, "customer").map_err(|e| Problem::internal(&e))?;
    let customer = approved(state.payments.create_customer(shopper_id, &key).await)?;
    sqlx::query("INSERT INTO payment_customers (shopper_id, psp_customer, created_at) VALUES ($1, $2, $3) ON CONFLICT (shopper_id) DO NOTHING")
        .bind(shopper_id)
        .bind(&customer)
        .bind(state.clock.now_ms())
        .execute(&state.db.pool)
        .await
        .map_err(internal)?;
    sqlx::query_scalar(select)
        .bind(shopper_id)
        .fetch_one(&state.db.pool)
        .await
        .map_err(internal)
}

/// Lists the shopper's saved cards, newest first.
#[utoipa::path(get, path = "/app/v1/payment-methods", tag = "app",
    responses((status = 200, description = "The saved cards: {\"payment_methods\": [...]}", body = Vec<PaymentMethodView>)))]
pub async fn list(shopper: Shopper, State(state): State<AppState>) -> Result<Json<Value>, Problem> {
    let record = shopper_record(&state, &shopper).await?;
    let rows: Vec<MethodRow> = sqlx::query_as(&format!("{SELECT_METHOD} WHERE shopper_id = $1 AND removed_at IS NULL ORDER BY created_at DESC, id DESC"))
        .bind(&record.id)
        .fetch_all(&state.db.pool)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let methods: Vec<Value> = rows.into_iter().map(|row| to_value(&view(row))).collect();
    Ok(Json(json!({ "payment_methods": methods })))
}

/// Makes a saved card the default.
#[utoipa::path(post, path = "/app/v1/payment-methods/{id}/default", tag = "app",
    params(("id" = String, Path, description = "Payment method id")),
    responses((status = 200, description = "The new default card", body = PaymentMethodView), (status = 404, description = "No such card")))]
pub async fn set_default(
    shopper: Shopper,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let record = shopper_record(&state, &shopper).await?;
    let mut row = find_method(&state, &record.id, &id).await?;
    let mut tx = state.db.pool.begin().await.map_err(internal)?;
    sqlx::query("UPDATE payment_methods SET is_default = 0 WHERE shopper_id = $1 AND id <> $2")
        .bind(&record.id)
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    sqlx::query("UPDATE payment_methods SET is_default = 1 WHERE id = $1")
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    row.5 = 1;
    Ok(Json(to_value(&view(row))))
}

/// Removes a saved card; when it was the default, the newest remaining card becomes the default.
#[utoipa::path(delete, path = "/app/v1/payment-methods/{id}", tag = "app",
    params(("id" = String, Path, description = "Payment method id")),
    responses((status = 204, description = "Card removed"), (status = 404, description = "No such card")))]
pub async fn remove(
    shopper: Shopper,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let record = shopper_record(&state, &shopper).await?;
    let row = find_method(&state, &record.id, &id).await?;
    let mut tx = state.db.pool.begin().await.map_err(internal)?;
    sqlx::query("UPDATE payment_methods SET removed_at = $1, is_default = 0 WHERE id = $2")
        .bind(state.clock.now_ms())
        .bind(&id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    if row.5 == 1 {
        sqlx::query(
            "UPDATE payment_methods SET is_default = 1 WHERE id = (SELECT id FROM payment_methods \
             WHERE shopper_id = $1 AND removed_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1)",
        )
        .bind(&record.id)
        .execute(&mut *tx)
        .await
        .map_err(internal)?;
    }
    tx.commit().await.map_err(internal)?;
    // NOTE: the token stays attached to the PSP customer; detaching it at the PSP is not done yet.
    tracing::info!(shopper_id = %record.id, payment_method_id = %id, "payment method removed");
    Ok(StatusCode::NO_CONTENT)
}
