//! Sandbox PaymentIntents: create (optionally confirming at once), retrieve and confirm.
//!
//! Confirmation plays the test card's script: a decline leaves the intent in
//! `requires_payment_method` and answers 402 with the intent in the error, as Stripe does; a
//! success puts a manual-capture intent in `requires_capture` with a hold that lapses after
//! `payments.sandbox_hold_hours`, and an automatic-capture intent in `succeeded`.

use axum::extract::{Path, RawQuery, State};

use super::cards::{Behaviour, brand_allows_increment};
use super::intent::{self, IntentRow};
use super::methods::{MethodRow, load_method};
use super::wire::{FormParams, StripeError, StripeResult, new_id};
use crate::payments::minimum::minimum_charge;
use crate::server::AppState;

/// Rejects an amount below Stripe's minimum charge with `amount_too_small`.
pub fn check_minimum(amount: i64, currency: &str, param: &str) -> Result<(), StripeError> {
    let minimum = minimum_charge(currency);
    if amount < minimum {
        return Err(StripeError::invalid(
            "amount_too_small",
            Some(param),
            format!("Amount must be at least {minimum} in the minor unit of {currency}."),
        ));
    }
    Ok(())
}

fn intent_from_params(state: &AppState, params: &FormParams) -> Result<IntentRow, StripeError> {
    let amount = params.integer("amount")?.ok_or_else(|| {
        StripeError::invalid(
            "parameter_missing",
            Some("amount"),
            "Missing required param: amount.",
        )
    })?;
    let currency = params.required("currency")?.to_ascii_lowercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(StripeError::invalid(
            "parameter_invalid_string",
            Some("currency"),
            "Invalid currency.",
        ));
    }
    check_minimum(amount, &currency.to_ascii_uppercase(), "amount")?;
    let capture_method = match params.get("capture_method").unwrap_or("automatic") {
        "manual" => "manual",
        "automatic" | "automatic_async" => "automatic",
        _ => {
            return Err(StripeError::invalid(
                "parameter_invalid_string",
                Some("capture_method"),
                "Invalid capture_method.",
            ));
        }
    };
    let incremental =
        match params.get("payment_method_options[card][request_incremental_authorization]") {
            Some("if_available") => Some("unavailable".to_owned()),
            None | Some("never") => None,
            Some(_) => {
                let param = "payment_method_options[card][request_incremental_authorization]";
                return Err(StripeError::invalid(
                    "parameter_invalid_string",
                    Some(param),
                    "Expected if_available or never.",
                ));
            }
        };
    let payment_method = params.get("payment_method").map(str::to_owned);
    Ok(IntentRow {
        id: new_id("pi"),
        charge_id: None,
        amount,
        amount_capturable: 0,
        amount_received: 0,
        amount_refunded: 0,
        currency,
        status: if payment_method.is_some() {
            "requires_confirmation"
        } else {
            "requires_payment_method"
        }
        .to_owned(),
        capture_method: capture_method.to_owned(),
        customer: params.get("customer").map(str::to_owned),
        payment_method,
        metadata: params.metadata(),
        incremental,
        increment_attempts: 0,
        capture_before: None,
        cancellation_reason: None,
        canceled_at: None,
        last_error: None,
        created_at: state.clock.now_secs(),
    })
}

/// `POST /psp/v1/payment_intents`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_intents", tag = "psp",
    responses((status = 200, description = "A PaymentIntent object"), (status = 402, description = "Card error")))]
pub async fn create_payment_intent(
    State(state): State<AppState>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let intent = intent_from_params(&state, &params)?;
    if let Some(customer) = &intent.customer {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM psp_customers WHERE id = $1")
                .bind(customer)
                .fetch_optional(&state.db.pool)
                .await?;
        if found.is_none() {
            return Err(StripeError::missing("customer", customer));
        }
    }
    if let Some(method) = &intent.payment_method
        && load_method(&state, method).await?.is_none()
    {
        return Err(StripeError::missing("payment_method", method));
    }
    intent::insert(&state, &intent).await?;

    let intent = if params.boolean("confirm")? {
        confirm(&state, intent, params.boolean("off_session")?).await?
    } else {
        intent
    };
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// `GET /psp/v1/payment_intents/{id}`.
#[utoipa::path(get, path = "/psp/v1/payment_intents/{id}", tag = "psp",
    params(("id" = String, Path, description = "PaymentIntent id")),
    responses((status = 200, description = "A PaymentIntent object"), (status = 404, description = "No such PaymentIntent")))]
pub async fn get_payment_intent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> StripeResult {
    let params = FormParams::parse(query.unwrap_or_default().as_bytes());
    let intent = intent::load(&state, &id).await?;
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// `POST /psp/v1/payment_intents/{id}/confirm`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_intents/{id}/confirm", tag = "psp",
    params(("id" = String, Path, description = "PaymentIntent id")),
    responses((status = 200, description = "The confirmed PaymentIntent"), (status = 402, description = "Card error")))]
