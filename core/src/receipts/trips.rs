//! The shopper's trips: `GET /app/v1/trips/current` and `GET /app/v1/trips/{id}`.
//!
//! The current trip is cached in the `kv` table, so a shell can show the last known state
//! while offline through [`Walkout::cached_trip`]; it never stands in for a failed fetch.

use serde::Deserialize;

use super::model::Trip;
use super::sync::percent_encode;
use crate::WalkoutError;
use crate::error::Error;
use crate::http::HttpRequest;
use crate::walkout::Walkout;

/// `kv` key of the last current trip fetched (JSON `Trip`, or `null` for none).
const CURRENT_TRIP_KEY: &str = "trip.current";

#[derive(Deserialize)]
struct CurrentTrip {
    trip: Option<Trip>,
}

impl Walkout {
    /// Fetches the current trip (the latest open one, else the most recent) and caches it.
    /// Returns `None` before the shopper's first trip.
    pub fn current_trip(&self) -> Result<Option<Trip>, WalkoutError> {
        self.run(async {
            let request = HttpRequest::get("/app/v1/trips/current").authenticated();
            let current: CurrentTrip = self.http().send(&request).await?.json()?;
            self.store().kv_put_json(CURRENT_TRIP_KEY, &current.trip)?;
            Ok::<_, Error>(current.trip)
        })
    }

    /// Returns the current trip of the last successful [`Walkout::current_trip`], without a
    /// request.
    pub fn cached_trip(&self) -> Result<Option<Trip>, WalkoutError> {
        let cached: Option<Option<Trip>> = self
            .store()
            .kv_get_json(CURRENT_TRIP_KEY)
            .map_err(Error::from)?;
        Ok(cached.flatten())
    }

    /// Fetches one of the shopper's trips. An unknown id is `Denied` with `not-found`.
    pub fn trip(&self, trip_id: &str) -> Result<Trip, WalkoutError> {
        self.run(async {
            let path = format!("/app/v1/trips/{}", percent_encode(trip_id));
            let request = HttpRequest::get(path).authenticated();
            let trip: Trip = self.http().send(&request).await?.json()?;
            Ok::<_, Error>(trip)
        })
    }
}
