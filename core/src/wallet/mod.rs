//! The shopper's wallet: saved cards and the outstanding balance.
//!
//! A card number goes from the card form ([`card`]) straight to the payment service provider
//! ([`tokenize`]); only the PSP's token reaches the Walkout backend, and only the display data
//! (brand, last four digits, expiry) reaches the local store ([`cache`]). The number and the
//! CVC live in wiped buffers for the length of one call and are never logged, stored or put in
//! an error. [`Walkout`](crate::Walkout) gets the wallet methods in [`service`].
//!
//! Backend routes (JSON, bearer access token):
//! - `POST /app/v1/payment-methods` with `{"payment_method": "pm_…"}` and an `Idempotency-Key`
//!   registers a token and returns the [`Card`];
//! - `GET /app/v1/payment-methods` returns `{"payment_methods": [Card, …]}`;
//! - `POST /app/v1/payment-methods/{id}/default` and `DELETE /app/v1/payment-methods/{id}`;
//! - `GET /app/v1/balance` and `POST /app/v1/balance/pay` (with an `Idempotency-Key`) return
//!   [`Balance`].

pub mod brand;
pub(crate) mod cache;
pub mod card;
pub mod error;
mod service;
pub mod tokenize;

use serde::{Deserialize, Serialize};

pub use brand::{CardBrand, detect_brand};
pub use card::{
    CardError, CardField, CardNumber, CardProblem, Cvc, Expiry, ValidatedCard, YearMonth,
    luhn_valid, validate_card,
};
pub use tokenize::{CardToken, PspEndpoint, PspError};

/// A saved card as the backend lists it: display data and the backend's id, never the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    /// The backend's id of the saved card.
    pub id: String,
    /// The PSP's brand name, such as `visa`, `mastercard` or `amex`.
    pub brand: String,
    pub last4: String,
    /// 1 to 12.
    pub exp_month: u32,
    /// Four digits.
    pub exp_year: u32,
    /// Whether trips are charged to this card.
    #[serde(default)]
    pub is_default: bool,
}

/// An amount of money in minor units of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    /// ISO 4217 code, such as `GBP`.
    pub currency: String,
}

/// What the shopper owes after failed payments; zero when nothing is owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub outstanding: Money,
}

impl Balance {
    /// Tells whether the shopper owes anything; the gate denies entry while they do.
    pub fn is_settled(&self) -> bool {
        self.outstanding.amount_minor <= 0
    }
}
