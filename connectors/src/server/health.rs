//! Liveness, readiness, and the pages that explain each problem slug.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::problem::{self, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    status: &'static str,
    /// Applied schema version.
    schema_version: i64,
}

/// Liveness: the process is up and answering.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is up", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: the database answers, its migrations are applied, and the user pool's keys were
/// fetched once when app authentication is configured.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "A dependency is not ready; the problem lists which", content_type = "application/problem+json")))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let mut failed: Vec<String> = Vec::new();

    match state.db.ping().await {
        Ok(()) => match state.db.schema_is_current().await {
            Ok(true) => {}
            Ok(false) => failed.push("database: migrations not applied".to_owned()),
            Err(error) => failed.push(format!(
                "database: cannot read the schema version ({error})"
            )),
        },
        Err(error) => failed.push(format!("database: not answering ({error})")),
    }
    failed.extend(state.auth.not_ready());

    if failed.is_empty() {
        let body = Readiness {
            status: "ready",
            schema_version: state.db.expected_schema_version(),
        };
        return Json(body).into_response();
    }
    tracing::warn!(failed = ?failed, "readiness check failed");
    Problem::new(problem::NOT_READY, failed.join("; "))
        .with("failed", failed)
        .into_response()
}

/// The human-readable explanation of one problem slug (the target of a problem's `type`).
#[utoipa::path(get, path = "/problems/{slug}", tag = "operations",
    params(("slug" = String, Path, description = "Problem slug, such as `invalid-request`")),
    responses(
        (status = 200, description = "An HTML page explaining the slug", content_type = "text/html"),
        (status = 404, description = "Unknown slug", content_type = "application/problem+json")))]
pub async fn problem_page(Path(slug): Path<String>) -> Response {
    let Some(kind) = problem::kind_by_slug(&slug) else {
        return Problem::new(problem::NOT_FOUND, format!("unknown problem type {slug:?}"))
            .into_response();
    };
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>HTTP status {status}. Problem type <code>/problems/{slug}</code>.</p>\n\
         <p>{explanation}</p></body></html>\n",
        title = kind.title,
        status = kind.status,
        slug = kind.slug,
        explanation = kind.explanation,
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
