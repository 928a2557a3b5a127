//! The offer and consent methods of [`Walkout`]: `GET /app/v1/offers`,
//! `POST /app/v1/offers/{id}/activate`, and `GET`/`PUT /app/v1/consent`.
//!
//! Activation carries a fresh UUID v7 `Idempotency-Key`, which the HTTP client reuses on its
//! retries. Activating an activated offer changes nothing, so a repeat has no second effect.

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::model::{Consent, Offer};
use crate::WalkoutError;
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::receipts::sync::percent_encode;
use crate::walkout::Walkout;

const OFFERS_PATH: &str = "/app/v1/offers";
const CONSENT_PATH: &str = "/app/v1/consent";
/// `kv` key of the last offer list fetched (JSON array of `Offer`).
const OFFERS_KEY: &str = "offers.list";
/// Maximum length of an offer id, in characters.
const MAX_OFFER_ID_CHARS: usize = 64;

#[derive(Deserialize)]
struct OfferList {
    offers: Vec<Offer>,
}

impl Walkout {
    /// Fetches the shopper's offers (the general offers active now, then the targeted ones) and
    /// caches the list.
    pub fn offers(&self) -> Result<Vec<Offer>, WalkoutError> {
        self.run(async {
            let request = HttpRequest::get(OFFERS_PATH).authenticated();
            let list: OfferList = self.http().send(&request).await?.json()?;
            self.store().kv_put_json(OFFERS_KEY, &list.offers)?;
            Ok::<_, Error>(list.offers)
        })
    }

    /// Returns the offer list of the last successful [`Walkout::offers`], without a request;
    /// empty before the first.
    pub fn cached_offers(&self) -> Result<Vec<Offer>, WalkoutError> {
        let cached: Option<Vec<Offer>> =
            self.store().kv_get_json(OFFERS_KEY).map_err(Error::from)?;
        Ok(cached.unwrap_or_default())
    }

    /// Activates an offer for the shopper's next purchase and returns it. An id the shopper
    /// cannot see (missing, withdrawn, or another shopper's) is `Denied` with `not-found`.
    pub fn activate_offer(&self, offer_id: &str) -> Result<Offer, WalkoutError> {
        self.run(async {
            check_offer_id(offer_id)?;
            let path = format!("{OFFERS_PATH}/{}/activate", percent_encode(offer_id));
            let request = HttpRequest::post(path)
                .json(json!({}))
                .idempotency_key(Uuid::now_v7().to_string())
                .authenticated();
            let offer: Offer = self.http().send(&request).await?.json()?;
            tracing::info!(offer_id = %offer.offer_id, "offer activated");
            Ok::<_, Error>(offer)
        })
    }

    /// Fetches the shopper's consent to targeted offers with its history.
    pub fn consent(&self) -> Result<Consent, WalkoutError> {
        self.run(async {
            let request = HttpRequest::get(CONSENT_PATH).authenticated();
            Ok::<_, Error>(self.http().send(&request).await?.json::<Consent>()?)
        })
    }

    /// Opts the shopper in to targeted offers (`true`) or out of them (`false`) and returns the
    /// consent after the change. Opting out removes the shopper's targeted offers at once, so
    /// the cached offer list is cleared too.
    pub fn set_consent(&self, granted: bool) -> Result<Consent, WalkoutError> {
        self.run(async {
            let request = HttpRequest::new(Method::PUT, CONSENT_PATH)
                .json(json!({ "granted": granted }))
                .authenticated();
            let consent: Consent = self.http().send(&request).await?.json()?;
            if !granted {
                self.store().kv_put_json(OFFERS_KEY, &Vec::<Offer>::new())?;
            }
            tracing::info!(granted, "consent to targeted offers set");
            Ok::<_, Error>(consent)
        })
    }
}

fn check_offer_id(offer_id: &str) -> Result<(), Error> {
    let length = offer_id.chars().count();
    if length == 0 || length > MAX_OFFER_ID_CHARS || offer_id.trim() != offer_id {
        return Err(Error::InvalidInput {
            field: "offer_id".to_owned(),
            reason: format!("expected 1 to {MAX_OFFER_ID_CHARS} characters without spaces"),
        });
    }
    Ok(())
}
