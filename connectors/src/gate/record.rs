//! Writes a decision in one transaction: the trip it opens or joins, the state of the code's
//! group, the stored answer for replays, and the events for the app (`trip-updated` when a
//! trip opens, `entry-denied` when an authentic code is denied).
//!
//! Each transaction starts with a write, so SQLite takes its write lock at once instead of
//! failing to upgrade a read lock under concurrent scans.

use serde_json::json;

use super::decide::{Admission, Denial, TripChange, Verdict};
use super::group;
use super::replay::{self, Answer};
use super::request::IdentityRequest;
use super::rfc3339;
use super::trips::{self, TripState};
use crate::outbox::{self, kind};
use crate::server::AppState;

/// Records `verdict` for `request` in a transaction of its own and returns the answer to send.
pub(crate) async fn record(
    state: &AppState,
    request: &IdentityRequest,
    verdict: &Verdict,
    now_ms: i64,
) -> Result<Answer, sqlx::Error> {
    let mut tx = state.db.writer.begin().await?;
    let answer = record_in(&mut tx, request, verdict, now_ms).await?;
    tx.commit().await?;
    Ok(answer)
}

/// Records `verdict` for `request` inside `tx`, which already holds the request's claim.
pub(crate) async fn record_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &IdentityRequest,
    verdict: &Verdict,
    now_ms: i64,
) -> Result<Answer, sqlx::Error> {
    match verdict {
        Verdict::Admit(admission) => admit(tx, request, admission, now_ms).await,
        Verdict::Deny(denial) => deny(tx, request, denial, now_ms).await,
    }
}

async fn admit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &IdentityRequest,
    admission: &Admission,
    now_ms: i64,
) -> Result<Answer, sqlx::Error> {
    let trip_id = match &admission.trip {
        TripChange::Open { trip, code } => {
            trips::open(
                tx,
                trip,
                &request.auth_event_id,
                &request.request_id,
                now_ms,
            )
            .await?;
            if let Some(code) = code {
                group::mark_admitted(tx, code, &trip.id).await?;
            }
            let payload = json!({
                "trip_id": trip.id,
                "state": TripState::Entered.as_str(),
                "store_id": trip.store_id,
                "is_test": trip.is_test,
                "at": rfc3339(now_ms),
            });
            outbox::publish(
                tx,
                trip.shopper_id.as_deref(),
                kind::TRIP_UPDATED,
                &payload,
                now_ms,
            )
            .await?;
            trip.id.clone()
        }
        TripChange::Join { trip_id, ordinal } => {
            trips::add_auth_event(
                tx,
                trip_id,
                *ordinal,
                &request.auth_event_id,
                &request.request_id,
                now_ms,
            )
            .await?;
            trip_id.clone()
        }
    };

    let body = json!({
        "visitorDetails": {
            "id": admission.visitor_id,
            "type": admission.visitor_type.as_str(),
        }
    });
    let answer = Answer {
        status: 200,
        reason: "admitted".to_owned(),
        body: body.to_string(),
    };
    replay::store(tx, &request.request_id, &answer, Some(&trip_id)).await?;
    Ok(answer)
}

async fn deny(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request: &IdentityRequest,
    denial: &Denial,
    now_ms: i64,
) -> Result<Answer, sqlx::Error> {
    let answer = denial_answer(denial);
    // The first scan's trip id goes with its denial, so companions waiting on it find the reason.
    let leader_trip = denial.leader.as_ref().map(|(_, trip_id)| trip_id.as_str());
    replay::store(tx, &request.request_id, &answer, leader_trip).await?;

    if let Some((code, trip_id)) = &denial.leader {
        group::mark_denied(tx, code, trip_id, denial.kind.slug).await?;
    }
    if let Some(shopper_id) = &denial.notify {
        let payload = json!({
            "reason": denial.kind.slug,
            "store_id": request.store_id,
            "at": rfc3339(now_ms),
        });
        outbox::publish(tx, Some(shopper_id), kind::ENTRY_DENIED, &payload, now_ms).await?;
    }
    Ok(answer)
}

/// The answer to a denial: a 403 problem whose type names the reason.
pub(crate) fn denial_answer(denial: &Denial) -> Answer {
    let body = json!({
        "type": format!("/problems/{}", denial.kind.slug),
        "title": denial.kind.title,
        "status": denial.kind.status,
        "detail": denial.detail,
    });
    Answer {
        status: denial.kind.status,
        reason: denial.kind.slug.to_owned(),
        body: body.to_string(),
    }
}

/// Returns whether recording `denial` writes nothing but the stored answer: no event for the
/// shopper and no first scan to close.
pub(crate) fn is_answer_only(denial: &Denial) -> bool {
    denial.notify.is_none() && denial.leader.is_none()
}
