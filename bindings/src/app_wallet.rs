//! `WalkoutApp` methods for saved cards and the outstanding balance.
//!
//! The card number and CVC go from these methods straight to the payment provider's
//! tokenization endpoint; only the token reaches the backend.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::wallet::{Balance, Card};

#[uniffi::export]
impl WalkoutApp {
    /// Checks a card form without sending anything. Returns the brand detected from the
    /// number, such as `visa`, or `null` for a brand the core does not know. An invalid field
    /// is an `InvalidInput` error naming `number`, `exp_month`, `exp_year` or `cvc`.
    pub fn check_card(
        &self,
        number: String,
        exp_month: u32,
        exp_year: u32,
        cvc: String,
    ) -> FfiResult<Option<String>> {
        let brand = self.core.check_card(&number, exp_month, exp_year, &cvc)?;
        Ok(brand.map(|brand| brand.display_name().to_owned()))
    }

    /// Saves a card: checks the form, tokenizes the card at the payment provider and
    /// registers the token with the backend.
    pub fn add_card(
        &self,
        number: String,
        exp_month: u32,
        exp_year: u32,
        cvc: String,
    ) -> FfiResult<Card> {
        Ok(self
            .core
            .add_card(&number, exp_month, exp_year, &cvc)?
            .into())
    }

    /// Saves a card that the payment provider's mobile SDK already tokenized.
    pub fn add_card_token(&self, token: String) -> FfiResult<Card> {
        Ok(self.core.add_card_token(&token)?.into())
    }

    /// Lists the saved cards from the backend and refreshes the local copy.
    pub fn cards(&self) -> FfiResult<Vec<Card>> {
        Ok(self.core.cards()?.into_iter().map(Card::from).collect())
    }

    /// Returns the saved cards as the last listing left them, without the network.
    pub fn cached_cards(&self) -> FfiResult<Vec<Card>> {
        Ok(self
            .core
            .cached_cards()?
            .into_iter()
            .map(Card::from)
            .collect())
    }

    /// Makes the card `id` the one that trips are charged to.
    pub fn set_default_card(&self, id: String) -> FfiResult<()> {
        Ok(self.core.set_default_card(&id)?)
    }

    /// Removes the saved card `id`; a card the backend no longer has counts as removed.
    pub fn remove_card(&self, id: String) -> FfiResult<()> {
        Ok(self.core.remove_card(&id)?)
    }

    /// Returns what the shopper owes after failed payments.
    pub fn balance(&self) -> FfiResult<Balance> {
        Ok(self.core.balance()?.into())
    }

    /// Charges the outstanding balance to the default card; returns what is still owed. A
    /// declined charge is a `Denied` error.
    pub fn pay_balance(&self) -> FfiResult<Balance> {
        Ok(self.core.pay_balance()?.into())
    }
}
