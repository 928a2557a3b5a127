//! The entry gate: entry credentials for shopper apps, and JWO's VerifyIdentityKeys.

pub mod config;

pub use config::GateConfig;

use utoipa_axum::router::OpenApiRouter;

use crate::server::AppState;

/// Routes of the gate: app entry credentials, JWO identity keys, admin static keys.
pub fn routes(_state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
