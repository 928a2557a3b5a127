//! Admin routes of a store: its settings, its tax rates and its promotions.
//!
//! Every route needs an admin key with the `catalog:write` scope, because these settings decide
//! what the catalog's items cost. The route table is in [`super::routes`].

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::routes::{check_store_id, json_value, path_value, store_failure};
use crate::auth::admin::{AdminCaller, Scope};
use crate::catalog::money::minor_digits;
use crate::catalog::promotions::{self, PromotionRule, StorePromotion};
use crate::catalog::settings::{self, MAX_RATE_BP, StoreSettings};
use crate::catalog::store;
use crate::catalog::uci::DEMO_STORE_ID;
use crate::pricing::TaxSettings;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Maximum length of a store name and of a tax code, in characters.
const MAX_TEXT_CHARS: usize = 100;

/// The settings of a store as the admin API writes them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StoreSettingsBody {
    /// Display name, the receipt's `businessUnit` name.
    name: String,
    /// ISO 4217 code.
    currency: String,
    /// IANA time zone name, such as `Europe/London`.
    time_zone: String,
    /// True when catalog prices include tax.
    prices_include_tax: bool,
}

/// A store's settings with its tax rates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StoreView {
    #[serde(flatten)]
    pub settings: StoreSettings,
    /// Basis points per tax code (2000 = 20%).
    pub tax_rates: BTreeMap<String, u32>,
    /// Rate for tax codes not in `tax_rates`; absent when such items cannot be priced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_tax_rate_bp: Option<u32>,
    /// Things to fix, such as catalog items priced in another currency.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The tax rates of a store. They replace every rate the store had.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TaxRatesBody {
    /// Basis points per `product_tax_code` (2000 = 20%), at most 10000.
    rates: BTreeMap<String, u32>,
    /// True when catalog prices include tax.
    prices_include_tax: bool,
    /// Rate for tax codes not in `rates`; without it such items cannot be priced.
    #[serde(default)]
    default_rate_bp: Option<u32>,
}

/// A promotion to create or replace.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PromotionBody {
    /// Id to create or replace; a UUID v7 is generated when absent.
    #[serde(default)]
    id: Option<String>,
    /// Text of the receipt's discount line.
    name: String,
    /// True to apply on top of other promotions.
    #[serde(default)]
    stackable: bool,
    kind: PromotionRule,
    /// Start of the active window (RFC 3339, inclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    active_from: Option<OffsetDateTime>,
    /// End of the active window (RFC 3339, exclusive).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    active_to: Option<OffsetDateTime>,
}

/// The promotions of a store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PromotionList {
    pub promotions: Vec<StorePromotion>,
}

fn store_not_found(store_id: &str) -> Problem {
    Problem::new(
        problem::NOT_FOUND,
        format!(
            "store {store_id} has no settings; create them with PUT /admin/v1/stores/{store_id}"
        ),
    )
}

async fn store_view(state: &AppState, store_id: &str) -> Result<StoreView, Problem> {
    let settings = settings::store_settings(&state.db, store_id)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| store_not_found(store_id))?;
    let tax = settings::tax_settings(&state.db, store_id)
        .await
        .map_err(store_failure)?;
    Ok(StoreView {
        settings,
        tax_rates: tax.rates_bp,
        default_tax_rate_bp: tax.default_rate_bp,
        warnings: Vec::new(),
    })
}

/// Returns a store's settings and tax rates.
#[utoipa::path(get, path = "/admin/v1/stores/{store_id}", tag = "admin",
    params(("store_id" = String, Path, description = "Store id")),
    responses(
        (status = 200, description = "The store's settings", body = StoreView),
        (status = 404, description = "The store has no settings", content_type = "application/problem+json")))]
pub async fn get_store(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
) -> Result<Json<StoreView>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    Ok(Json(store_view(&state, &store_id).await?))
}

