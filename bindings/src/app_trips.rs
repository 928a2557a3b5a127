//! `WalkoutApp` methods for trips. The outstanding balance of a failed payment, and paying it
//! again, are `balance` and `pay_balance` in the wallet methods.

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::trips::Trip;

#[uniffi::export]
impl WalkoutApp {
    /// Fetches the current trip (the latest open one, else the most recent) and keeps a copy
    /// for `cached_trip`. Returns `null` before the shopper's first trip.
    pub fn current_trip(&self) -> FfiResult<Option<Trip>> {
        Ok(self.core.current_trip()?.map(Into::into))
    }

    /// Returns the trip that the last successful `current_trip` returned, without the
    /// network; `null` when there was none. Show it while offline, marked as possibly stale.
    pub fn cached_trip(&self) -> FfiResult<Option<Trip>> {
        Ok(self.core.cached_trip()?.map(Into::into))
    }

    /// Fetches one of the shopper's trips. An unknown id is a `Denied` error with the slug
    /// `not-found`.
    pub fn trip(&self, trip_id: String) -> FfiResult<Trip> {
        Ok(self.core.trip(&trip_id)?.into())
    }
}
