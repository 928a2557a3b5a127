//! One write transaction per scan whenever no payment hold sits between the claim and the
//! record: the claim on the request's ids, the count against the code's group and the
//! decision's writes commit together.
//!
//! The checks that only read (static key, credential, tag, step window, shopper) run before
//! the transaction, so the writer is held for the writes alone. A first scan commits its
//! claims at once and places its hold outside any transaction. A companion whose first scan is
//! still undecided commits at once too, because it must wait for that decision. Either way the
//! claim on the request's ids comes before the group count, so a replayed request never counts
//! twice.

use super::decide::{self, Denial, Pending, Prepared, Settled, Verdict};
use super::group;
use super::record;
use super::replay::{self, Answer};
use super::request::IdentityRequest;
use crate::problem::Problem;
use crate::server::AppState;

/// Result of the single-transaction attempt.
pub(crate) enum Outcome {
    /// Decided and committed.
    Recorded { answer: Answer, verdict: Verdict },
    /// An earlier request has claimed the `requestId` or the `authEvent.id`, and nothing was
    /// written.
    Taken,
    /// The claims are committed, and the decision still waits for a hold or for the group's
    /// first scan.
    Pending(Pending),
}

/// Decides `request` and records it in one transaction when it can.
pub(crate) async fn run(
    state: &AppState,
    request: &IdentityRequest,
    now_ms: i64,
) -> Result<Outcome, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let prepared = decide::prepare(state, request, now_ms).await?;

    let prepared = match prepared {
        Prepared::Decided(Verdict::Deny(denial)) if record::is_answer_only(&denial) => {
            return store_answer_only(state, request, denial, now_ms).await;
        }
        other => other,
    };

    // Dropping the transaction on an early return rolls it back, claim included.
    let mut tx = state.db.writer.begin().await.map_err(internal)?;
    if !replay::try_insert(&mut tx, request, now_ms)
        .await
        .map_err(internal)?
    {
        tx.rollback().await.map_err(internal)?;
        return Ok(Outcome::Taken);
    }

    let verdict = match prepared {
        Prepared::Decided(verdict) => verdict,
        Prepared::Code(valid) => {
            let claim = group::claim_on(
                &mut tx,
                &valid.code,
                &request.store_id,
                now_ms,
                decide::group_limits(state),
            )
            .await
            .map_err(internal)?;
            match decide::settle(valid, claim) {
                Settled::Decided(verdict) => verdict,
                Settled::Pending(pending) => {
                    tx.commit().await.map_err(internal)?;
                    return Ok(Outcome::Pending(pending));
                }
            }
        }
    };

    let answer = record::record_in(&mut tx, request, &verdict, now_ms)
        .await
        .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    Ok(Outcome::Recorded { answer, verdict })
}

/// Stores a denial that writes nothing but its answer: one INSERT claims the ids and stores
/// the answer together, so no transaction is needed.
async fn store_answer_only(
    state: &AppState,
    request: &IdentityRequest,
    denial: Denial,
    now_ms: i64,
) -> Result<Outcome, Problem> {
    let answer = record::denial_answer(&denial);
    let inserted = replay::insert_answered(&state.db, request, &answer, now_ms)
        .await
        .map_err(|e| Problem::internal(&e))?;
    if !inserted {
        return Ok(Outcome::Taken);
    }
    Ok(Outcome::Recorded {
        answer,
        verdict: Verdict::Deny(denial),
    })
}