fn check_settings(body: &StoreSettingsBody) -> Result<(), Problem> {
    let name_chars = body.name.trim().chars().count();
    if name_chars == 0 || name_chars > MAX_TEXT_CHARS {
        return Err(Problem::invalid(format!(
            "name must be 1 to {MAX_TEXT_CHARS} characters"
        )));
    }
    if minor_digits(&body.currency).is_none() {
        return Err(Problem::invalid(format!(
            "currency {:?} is not a supported ISO 4217 code (upper case, such as GBP)",
            body.currency
        )));
    }
    if jiff::tz::TimeZone::get(&body.time_zone).is_err() {
        return Err(Problem::invalid(format!(
            "time_zone {:?} is not an IANA time zone name, such as Europe/London",
            body.time_zone
        )));
    }
    Ok(())
}

/// Creates or replaces a store's settings. Its tax rates are kept; for the demo store without
/// stored settings, its default tax rates are stored with them.
#[utoipa::path(put, path = "/admin/v1/stores/{store_id}", tag = "admin",
    params(("store_id" = String, Path, description = "Store id")),
    request_body = StoreSettingsBody,
    responses(
        (status = 200, description = "The stored settings", body = StoreView),
        (status = 400, description = "Invalid settings", content_type = "application/problem+json")))]
pub async fn put_store(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
    body: Result<Json<StoreSettingsBody>, JsonRejection>,
) -> Result<Json<StoreView>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    let body = json_value(body, state.config.max_body_bytes)?;
    check_settings(&body)?;

    let now_ms = state.clock.now_ms();
    if store_id == DEMO_STORE_ID {
        settings::seed_demo_store(&state.db, now_ms)
            .await
            .map_err(store_failure)?;
    }
    let settings = StoreSettings {
        store_id: store_id.clone(),
        name: body.name.trim().to_owned(),
        currency: body.currency,
        time_zone: body.time_zone,
        prices_include_tax: body.prices_include_tax,
    };
    settings::put_store_settings(&state.db, &settings, now_ms)
        .await
        .map_err(store_failure)?;
    tracing::info!(key_id = %caller.key_id, store_id = %store_id, "store settings written");

    let mut view = store_view(&state, &store_id).await?;
    let other = store::count_items_not_in(&state.db, &store_id, &settings.currency)
        .await
        .map_err(store_failure)?;
    if other > 0 {
        view.warnings.push(format!(
            "{other} catalog items are priced in another currency than {}; carts with them cannot be priced until they are imported again in {}",
            settings.currency, settings.currency
        ));
    }
    Ok(Json(view))
}

fn check_rates(body: &TaxRatesBody) -> Result<(), Problem> {
    for (code, rate) in &body.rates {
        let chars = code.chars().count();
        if code.trim().is_empty() || chars > MAX_TEXT_CHARS {
            return Err(Problem::invalid(format!(
                "tax code {code:?} must be 1 to {MAX_TEXT_CHARS} characters"
            )));
        }
        if *rate > MAX_RATE_BP {
            return Err(Problem::invalid(format!(
                "rate of tax code {code:?} is {rate} basis points, maximum {MAX_RATE_BP}"
            )));
        }
    }
    match body.default_rate_bp {
        Some(rate) if rate > MAX_RATE_BP => Err(Problem::invalid(format!(
            "default_rate_bp is {rate}, maximum {MAX_RATE_BP}"
        ))),
        _ => Ok(()),
    }
}

/// Replaces a store's tax rates, default rate and tax-included flag.
#[utoipa::path(put, path = "/admin/v1/stores/{store_id}/tax-rates", tag = "admin",
    params(("store_id" = String, Path, description = "Store id")),
    request_body = TaxRatesBody,
    responses(
        (status = 200, description = "The store with its new rates", body = StoreView),
        (status = 400, description = "Invalid rates", content_type = "application/problem+json"),
        (status = 404, description = "The store has no settings", content_type = "application/problem+json")))]
