//! Trips: one visit to a store, from the gate to the receipt, as the backend reports it.

use walkout_core::receipts as core;

use super::wallet::Money;

/// The state of a trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TripState {
    /// The shopper passed the gate and is in the store.
    Entered,
    /// The store sent the cart; it is being priced and charged.
    CartReceived,
    /// The card was charged; the receipt follows.
    Charged,
    /// The charge failed; the amount is owed until `pay_balance` succeeds.
    PaymentFailed,
    /// The receipt is issued.
    ReceiptReady,
    /// The shopper left without taking anything.
    ClosedEmpty,
    /// A state that this version of the app does not know; show the trip as in progress.
    Unknown,
}

impl From<core::TripState> for TripState {
    fn from(state: core::TripState) -> Self {
        match state {
            core::TripState::Entered => Self::Entered,
            core::TripState::CartReceived => Self::CartReceived,
            core::TripState::Charged => Self::Charged,
            core::TripState::PaymentFailed => Self::PaymentFailed,
            core::TripState::ReceiptReady => Self::ReceiptReady,
            core::TripState::ClosedEmpty => Self::ClosedEmpty,
            core::TripState::Unknown => Self::Unknown,
        }
    }
}

/// A shopping trip.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Trip {
    /// The trip's id; pass it to `trip` to fetch it again.
    pub trip_id: String,
    /// The store's id.
    pub store_id: String,
    /// Where the trip is now.
    pub state: TripState,
    /// A test trip: nothing is charged.
    pub is_test: bool,
    /// Instant the shopper passed the gate, RFC 3339 in UTC.
    pub entered_at: String,
    /// Instant of the last change, RFC 3339 in UTC.
    pub updated_at: String,
    /// The trip's receipt, once issued; pass it to `receipt` after a sync.
    pub receipt_id: Option<String>,
    /// The amount owed when `state` is `PaymentFailed`.
    pub outstanding: Option<Money>,
}

impl From<core::Trip> for Trip {
    fn from(trip: core::Trip) -> Self {
        Self {
            trip_id: trip.trip_id,
            store_id: trip.store_id,
            state: trip.state.into(),
            is_test: trip.is_test,
            entered_at: trip.entered_at,
            updated_at: trip.updated_at,
            receipt_id: trip.receipt_id,
            outstanding: trip.outstanding.map(Into::into),
        }
    }
}
