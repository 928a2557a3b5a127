//! The embedded sandbox PSP: a stateful subset of Stripe's HTTP API under `/psp/v1/` on the
//! service's own listener, with Stripe's wire format, test cards and decline behaviours.
//!
//! It exists so that the `stripe` adapter, the app's tokenization client and every payment test
//! run unchanged without a network or a PSP account. State lives in the service database
//! (`psp_*` tables), so charges can be counted after a restart. It is not a security boundary:
//! its keys are sandbox keys, and it never moves money. Webhooks are not sent.

mod cards;
mod guard;
mod intent;
mod intents;
mod methods;
mod operations;
mod wire;

pub use cards::{Behaviour, luhn_valid};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::AppState;

/// The sandbox's routes, behind the key and idempotency guard.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(methods::create_payment_method))
        .routes(routes!(methods::get_payment_method))
        .routes(routes!(methods::attach_payment_method))
        .routes(routes!(methods::create_customer))
        .routes(routes!(intents::create_payment_intent))
        .routes(routes!(intents::get_payment_intent))
        .routes(routes!(intents::confirm_payment_intent))
        .routes(routes!(operations::capture_payment_intent))
        .routes(routes!(operations::cancel_payment_intent))
        .routes(routes!(operations::increment_authorization))
        .routes(routes!(operations::create_refund))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
}
