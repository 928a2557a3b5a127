//! `POST /v1/order/purchases` (JWO CreatePurchases): validate, match the trip, price, store the
//! purchase with its job in one transaction, and answer `201 {"purchaseId": …}`.
//!
//! The handler calls no PSP and writes no receipt: those run in the job worker after the 201,
//! so JWO's call stays fast and a crash after the answer loses nothing. A repeated
//! `idempotentShoppingTripId` gets the first purchase id again and changes nothing; concurrent
//! duplicates converge on the unique index of `purchases`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::price::{self, PriceError, Priced};
use super::request::{self, ValidPurchase, VisitorKind};
use super::store::{self, ChargeMode, Inserted, MatchMethod, NewPurchase};
use super::trips::{self, TripMatch};
use crate::problem::{self, Problem};
use crate::server::{AppState, RequestId};

/// Receives a finished cart from JWO.
#[utoipa::path(post, path = "/v1/order/purchases", tag = "jwo",
    request_body(content = String, description = "JWO CreatePurchases body", content_type = "application/json"),
    responses(
        (status = 201, description = "The purchase is stored; `{\"purchaseId\": \"…\"}`"),
        (status = 400, description = "The body failed validation; the detail names the field", content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid JWO caller credentials", content_type = "application/problem+json"),
        (status = 503, description = "The store or its catalog cannot price the cart yet", content_type = "application/problem+json")))]
pub async fn create_purchase(
    State(state): State<AppState>,
    axum::Extension(request_id): axum::Extension<RequestId>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    let config = &state.config.ordering;
    let unit_names = config.unit_names();
    let unit_refs: Vec<&str> = unit_names.iter().map(String::as_str).collect();
    let purchase = request::parse(&body, &unit_refs)
        .map_err(|error| Problem::invalid(error.to_string()).with("field", error.field.clone()))?;
    let auth_event_ids: Vec<&str> = purchase
        .auth_events
        .iter()
        .map(|(id, _, _)| id.as_str())
        .collect();
    tracing::info!(
        jwo_request_id = %purchase.request_id,
        store_id = %purchase.store_id,
        idempotent_shopping_trip_id = %purchase.idempotent_shopping_trip_id,
        auth_event_ids = ?auth_event_ids,
        items = purchase.items.len(),
        request_id = %request_id.0,
        "purchase received"
    );

    let pool = &state.db.pool;
    if let Some(purchase_id) = store::find_by_trip_key(pool, &purchase.idempotent_shopping_trip_id)
        .await
        .map_err(|e| Problem::internal(&e))?
    {
        tracing::info!(%purchase_id, "repeated idempotentShoppingTripId; returning the first purchase");
        return Ok(created(&purchase_id));
    }

    let now_ms = state.clock.now_ms();
    let trip = trips::match_trip(&state.db, &purchase)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let units = config.unit_table().map_err(|e| Problem::internal(&e))?;
    let offers = match trip.as_ref().and_then(|trip| trip.shopper_id.as_deref()) {
        Some(shopper_id) => {
            crate::offers::activated_offers(&state.db, shopper_id, &purchase.store_id, now_ms)
                .await
                .map_err(|e| Problem::internal(&e))?
        }
        None => Vec::new(),
    };
    let priced = price::price(
        &state.db,
        &purchase,
        &units,
        config.unknown_sku,
        &offers,
        now_ms,
    )
    .await
    .map_err(price_problem)?;

    let new = new_purchase(&purchase, trip.as_ref(), priced);
    let inserted = store::insert_if_absent(&state.db.writer, &new, now_ms)
        .await
        .map_err(|e| Problem::internal(&e))?;
    match &inserted {
        Inserted::New { purchase_id } => tracing::info!(
            %purchase_id,
            trip_id = ?new.trip_id,
            match_method = new.match_method.as_str(),
            charge_mode = new.charge_mode.as_str(),
            grand_minor = new.cart.totals.grand_minor,
            unpriced = new.cart.unpriced.len(),
            "purchase stored"
        ),
        Inserted::Existing { purchase_id } => tracing::info!(
            %purchase_id,
            "concurrent delivery of the same idempotentShoppingTripId; returning the stored purchase"
        ),
    }
    Ok(created(inserted.purchase_id()))
}

fn created(purchase_id: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({ "purchaseId": purchase_id })),
    )
}