pub async fn confirm_payment_intent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let mut intent = intent::load(&state, &id).await?;
    if !matches!(
        intent.status.as_str(),
        "requires_payment_method" | "requires_confirmation" | "requires_action"
    ) {
        return Err(unexpected_state(&state, &intent, "confirmed").await);
    }
    if let Some(method) = params.get("payment_method") {
        intent.payment_method = Some(method.to_owned());
    }
    let intent = confirm(&state, intent, params.boolean("off_session")?).await?;
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// The `payment_intent_unexpected_state` error for an operation the status does not allow.
pub async fn unexpected_state(
    state: &AppState,
    intent: &IntentRow,
    operation: &str,
) -> StripeError {
    let message = format!(
        "This PaymentIntent could not be {operation} because it has a status of {}.",
        intent.status
    );
    let error = StripeError::invalid("payment_intent_unexpected_state", None, message);
    match intent::to_json(state, intent, false).await {
        Ok(body) => error.with_payment_intent(body),
        Err(_) => error,
    }
}

/// Confirms `intent` with its payment method, playing the card's script.
async fn confirm(
    state: &AppState,
    mut intent: IntentRow,
    off_session: bool,
) -> Result<IntentRow, StripeError> {
    let Some(method_id) = intent.payment_method.clone() else {
        return Err(StripeError::invalid(
            "payment_intent_unexpected_state",
            Some("payment_method"),
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
        ));
    };
    let method = load_method(state, &method_id)
        .await?
        .ok_or_else(|| StripeError::missing("payment_method", &method_id))?;
    if method.customer.is_some() && method.customer != intent.customer {
        return Err(StripeError::invalid(
            "payment_method_unexpected_state",
            Some("customer"),
            "The provided PaymentMethod is attached to another customer; pass that customer.",
        ));
    }

    let previous = intent.status.clone();
    match decline_for(&method, &intent, off_session) {
        Some(error) if error.code.as_deref() == Some("authentication_required") && !off_session => {
            intent.status = "requires_action".to_owned();
        }
        Some(error) => {
            intent.status = "requires_payment_method".to_owned();
            intent.last_error = Some(error.body()["error"].clone());
            intent::save(state, &intent, &previous).await?;
            tracing::info!(payment_intent = %intent.id, code = ?error.decline_code, "sandbox declined a confirmation");
            let body = intent::to_json(state, &intent, false).await?;
            return Err(error.with_payment_intent(body));
        }
        None => approve(state, &mut intent, &method),
    }
    intent.last_error = None;
    intent::save(state, &intent, &previous).await?;
    if intent.status == "succeeded" {
        record_capture(
            &state.db.pool,
            &intent.id,
            intent.amount_received,
            state.clock.now_secs(),
        )
        .await?;
    }
    Ok(intent)
}

/// The card error a confirmation ends in, or `None` for an approval.
fn decline_for(method: &MethodRow, intent: &IntentRow, off_session: bool) -> Option<StripeError> {
    let declined =
        |code: &str, message: &str| StripeError::card("card_declined", Some(code), message);
    match method.behaviour {
        Behaviour::Declines(code) => Some(declined(code, "Your card was declined.")),
        Behaviour::AttachThenDecline => {
            Some(declined("generic_decline", "Your card was declined."))
        }
        Behaviour::Fails(code) => Some(StripeError::card(
            code,
            Some(code),
            "Your card was declined.",
        )),
        Behaviour::AuthenticationRequired => Some(StripeError::card(
            "authentication_required",
            Some("authentication_required"),
            if off_session {
                "Your card was declined. This transaction requires authentication."
            } else {
                "This payment requires authentication."
            },
        )),
        Behaviour::ChargeDeclines if intent.capture_method == "automatic" => Some(declined(
            "insufficient_funds",
            "Your card has insufficient funds.",
        )),
        _ => None,
    }
}

fn approve(state: &AppState, intent: &mut IntentRow, method: &MethodRow) {
    intent.charge_id = Some(new_id("ch"));
    if intent.capture_method == "manual" {
        let hold_secs = i64::try_from(
            state
                .config
                .payments
                .sandbox_hold_hours
                .saturating_mul(3600),
        )
        .unwrap_or(i64::MAX);
        intent.status = "requires_capture".to_owned();
        intent.amount_capturable = intent.amount;
        intent.capture_before = Some(state.clock.now_secs().saturating_add(hold_secs));
        if intent.incremental.is_some() {
            let available = brand_allows_increment(&method.brand)
                && !matches!(
                    method.behaviour,
                    Behaviour::NoIncrement | Behaviour::ChargeDeclines
                );
            intent.incremental = Some(
                if available {
                    "available"
                } else {
                    "unavailable"
                }
                .to_owned(),
            );
        }
    } else {
        intent.status = "succeeded".to_owned();
        intent.amount_received = intent.amount;
    }
}

/// Records one capture, so tests can count how often money was actually taken.
pub async fn record_capture<'e, E>(
    executor: E,
    intent_id: &str,
    amount: i64,
    now_secs: i64,
) -> Result<(), StripeError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO psp_captures (id, payment_intent, amount, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(new_id("cap"))
    .bind(intent_id)
    .bind(amount)
    .bind(now_secs)
    .execute(executor)
    .await?;
    Ok(())
}
