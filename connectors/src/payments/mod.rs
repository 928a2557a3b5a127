//! Payments: the `PaymentGateway` trait and its adapters, and each trip's payment state.

pub mod app;
pub mod config;
pub mod gateway;
pub mod hold;
pub mod minimum;
pub mod reconcile;
pub mod sandbox;
pub mod settle;
pub mod stripe;
pub mod trip;
pub mod webhook;

pub use config::PaymentsConfig;
pub use settle::{Settlement, settle_trip};

use utoipa_axum::router::OpenApiRouter;

use crate::server::AppState;

/// Routes of payments: the app's payment methods and balance, the sandbox PSP, PSP webhooks.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let mut router = app::routes().routes(utoipa_axum::routes!(webhook::receive));
    if state.config.payments.sandbox {
        router = router.merge(sandbox::routes(state));
    }
    router
}
