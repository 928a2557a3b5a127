//! Offers and the consent to targeted offers: the shopper's offer list, activation, and the
//! opt-in that targeted offers need.
//!
//! The backend decides which offers a shopper is shown and applies an activated offer at the next
//! purchase; the core only fetches, activates and caches. The last offer list fetched is kept
//! in the `kv` table so a shell can show it offline through [`Walkout::cached_offers`]; it never
//! stands in for a failed fetch.
//!
//! [`Walkout::cached_offers`]: crate::Walkout::cached_offers

mod model;
mod service;

pub use model::{Consent, ConsentChange, Offer, OfferKind};
