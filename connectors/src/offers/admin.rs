//! Admin routes of offers under `/admin/v1/offers`: create, list, read, update and withdraw
//! retailer-defined general offers, and run the association-rule job on demand.
//!
//! Every route needs an admin key with the `offers:write` scope (or `admin`). Targeted offers
//! are made by the association-rule job, so they can be listed and withdrawn here but not
//! edited.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Offer, OfferInput, OfferKind, check_offer_id};
use super::recompute::{self, RecomputeCounts};
use super::store::{self, OfferStoreError};
use crate::auth::admin::{AdminCaller, Scope};
use crate::catalog::promotions::resolve_sku_target;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// The offers of a listing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdminOfferList {
    pub offers: Vec<Offer>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `general` or `targeted`; both when absent.
    kind: Option<String>,
    /// True to include withdrawn offers (default false).
    #[serde(default)]
    include_withdrawn: bool,
}

fn internal(error: OfferStoreError) -> Problem {
    Problem::internal(&error)
}

fn not_found(offer_id: &str) -> Problem {
    Problem::new(problem::NOT_FOUND, format!("no offer with id {offer_id:?}"))
}

fn offer_path(path: Result<Path<String>, PathRejection>) -> Result<String, Problem> {
    let Path(offer_id) = path.map_err(|rejection| Problem::invalid(rejection.body_text()))?;
    check_offer_id(&offer_id)
        .map_err(|error| Problem::invalid(error.to_string()).with("field", error.field))?;
    Ok(offer_id)
}

/// Checks the body and spells a SKU target as the store's catalog does.
async fn checked_input(
    state: &AppState,
    body: Result<Json<OfferInput>, JsonRejection>,
) -> Result<OfferInput, Problem> {
    let mut input = super::json_body(body)?;
    input
        .check()
        .map_err(|error| Problem::invalid(error.to_string()).with("field", error.field))?;
    if let Some(store_id) = input.store_id.clone() {
        resolve_sku_target(&state.db, &store_id, &mut input.rule)
            .await
            .map_err(|error| Problem::internal(&error))?;
    }
    Ok(input)
}

/// Creates a general offer.
#[utoipa::path(post, path = "/admin/v1/offers", tag = "admin", request_body = OfferInput,
    responses(
        (status = 201, description = "The offer as stored", body = Offer),
        (status = 400, description = "A field is invalid; `field` names it", content_type = "application/problem+json"),
        (status = 401, description = "No valid admin key", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks offers:write", content_type = "application/problem+json"),
        (status = 409, description = "An offer with this id exists (offer-exists)", content_type = "application/problem+json")))]
pub async fn create_offer(
    State(state): State<AppState>,
    caller: AdminCaller,
    body: Result<Json<OfferInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Offer>), Problem> {
    caller.require(Scope::OffersWrite)?;
    let input = checked_input(&state, body).await?;
    let offer_id = input
        .offer_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let now_ms = state.clock.now_ms();
    if !store::insert_general(&state.db, &offer_id, &input, now_ms)
        .await
        .map_err(internal)?
    {
        return Err(Problem::new(
            problem::OFFER_EXISTS,
            format!(
                "an offer with id {offer_id:?} exists; update it with PUT or choose another id"
            ),
        )
        .with("field", "offer_id"));
    }
    tracing::info!(key_id = %caller.key_id, %offer_id, "general offer created");
    let offer = store::get(&state.db, &offer_id).await.map_err(internal)?;
    let offer = offer.ok_or_else(|| not_found(&offer_id))?;
    Ok((StatusCode::CREATED, Json(offer)))
}

