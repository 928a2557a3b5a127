//! The reconciler: finds holds that would otherwise be stranded and acts on them.
//!
//! [`spawn`] runs [`reconcile`] in the background every `payments.reconcile_interval_secs`.
//! Several instances on one database may run it at once. Every PSP call carries an idempotency
//! key derived from the trip and the round, so two runs that meet on one trip get the same hold
//! from the PSP and write the same row.
//!
//! Policy, applied by [`reconcile`]:
//! - A hold that lapses within `payments.reconcile_within_hours`: when the trip's total is
//!   already recorded (a settlement stopped on a retryable failure), the settlement is run again,
//!   which captures. Otherwise the hold is re-authorized: a new hold for the same amount is
//!   placed (key `<trip>:reauth-<n>`) and the old one canceled. If the new hold is declined, the
//!   old one is kept and lapses; settlement then falls back to an off-session charge.
//! - A `hold_pending` row older than `STALE_PENDING_MS` belongs to an attempt that never
//!   finished (the process stopped mid-call). The authorization is sent again with the same key,
//!   so the PSP returns the hold if it had landed, and that hold is canceled.

use super::gateway::{AuthorizeRequest, IdempotencyKey, Outcome};
use super::hold::HOLD_TIMEOUT_CODE;
use super::settle::settle_trip;
use super::trip::{self, PaymentError, TripPayment, TripPaymentState};
use crate::server::AppState;

/// Age after which a `hold_pending` row is treated as abandoned.
pub const STALE_PENDING_MS: i64 = 10 * 60 * 1000;

/// What one run of the reconciler did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReconcileReport {
    pub released_pending: u32,
    pub settled: u32,
    pub reauthorized: u32,
    pub reauthorization_declined: u32,
    pub errors: u32,
}

/// Starts the periodic reconciler on the current tokio runtime, unless its interval is 0. The
/// first run happens one interval after the start, so a restart loop does not hammer the PSP.
pub fn spawn(state: AppState) -> Option<tokio::task::JoinHandle<()>> {
    let interval_secs = state.config.payments.reconcile_interval_secs;
    if interval_secs == 0 {
        tracing::info!("payment reconciler is off (reconcile_interval_secs = 0)");
        return None;
    }
    Some(tokio::spawn(async move {
        let period = std::time::Duration::from_secs(interval_secs);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(error) = reconcile(&state).await {
                tracing::error!(%error, "payment reconciler run failed; the next run retries");
            }
        }
    }))
}

/// Runs the policy once over every trip that needs it.
pub async fn reconcile(state: &AppState) -> Result<ReconcileReport, PaymentError> {
    let now = state.clock.now_ms();
    let horizon_ms = i64::try_from(
        state
            .config
            .payments
            .reconcile_within_hours
            .saturating_mul(3_600_000),
    )
    .unwrap_or(i64::MAX);
    let mut report = ReconcileReport::default();

    let stale = trip::load_where(
        &state.db,
        "status = $1 AND created_at < $2",
        "hold_pending",
        now - STALE_PENDING_MS,
    )
    .await?;
    for trip in stale {
        match release_pending(state, &trip).await {
            Ok(()) => report.released_pending += 1,
            Err(error) => log_error(&trip, &error, &mut report),
        }
    }

    for status in [TripPaymentState::Held, TripPaymentState::Adjusted] {
        let due = trip::load_where(
            &state.db,
            "status = $1 AND hold_expires_at IS NOT NULL AND hold_expires_at < $2",
            status.as_str(),
            now.saturating_add(horizon_ms),
        )
        .await?;
        for trip in due {
            let result = match trip.total_minor {
                Some(total) => settle_trip(state, &trip.trip_id, trip.money(total))
                    .await
                    .map(|_| report.settled += 1),
                None => reauthorize(state, &trip, &mut report).await,
            };
            if let Err(error) = result {
                log_error(&trip, &error, &mut report);
            }
        }
    }
    tracing::info!(?report, "payment reconciler finished");
    Ok(report)
}

fn log_error(trip: &TripPayment, error: &PaymentError, report: &mut ReconcileReport) {
    tracing::error!(trip_id = %trip.trip_id, %error, "reconciler could not act on a trip payment");
    report.errors += 1;
}

fn hold_request(trip: &TripPayment, key: IdempotencyKey) -> AuthorizeRequest {
    AuthorizeRequest {
        customer: trip.psp_customer.clone(),
        payment_method: trip.psp_payment_method.clone(),
        amount: trip.money(trip.hold_minor),
        idempotency_key: key,
        trip_id: trip.trip_id.clone(),
    }
}

async fn release_pending(state: &AppState, trip: &TripPayment) -> Result<(), PaymentError> {
    let key = IdempotencyKey::for_trip(&trip.trip_id, "hold")?;
    if let Outcome::Approved(hold) = state.payments.authorize(hold_request(trip, key)).await? {
        let release = IdempotencyKey::for_trip(&trip.trip_id, "hold-release")?;
        let _ = state
            .payments
            .cancel(&hold.id, "abandoned", &release)
            .await?;
    }
    trip::transition(
        &state.db,
        trip,
        TripPaymentState::Canceled,
        state.clock.now_ms(),
        |t| {
            t.failure_code = Some(HOLD_TIMEOUT_CODE.to_owned());
        },
    )
    .await?;
    Ok(())
}

async fn reauthorize(
    state: &AppState,
    trip: &TripPayment,
    report: &mut ReconcileReport,
) -> Result<(), PaymentError> {
    let round = trip.reauthorizations + 1;
    let key = IdempotencyKey::for_trip(&trip.trip_id, &format!("reauth-{round}"))?;
    let hold = match state.payments.authorize(hold_request(trip, key)).await? {
        Outcome::Approved(hold) => hold,
        Outcome::RetryableFailure { reason } => {
            return Err(PaymentError::Retryable {
                trip_id: trip.trip_id.clone(),
                step: "re-authorization",
                reason,
            });
        }
        declined => {
            tracing::warn!(trip_id = %trip.trip_id, outcome = ?declined, "re-authorization declined; the old hold is kept until it lapses");
            report.reauthorization_declined += 1;
            return Ok(());
        }
    };

    if let Some(old) = &trip.authorization_id {
        let release = IdempotencyKey::for_trip(&trip.trip_id, &format!("reauth-{round}-release"))?;
        let _ = state.payments.cancel(old, "abandoned", &release).await?;
    }
    trip::update(&state.db, trip, state.clock.now_ms(), |t| {
        t.authorization_id = Some(hold.id.clone());
        t.hold_minor = hold.amount.amount_minor;
        t.increment_available = hold.increment_available;
        t.hold_expires_at = hold.expires_at_ms;
        t.reauthorizations = round;
    })
    .await?;
    tracing::info!(trip_id = %trip.trip_id, round, "hold re-authorized before it lapsed");
    report.reauthorized += 1;
    Ok(())
}
