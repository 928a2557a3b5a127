//! Limits on access tokens that are still unexpired after the shopper signed out.
//!
//! A Cognito access token is a signed JWT that stays valid until its `exp` (one hour by
//! default) wherever it is checked offline, and revoking the refresh token does not recall it.
//! The service narrows that window in two ways:
//! - `DELETE /app/v1/session`, which the app calls when the shopper signs out, stores the time
//!   of the sign-out for the user. From then on every app route rejects that user's tokens
//!   whose `iat` is earlier than that second. A token issued within the same second as the
//!   sign-out is not caught, because `iat` has a resolution of one second.
//! - With `auth.user_pool_endpoint` set, the sensitive routes in [`SENSITIVE_ROUTES`] also ask
//!   the user pool (`GetUser`) whether the token is still live, so a `GlobalSignOut` or a
//!   revocation made elsewhere is seen at once there. They fail closed with a 503 when the pool
//!   cannot be reached.
//!
//! What neither can catch: a token copied before the sign-out and used on a non-sensitive route
//! while the app could not report the sign-out. Short access-token lifetimes in the app client
//! (5 to 15 minutes) bound that case.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::app::Shopper;
use super::bearer_token;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Routes where a token is also checked online with the user pool: (method, route template).
pub const SENSITIVE_ROUTES: &[(Method, &str)] = &[
    (Method::POST, "/app/v1/payment-methods"),
    (Method::POST, "/app/v1/balance/pay"),
    (Method::POST, "/app/v1/entry-credentials"),
    (Method::DELETE, "/app/v1/account"),
];

/// Time budget of one `GetUser` call to the user pool.
const ONLINE_CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// Ends the caller's session on the service: tokens of this user issued before now stop
/// working on every app route.
#[utoipa::path(delete, path = "/app/v1/session", tag = "app",
    security(("cognito" = [])),
    responses(
        (status = 204, description = "Tokens issued before now are rejected from now on"),
        (status = 401, description = "Missing, invalid or already revoked token", content_type = "application/problem+json"),
    ))]
pub async fn end_session(
    State(state): State<AppState>,
    caller: Shopper,
) -> Result<StatusCode, Problem> {
    let now_secs = state.clock.now_secs();
    sqlx::query(
        "INSERT INTO session_revocations (cognito_sub, revoked_before, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (cognito_sub) DO UPDATE SET revoked_before = excluded.revoked_before, updated_at = excluded.updated_at",
    )
    .bind(&caller.sub)
    .bind(now_secs)
    .bind(state.clock.now_ms())
    .execute(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    tracing::info!("app session ended; earlier tokens of this user are rejected");
    Ok(StatusCode::NO_CONTENT)
}

/// Rejects `caller` when the user ended a session after this token was issued.
pub async fn check_not_revoked(state: &AppState, caller: &Shopper) -> Result<(), Problem> {
    let revoked_before: Option<i64> =
        sqlx::query_scalar("SELECT revoked_before FROM session_revocations WHERE cognito_sub = $1")
            .bind(&caller.sub)
            .fetch_optional(&state.db.pool)
            .await
            .map_err(|e| Problem::internal(&e))?;
    let Some(revoked_before) = revoked_before else {
        return Ok(());
    };
    // A token without `iat` cannot be placed before or after the sign-out, so it is rejected.
    if caller.issued_at.is_none_or(|iat| iat < revoked_before) {
        tracing::info!(reason = "signed-out", "access token rejected");
        return Err(revoked());
    }
    Ok(())
}

fn revoked() -> Problem {
    Problem::new(
        problem::TOKEN_REVOKED,
        "this access token belongs to a session that was signed out; sign in again",
    )
}

/// Checks the bearer token with the user pool before the handler of a [`SENSITIVE_ROUTES`]
/// entry runs. Other routes, and services without `auth.user_pool_endpoint`, pass through.
pub async fn online_check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(endpoint) = state.config.auth.user_pool_endpoint.as_deref() else {
        return next.run(request).await;
    };
    let sensitive = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|path| {
            SENSITIVE_ROUTES
                .iter()
                .any(|(method, route)| method == request.method() && *route == path.as_str())
        });
    let Some(token) = bearer_token(request.headers()).filter(|_| sensitive) else {
        return next.run(request).await;
    };
    match ask_user_pool(http_client(), endpoint, token).await {
        Ok(()) => next.run(request).await,
        Err(problem) => problem.into_response(),
    }
}

/// Returns the HTTP client of the online checks, built on first use and shared.
fn http_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(reqwest::Client::new)
}

/// Calls `GetUser` with the token: 200 means live, `NotAuthorizedException` means revoked.
async fn ask_user_pool(http: &reqwest::Client, endpoint: &str, token: &str) -> Result<(), Problem> {
    let response = http
        .post(endpoint)
        .timeout(ONLINE_CHECK_TIMEOUT)
        .header("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(serde_json::json!({ "AccessToken": token }).to_string())
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(error = %error.without_url(), "user pool check failed; the sensitive route is rejected with 503");
            return Err(unavailable());
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let kind = body["__type"].as_str().unwrap_or("");
    if kind.ends_with("NotAuthorizedException") || kind.ends_with("UserNotFoundException") {
        tracing::info!(reason = "revoked-online", "access token rejected");
        return Err(revoked());
    }
    tracing::warn!(%status, error_type = kind, "user pool check failed; the sensitive route is rejected with 503");
    Err(unavailable())
}

fn unavailable() -> Problem {
    Problem::new(
        problem::AUTH_CHECK_UNAVAILABLE,
        "the user pool could not confirm the session; retry in a moment",
    )
}
