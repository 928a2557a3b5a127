//! `GET /admin/v1/reports/kpis`: the KPI report over HTTP, for an admin key with the
//! `reports:read` scope (or `admin`).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Format, KpiError, build_report, parse_date, render};
use crate::auth::admin::{AdminCaller, Scope};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Routes of the KPI report.
pub fn routes(_state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(kpis))
}

/// Query of the KPI report.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// The store, such as `UK-LON-001`.
    pub store_id: Option<String>,
    /// First local date of the period, `YYYY-MM-DD` [default: 29 days before `to`].
    pub from: Option<String>,
    /// Last local date of the period, included [default: today in the store's time zone].
    pub to: Option<String>,
    /// `json`, `csv` or `html` [default: json].
    pub format: Option<String>,
}

/// Returns the KPIs of a store over a period.
#[utoipa::path(get, path = "/admin/v1/reports/kpis", tag = "admin",
    params(KpiQuery),
    responses(
        (status = 200, description = "The report as JSON, RFC 4180 CSV or a self-contained HTML page"),
        (status = 400, description = "Invalid parameter; `field` names it", content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the reports:read scope", content_type = "application/problem+json"),
        (status = 404, description = "Unknown store", content_type = "application/problem+json")))]
pub async fn kpis(
    State(state): State<AppState>,
    caller: AdminCaller,
    query: Result<Query<KpiQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    caller.require(Scope::ReportsRead)?;
    let Query(query) = query.map_err(|e| Problem::invalid(format!("invalid query: {e}")))?;
    let store_id = query
        .store_id
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| Problem::invalid("missing store_id").with("field", "store_id"))?;
    let format_text = query.format.as_deref().unwrap_or("json");
    let format = Format::parse(format_text).ok_or_else(|| {
        Problem::invalid(format!(
            "invalid format {format_text:?}: expected json, csv or html"
        ))
        .with("field", "format")
    })?;
    let from = parse_date("from", query.from.as_deref()).map_err(to_problem)?;
    let to = parse_date("to", query.to.as_deref()).map_err(to_problem)?;

    let report = build_report(&state.db, &store_id, from, to, state.clock.now_ms())
        .await
        .map_err(to_problem)?;
    tracing::info!(key_id = %caller.key_id, store_id = %store_id, from = %report.from, to = %report.to, "KPI report made");

    let mut response = render(&report, format).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    Ok(response)
}

/// Maps a report error to its problem document.
pub fn to_problem(error: KpiError) -> Problem {
    match error {
        KpiError::Invalid { field, .. } => Problem::invalid(error.to_string()).with("field", field),
        KpiError::UnknownStore(_) => Problem::new(problem::NOT_FOUND, error.to_string()),
        KpiError::Settings(_) | KpiError::Database(_) => Problem::internal(&error),
    }
}
