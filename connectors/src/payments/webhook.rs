//! `POST /psp/webhooks/stripe`: PSP events signed with `Stripe-Signature`.
//!
//! The header is `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`; a signature is the HMAC-SHA256 of
//! `"{t}.{raw body}"` with the webhook secret. The request is accepted when any `v1` value
//! matches (compared in constant time) and `t` is within 300 seconds of the service clock.
//! Each event id is recorded once, so a redelivery gets a 200 without a second effect. A
//! `payment_intent.canceled` event with `cancellation_reason = automatic` marks the trip's hold
//! as expired.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::trip::{self, TripPaymentState};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Accepted distance between the signature's timestamp and the service clock.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a signature was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("the Stripe-Signature timestamp is outside the accepted window of 300 seconds")]
    Stale,
    #[error("no v1 signature in Stripe-Signature matches the body")]
    Mismatch,
}

/// Computes the `v1` signature of `body` at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(format!("{timestamp}.").as_bytes());
    context.update(body);
    hex::encode(context.sign().as_ref())
}

/// Checks a `Stripe-Signature` header against `body` at `now_secs`.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now_secs: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now_secs - timestamp).abs() > TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }

    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    let matched = signatures.iter().any(|candidate| {
        hex::decode(candidate).is_ok_and(|tag| ring::hmac::verify(&key, &message, &tag).is_ok())
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Receives one PSP event.
#[utoipa::path(post, path = "/psp/webhooks/stripe", tag = "psp",
    request_body(content = String, content_type = "application/json", description = "A Stripe event, signed with Stripe-Signature"),
    responses((status = 200, description = "Event recorded (or already recorded)"), (status = 400, description = "Bad signature or body")))]
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, Problem> {
    let header = headers
        .get("stripe-signature")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let secret = state.config.payments.webhook_secret.expose();
    if let Err(error) = verify(secret, header, &body, state.clock.now_secs()) {
        tracing::info!(reason = %error, "webhook rejected");
        return Err(Problem::new(
            problem::INVALID_WEBHOOK_SIGNATURE,
            error.to_string(),
        ));
    }

    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| Problem::invalid("the webhook body is not a JSON event"))?;
    let (Some(id), Some(event_type)) = (
        event.get("id").and_then(Value::as_str),
        event.get("type").and_then(Value::as_str),
    ) else {
        return Err(Problem::invalid("the webhook event has no id or type"));
    };
    let inserted = sqlx::query(
        "INSERT INTO psp_webhook_events (id, event_type, payload, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(event_type)
    .bind(String::from_utf8_lossy(&body).into_owned())
    .bind(state.clock.now_ms())
    .execute(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?
    .rows_affected();
    if inserted == 0 {
        tracing::info!(event_id = id, "duplicate webhook event ignored");
        return Ok(axum::Json(json!({"received": true, "duplicate": true})));
    }

    tracing::info!(event_id = id, event_type, "webhook event recorded");
    if event_type == "payment_intent.canceled" {
        mark_expired(&state, &event).await;
    }
    Ok(axum::Json(json!({"received": true, "duplicate": false})))
}

async fn mark_expired(state: &AppState, event: &Value) {
    let Some(intent) = event.pointer("/data/object") else {
        return;
    };
    let automatic = intent.get("cancellation_reason").and_then(Value::as_str) == Some("automatic");
    let Some(trip_id) = intent.pointer("/metadata/trip_id").and_then(Value::as_str) else {
        return;
    };
    if !automatic {
        return;
    }
    let Ok(Some(trip)) = trip::load(&state.db, trip_id).await else {
        return;
    };
    let same_hold = trip.authorization_id.as_deref() == intent.get("id").and_then(Value::as_str);
    if same_hold && trip.status.has_live_hold() {
        let result = trip::transition(
            &state.db,
            &trip,
            TripPaymentState::Expired,
            state.clock.now_ms(),
            |_| {},
        )
        .await;
        if let Err(error) = result {
            tracing::warn!(trip_id, %error, "cannot mark the hold as expired");
        }
    }
}
