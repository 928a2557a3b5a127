//! The sandbox's request guard: API keys, then Stripe's `Idempotency-Key` semantics.
//!
//! Keys: the secret key (`Authorization: Bearer sk_…`, or HTTP Basic with the key as user name)
//! opens every route; the publishable key only tokenization (`POST /psp/v1/payment_methods`).
//!
//! Idempotency, as Stripe documents it: the first POST with a key stores its status and body
//! (successes, card errors and server errors alike) and a repeat with the same parameters gets
//! that stored answer with `Idempotent-Replayed: true`; a repeat with other parameters is a 400
//! `idempotency_error`; a repeat while the first is still running is a 409. Validation errors
//! (other 4xx answers) are not stored, so the client can fix the request and reuse the key.
//! Keys are kept 24 hours. The parameters are compared through a keyed hash, so a tokenization
//! request's card number is never stored, not even hashed without a key.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use super::wire::StripeError;
use crate::server::AppState;

const RETENTION_MS: i64 = 24 * 60 * 60 * 1000;
const MAX_KEY_LEN: usize = 255;
/// Largest request or response body the sandbox buffers.
const MAX_BODY: usize = 1024 * 1024;

/// Checks the API key and applies idempotency to POSTs that carry a key.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if let Err(error) = authenticate(&state, &request) {
        return error.into_response();
    }
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let key = match request
        .headers()
        .get("idempotency-key")
        .map(HeaderValue::to_str)
    {
        None => return next.run(request).await,
        Some(Ok(key)) if !key.is_empty() && key.len() <= MAX_KEY_LEN => key.to_owned(),
        Some(_) => {
            return StripeError::invalid(
                "idempotency_key_invalid",
                None,
                "Idempotency-Key must be 1 to 255 characters.",
            )
            .into_response();
        }
    };
    match idempotent(&state, key, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

fn authenticate(state: &AppState, request: &Request) -> Result<(), StripeError> {
    let key = presented_key(request.headers()).unwrap_or_default();
    let payments = &state.config.payments;
    if same_secret(&key, payments.secret_key.expose()) {
        return Ok(());
    }
    let tokenizing =
        request.method() == Method::POST && request.uri().path() == "/psp/v1/payment_methods";
    if tokenizing && same_secret(&key, &payments.publishable_key) {
        return Ok(());
    }
    let message = if key.is_empty() {
        "You did not provide an API key. Send it as Authorization: Bearer <key>."
    } else {
        "Invalid API Key provided."
    };
    Err(StripeError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_request_error",
        message,
    ))
}

fn presented_key(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(token) = crate::auth::bearer_token(headers) {
        return Some(token.to_owned());
    }
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next().unwrap_or("").to_owned())
}

/// Compares two keys through their digests, so the time taken does not depend on where they differ.
fn same_secret(presented: &str, expected: &str) -> bool {
    let digest = |text: &str| ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    !presented.is_empty() && digest(presented).as_ref() == digest(expected).as_ref()
}

fn request_hash(state: &AppState, method: &Method, path: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(
        ring::hmac::HMAC_SHA256,
        state.credentials.data_key.as_bytes(),
    );
    let mut context = ring::hmac::Context::with_key(&key);
    context.update(format!("psp-idempotency:{method} {path}\n").as_bytes());
    context.update(body);
    hex::encode(context.sign().as_ref())
}

async fn idempotent(
    state: &AppState,
    key: String,
    request: Request,
    next: Next,
) -> Result<Response, Response> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        StripeError::invalid("parameter_invalid", None, "The request body is too large.")
            .into_response()
    })?;
    let hash = request_hash(state, &parts.method, parts.uri.path(), &bytes);

    if let Some(stored) = claim(state, &key, &hash)
        .await
        .map_err(IntoResponse::into_response)?
    {
        return Ok(stored);
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let status = parts.status;
    let keep =
        status.is_success() || status == StatusCode::PAYMENT_REQUIRED || status.is_server_error();
    let result = if keep {
        sqlx::query("UPDATE psp_idempotency SET status = $1, response_body = $2 WHERE key = $3")
            .bind(i64::from(status.as_u16()))
            .bind(String::from_utf8_lossy(&bytes).into_owned())
            .bind(&key)
            .execute(&state.db.pool)
            .await
    } else {
        sqlx::query("DELETE FROM psp_idempotency WHERE key = $1 AND status = 0")
            .bind(&key)
            .execute(&state.db.pool)
            .await
    };
    if let Err(error) = result {
        tracing::error!(%error, "sandbox cannot record an idempotent response");
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

/// Claims `key`, or returns the stored answer of an earlier request with it.
async fn claim(state: &AppState, key: &str, hash: &str) -> Result<Option<Response>, StripeError> {
    let now = state.clock.now_ms();
    sqlx::query("DELETE FROM psp_idempotency WHERE key = $1 AND created_at < $2")
        .bind(key)
        .bind(now - RETENTION_MS)
        .execute(&state.db.pool)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO psp_idempotency (key, request_hash, status, response_body, created_at) VALUES ($1, $2, 0, '', $3) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(hash)
    .bind(now)
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }

    let (stored_hash, status, body): (String, i64, String) = sqlx::query_as(
        "SELECT request_hash, status, response_body FROM psp_idempotency WHERE key = $1",
    )
    .bind(key)
    .fetch_one(&state.db.pool)
    .await?;
    if stored_hash != hash {
        return Err(StripeError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were first used with.",
        ));
    }
    if status == 0 {
        return Err(StripeError::new(
            StatusCode::CONFLICT,
            "idempotency_error",
            "There is currently another in-progress request using this Idempotency-Key; retry later.",
        ));
    }
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(Some(response))
}
