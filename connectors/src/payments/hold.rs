//! The gate's pre-authorization: one hold per trip, placed at the first admitted scan.

use crate::server::AppState;

/// Result of trying to place a trip's hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The hold is placed (or was placed by an earlier attempt for the same trip).
    Placed {
        authorization_id: String,
        amount_minor: i64,
        currency: String,
    },
    /// The shopper has no default payment method.
    NoPaymentMethod,
    /// The default card's expiry has passed.
    CardExpired,
    /// The PSP declined the hold; `category` is a `DeclineCategory` in snake case.
    Declined { category: String },
    /// The PSP did not answer within the gate's time budget.
    TimedOut,
}

/// Places the hold for `trip_id` on the shopper's default card, within the gate's time budget.
/// Idempotent per trip: a repeat returns the first outcome without a second hold.
pub async fn place_hold(
    _state: &AppState,
    _trip_id: &str,
    _shopper_id: &str,
    _store_id: &str,
) -> Result<HoldOutcome, crate::problem::Problem> {
    Err(crate::problem::Problem::internal(
        &"holds are not implemented yet",
    ))
}

/// Amount outstanding for the shopper (failed captures not yet settled), in minor units.
pub async fn outstanding_minor(_state: &AppState, _shopper_id: &str) -> Result<i64, sqlx::Error> {
    Ok(0)
}
