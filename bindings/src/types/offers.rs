//! Offers and the shopper's consent to targeted offers. Times are RFC 3339 strings in UTC.

use walkout_core::offers as core;

/// Who an offer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum OfferKind {
    /// The retailer's offer for every shopper.
    General,
    /// An offer picked for this shopper from what they bought; shown only with their consent.
    Targeted,
}

/// One offer as the offers screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Offer {
    /// The offer's id; pass it to `activate_offer`.
    pub offer_id: String,
    /// Who the offer is for.
    pub kind: OfferKind,
    /// The store it applies in; `null` means every store.
    pub store_id: Option<String>,
    /// What the offer gives, such as "10% off RED MUG".
    pub title: String,
    /// More detail; may be empty.
    pub description: String,
    /// End of the offer, RFC 3339 in UTC; `null` when it has no end.
    pub active_to: Option<String>,
    /// The shopper activated it, so it applies at the next purchase.
    pub activated: bool,
    /// A purchase used it.
    pub redeemed: bool,
    /// Why a targeted offer was picked, such as "because you bought RED MUG".
    pub reason: Option<String>,
}

impl From<core::Offer> for Offer {
    fn from(offer: core::Offer) -> Self {
        Self {
            offer_id: offer.offer_id,
            kind: match offer.kind {
                core::OfferKind::General => OfferKind::General,
                core::OfferKind::Targeted => OfferKind::Targeted,
            },
            store_id: offer.store_id,
            title: offer.title,
            description: offer.description,
            active_to: offer.active_to,
            activated: offer.activated,
            redeemed: offer.redeemed,
            reason: offer.reason,
        }
    }
}

/// One change of the shopper's consent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentChange {
    /// The shopper opted in (`true`) or out (`false`).
    pub granted: bool,
    /// Instant of the change, RFC 3339 in UTC.
    pub changed_at: String,
}

/// The shopper's consent to targeted offers, with every change, oldest first. A shopper who
/// never opted in has `granted` false and an empty history.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Consent {
    /// The shopper is opted in now.
    pub granted: bool,
    /// Every change, oldest first.
    pub history: Vec<ConsentChange>,
}

impl From<core::Consent> for Consent {
    fn from(consent: core::Consent) -> Self {
        Self {
            granted: consent.granted,
            history: consent
                .history
                .into_iter()
                .map(|change| ConsentChange {
                    granted: change.granted,
                    changed_at: change.changed_at,
                })
                .collect(),
        }
    }
}
