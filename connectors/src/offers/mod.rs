//! Offers to shoppers: retailer-defined general offers, targeted offers made from association
//! rules over purchase history, the shopper's consent to targeted offers, and the redemption of
//! activated offers at pricing.
//!
//! Targeted offers exist only for shoppers whose latest consent grants them: the job checks the
//! consent before it writes a target, and opting out deletes the shopper's targets at once.
//! App routes never tell a missing offer from another shopper's (see [`app`]). Pricing itself
//! stays in [`crate::pricing`]: this module only hands it the activated offers.

pub mod admin;
pub mod app;
pub mod consent;
pub mod mining;
pub mod model;
pub mod recompute;
mod recompute_write;
pub mod redeem;
pub mod run_claim;
pub mod schedule;
pub mod store;

pub use mining::{AssociationRule, MILLION, MiningThresholds, millionths, mine_rules};
pub use model::{Offer, OfferInput, OfferKind};
pub use recompute::{RecomputeCounts, RecomputeSettings, recompute_all, recompute_store};
pub use recompute_write::{OFFERS_NEW, targeted_offer_id};
pub use redeem::{activated_offers, redeem};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::{self, Problem};
use crate::server::AppState;

/// Returns the admin and app routes of offers and consent.
pub fn routes(_state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::list_offers, admin::create_offer))
        .routes(routes!(admin::recompute_offers))
        .routes(routes!(admin::get_offer, admin::update_offer))
        .routes(routes!(admin::withdraw_offer))
        .routes(routes!(app::list_offers))
        .routes(routes!(app::activate_offer))
        .routes(routes!(consent::get_consent, consent::put_consent))
}

/// Starts the scheduled association-rule job with the `[offers]` settings of the configuration.
pub fn spawn_scheduled_job(state: &AppState) {
    recompute::spawn(state.db.clone(), state.clock.clone(), state.config.offers);
}

/// Unwraps a JSON body, turning the extractor's plain-text rejections into problems.
fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, Problem> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(rejection) if rejection.status().as_u16() == 413 => Err(Problem::new(
            problem::PAYLOAD_TOO_LARGE,
            "the request body is larger than the service accepts (max_body_bytes)",
        )),
        Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
            problem::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json",
        )),
        Err(rejection) => Err(Problem::invalid(rejection.body_text())),
    }
}

/// Formats unix milliseconds as RFC 3339 in UTC.
fn rfc3339_ms(unix_ms: i64) -> String {
    model::time_from_ms(unix_ms)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
