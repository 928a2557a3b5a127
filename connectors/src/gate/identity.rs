//! JWO's VerifyIdentityKeys (`POST /v1/identity/identity-keys`) and the gate's decision counts.
//!
//! Answers: 200 `{"visitorDetails": {"id", "type"}}` to admit; 400 `invalid-request` for a body
//! that fails validation; 403 with a gate slug for every denial. A 500 remains only for a
//! failure of the service itself (its database, a missing data key); the claim on the request
//! ids is then rolled back or released so JWO's retry is decided afresh.

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::decide::{self, Verdict};
use super::replay::{self, Answer, Claim};
use super::scan::{self, Outcome};
use super::{record, request};
use crate::auth::admin::{AdminCaller, Scope};
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Decides whether the person who scanned `identityKey` may enter the store.
#[utoipa::path(post, path = "/v1/identity/identity-keys", tag = "jwo",
    request_body(content = String, description = "`{\"requestId\", \"identityKey\" (Base64 of the scanned text), \"storeId\", \"authEvent\": {\"id\", \"timestamp\", \"location\"}, \"keyChannel\"}`; unknown members are ignored", content_type = "application/json"),
    responses(
        (status = 200, description = "Admitted: `{\"visitorDetails\": {\"id\", \"type\": \"SHOPPER\" | \"ASSOCIATE\"}}`"),
        (status = 400, description = "The body failed validation (`invalid-request`, the detail names the field)", content_type = "application/problem+json"),
        (status = 401, description = "The JWO caller is not authenticated", content_type = "application/problem+json"),
        (status = 403, description = "Denied; the problem type names the reason", content_type = "application/problem+json")))]
pub async fn verify_identity_keys(State(state): State<AppState>, body: Bytes) -> Response {
    let request = match request::parse(&body) {
        Ok(request) => request,
        Err(problem) => {
            state.gate.metrics.record(problem::INVALID_REQUEST.slug);
            return problem.into_response();
        }
    };
    let now_ms = state.clock.now_ms();

    let (answer, verdict) = match scan::run(&state, &request, now_ms).await {
        Ok(Outcome::Recorded { answer, verdict }) => (answer, verdict),
        Ok(Outcome::Pending(pending)) => {
            let verdict = match decide::finish(&state, &request, pending, now_ms).await {
                Ok(verdict) => verdict,
                Err(problem) => {
                    replay::release(&state.db, &request.request_id).await;
                    return problem.into_response();
                }
            };
            match record_claimed(&state, &request, verdict, now_ms).await {
                Ok(decided) => decided,
                Err(response) => return response,
            }
        }
        Ok(Outcome::Taken) => match replay_or_decide(&state, &request, now_ms).await {
            Ok(decided) => decided,
            Err(response) => return response,
        },
        Err(problem) => return problem.into_response(),
    };

    state.gate.metrics.record(verdict.reason());
    log_decision(&request, &verdict);
    answer.into_response()
}

/// Serves a request whose ids an earlier request claimed: its stored answer once decided, or
/// a decision afresh when the earlier attempt failed and released its claim.
async fn replay_or_decide(
    state: &AppState,
    request: &request::IdentityRequest,
    now_ms: i64,
) -> Result<(Answer, Verdict), Response> {
    let wait = Duration::from_millis(state.config.gate.companion_wait_ms);
    match replay::claim(&state.db, request, now_ms, wait).await {
        Ok(Claim::New) => {}
        Ok(Claim::Replay(answer)) => {
            tracing::info!(jwo_request_id = %request.request_id, store_id = %request.store_id, reason = %answer.reason, "identity key request replayed");
            return Err(answer.into_response());
        }
        Ok(Claim::StillDeciding) => {
            tracing::warn!(jwo_request_id = %request.request_id, store_id = %request.store_id, "a repeated identity key request is still being decided");
            return Err(Problem::new(
                problem::HOLD_TIMEOUT,
                "an earlier request with this requestId or authEvent.id is still being decided",
            )
            .into_response());
        }
        Err(error) => return Err(Problem::internal(&error).into_response()),
    }

    let verdict = match decide::decide(state, request, now_ms).await {
        Ok(verdict) => verdict,
        Err(problem) => {
            replay::release(&state.db, &request.request_id).await;
            return Err(problem.into_response());
        }
    };
    record_claimed(state, request, verdict, now_ms).await
}

/// Records the verdict of a request whose claim is committed; releases the claim on failure.
async fn record_claimed(
    state: &AppState,
    request: &request::IdentityRequest,
    verdict: Verdict,
    now_ms: i64,
) -> Result<(Answer, Verdict), Response> {
    match record::record(state, request, &verdict, now_ms).await {
        Ok(answer) => Ok((answer, verdict)),
        Err(error) => {
            replay::release(&state.db, &request.request_id).await;
            Err(Problem::internal(&error).into_response())
        }
    }
}

fn log_decision(request: &request::IdentityRequest, verdict: &Verdict) {
    match verdict {
        Verdict::Admit(admission) => {
            let (trip_id, ordinal) = match &admission.trip {
                decide::TripChange::Open { trip, .. } => (trip.id.as_str(), 1),
                decide::TripChange::Join { trip_id, ordinal } => (trip_id.as_str(), *ordinal),
            };
            tracing::info!(
                jwo_request_id = %request.request_id,
                store_id = %request.store_id,
                credential_id = admission.credential_id.as_deref().unwrap_or("-"),
                trip_id,
                ordinal,
                visitor_type = admission.visitor_type.as_str(),
                "entry admitted"
            );
        }
        Verdict::Deny(denial) => tracing::info!(
            jwo_request_id = %request.request_id,
            store_id = %request.store_id,
            credential_id = denial.credential_id.as_deref().unwrap_or("-"),
            reason = denial.kind.slug,
            "entry denied"
        ),
    }
}

/// Counts of gate decisions per reason since the process started.
#[utoipa::path(get, path = "/admin/v1/metrics/gate", tag = "admin",
    responses((status = 200, description = "`{\"decisions\": {\"admitted\": n, \"<slug>\": n, ...}}`")))]
pub async fn gate_metrics(
    State(state): State<AppState>,
    caller: AdminCaller,
) -> Result<Json<Value>, Problem> {
    caller.require(Scope::ReportsRead)?;
    Ok(Json(json!({ "decisions": state.gate.metrics.snapshot() })))
}