fn price_problem(error: PriceError) -> Problem {
    match error {
        PriceError::Invalid { field, reason } => {
            Problem::invalid(format!("invalid {field}: {reason}")).with("field", field)
        }
        PriceError::UnknownStore(store_id) => {
            tracing::error!(%store_id, "cart for a store without settings");
            Problem::new(
                problem::STORE_NOT_CONFIGURED,
                format!("store {store_id:?} has no settings"),
            )
        }
        PriceError::Catalog { store_id, source } => {
            tracing::error!(%store_id, error = %source, "the catalog cannot price a cart");
            Problem::new(
                problem::CATALOG_CANNOT_PRICE,
                format!("the catalog of store {store_id:?} cannot price this cart: {source}"),
            )
        }
        PriceError::Store(error) => Problem::internal(&error),
    }
}

/// Decides the charge mode and the alerts, and assembles the row to store.
fn new_purchase(purchase: &ValidPurchase, trip: Option<&TripMatch>, priced: Priced) -> NewPurchase {
    let associate_scan = purchase
        .auth_events
        .iter()
        .any(|(_, _, kind)| *kind == Some(VisitorKind::Associate));
    let (charge_mode, match_method) = match trip {
        None => (ChargeMode::None, MatchMethod::Unmatched),
        Some(trip) if trip.is_test || trip.is_associate || associate_scan => {
            (ChargeMode::Test, trip.method)
        }
        // A shopper trip always has a shopper; without one there is no card to charge.
        Some(trip) if trip.shopper_id.is_none() => (ChargeMode::Test, trip.method),
        Some(trip) => (ChargeMode::Charge, trip.method),
    };

    let mut alerts = Vec::new();
    if trip.is_none() {
        let visitors: Vec<&str> = purchase
            .auth_events
            .iter()
            .filter_map(|(_, visitor, _)| visitor.as_deref())
            .collect();
        let events: Vec<&str> = purchase
            .auth_events
            .iter()
            .map(|(id, _, _)| id.as_str())
            .collect();
        tracing::warn!(store_id = %purchase.store_id, auth_event_ids = ?events, "cart matches no trip");
        alerts.push((
            "unmatched-cart".to_owned(),
            json!({ "auth_event_ids": events, "visitor_ids": visitors, "grand_minor": priced.cart.totals.grand_minor }),
        ));
    }
    if !priced.unknown.is_empty() {
        let lines: Vec<Value> = priced
            .unknown
            .iter()
            .map(|(index, id)| json!({ "line_index": index, "cart_item_id": id }))
            .collect();
        tracing::warn!(store_id = %purchase.store_id, unknown = priced.unknown.len(), "cart has items missing from the catalog");
        alerts.push(("unknown-sku".to_owned(), json!({ "lines": lines })));
    }

    NewPurchase {
        idempotent_shopping_trip_id: purchase.idempotent_shopping_trip_id.clone(),
        request_id: purchase.request_id.clone(),
        store_id: purchase.store_id.clone(),
        trip_id: trip.map(|t| t.trip_id.clone()),
        shopper_id: trip.and_then(|t| t.shopper_id.clone()),
        match_method,
        charge_mode,
        request: request_json(purchase),
        cart: priced.cart,
        alerts,
    }
}

/// The validated request as stored in `purchases.request`.
fn request_json(purchase: &ValidPurchase) -> Value {
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let auth_events: Vec<Value> = purchase
        .auth_events
        .iter()
        .map(|(id, visitor, kind)| {
            json!({ "id": id, "scanResultId": visitor, "scanResultType": kind.map(|k| format!("{k:?}").to_uppercase()) })
        })
        .collect();
    let items: Vec<Value> = purchase
        .items
        .iter()
        .map(|item| {
            json!({
                "id": item.id,
                "type": match item.kind { request::ItemKind::Sku => "SKU", request::ItemKind::ScanCode => "SCANCODE" },
                "quantity": { "value": item.quantity.to_string(), "unit": item.unit },
                "lineItemId": item.line_item_id,
                "barcodes": item.barcodes,
            })
        })
        .collect();
    json!({
        "requestId": purchase.request_id,
        "idempotentShoppingTripId": purchase.idempotent_shopping_trip_id,
        "storeId": purchase.store_id,
        "startTime": format(purchase.start_time),
        "endTime": format(purchase.end_time),
        "authEvents": auth_events,
        "cartItems": items,
    })
}
