//! Sandbox operations on a confirmed PaymentIntent: capture (a partial capture releases the
//! rest), cancel (releases the hold), increment_authorization (raises the hold to a new total),
//! and refunds of captured payments.

use axum::extract::{Path, State};
use serde_json::json;

use super::cards::Behaviour;
use super::intent;
use super::intents::{check_minimum, record_capture, unexpected_state};
use super::methods::load_method;
use super::wire::{FormParams, StripeError, StripeResult, new_id};
use crate::server::AppState;

/// Stripe allows at most this many increment attempts per PaymentIntent, declines included.
const MAX_INCREMENT_ATTEMPTS: i64 = 10;

const CANCELLATION_REASONS: &[&str] = &[
    "duplicate",
    "fraudulent",
    "requested_by_customer",
    "abandoned",
];

/// `POST /psp/v1/payment_intents/{id}/capture`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_intents/{id}/capture", tag = "psp",
    params(("id" = String, Path, description = "PaymentIntent id")),
    responses((status = 200, description = "The captured PaymentIntent"), (status = 400, description = "Not capturable")))]
pub async fn capture_payment_intent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let mut intent = intent::load(&state, &id).await?;
    if intent.status != "requires_capture" {
        return Err(unexpected_state(&state, &intent, "captured").await);
    }
    let amount = params
        .integer("amount_to_capture")?
        .unwrap_or(intent.amount_capturable);
    if amount > intent.amount_capturable {
        return Err(StripeError::invalid(
            "amount_too_large",
            Some("amount_to_capture"),
            "The amount to capture is greater than the amount capturable.",
        ));
    }
    // NOTE: the sandbox applies the minimum charge to partial captures too; whether Stripe
    // accepts a capture below its minimum is not checked here.
    check_minimum(
        amount,
        &intent.currency.to_ascii_uppercase(),
        "amount_to_capture",
    )?;

    intent.status = "succeeded".to_owned();
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    let mut tx = state.db.pool.begin().await?;
    intent::save_in(&mut *tx, &intent, "requires_capture").await?;
    record_capture(&mut *tx, &intent.id, amount, state.clock.now_secs()).await?;
    tx.commit().await?;
    tracing::info!(payment_intent = %intent.id, amount, "sandbox captured a payment");
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// `POST /psp/v1/payment_intents/{id}/cancel`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_intents/{id}/cancel", tag = "psp",
    params(("id" = String, Path, description = "PaymentIntent id")),
    responses((status = 200, description = "The canceled PaymentIntent"), (status = 400, description = "Not cancelable")))]
pub async fn cancel_payment_intent(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let reason = params.get("cancellation_reason");
    if let Some(reason) = reason
        && !CANCELLATION_REASONS.contains(&reason)
    {
        return Err(StripeError::invalid(
            "parameter_invalid_string",
            Some("cancellation_reason"),
            "cancellation_reason must be one of duplicate, fraudulent, requested_by_customer, abandoned.",
        ));
    }
    let mut intent = intent::load(&state, &id).await?;
    let cancelable = [
        "requires_payment_method",
        "requires_capture",
        "requires_confirmation",
        "requires_action",
    ];
    if !cancelable.contains(&intent.status.as_str()) {
        return Err(unexpected_state(&state, &intent, "canceled").await);
    }
    let previous = intent.status.clone();
    intent.status = "canceled".to_owned();
    intent.cancellation_reason = reason.map(str::to_owned);
    intent.canceled_at = Some(state.clock.now_secs());
    intent.amount_capturable = 0;
    intent::save(&state, &intent, &previous).await?;
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// `POST /psp/v1/payment_intents/{id}/increment_authorization`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/payment_intents/{id}/increment_authorization", tag = "psp",
    params(("id" = String, Path, description = "PaymentIntent id")),
    responses((status = 200, description = "The PaymentIntent with the new amount"), (status = 402, description = "Increment declined")))]
pub async fn increment_authorization(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> StripeResult {
    let params = FormParams::parse(&body);
    let amount = params.integer("amount")?.ok_or_else(|| {
        StripeError::invalid(
            "parameter_missing",
            Some("amount"),
            "Missing required param: amount.",
        )
    })?;
    let mut intent = intent::load(&state, &id).await?;
    if intent.status != "requires_capture" {
        return Err(unexpected_state(&state, &intent, "incremented").await);
    }
    if intent.incremental.as_deref() != Some("available") {
        // The code is the sandbox's own: Stripe's exact code for this case is not checked here.
        return Err(StripeError::invalid(
            "incremental_authorization_unavailable",
            None,
            "Incremental authorization is not available for this PaymentIntent.",
        ));
    }
    if amount <= intent.amount {
        return Err(StripeError::invalid(
            "amount_too_small",
            Some("amount"),
            "The new amount must be greater than the authorized amount.",
        ));
    }
    if intent.increment_attempts >= MAX_INCREMENT_ATTEMPTS {
        return Err(StripeError::invalid(
            "incremental_authorization_limit_exceeded",
            None,
            "This PaymentIntent has reached the limit of 10 increment attempts.",
        ));
    }

    let behaviour = match &intent.payment_method {
        Some(method) => load_method(&state, method).await?.map(|m| m.behaviour),
        None => None,
    };
    intent.increment_attempts += 1;
    if behaviour == Some(Behaviour::IncrementDeclines) {
        intent::save(&state, &intent, "requires_capture").await?;
        let error = StripeError::card(
            "card_declined",
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        );
        let body = intent::to_json(&state, &intent, false).await?;
        return Err(error.with_payment_intent(body));
    }
    intent.amount = amount;
    intent.amount_capturable = amount;
    intent::save(&state, &intent, "requires_capture").await?;
    Ok(axum::Json(
        intent::to_json(&state, &intent, params.expands("latest_charge")).await?,
    ))
}

/// `POST /psp/v1/refunds`.
#[utoipa::path(post, request_body(content = String, content_type = "application/x-www-form-urlencoded"), path = "/psp/v1/refunds", tag = "psp",
    responses((status = 200, description = "A refund object"), (status = 400, description = "Not refundable")))]
pub async fn create_refund(State(state): State<AppState>, body: axum::body::Bytes) -> StripeResult {
    let params = FormParams::parse(&body);
    let intent_id = params.required("payment_intent")?.to_owned();
    let mut intent = intent::load(&state, &intent_id).await?;
    if intent.status != "succeeded" {
        return Err(StripeError::invalid(
            "charge_not_refundable",
            Some("payment_intent"),
            "This PaymentIntent has no captured payment to refund.",
        ));
    }
    let remaining = intent.amount_received - intent.amount_refunded;
    let amount = params.integer("amount")?.unwrap_or(remaining);
    if amount <= 0 || amount > remaining {
        return Err(StripeError::invalid(
            "amount_too_large",
            Some("amount"),
            format!(
                "Refund amount must be between 1 and {remaining}, the amount not yet refunded."
            ),
        ));
    }

    let id = new_id("re");
    let created = state.clock.now_secs();
    intent.amount_refunded += amount;
    let mut tx = state.db.pool.begin().await?;
    intent::save_in(&mut *tx, &intent, "succeeded").await?;
    sqlx::query("INSERT INTO psp_refunds (id, payment_intent, amount, currency, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(&intent.id)
        .bind(amount)
        .bind(&intent.currency)
        .bind(created)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(axum::Json(json!({
        "id": id, "object": "refund", "amount": amount, "currency": intent.currency,
        "payment_intent": intent.id, "charge": intent.charge_id, "status": "succeeded", "created": created
    })))
}
