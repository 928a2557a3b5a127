//! The route table. Routes are registered through `utoipa_axum`, so the OpenAPI 3.1 document at
//! `/openapi.json` is generated from the same code that serves them.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppState, health};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Walkout connectors",
        description = "JWO identity and ordering connectors, the shopper app API, and the admin API of Walkout."
    ),
    tags(
        (name = "operations", description = "Health, readiness and problem pages"),
        (name = "jwo", description = "Just Walk Out identity and ordering connectors"),
        (name = "app", description = "Shopper app API (Cognito access token)"),
        (name = "admin", description = "Administration (admin API key with scopes)"),
        (name = "psp", description = "The embedded sandbox payment service provider"),
    )
)]
struct ApiDoc;

pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::problem_page))
        .routes(routes!(crate::auth::session::end_session))
        .merge(crate::gate::routes(state))
        .merge(crate::payments::routes(state))
        .merge(crate::ordering::routes(state))
        .merge(crate::app_api::routes(state))
        .merge(crate::catalog::routes::routes(state))
        .merge(crate::kpi::routes(state))
        .merge(crate::offers::routes(state))
}