/// Lists offers, oldest first.
#[utoipa::path(get, path = "/admin/v1/offers", tag = "admin", params(ListQuery),
    responses(
        (status = 200, description = "The offers", body = AdminOfferList),
        (status = 400, description = "Unknown kind", content_type = "application/problem+json"),
        (status = 401, description = "No valid admin key", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks offers:write", content_type = "application/problem+json")))]
pub async fn list_offers(
    State(state): State<AppState>,
    caller: AdminCaller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<AdminOfferList>, Problem> {
    caller.require(Scope::OffersWrite)?;
    let Query(query) = query.map_err(|rejection| Problem::invalid(rejection.body_text()))?;
    let kind = match query.kind.as_deref() {
        None => None,
        Some(text) => Some(OfferKind::parse(text).ok_or_else(|| {
            Problem::invalid(format!(
                "invalid kind {text:?}: expected general or targeted"
            ))
            .with("field", "kind")
        })?),
    };
    let offers = store::list(&state.db, kind, query.include_withdrawn)
        .await
        .map_err(internal)?;
    Ok(Json(AdminOfferList { offers }))
}

/// Reads one offer, withdrawn or not.
#[utoipa::path(get, path = "/admin/v1/offers/{id}", tag = "admin",
    params(("id" = String, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The offer", body = Offer),
        (status = 404, description = "No offer with this id", content_type = "application/problem+json")))]
pub async fn get_offer(
    State(state): State<AppState>,
    caller: AdminCaller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Offer>, Problem> {
    caller.require(Scope::OffersWrite)?;
    let offer_id = offer_path(path)?;
    let offer = store::get(&state.db, &offer_id).await.map_err(internal)?;
    offer.map(Json).ok_or_else(|| not_found(&offer_id))
}

/// Replaces the fields of a general offer that is not withdrawn.
#[utoipa::path(put, path = "/admin/v1/offers/{id}", tag = "admin", request_body = OfferInput,
    params(("id" = String, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The offer as stored", body = Offer),
        (status = 400, description = "A field is invalid; `field` names it", content_type = "application/problem+json"),
        (status = 404, description = "No offer with this id", content_type = "application/problem+json"),
        (status = 409, description = "The offer is targeted or withdrawn (offer-not-editable)", content_type = "application/problem+json")))]
pub async fn update_offer(
    State(state): State<AppState>,
    caller: AdminCaller,
    path: Result<Path<String>, PathRejection>,
    body: Result<Json<OfferInput>, JsonRejection>,
) -> Result<Json<Offer>, Problem> {
    caller.require(Scope::OffersWrite)?;
    let offer_id = offer_path(path)?;
    let input = checked_input(&state, body).await?;
    let now_ms = state.clock.now_ms();
    if !store::update_general(&state.db, &offer_id, &input, now_ms)
        .await
        .map_err(internal)?
    {
        let existing = store::get(&state.db, &offer_id).await.map_err(internal)?;
        return Err(match existing {
            None => not_found(&offer_id),
            Some(_) => Problem::new(
                problem::OFFER_NOT_EDITABLE,
                format!("offer {offer_id:?} is targeted or withdrawn, so it cannot be edited"),
            ),
        });
    }
    tracing::info!(key_id = %caller.key_id, %offer_id, "general offer updated");
    let offer = store::get(&state.db, &offer_id).await.map_err(internal)?;
    offer.map(Json).ok_or_else(|| not_found(&offer_id))
}

/// Withdraws an offer: shoppers no longer see it and pricing no longer applies it, activated or
/// not. Withdrawing a withdrawn offer keeps the first time.
#[utoipa::path(post, path = "/admin/v1/offers/{id}/withdraw", tag = "admin",
    params(("id" = String, Path, description = "Offer id")),
    responses(
        (status = 200, description = "The withdrawn offer", body = Offer),
        (status = 404, description = "No offer with this id", content_type = "application/problem+json")))]
pub async fn withdraw_offer(
    State(state): State<AppState>,
    caller: AdminCaller,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Offer>, Problem> {
    caller.require(Scope::OffersWrite)?;
    let offer_id = offer_path(path)?;
    let now_ms = state.clock.now_ms();
    if !store::withdraw(&state.db, &offer_id, now_ms)
        .await
        .map_err(internal)?
    {
        return Err(not_found(&offer_id));
    }
    tracing::info!(key_id = %caller.key_id, %offer_id, "offer withdrawn");
    let offer = store::get(&state.db, &offer_id).await.map_err(internal)?;
    offer.map(Json).ok_or_else(|| not_found(&offer_id))
}

/// Mines association rules from every store's purchases and refreshes the targeted offers now,
/// as the scheduled job does.
#[utoipa::path(post, path = "/admin/v1/offers/recompute", tag = "admin",
    responses(
        (status = 200, description = "What the run wrote", body = RecomputeCounts),
        (status = 401, description = "No valid admin key", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks offers:write", content_type = "application/problem+json")))]
pub async fn recompute_offers(
    State(state): State<AppState>,
    caller: AdminCaller,
) -> Result<Json<RecomputeCounts>, Problem> {
    caller.require(Scope::OffersWrite)?;
    let settings = state.config.offers;
    let now_ms = state.clock.now_ms();
    let counts = recompute::recompute_all(&state.db, &settings, now_ms)
        .await
        .map_err(|error| Problem::internal(&error))?;
    tracing::info!(key_id = %caller.key_id, ?counts, "offers recomputed on request");
    Ok(Json(counts))
}
