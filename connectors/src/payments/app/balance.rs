//! `/app/v1/balance`: what the shopper owes after failed charges, and paying it.
//!
//! Paying charges each trip's outstanding amount off-session on the shopper's current default
//! card, with the key `<trip id>:balance-<n>`; `n` grows only after the PSP decided, so a retry
//! after a network failure reuses the key and cannot charge twice.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::{gateway_problem, shopper_record};
use crate::auth::app::Shopper;
use crate::payments::gateway::Outcome;
use crate::payments::settle::charge;
use crate::payments::trip::{self, TripPayment, TripPaymentState};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Money on the wire.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoneyView {
    pub amount_minor: i64,
    pub currency: String,
}

/// Body of `GET /app/v1/balance`; `outstanding` has the same shape in the answer of
/// `POST /app/v1/balance/pay`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BalanceView {
    pub outstanding: MoneyView,
}

async fn owing_trips(state: &AppState, shopper_id: &str) -> Result<Vec<TripPayment>, Problem> {
    trip::load_where(
        &state.db,
        "shopper_id = $1 AND outstanding_minor > $2",
        shopper_id,
        0,
    )
    .await
    .map_err(|e| Problem::internal(&e))
}

/// The outstanding amount and its currency (the default currency when nothing is owed).
fn total_of(state: &AppState, trips: &[TripPayment]) -> (i64, String) {
    let currency = trips.last().map_or_else(
        || state.config.payments.default_currency.to_ascii_uppercase(),
        |t| t.currency.clone(),
    );
    // NOTE: balances in several currencies are summed as one; a shopper who owes in two
    // currencies sees a wrong figure here, though paying still charges each trip correctly.
    let amount = trips.iter().map(|t| t.outstanding_minor).sum();
    (amount, currency)
}

/// The shopper's outstanding balance.
#[utoipa::path(get, path = "/app/v1/balance", tag = "app",
    responses((status = 200, description = "Outstanding amount", body = BalanceView)))]
pub async fn get_balance(
    shopper: Shopper,
    State(state): State<AppState>,
) -> Result<Json<Value>, Problem> {
    let record = shopper_record(&state, &shopper).await?;
    let (amount_minor, currency) = total_of(&state, &owing_trips(&state, &record.id).await?);
    Ok(Json(json!({
        "outstanding": { "amount_minor": amount_minor, "currency": currency },
    })))
}

/// Retries the failed charges on the default card.
#[utoipa::path(post, path = "/app/v1/balance/pay", tag = "app",
    params(("Idempotency-Key" = String, Header, description = "Unique per payment attempt; reuse it on retries")),
    responses((status = 200, description = "Paid: {\"paid\": Money, \"outstanding\": Money}"),
        (status = 402, description = "The card was declined"),
        (status = 409, description = "No default payment method")))]
pub async fn pay_balance(
    shopper: Shopper,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let record = shopper_record(&state, &shopper).await?;
    let fingerprint = b"POST /app/v1/balance/pay".to_vec();
    let now = state.clock.now_ms();
    crate::idempotency::run(&state.db, now, &record.id, &headers, &fingerprint, async {
        pay(&state, &record.id).await
    })
    .await
}

async fn pay(state: &AppState, shopper_id: &str) -> Result<(StatusCode, Json<Value>), Problem> {
    let card: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT id, psp_payment_method, psp_customer FROM payment_methods \
         WHERE shopper_id = $1 AND is_default = 1 AND removed_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(shopper_id)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let Some((method_id, psp_method, psp_customer)) = card else {
        return Err(Problem::new(
            problem::PAYMENT_METHOD_REQUIRED,
            "the shopper has no default payment method to charge",
        ));
    };

    let trips = owing_trips(state, shopper_id).await?;
    let (_, currency) = total_of(state, &trips);
    let mut paid = 0;
    for owing in trips {
        let round = owing.balance_attempts + 1;
        let mut on_card = owing.clone();
        on_card.payment_method_id = method_id.clone();
        on_card.psp_payment_method = psp_method.clone();
        on_card.psp_customer = psp_customer.clone();
        let outcome = charge(
            state,
            &on_card,
            owing.outstanding_minor,
            &format!("balance-{round}"),
        )
        .await
        .map_err(|e| Problem::internal(&e))?;
        let now = state.clock.now_ms();
        match outcome {
            Outcome::Approved(capture) => {
                let amount = capture.captured.amount_minor;
                trip::transition(&state.db, &owing, TripPaymentState::Captured, now, |t| {
                    t.charged_minor += amount;
                    t.outstanding_minor = 0;
                    t.balance_attempts = round;
                    t.failure_code = None;
                })
                .await
                .map_err(|e| Problem::internal(&e))?;
                paid += amount;
            }
            Outcome::Declined { .. } | Outcome::RequiresAction => {
                let code = match &outcome {
                    Outcome::Declined { code, .. } => code.clone(),
                    _ => "authentication_required".to_owned(),
                };
                trip::update(&state.db, &owing, now, |t| {
                    t.balance_attempts = round;
                    t.failure_code = Some(code);
                })
                .await
                .map_err(|e| Problem::internal(&e))?;
                return Err(gateway_problem(Ok(outcome.map(|_| ()))));
            }
            Outcome::RetryableFailure { .. } => {
                return Err(gateway_problem(Ok(outcome.map(|_| ()))));
            }
        }
    }

    let (outstanding, _) = total_of(state, &owing_trips(state, shopper_id).await?);
    tracing::info!(shopper_id, paid, outstanding, "outstanding balance paid");
    Ok((
        StatusCode::OK,
        Json(json!({
            "paid": { "amount_minor": paid, "currency": currency },
            "outstanding": { "amount_minor": outstanding, "currency": currency },
        })),
    ))
}
