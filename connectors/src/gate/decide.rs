//! The decision on one scan: a static key, or an entry code through its checks in order.
//!
//! For a code: format (`malformed-code`), credential (`unknown-credential`,
//! `credential-revoked`, `credential-expired`), step window (`code-expired`), tag (`bad-tag`),
//! store binding (`store-mismatch`), group limit (`group-limit-reached`); then, for the first
//! scan of a group only, the shopper checks of `checks` and the payment hold. Companions wait
//! for the first scan's outcome and share it.
//!
//! The tag is computed right after the credential lookup, though its failure is reported
//! after the window checks. Only a code with a valid tag proves that the shopper's app made it,
//! so only then does a denial reach the shopper's event stream: anybody can forge a code for a
//! known credential id with a wrong tag or an old step.

use std::time::Duration;

use walkout_core::entry::{accepted_step_window, parse_code, verify_tag};

use super::checks;
use super::entry_credentials::{self, StoredCredential};
use super::group::{self, CodeKey, GroupLimits, LeaderOutcome};
use super::request::IdentityRequest;
use super::static_keys::{self, VisitorType};
use super::trips::NewTrip;
pub(crate) use super::verdict::{
    Admission, Denial, Pending, Prepared, Settled, TripChange, ValidCode, Verdict,
};
use crate::problem::{self, Problem, ProblemKind};
use crate::server::AppState;
use crate::shoppers::{self, ShopperRecord};

/// Decides on a validated request at `now_ms` (service clock), each write committed on its
/// own.
pub(crate) async fn decide(
    state: &AppState,
    request: &IdentityRequest,
    now_ms: i64,
) -> Result<Verdict, Problem> {
    let valid = match prepare(state, request, now_ms).await? {
        Prepared::Decided(verdict) => return Ok(verdict),
        Prepared::Code(valid) => valid,
    };
    let claim = group::claim(
        &state.db,
        &valid.code,
        &request.store_id,
        now_ms,
        group_limits(state),
    )
    .await
    .map_err(|e| Problem::internal(&e))?;
    match settle(valid, claim) {
        Settled::Decided(verdict) => Ok(verdict),
        Settled::Pending(pending) => finish(state, request, pending, now_ms).await,
    }
}

/// Runs the checks that only read: the static key, then the entry code's own checks.
pub(crate) async fn prepare(
    state: &AppState,
    request: &IdentityRequest,
    now_ms: i64,
) -> Result<Prepared, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let key_hash = static_keys::hash_key(&request.key);
    if let Some(key) = static_keys::find_active(&state.db, &request.store_id, &key_hash)
        .await
        .map_err(internal)?
    {
        let trip = NewTrip {
            id: uuid::Uuid::now_v7().to_string(),
            store_id: request.store_id.clone(),
            shopper_id: None,
            visitor_id: key.visitor_id.clone(),
            credential_id: None,
            code_step: None,
            is_test: key.visitor_type == VisitorType::Shopper,
            is_associate: key.visitor_type == VisitorType::Associate,
        };
        return Ok(Prepared::Decided(Verdict::Admit(Admission {
            visitor_id: key.visitor_id,
            visitor_type: key.visitor_type,
            credential_id: None,
            trip: TripChange::Open { trip, code: None },
        })));
    }
    check_code(state, request, now_ms).await
}

