//! Admin routes of the catalog: the upload of a catalog file and the paged listing of a store's
//! catalog, plus the route table of the store settings and promotions in `store_routes`.
//!
//! Every route needs an admin key with the `catalog:write` scope. Handlers only translate
//! between HTTP and the catalog modules; errors leave as problem documents.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::store_routes;
use crate::auth::admin::{AdminCaller, Scope};
use crate::catalog::CatalogItem;
use crate::catalog::import::{self, FileFormat, ImportError, ImportReport};
use crate::catalog::store::{self, MAX_PAGE, StoreError};
use crate::catalog::template::{MAX_SKU_CHARS, TemplateError};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Default page size of the catalog listing.
const DEFAULT_PAGE: u32 = 100;

/// Largest decompressed catalog upload, as a multiple of the body limit.
const GZIP_EXPANSION_LIMIT: usize = 16;

/// Returns the catalog, store settings and promotion routes.
pub fn routes(_state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_catalog))
        .routes(routes!(list_catalog))
        .routes(routes!(store_routes::get_store, store_routes::put_store))
        .routes(routes!(store_routes::put_tax_rates))
        .routes(routes!(
            store_routes::list_promotions,
            store_routes::create_promotion
        ))
        .routes(routes!(store_routes::delete_promotion))
}

/// Logs a storage failure and returns the generic internal problem.
pub(super) fn store_failure(error: StoreError) -> Problem {
    Problem::internal(&error)
}

/// Returns the problem for a body over the service's limit.
pub(super) fn too_large(limit: usize) -> Problem {
    Problem::new(
        problem::PAYLOAD_TOO_LARGE,
        format!("the request body is larger than the limit of {limit} bytes (max_body_bytes)"),
    )
    .with("max_bytes", limit)
}

/// Checks a store id from a path or a query: 1 to 255 characters.
pub(super) fn check_store_id(store_id: &str) -> Result<(), Problem> {
    let length = store_id.chars().count();
    if store_id.trim().is_empty() || length > MAX_SKU_CHARS {
        return Err(Problem::invalid(format!(
            "store_id must be 1 to {MAX_SKU_CHARS} characters"
        )));
    }
    Ok(())
}

pub(super) fn path_value<T>(path: Result<Path<T>, PathRejection>) -> Result<T, Problem> {
    path.map(|Path(value)| value)
        .map_err(|rejection| Problem::invalid(rejection.body_text()))
}

pub(super) fn query_value<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, Problem> {
    query
        .map(|Query(value)| value)
        .map_err(|rejection| Problem::invalid(rejection.body_text()))
}

/// Unwraps a JSON body, turning the extractor's plain-text rejections into problems.
pub(super) fn json_value<T>(
    body: Result<Json<T>, JsonRejection>,
    limit: usize,
) -> Result<T, Problem> {
    match body {
        Ok(Json(value)) => Ok(value),
        Err(rejection) if rejection.status().as_u16() == 413 => Err(too_large(limit)),
        Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
            problem::UNSUPPORTED_MEDIA_TYPE,
            "send the body as application/json",
        )),
        Err(rejection) => Err(Problem::invalid(rejection.body_text())),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Import only rows of this store; rows of other stores are rejected. Rows without a
    /// `currency` value then take the store's currency.
    store_id: Option<String>,
}

fn format_of(headers: &HeaderMap) -> Result<FileFormat, Problem> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/csv" | "application/csv" => Ok(FileFormat::Csv),
        "application/json" => Ok(FileFormat::Json),
        _ => Err(Problem::new(
            problem::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "Content-Type {content_type:?} is not a catalog format; send text/csv or application/json"
            ),
        )),
    }
}

fn import_failure(error: ImportError) -> Problem {
    let invalid = |detail: String| Problem::new(problem::INVALID_CATALOG_FILE, detail);
    match error {
        ImportError::File(TemplateError::MissingColumn(column)) => {
            invalid(format!("the catalog file has no {column} column"))
                .with("missing_column", column)
        }
        ImportError::File(TemplateError::Csv(error)) => {
            invalid(format!("the body is not a readable CSV file: {error}"))
        }
        ImportError::File(error) => invalid(error.to_string()),
        ImportError::Gzip(error) => {
            invalid(format!("the gzip body cannot be decompressed: {error}"))
        }
        ImportError::TooLarge { limit } => Problem::new(
            problem::PAYLOAD_TOO_LARGE,
            format!("the decompressed catalog file is larger than the limit of {limit} bytes"),
        )
        .with("max_bytes", limit),
        ImportError::Store(error) => store_failure(error),
    }
}

