//! The `stripe` adapter: [`PaymentGateway`] over Stripe's HTTP API (PaymentIntents with manual
//! capture, confirmed off-session), against a configurable API base.
//!
//! The embedded sandbox speaks the same wire format, so the sandbox adapter is this adapter
//! pointed at `http://{listen}/psp/v1`: there is one code path for tests and production. Every
//! POST carries an idempotency key that retries reuse (see `client`). Increments are asked for
//! only where the hold's charge reports `incremental_authorization.status = available`, which is
//! why holds and increments expand `latest_charge`.

mod client;
pub mod errors;

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

pub use client::{Params, Reply, RetryPolicy, StripeClient};

use super::config::SecretString;
use super::gateway::{
    Authorization, AuthorizeRequest, Capture, CardDetails, GatewayError, GatewayResult,
    IdempotencyKey, Money, Outcome, PaymentGateway, Refund,
};
use client::path_id;
use errors::outcome_of;

/// A Stripe-compatible PSP reached over HTTP.
#[derive(Debug, Clone)]
pub struct StripeGateway {
    client: StripeClient,
}

impl StripeGateway {
    pub fn new(
        base: &str,
        secret_key: SecretString,
        policy: RetryPolicy,
    ) -> Result<StripeGateway, GatewayError> {
        let client = StripeClient::new(base, secret_key, policy).map_err(|error| {
            GatewayError::Configuration(format!("cannot build the HTTP client: {error}"))
        })?;
        Ok(StripeGateway { client })
    }

    /// Builds the adapter from `[payments]` and the listen address (for the sandbox default).
    pub fn from_config(config: &crate::config::Config) -> Result<StripeGateway, GatewayError> {
        let payments = &config.payments;
        let policy = RetryPolicy {
            attempt_timeout: Duration::from_millis(payments.request_timeout_ms.max(1)),
            max_retries: payments.max_retries,
            backoff: Duration::from_millis(payments.retry_backoff_ms),
        };
        Self::new(
            &payments.api_base(config.listen),
            payments.secret_key.clone(),
            policy,
        )
    }

    async fn create_intent(&self, request: &AuthorizeRequest, capture_method: &str) -> Reply {
        let mut params: Params = vec![
            ("amount".into(), request.amount.amount_minor.to_string()),
            (
                "currency".into(),
                request.amount.currency.to_ascii_lowercase(),
            ),
            ("payment_method".into(), request.payment_method.clone()),
            ("capture_method".into(), capture_method.into()),
            ("confirm".into(), "true".into()),
            ("off_session".into(), "true".into()),
            ("metadata[trip_id]".into(), request.trip_id.clone()),
            ("expand[]".into(), "latest_charge".into()),
        ];
        if let Some(customer) = &request.customer {
            params.push(("customer".into(), customer.clone()));
        }
        if capture_method == "manual" {
            params.push((
                "payment_method_options[card][request_incremental_authorization]".into(),
                "if_available".into(),
            ));
        }
        self.client
            .post(
                "/payment_intents",
                &params,
                request.idempotency_key.as_str(),
            )
            .await
    }
}

fn checked_id(id: &str) -> Result<&str, GatewayError> {
    path_id(id).ok_or_else(|| GatewayError::InvalidRequest(format!("invalid PSP id {id:?}")))
}

fn missing(field: &str) -> GatewayError {
    GatewayError::InvalidRequest(format!("the PSP answer has no valid {field}"))
}

fn str_field(body: &Value, field: &str) -> Result<String, GatewayError> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| missing(field))
}

fn int_field(body: &Value, field: &str) -> Result<i64, GatewayError> {
    body.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| missing(field))
}

fn money_field(body: &Value, field: &str) -> Result<Money, GatewayError> {
    Ok(Money::new(
        int_field(body, field)?,
        &str_field(body, "currency")?,
    ))
}

/// Maps a PaymentIntent's status where the call did not fail but did not complete either.
fn unfinished<T>(status: &str) -> Outcome<T> {
    match status {
        "requires_action" => Outcome::RequiresAction,
        "processing" => Outcome::RetryableFailure {
            reason: "the payment is still processing".to_owned(),
        },
        other => Outcome::Declined {
            category: super::gateway::DeclineCategory::Other,
            code: format!("unexpected_status_{other}"),
        },
    }
}

/// Reads a hold from a PaymentIntent whose `latest_charge` is expanded.
fn authorization_of(intent: &Value) -> Result<Outcome<Authorization>, GatewayError> {
    let status = str_field(intent, "status")?;
    if status != "requires_capture" {
        return Ok(unfinished(&status));
    }
    let card = intent
        .pointer("/latest_charge/payment_method_details/card")
        .unwrap_or(&Value::Null);
    let increment_available = card
        .pointer("/incremental_authorization/status")
        .and_then(Value::as_str)
        == Some("available");
    let expires_at_ms = card
        .get("capture_before")
        .and_then(Value::as_i64)
        .map(|secs| secs.saturating_mul(1000));
    Ok(Outcome::Approved(Authorization {
        id: str_field(intent, "id")?,
        amount: money_field(intent, "amount")?,
        increment_available,
        expires_at_ms,
    }))
}

