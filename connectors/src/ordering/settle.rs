//! The settle step of a purchase job: the trip's final amount through the payments module.
//!
//! Payments owns the trip's payment state machine and the PSP idempotency keys (derived from
//! the trip id), so calling [`settle`] again after a crash or a timeout captures nothing twice.
//! This module maps its answer onto the few figures the receipt and the trip state need, and
//! stores them as JSON in the job row.

use serde::{Deserialize, Serialize};

use super::store::{ChargeMode, Purchase};
use crate::payments;
use crate::payments::gateway::Money;
use crate::payments::trip::TripPaymentState;
use crate::server::AppState;

/// How a purchase was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleStatus {
    /// The total was captured (or written off below the PSP minimum).
    Charged,
    /// The capture failed; `outstanding_minor` is owed by the shopper.
    PaymentFailed,
    /// An empty cart: the hold was released and nothing charged.
    Canceled,
    /// A test or associate trip, or an unmatched cart: no PSP call was made.
    NotCharged,
}

/// The recorded result of the settle step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settled {
    pub status: SettleStatus,
    pub currency: String,
    pub captured_minor: i64,
    pub outstanding_minor: i64,
    pub written_off_minor: i64,
}

/// Why the settle step must be retried.
#[derive(Debug, thiserror::Error)]
#[error("settling trip {trip_id} failed: {reason}")]
pub struct SettleError {
    pub trip_id: String,
    pub reason: String,
}

/// Settles a purchase: a capture of the cart total for a charged trip, a cancel for an empty
/// cart, and nothing at all for test, associate and unmatched carts.
pub async fn settle(state: &AppState, purchase: &Purchase) -> Result<Settled, SettleError> {
    let currency = purchase.cart.currency.clone();
    let total = purchase.cart.totals.grand_minor;
    let trip_id = match (&purchase.trip_id, purchase.charge_mode) {
        (Some(trip_id), ChargeMode::Charge) => trip_id.clone(),
        _ => {
            return Ok(Settled {
                status: SettleStatus::NotCharged,
                currency,
                captured_minor: 0,
                outstanding_minor: 0,
                written_off_minor: 0,
            });
        }
    };
    settle_trip(state, &trip_id, total, &currency).await
}

/// Calls the payments module for one trip and maps its settlement.
async fn settle_trip(
    state: &AppState,
    trip_id: &str,
    total_minor: i64,
    currency: &str,
) -> Result<Settled, SettleError> {
    let total = Money::new(total_minor, currency);
    let settlement = payments::settle::settle_trip(state, trip_id, total)
        .await
        .map_err(|error| SettleError {
            trip_id: trip_id.to_owned(),
            reason: error.to_string(),
        })?;
    let status = match settlement.state {
        TripPaymentState::Captured => SettleStatus::Charged,
        TripPaymentState::Failed => SettleStatus::PaymentFailed,
        TripPaymentState::Canceled if total_minor == 0 => SettleStatus::Canceled,
        // A total below the PSP minimum cancels the hold and is written off.
        TripPaymentState::Canceled => SettleStatus::Charged,
        other => {
            return Err(SettleError {
                trip_id: trip_id.to_owned(),
                reason: format!("the payment is still {}", other.as_str()),
            });
        }
    };
    Ok(Settled {
        status,
        currency: settlement.total.currency.clone(),
        captured_minor: settlement.captured.amount_minor + settlement.charged.amount_minor,
        outstanding_minor: settlement.outstanding.amount_minor,
        written_off_minor: settlement.written_off.amount_minor,
    })
}