async fn check_code(
    state: &AppState,
    request: &IdentityRequest,
    now_ms: i64,
) -> Result<Prepared, Problem> {
    let deny_early = |kind: ProblemKind, detail: String| {
        Ok(Prepared::Decided(Verdict::Deny(Denial::new(kind, detail))))
    };
    let Ok(text) = std::str::from_utf8(&request.key) else {
        let detail = "the identity key is not text, so it is not an entry code";
        return deny_early(problem::MALFORMED_CODE, detail.to_owned());
    };
    let parsed = match parse_code(text) {
        Ok(parsed) => parsed,
        Err(error) => return deny_early(problem::MALFORMED_CODE, error.to_string()),
    };
    let credential_id = hex::encode(parsed.credential_id);
    let Some(credential) = entry_credentials::find(&state.db, &credential_id)
        .await
        .map_err(|e| Problem::internal(&e))?
    else {
        let mut denial = Denial::new(
            problem::UNKNOWN_CREDENTIAL,
            "the entry code names an unknown credential",
        );
        denial.credential_id = Some(credential_id);
        return Ok(Prepared::Decided(Verdict::Deny(denial)));
    };

    let authentic = {
        let secret = credential
            .secret(&state.gate.keys)
            .map_err(|e| Problem::internal(&e))?;
        verify_tag(&secret, &parsed)
    };
    let deny = |kind: ProblemKind, detail: &str| {
        let mut denial = Denial::new(kind, detail);
        denial.credential_id = Some(credential.id.clone());
        denial.notify = authentic.then(|| credential.shopper_id.clone());
        Ok(Prepared::Decided(Verdict::Deny(denial)))
    };

    if credential.revoked_at.is_some() {
        return deny(
            problem::CREDENTIAL_REVOKED,
            "the entry credential was revoked",
        );
    }
    if credential.expires_at <= now_ms {
        return deny(
            problem::CREDENTIAL_EXPIRED,
            "the entry credential has expired; the app must connect to renew it",
        );
    }
    let in_window = accepted_step_window(now_ms.div_euclid(1000), credential.period_secs)
        .is_ok_and(|window| window.contains(&parsed.step));
    if !in_window {
        return deny(
            problem::CODE_EXPIRED,
            "the entry code's time step is outside the accepted window of one period either side of the service clock",
        );
    }
    if !authentic {
        return deny(
            problem::BAD_TAG,
            "the entry code's tag does not match its credential",
        );
    }

    let shopper = shoppers::find_by_id(&state.db, &credential.shopper_id)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let code = CodeKey {
        credential_id: credential.id.clone(),
        step: i64::from(parsed.step),
    };
    Ok(Prepared::Code(ValidCode {
        credential,
        code,
        shopper,
    }))
}

/// The group limits of `[gate]`.
pub(crate) fn group_limits(state: &AppState) -> GroupLimits {
    let gate = &state.config.gate;
    GroupLimits {
        max_scans: i64::from(gate.group_entry_limit),
        window_ms: millis(gate.group_window_secs.saturating_mul(1000)),
        stale_ms: millis(gate.companion_wait_ms).saturating_mul(2),
    }
}

/// Decides what the group count alone decides: a store mismatch, a reached limit, or a
/// companion of a first scan that was already admitted.
pub(crate) fn settle(valid: ValidCode, claim: group::Claim) -> Settled {
    let deny = |kind: ProblemKind, detail: &str| {
        let mut denial = Denial::new(kind, detail);
        denial.credential_id = Some(valid.credential.id.clone());
        denial.notify = Some(valid.credential.shopper_id.clone());
        Settled::Decided(Verdict::Deny(denial))
    };
    match claim {
        group::Claim::StoreMismatch => deny(
            problem::STORE_MISMATCH,
            "the entry code was already accepted at another store",
        ),
        group::Claim::LimitReached => deny(
            problem::GROUP_LIMIT_REACHED,
            "the entry code has admitted the largest allowed group, or its group window has closed",
        ),
        group::Claim::Leader { trip_id } => Settled::Pending(Pending::Leader { valid, trip_id }),
        group::Claim::Companion {
            trip_id,
            ordinal,
            admitted: true,
        } => Settled::Decided(companion_verdict(
            &valid.credential,
            trip_id,
            ordinal,
            LeaderOutcome::Admitted,
            valid.shopper,
        )),
        group::Claim::Companion {
            trip_id,
            ordinal,
            admitted: false,
        } => Settled::Pending(Pending::Companion {
            valid,
            trip_id,
            ordinal,
        }),
    }
}

/// Decides a pending scan: places the first scan's hold, or waits for the first scan.
pub(crate) async fn finish(
    state: &AppState,
    request: &IdentityRequest,
    pending: Pending,
    now_ms: i64,
) -> Result<Verdict, Problem> {
    match pending {
        Pending::Leader { valid, trip_id } => lead(state, request, valid, trip_id, now_ms).await,
        Pending::Companion {
            valid,
            trip_id,
            ordinal,
        } => follow(state, &valid.credential, valid.code, trip_id, ordinal).await,
    }
}

