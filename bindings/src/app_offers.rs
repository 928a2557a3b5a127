//! `WalkoutApp` methods for offers and the shopper's consent to targeted offers.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::offers::{Consent, Offer};

#[uniffi::export]
impl WalkoutApp {
    /// Fetches the shopper's offers (the general offers active now, then the targeted ones)
    /// and keeps a copy for `cached_offers`.
    pub fn offers(&self) -> FfiResult<Vec<Offer>> {
        Ok(self.core.offers()?.into_iter().map(Offer::from).collect())
    }

    /// Returns the offers that the last successful `offers` returned, without the network;
    /// empty before the first.
    pub fn cached_offers(&self) -> FfiResult<Vec<Offer>> {
        Ok(self
            .core
            .cached_offers()?
            .into_iter()
            .map(Offer::from)
            .collect())
    }

    /// Activates an offer for the shopper's next purchase and returns it. An id the shopper
    /// cannot see is a `Denied` error with the slug `not-found`.
    pub fn activate_offer(&self, offer_id: String) -> FfiResult<Offer> {
        Ok(self.core.activate_offer(&offer_id)?.into())
    }

    /// Fetches the shopper's consent to targeted offers, with its history.
    pub fn consent(&self) -> FfiResult<Consent> {
        Ok(self.core.consent()?.into())
    }

    /// Opts the shopper in to targeted offers (`true`) or out of them (`false`); returns the
    /// consent after the change. Opting out also empties the cached offers.
    pub fn set_consent(&self, granted: bool) -> FfiResult<Consent> {
        Ok(self.core.set_consent(granted)?.into())
    }
}
