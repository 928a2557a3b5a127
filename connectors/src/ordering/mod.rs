//! The ordering connector: JWO's CreatePurchases, from a validated cart to a priced purchase,
//! a captured payment, a receipt and the POS export.
//!
//! The request handler only validates, matches the trip, prices and stores the purchase with
//! its job in one transaction, then answers 201. Everything that talks to the PSP, writes the
//! receipt or exports the sale runs afterwards in the job worker, step by recorded step, so a
//! crash or a retry at any point repeats no charge, receipt or export.

pub mod cart;
pub mod config;
pub mod export;
pub mod handler;
pub mod job;
pub mod notify;
pub mod pos_delivery;
pub mod pos_map;
pub mod price;
pub mod purchase_job;
pub mod receipt;
pub mod refund;
pub mod refund_job;
pub mod request;
pub mod settle;
pub mod store;
pub mod trips;
pub mod worker;

pub use config::{OrderingConfig, PausePoint, UnknownSkuPolicy};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::AppState;

/// Routes of the ordering connector: JWO's CreatePurchases behind the JWO caller check.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handler::create_purchase))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::jwo::require_jwo_caller,
        ))
        .merge(OpenApiRouter::new().routes(routes!(refund::create_refund)))
}

/// Outbox event kind of alerts for the retailer (unmatched carts, unknown SKUs, failed jobs).
pub const RETAILER_ALERT: &str = "retailer-alert";

/// Builds the payload of a retailer alert about a purchase being stored.
fn alert_payload(
    purchase_id: &str,
    purchase: &store::NewPurchase,
    reason: &str,
    details: &serde_json::Value,
) -> serde_json::Value {
    serde_json::json!({
        "reason": reason,
        "purchase_id": purchase_id,
        "idempotent_shopping_trip_id": purchase.idempotent_shopping_trip_id,
        "store_id": purchase.store_id,
        "trip_id": purchase.trip_id,
        "details": details,
    })
}
