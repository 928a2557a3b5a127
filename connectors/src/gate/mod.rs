//! The entry gate: entry credentials for shopper apps, JWO's VerifyIdentityKeys, static keys,
//! and the trips that admitted scans open.
//!
//! One scan, from JWO's call to the answer: the body is validated (400 `invalid-request`), a
//! repeated `requestId` or `authEvent.id` gets the stored first answer, a static key is admitted
//! at once, and an entry code goes through the checks of `decide` in a fixed order. The
//! decision, the trip it opens or joins, and the events for the app are written in one
//! transaction, which also holds the claim on the request's ids unless a payment hold had to be
//! placed in between. Every business denial is a 403 problem with its own slug, never a 5xx.
//!
//! Nothing here logs or stores an identity key or a code: logs carry the JWO request id, the
//! store id, the credential id in hex and the reason.

mod checks;
pub mod config;
mod decide;
mod enroll;
pub mod entry_credentials;
mod group;
mod identity;
pub mod metrics;
mod record;
mod replay;
mod request;
mod scan;
pub mod sealing;
pub mod static_keys;
pub mod trips;
mod verdict;

pub use config::GateConfig;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::credentials::Credentials;
use crate::server::AppState;

/// State of the gate shared by its handlers.
#[derive(Debug)]
pub struct GateState {
    /// Data keys that seal and open entry secrets.
    pub keys: sealing::DataKeys,
    pub metrics: metrics::GateMetrics,
}

impl GateState {
    /// Checks `[gate]` and reads the data keys. The error names the configuration key at fault.
    pub fn new(config: &GateConfig, credentials: &Credentials) -> Result<GateState, String> {
        config.validate()?;
        Ok(GateState {
            keys: sealing::DataKeys::from_config(config, credentials)?,
            metrics: metrics::GateMetrics::default(),
        })
    }
}

/// Routes of the gate: app entry credentials, JWO identity keys, admin static keys and metrics.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let jwo = OpenApiRouter::new()
        .routes(routes!(identity::verify_identity_keys))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::jwo::require_jwo_caller,
        ));
    OpenApiRouter::new()
        .routes(routes!(enroll::enroll, enroll::list))
        .routes(routes!(enroll::revoke))
        .routes(routes!(static_keys::create, static_keys::list))
        .routes(routes!(static_keys::delete))
        .routes(routes!(identity::gate_metrics))
        .merge(jwo)
}

/// Formats Unix milliseconds as RFC 3339 in UTC, with whole seconds.
pub(crate) fn rfc3339(unix_ms: i64) -> String {
    let seconds = unix_ms.div_euclid(1000);
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
