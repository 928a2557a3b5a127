//! The offer and consent values the core hands to the shells and the CLI: plain data, with
//! times as RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

/// Audience of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// The retailer's offer for every shopper.
    General,
    /// An offer picked for this shopper from what they bought; needs the shopper's consent.
    Targeted,
}

/// One offer as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub offer_id: String,
    pub kind: OfferKind,
    /// The store it applies in; `None` means every store.
    #[serde(default)]
    pub store_id: Option<String>,
    /// Text of the offer, e.g. "10% off RED MUG".
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// End of the offer, RFC 3339 in UTC; `None` when it has no end.
    #[serde(default)]
    pub active_to: Option<String>,
    /// True once the shopper activated it; it then applies at the next purchase.
    pub activated: bool,
    /// True once a purchase used it.
    #[serde(default)]
    pub redeemed: bool,
    /// Explanation of a targeted offer, e.g. "because you bought RED MUG".
    #[serde(default)]
    pub reason: Option<String>,
}

/// One change of the shopper's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentChange {
    pub granted: bool,
    /// Instant of the change, RFC 3339 in UTC.
    pub changed_at: String,
}

/// The shopper's consent to targeted offers, with every change, oldest first. A shopper who
/// never opted in has `granted` false and an empty history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub granted: bool,
    pub history: Vec<ConsentChange>,
}
