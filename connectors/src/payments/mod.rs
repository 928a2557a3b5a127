//! Payments: the `PaymentGateway` trait and its adapters, and each trip's payment state.

pub mod config;
pub mod gateway;
pub mod hold;
pub mod minimum;
pub mod stripe;

pub use config::PaymentsConfig;

use utoipa_axum::router::OpenApiRouter;

use crate::server::AppState;

/// Routes of payments: the app's payment methods and balance, the sandbox PSP, PSP webhooks.
pub fn routes(_state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
