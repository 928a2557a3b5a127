//! App routes of offers: `GET /app/v1/offers` and `POST /app/v1/offers/{id}/activate`.
//!
//! The list contains the general offers active now and the caller's targeted offers. Activation
//! looks the id up in that same list, so a missing id, a withdrawn offer and another shopper's
//! targeted offer all get the one 404 body, which names neither the id nor the reason.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::model::{Offer, OfferKind};
use super::rfc3339_ms;
use super::store::{self, ShopperOffer};
use crate::auth::app::Shopper;
use crate::catalog::promotions::PromotionRule;
use crate::problem::{self, Problem};
use crate::server::AppState;
use crate::shoppers;

/// One offer as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OfferView {
    pub offer_id: String,
    pub kind: OfferKind,
    /// The store it applies in; none means every store.
    pub store_id: Option<String>,
    pub title: String,
    pub description: String,
    pub rule: PromotionRule,
    /// RFC 3339 end of the offer, when it has one.
    pub active_to: Option<String>,
    /// True once the shopper activated it; an activated offer applies at the next purchase.
    pub activated: bool,
    /// True once a purchase used it.
    pub redeemed: bool,
    /// Explanation of a targeted offer, e.g. "because you bought RED MUG"; absent for
    /// general offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The offers of a shopper.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfferList {
    pub offers: Vec<OfferView>,
}

fn view(found: ShopperOffer) -> OfferView {
    let Offer {
        offer_id,
        kind,
        store_id,
        title,
        description,
        rule,
        active_to,
        ..
    } = found.offer;
    OfferView {
        offer_id,
        kind,
        store_id,
        title,
        description,
        rule,
        active_to: active_to.map(|at| rfc3339_ms(super::model::time_to_ms(at))),
        activated: found.activated_at.is_some(),
        redeemed: found.redeemed_at.is_some(),
        reason: found.reason,
    }
}

/// Returns the caller's shopper id, creating the shopper record on first sight.
pub(super) async fn shopper_record(state: &AppState, caller: &Shopper) -> Result<String, Problem> {
    let now_ms = state.clock.now_ms();
    let record = shoppers::get_or_create(&state.db, &caller.sub, now_ms)
        .await
        .map_err(|error| Problem::internal(&error))?;
    Ok(record.id)
}

/// Returns the one 404 of an offer the caller cannot see.
fn offer_not_found() -> Problem {
    Problem::new(problem::NOT_FOUND, "no offer with this id for this shopper")
}

/// Lists the general offers active now and the caller's targeted offers.
#[utoipa::path(get, path = "/app/v1/offers", tag = "app",
    responses((status = 200, description = "The caller's offers, general ones first", body = OfferList)))]
pub async fn list_offers(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<Json<OfferList>, Problem> {
    let shopper = shopper_record(&state, &caller).await?;
    let now_ms = state.clock.now_ms();
    let offers = store::visible_offers(&state.db, &shopper, now_ms, None)
        .await
        .map_err(|error| Problem::internal(&error))?;
    Ok(Json(OfferList {
        offers: offers.into_iter().map(view).collect(),
    }))
}

/// Activates an offer for the caller's next purchase. Activating an activated offer returns the
/// same response and changes nothing.
#[utoipa::path(post, path = "/app/v1/offers/{id}/activate", tag = "app",
    params(("id" = String, Path, description = "Offer id"),
        ("Idempotency-Key" = String, Header, description = "Unique key of this operation")),
    responses(
        (status = 200, description = "The offer, now activated", body = OfferView),
        (status = 400, description = "No Idempotency-Key header", content_type = "application/problem+json"),
        (status = 404, description = "No offer with this id for this shopper", content_type = "application/problem+json")))]
pub async fn activate_offer(
    State(state): State<AppState>,
    caller: Shopper,
    offer_id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let Ok(Path(offer_id)) = offer_id else {
        return Err(offer_not_found());
    };
    let shopper = shopper_record(&state, &caller).await?;
    let fingerprint = format!("POST /app/v1/offers/{offer_id}/activate");
    let now_ms = state.clock.now_ms();
    crate::idempotency::run(
        &state.db,
        now_ms,
        &shopper,
        &headers,
        fingerprint.as_bytes(),
        activate(&state, &shopper, &offer_id, now_ms),
    )
    .await
}

async fn activate(
    state: &AppState,
    shopper: &str,
    offer_id: &str,
    now_ms: i64,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let internal = |error: store::OfferStoreError| Problem::internal(&error);
    let visible = store::visible_offers(&state.db, shopper, now_ms, Some(offer_id))
        .await
        .map_err(internal)?;
    let Some(mut found) = visible.into_iter().next() else {
        return Err(offer_not_found());
    };
    let activated_at = store::activate(&state.db, offer_id, shopper, now_ms)
        .await
        .map_err(internal)?;
    if found.activated_at.is_none() {
        tracing::info!(shopper_id = %shopper, %offer_id, "offer activated");
    }
    found.activated_at = Some(activated_at);
    let body = serde_json::to_value(view(found)).map_err(|error| Problem::internal(&error))?;
    Ok((StatusCode::OK, Json(body)))
}