fn capture_of(intent: &Value) -> Result<Outcome<Capture>, GatewayError> {
    let status = str_field(intent, "status")?;
    if status != "succeeded" {
        return Ok(unfinished(&status));
    }
    Ok(Outcome::Approved(Capture {
        payment_id: str_field(intent, "id")?,
        captured: money_field(intent, "amount_received")?,
    }))
}

fn card_of(method: &Value) -> Result<Outcome<CardDetails>, GatewayError> {
    let card = method.get("card").ok_or_else(|| missing("card"))?;
    Ok(Outcome::Approved(CardDetails {
        id: str_field(method, "id")?,
        customer: method
            .get("customer")
            .and_then(Value::as_str)
            .map(str::to_owned),
        brand: str_field(card, "brand")?,
        last4: str_field(card, "last4")?,
        exp_month: int_field(card, "exp_month")?,
        exp_year: int_field(card, "exp_year")?,
        fingerprint: card
            .get("fingerprint")
            .and_then(Value::as_str)
            .map(str::to_owned),
    }))
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn authorize(&self, request: AuthorizeRequest) -> GatewayResult<Authorization> {
        let reply = self.create_intent(&request, "manual").await;
        outcome_of(reply, authorization_of)
    }

    async fn increment(
        &self,
        authorization_id: &str,
        new_total: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Authorization> {
        let id = checked_id(authorization_id)?;
        let params: Params = vec![
            ("amount".into(), new_total.amount_minor.to_string()),
            ("expand[]".into(), "latest_charge".into()),
        ];
        let path = format!("/payment_intents/{id}/increment_authorization");
        outcome_of(
            self.client.post(&path, &params, key.as_str()).await,
            authorization_of,
        )
    }

    async fn capture(
        &self,
        authorization_id: &str,
        amount: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Capture> {
        let id = checked_id(authorization_id)?;
        let params: Params = vec![("amount_to_capture".into(), amount.amount_minor.to_string())];
        let path = format!("/payment_intents/{id}/capture");
        outcome_of(
            self.client.post(&path, &params, key.as_str()).await,
            capture_of,
        )
    }

    async fn charge(&self, request: AuthorizeRequest) -> GatewayResult<Capture> {
        let reply = self.create_intent(&request, "automatic").await;
        outcome_of(reply, capture_of)
    }

    async fn cancel(
        &self,
        authorization_id: &str,
        reason: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<()> {
        let id = checked_id(authorization_id)?;
        let params: Params = vec![("cancellation_reason".into(), reason.to_owned())];
        let path = format!("/payment_intents/{id}/cancel");
        outcome_of(
            self.client.post(&path, &params, key.as_str()).await,
            |intent| {
                Ok(match str_field(intent, "status")?.as_str() {
                    "canceled" => Outcome::Approved(()),
                    other => unfinished(other),
                })
            },
        )
    }

    async fn refund(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Refund> {
        let id = checked_id(payment_id)?;
        let params: Params = vec![
            ("payment_intent".into(), id.to_owned()),
            ("amount".into(), amount.amount_minor.to_string()),
        ];
        outcome_of(
            self.client.post("/refunds", &params, key.as_str()).await,
            |refund| {
                Ok(Outcome::Approved(Refund {
                    refund_id: str_field(refund, "id")?,
                    amount: money_field(refund, "amount")?,
                }))
            },
        )
    }

    async fn retrieve_payment_method(&self, payment_method: &str) -> GatewayResult<CardDetails> {
        let id = checked_id(payment_method)?;
        let reply = self
            .client
            .get(&format!("/payment_methods/{id}"), &Vec::new())
            .await;
        outcome_of(reply, card_of)
    }

    async fn create_customer(
        &self,
        shopper_ref: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<String> {
        let params: Params = vec![("metadata[shopper_id]".into(), shopper_ref.to_owned())];
        outcome_of(
            self.client.post("/customers", &params, key.as_str()).await,
            |customer| Ok(Outcome::Approved(str_field(customer, "id")?)),
        )
    }

    async fn attach_payment_method(
        &self,
        payment_method: &str,
        customer: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<CardDetails> {
        let id = checked_id(payment_method)?;
        let params: Params = vec![("customer".into(), customer.to_owned())];
        let path = format!("/payment_methods/{id}/attach");
        outcome_of(
            self.client.post(&path, &params, key.as_str()).await,
            card_of,
        )
    }
}
