//! The wallet methods of [`Walkout`]: add, list, make default and remove cards, read and pay
//! the outstanding balance.
//!
//! Every method is synchronous and runs its requests on the core's runtime. Requests that
//! create something carry a fresh UUID v7 `Idempotency-Key`, which the HTTP client reuses on
//! its retries, so a retried request has one effect.

use std::future::Future;

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::card::{YearMonth, validate_card};
use super::error::WalletError;
use super::tokenize::{PspEndpoint, tokenize};
use super::{Balance, Card, CardBrand, cache};
use crate::clock::Clock;
use crate::error::{Error, WalkoutError};
use crate::http::{HttpRequest, Method};
use crate::walkout::Walkout;

const PAYMENT_METHODS_PATH: &str = "/app/v1/payment-methods";
const BALANCE_PATH: &str = "/app/v1/balance";
const PAY_BALANCE_PATH: &str = "/app/v1/balance/pay";
/// Longest accepted PSP token or card id, in bytes.
const MAX_ID_LEN: usize = 255;

/// The backend's card list: `{"payment_methods": [...]}`, or a bare array.
#[derive(Deserialize)]
#[serde(untagged)]
enum CardList {
    Wrapped { payment_methods: Vec<Card> },
    Bare(Vec<Card>),
}

impl Walkout {
    /// Checks a card form without sending anything, and returns the brand detected from the
    /// number (`None` for a brand the client does not know, which the PSP may still accept).
    ///
    /// The error is `InvalidInput` naming the first invalid field: `number`, `exp_month`,
    /// `exp_year` or `cvc`. The expiry is checked against the current month on the server
    /// clock.
    pub fn check_card(
        &self,
        number: &str,
        exp_month: u32,
        exp_year: u32,
        cvc: &str,
    ) -> Result<Option<CardBrand>, WalkoutError> {
        let checked = self
            .current_month()
            .and_then(|today| Ok(validate_card(number, exp_month, exp_year, cvc, today)?));
        match checked {
            Ok(card) => Ok(card.number.brand()),
            Err(error) => Err(error.to_public()),
        }
    }

    /// Saves a card: checks the form, tokenizes the card at the PSP, registers the token with
    /// the backend and caches the result.
    ///
    /// The number and the CVC go to the PSP only. The caller should wipe its own copies.
    pub fn add_card(
        &self,
        number: &str,
        exp_month: u32,
        exp_year: u32,
        cvc: &str,
    ) -> Result<Card, WalkoutError> {
        self.wallet_call(async {
            let today = self.current_month()?;
            let card = validate_card(number, exp_month, exp_year, cvc, today)?;
            let token = tokenize(&self.psp_endpoint(), &card, &new_idempotency_key()).await?;
            drop(card);
            tracing::info!(brand = %token.brand, "card tokenized");
            self.register_token(&token.token).await
        })
    }

    /// Saves a card that a PSP mobile SDK already tokenized: registers `token` (such as
    /// `pm_…`) with the backend and caches the result.
    pub fn add_card_token(&self, token: &str) -> Result<Card, WalkoutError> {
        self.wallet_call(async {
            check_id("token", token)?;
            self.register_token(token).await
        })
    }

    /// Lists the saved cards from the backend and refreshes the local copy.
    pub fn cards(&self) -> Result<Vec<Card>, WalkoutError> {
        self.wallet_call(async {
            let request = HttpRequest::get(PAYMENT_METHODS_PATH).authenticated();
            let response = self.http().send(&request).await?;
            let cards = match response.json::<CardList>()? {
                CardList::Wrapped { payment_methods } => payment_methods,
                CardList::Bare(cards) => cards,
            };
            cache::replace_all(self.store(), &cards, self.device_millis())?;
            Ok(cards)
        })
    }

    /// Returns the saved cards as the last listing or change left them, without the network.
    pub fn cached_cards(&self) -> Result<Vec<Card>, WalkoutError> {
        cache::list(self.store()).map_err(|error| WalletError::from(error).to_public())
    }