pub async fn put_tax_rates(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
    body: Result<Json<TaxRatesBody>, JsonRejection>,
) -> Result<Json<StoreView>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    let body = json_value(body, state.config.max_body_bytes)?;
    check_rates(&body)?;

    let now_ms = state.clock.now_ms();
    if store_id == DEMO_STORE_ID {
        settings::seed_demo_store(&state.db, now_ms)
            .await
            .map_err(store_failure)?;
    }
    let tax = TaxSettings {
        prices_include_tax: body.prices_include_tax,
        rates_bp: body.rates,
        default_rate_bp: body.default_rate_bp,
    };
    let stored = settings::put_tax_settings(&state.db, &store_id, &tax, now_ms)
        .await
        .map_err(store_failure)?;
    if !stored {
        return Err(store_not_found(&store_id));
    }
    tracing::info!(key_id = %caller.key_id, store_id = %store_id, "tax rates written");
    Ok(Json(store_view(&state, &store_id).await?))
}

/// Lists a store's promotions, active or not, in the order they apply.
#[utoipa::path(get, path = "/admin/v1/stores/{store_id}/promotions", tag = "admin",
    params(("store_id" = String, Path, description = "Store id")),
    responses((status = 200, description = "The store's promotions", body = PromotionList)))]
pub async fn list_promotions(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
) -> Result<Json<PromotionList>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    let promotions = promotions::list_promotions(&state.db, &store_id)
        .await
        .map_err(store_failure)?;
    Ok(Json(PromotionList { promotions }))
}

/// Creates a promotion, or replaces the one with the same id.
#[utoipa::path(post, path = "/admin/v1/stores/{store_id}/promotions", tag = "admin",
    params(("store_id" = String, Path, description = "Store id")),
    request_body = PromotionBody,
    responses(
        (status = 201, description = "Created", body = StorePromotion),
        (status = 200, description = "Replaced the promotion with this id", body = StorePromotion),
        (status = 400, description = "Invalid promotion", content_type = "application/problem+json"),
        (status = 404, description = "The store has no settings", content_type = "application/problem+json")))]
pub async fn create_promotion(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
    body: Result<Json<PromotionBody>, JsonRejection>,
) -> Result<(StatusCode, Json<StorePromotion>), Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    let body = json_value(body, state.config.max_body_bytes)?;
    let known = settings::store_settings(&state.db, &store_id)
        .await
        .map_err(store_failure)?;
    if known.is_none() {
        return Err(store_not_found(&store_id));
    }

    let mut promotion = StorePromotion {
        id: body.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
        name: body.name.trim().to_owned(),
        stackable: body.stackable,
        kind: body.kind,
        active_from: body.active_from,
        active_to: body.active_to,
    };
    promotion.check().map_err(Problem::invalid)?;
    promotions::resolve_sku_target(&state.db, &store_id, &mut promotion.kind)
        .await
        .map_err(store_failure)?;

    let existing = promotions::list_promotions(&state.db, &store_id)
        .await
        .map_err(store_failure)?;
    let replaced = existing.iter().any(|other| other.id == promotion.id);
    promotions::put_promotion(&state.db, &store_id, &promotion, state.clock.now_ms())
        .await
        .map_err(store_failure)?;
    tracing::info!(key_id = %caller.key_id, store_id = %store_id, promotion_id = %promotion.id, replaced, "promotion written");
    let status = if replaced {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(promotion)))
}

/// Deletes a promotion.
#[utoipa::path(delete, path = "/admin/v1/stores/{store_id}/promotions/{promotion_id}", tag = "admin",
    params(
        ("store_id" = String, Path, description = "Store id"),
        ("promotion_id" = String, Path, description = "Promotion id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such promotion", content_type = "application/problem+json")))]
pub async fn delete_promotion(
    State(state): State<AppState>,
    caller: AdminCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
) -> Result<StatusCode, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let (store_id, promotion_id) = path_value(ids)?;
    check_store_id(&store_id)?;
    let deleted = promotions::delete_promotion(&state.db, &store_id, &promotion_id)
        .await
        .map_err(store_failure)?;
    if !deleted {
        return Err(Problem::new(
            problem::NOT_FOUND,
            format!("store {store_id} has no promotion {promotion_id:?}"),
        ));
    }
    tracing::info!(key_id = %caller.key_id, store_id = %store_id, promotion_id = %promotion_id, "promotion deleted");
    Ok(StatusCode::NO_CONTENT)
}
