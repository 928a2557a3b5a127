//! Counts of gate decisions per reason, kept in memory and served at `GET /admin/v1/metrics/gate`.
//!
//! The labels are `admitted`, `invalid-request` and the denial slugs, the same words as the
//! problem types. Replays of an earlier decision are not counted again. The counts start at
//! zero when the process starts; each instance of a multi-instance deployment counts its own.

use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct GateMetrics {
    counts: Mutex<BTreeMap<&'static str, u64>>,
}

impl GateMetrics {
    /// Adds one decision with `reason` (a slug or `admitted`).
    pub fn record(&self, reason: &'static str) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        *counts.entry(reason).or_insert(0) += 1;
    }

    /// The counts so far, by reason.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        let counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }
}