/// Imports a catalog file: the JWO catalog template as CSV or JSON (optionally gzip). Items are
/// created or replaced by store and SKU (ignoring letter case). Every row is reported; bad rows
/// are rejected one by one and the rest land.
#[utoipa::path(post, path = "/admin/v1/catalog", tag = "admin", params(ImportQuery),
    request_body(description = "The catalog template file", content(
        ("text/csv"),
        ("application/json"))),
    responses(
        (status = 200, description = "The file was read; the report lists every row", body = ImportReport),
        (status = 400, description = "The file cannot be read as a whole (invalid-catalog-file)", content_type = "application/problem+json"),
        (status = 401, description = "No valid admin key", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks catalog:write", content_type = "application/problem+json"),
        (status = 413, description = "The body is over the service's limit, given in max_bytes", content_type = "application/problem+json"),
        (status = 415, description = "Content-Type is neither text/csv nor application/json", content_type = "application/problem+json")))]
pub async fn import_catalog(
    State(state): State<AppState>,
    caller: AdminCaller,
    query: Result<Query<ImportQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportReport>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let query = query_value(query)?;
    let only_store = query.store_id.as_deref();
    if let Some(store_id) = only_store {
        check_store_id(store_id)?;
    }
    let format = format_of(&headers)?;
    let limit = state.config.max_body_bytes;
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status().as_u16() == 413 => return Err(too_large(limit)),
        Err(rejection) => return Err(Problem::invalid(rejection.body_text())),
    };

    let currency = import::default_currency(&state.db, only_store)
        .await
        .map_err(store_failure)?;
    let expanded_limit = limit.saturating_mul(GZIP_EXPANSION_LIMIT);
    // Parsing is CPU-bound, so it runs off the async worker threads.
    let parsed = tokio::task::spawn_blocking(move || {
        let bytes = import::decompress(body.to_vec(), expanded_limit)?;
        import::parse_file(&bytes, format, currency, &mut |_| {}).map_err(ImportError::from)
    })
    .await
    .map_err(|error| Problem::internal(&error))?
    .map_err(import_failure)?;

    let now_ms = state.clock.now_ms();
    let report = import::store_parsed(&state.db, parsed, only_store, now_ms)
        .await
        .map_err(import_failure)?;
    let counts = report.counts;
    tracing::info!(
        key_id = %caller.key_id,
        store_id = only_store.unwrap_or("*"),
        rows = counts.rows,
        accepted = counts.accepted,
        superseded = counts.superseded,
        rejected = counts.rejected,
        created = counts.created,
        updated = counts.updated,
        "catalog imported"
    );
    Ok(Json(report))
}

/// A price on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Money {
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

/// One catalog item as the listing shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CatalogItemView {
    pub item_sku: String,
    pub item_name: String,
    /// Price per `unit`.
    pub price: Money,
    /// `each`, `kg` or `lb`.
    pub unit: String,
    pub product_tax_code: String,
    pub product_category: String,
    pub product_subcategory: String,
    pub brand_name: String,
    /// Primary barcode; empty when none.
    pub external_product_id: String,
    pub external_product_id_type: String,
    pub additional_barcodes: Vec<String>,
}

impl From<CatalogItem> for CatalogItemView {
    fn from(item: CatalogItem) -> Self {
        CatalogItemView {
            item_sku: item.item_sku,
            item_name: item.item_name,
            price: Money {
                amount_minor: item.price_minor,
                currency: item.currency,
            },
            unit: item.unit.as_str().to_owned(),
            product_tax_code: item.product_tax_code,
            product_category: item.product_category,
            product_subcategory: item.product_subcategory,
            brand_name: item.brand_name,
            external_product_id: item.external_product_id,
            external_product_id_type: item.external_product_id_type,
            additional_barcodes: item.additional_barcodes,
        }
    }
}

/// One page of a store's catalog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogPage {
    pub store_id: String,
    /// Items in SKU order, ignoring letter case.
    pub items: Vec<CatalogItemView>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 1000 (default 100).
    limit: Option<u32>,
    /// The `next_after` of the previous page.
    after: Option<String>,
}

/// Lists a store's catalog page by page.
#[utoipa::path(get, path = "/admin/v1/stores/{store_id}/catalog", tag = "admin",
    params(("store_id" = String, Path, description = "Store id"), PageQuery),
    responses(
        (status = 200, description = "One page of items", body = CatalogPage),
        (status = 400, description = "Invalid limit or store id", content_type = "application/problem+json"),
        (status = 401, description = "No valid admin key", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks catalog:write", content_type = "application/problem+json")))]
pub async fn list_catalog(
    State(state): State<AppState>,
    caller: AdminCaller,
    store_id: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<CatalogPage>, Problem> {
    caller.require(Scope::CatalogWrite)?;
    let store_id = path_value(store_id)?;
    check_store_id(&store_id)?;
    let query = query_value(query)?;
    let limit = query.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Problem::invalid(format!("limit must be 1 to {MAX_PAGE}")));
    }

    let page = store::list_items(&state.db, &store_id, query.after.as_deref(), limit)
        .await
        .map_err(store_failure)?;
    Ok(Json(CatalogPage {
        store_id,
        items: page.items.into_iter().map(CatalogItemView::from).collect(),
        next_after: page.next_after,
    }))
}
