//! The payment service provider (PSP) seen by the rest of the service.
//!
//! The money flow of a checkout-free trip: an authorization (hold) at the gate, optionally
//! incremented when the cart exceeds it, then one capture of the final amount (a partial capture
//! releases the rest) or a cancel for an empty cart, and refunds afterwards. Every call carries
//! an idempotency key derived from the trip and the operation, reused on every retry, so a retry
//! after a timeout that had in fact succeeded has no second effect at the PSP.

use async_trait::async_trait;

/// An amount in minor units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: String,
}

impl Money {
    pub fn new(amount_minor: i64, currency: &str) -> Money {
        Money {
            amount_minor,
            currency: currency.to_ascii_uppercase(),
        }
    }
}

/// An idempotency key of at most 64 characters: `<trip id>:<operation>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LEN: usize = 64;

    /// Derives the key for `operation` (such as `hold`, `capture`, `refund-2`) on a trip. A
    /// trip id is a UUID (36 characters), so operations up to 27 characters fit.
    pub fn for_trip(trip_id: &str, operation: &str) -> Result<IdempotencyKey, GatewayError> {
        let key = format!("{trip_id}:{operation}");
        if key.len() > Self::MAX_LEN {
            return Err(GatewayError::InvalidRequest(format!(
                "idempotency key for operation {operation:?} is {} characters; the maximum is {}",
                key.len(),
                Self::MAX_LEN
            )));
        }
        Ok(IdempotencyKey(key))
    }

    /// Derives the key for `operation` on another resource (a shopper, a payment method),
    /// with the same form and length limit as [`IdempotencyKey::for_trip`].
    pub fn for_resource(
        resource_id: &str,
        operation: &str,
    ) -> Result<IdempotencyKey, GatewayError> {
        Self::for_trip(resource_id, operation)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a PSP declined, grouped for the decisions the service makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineCategory {
    InsufficientFunds,
    CardExpired,
    IncorrectCard,
    Fraud,
    DoNotHonor,
    AuthorizationExpired,
    Other,
}

/// The typed outcome of a gateway call.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    Approved(T),
    /// The PSP declined. `code` is the PSP's own decline code, kept for reports.
    Declined {
        category: DeclineCategory,
        code: String,
    },
    /// The issuer needs the shopper present (for example 3-D Secure); an off-session
    /// checkout-free charge cannot complete it.
    RequiresAction,
    /// A network failure, a timeout or a PSP error worth retrying with the same key.
    RetryableFailure {
        reason: String,
    },
}

impl<T> Outcome<T> {
    /// Converts the approved value, keeping every other outcome as it is.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Approved(value) => Outcome::Approved(f(value)),
            Outcome::Declined { category, code } => Outcome::Declined { category, code },
            Outcome::RequiresAction => Outcome::RequiresAction,
            Outcome::RetryableFailure { reason } => Outcome::RetryableFailure { reason },
        }
    }
}

/// What the PSP reports about a tokenized card: display data only, never the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDetails {
    /// The PSP's payment method token.
    pub id: String,
    /// The PSP customer the card is attached to, if any.
    pub customer: Option<String>,
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
    pub fingerprint: Option<String>,
}

/// A hold placed on the shopper's card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The PSP's id of the authorization (a PaymentIntent id for Stripe).
    pub id: String,
    pub amount: Money,
    /// Whether the PSP allows raising this hold with an increment.
    pub increment_available: bool,
    /// Unix milliseconds when the PSP lets the hold lapse, if it says.
    pub expires_at_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub payment_id: String,
    pub captured: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub refund_id: String,
    pub amount: Money,
}

/// What to hold and on which card.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The PSP's customer the card belongs to.
    pub customer: Option<String>,
    /// The PSP's payment method token.
    pub payment_method: String,
    pub amount: Money,
    pub idempotency_key: IdempotencyKey,
    /// Our trip id, stored with the PSP for reconciliation.
    pub trip_id: String,
}

/// An error that is not a PSP decision: bad input or a misconfigured gateway.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GatewayError {
    #[error("invalid payment request: {0}")]
    InvalidRequest(String),
    #[error("payment gateway misconfigured: {0}")]
    Configuration(String),
}

pub type GatewayResult<T> = Result<Outcome<T>, GatewayError>;

/// A payment service provider.
#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Places a hold of `request.amount` on the card without capturing it.
    async fn authorize(&self, request: AuthorizeRequest) -> GatewayResult<Authorization>;

    /// Raises a hold to `new_total`, where the PSP reported increments as available.
    async fn increment(
        &self,
        authorization_id: &str,
        new_total: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Authorization>;

    /// Captures `amount` (at most the held amount); the rest of the hold is released.
    async fn capture(
        &self,
        authorization_id: &str,
        amount: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Capture>;

    /// Charges the card off-session without a hold (the difference above a hold that cannot be
    /// incremented).
    async fn charge(&self, request: AuthorizeRequest) -> GatewayResult<Capture>;

    /// Releases a hold without charging; `reason` is stored with the PSP.
    async fn cancel(
        &self,
        authorization_id: &str,
        reason: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<()>;

    /// Refunds `amount` of a captured payment.
    async fn refund(
        &self,
        payment_id: &str,
        amount: &Money,
        key: &IdempotencyKey,
    ) -> GatewayResult<Refund>;

    /// Reads a tokenized card from the PSP, so the service learns its details from the PSP
    /// rather than from the client.
    async fn retrieve_payment_method(&self, payment_method: &str) -> GatewayResult<CardDetails>;

    /// Creates a PSP customer for one shopper; `shopper_ref` is stored with the PSP.
    async fn create_customer(
        &self,
        shopper_ref: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<String>;

    /// Attaches a tokenized card to a PSP customer so it can be charged off-session.
    async fn attach_payment_method(
        &self,
        payment_method: &str,
        customer: &str,
        key: &IdempotencyKey,
    ) -> GatewayResult<CardDetails>;
}