/// The first scan of a group: the shopper checks and the hold decide for the whole group.
async fn lead(
    state: &AppState,
    request: &IdentityRequest,
    valid: ValidCode,
    trip_id: String,
    now_ms: i64,
) -> Result<Verdict, Problem> {
    let ValidCode {
        credential,
        code,
        shopper,
    } = valid;
    let refusal =
        checks::check_shopper(state, shopper.as_ref(), &request.store_id, &trip_id, now_ms).await?;
    match (refusal, shopper) {
        (None, Some(shopper)) => {
            let trip = NewTrip {
                id: trip_id,
                store_id: request.store_id.clone(),
                shopper_id: Some(shopper.id.clone()),
                visitor_id: shopper.visitor_id.clone(),
                credential_id: Some(credential.id.clone()),
                code_step: Some(code.step),
                is_test: false,
                is_associate: false,
            };
            Ok(Verdict::Admit(Admission {
                visitor_id: shopper.visitor_id,
                visitor_type: VisitorType::Shopper,
                credential_id: Some(credential.id.clone()),
                trip: TripChange::Open {
                    trip,
                    code: Some(code),
                },
            }))
        }
        (refusal, _) => {
            let (kind, detail) = refusal.unwrap_or((
                problem::ACCOUNT_INACTIVE,
                "the shopper account does not exist".to_owned(),
            ));
            let mut denial = Denial::new(kind, detail);
            denial.credential_id = Some(credential.id.clone());
            denial.notify = Some(credential.shopper_id.clone());
            denial.leader = Some((code, trip_id));
            Ok(Verdict::Deny(denial))
        }
    }
}

/// A companion scan: it waits for the outcome of its group's first scan and shares it.
async fn follow(
    state: &AppState,
    credential: &StoredCredential,
    code: CodeKey,
    trip_id: String,
    ordinal: i64,
) -> Result<Verdict, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let wait = Duration::from_millis(state.config.gate.companion_wait_ms);
    let outcome = group::wait_for_leader(&state.db, &code, &trip_id, wait)
        .await
        .map_err(internal)?;
    let shopper = shoppers::find_by_id(&state.db, &credential.shopper_id)
        .await
        .map_err(internal)?;
    Ok(companion_verdict(
        credential, trip_id, ordinal, outcome, shopper,
    ))
}

/// The verdict on a companion once the outcome of its group's first scan is known.
fn companion_verdict(
    credential: &StoredCredential,
    trip_id: String,
    ordinal: i64,
    outcome: LeaderOutcome,
    shopper: Option<ShopperRecord>,
) -> Verdict {
    let (kind, detail) = match (outcome, shopper) {
        (LeaderOutcome::Admitted, Some(shopper)) => {
            return Verdict::Admit(Admission {
                visitor_id: shopper.visitor_id,
                visitor_type: VisitorType::Shopper,
                credential_id: Some(credential.id.clone()),
                trip: TripChange::Join { trip_id, ordinal },
            });
        }
        (LeaderOutcome::Admitted, None) => (
            problem::ACCOUNT_INACTIVE,
            "the shopper account does not exist".to_owned(),
        ),
        (LeaderOutcome::Denied(slug), _) => {
            let kind = problem::kind_by_slug(&slug)
                .copied()
                .unwrap_or(problem::HOLD_TIMEOUT);
            (
                kind,
                format!(
                    "the first scan of this entry code was denied ({})",
                    kind.slug
                ),
            )
        }
        (LeaderOutcome::TimedOut, _) => (
            problem::HOLD_TIMEOUT,
            "the first scan of this entry code was not decided in time".to_owned(),
        ),
    };
    let mut denial = Denial::new(kind, detail);
    denial.credential_id = Some(credential.id.clone());
    denial.notify = Some(credential.shopper_id.clone());
    Verdict::Deny(denial)
}

fn millis(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