    /// Makes `id` the card that trips are charged to.
    pub fn set_default_card(&self, id: &str) -> Result<(), WalkoutError> {
        self.wallet_call(async {
            check_id("id", id)?;
            let request = HttpRequest::post(format!("{PAYMENT_METHODS_PATH}/{id}/default"))
                .idempotency_key(new_idempotency_key())
                .authenticated();
            self.http().send(&request).await?;
            cache::set_default(self.store(), id)?;
            Ok(())
        })
    }

    /// Removes the saved card `id`. A card the backend no longer has counts as removed.
    pub fn remove_card(&self, id: &str) -> Result<(), WalkoutError> {
        self.wallet_call(async {
            check_id("id", id)?;
            let path = format!("{PAYMENT_METHODS_PATH}/{id}");
            let request = HttpRequest::new(Method::DELETE, path).authenticated();
            match self.http().send(&request).await {
                Ok(_) => {}
                Err(error) if error.status() == Some(404) => {
                    tracing::info!(card_id = %id, "card was already removed on the backend");
                }
                Err(error) => return Err(error.into()),
            }
            cache::remove(self.store(), id)?;
            Ok(())
        })
    }

    /// Returns what the shopper owes after failed payments.
    pub fn balance(&self) -> Result<Balance, WalkoutError> {
        self.wallet_call(async {
            let request = HttpRequest::get(BALANCE_PATH).authenticated();
            Ok(self.http().send(&request).await?.json::<Balance>()?)
        })
    }

    /// Charges the outstanding balance to the default card and returns what is still owed.
    ///
    /// A declined charge is a `Denied` error with the backend's slug.
    pub fn pay_balance(&self) -> Result<Balance, WalkoutError> {
        self.wallet_call(async {
            let request = HttpRequest::post(PAY_BALANCE_PATH)
                .json(json!({}))
                .idempotency_key(new_idempotency_key())
                .authenticated();
            Ok(self.http().send(&request).await?.json::<Balance>()?)
        })
    }

    async fn register_token(&self, token: &str) -> Result<Card, WalletError> {
        let request = HttpRequest::post(PAYMENT_METHODS_PATH)
            .json(json!({ "payment_method": token }))
            .idempotency_key(new_idempotency_key())
            .authenticated();
        let card: Card = self.http().send(&request).await?.json()?;
        cache::upsert(self.store(), &card, self.device_millis())?;
        tracing::info!(card_id = %card.id, brand = %card.brand, "card saved");
        Ok(card)
    }

    /// Runs a wallet future on the core's runtime and maps its error to the public one.
    fn wallet_call<T>(
        &self,
        future: impl Future<Output = Result<T, WalletError>>,
    ) -> Result<T, WalkoutError> {
        self.run(async { Ok(future.await) })?
            .map_err(|error| error.to_public())
    }

    fn psp_endpoint(&self) -> PspEndpoint {
        PspEndpoint {
            api_base: self.config().psp_api_base(),
            publishable_key: self.config().psp.publishable_key.clone(),
        }
    }

    fn current_month(&self) -> Result<YearMonth, WalletError> {
        let now = self.server_clock().now_unix_millis();
        YearMonth::from_unix_millis(now).ok_or_else(|| {
            WalletError::Core(Error::Internal(format!(
                "the server clock reads {now} ms, outside the calendar"
            )))
        })
    }

    fn device_millis(&self) -> i64 {
        self.server_clock().device().now_unix_millis()
    }
}

fn new_idempotency_key() -> String {
    Uuid::now_v7().to_string()
}

/// Checks an id or token before it goes into a path or a body: 1 to 255 ASCII letters, digits,
/// '_' or '-'.
fn check_id(field: &str, value: &str) -> Result<(), WalletError> {
    let valid = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        return Ok(());
    }
    Err(WalletError::Core(Error::InvalidInput {
        field: field.to_owned(),
        reason: "expected 1 to 255 ASCII letters, digits, '_' or '-'".to_owned(),
    }))
}
