//! Settling a trip at exit: capture up to the hold, and handle totals above it.
//!
//! The chain for a total above the hold starts with an increment, where the PSP reports one as
//! available. Otherwise, or when the increment is declined, the whole hold is captured and the
//! difference charged off-session. If that charge fails, the difference is recorded as an
//! outstanding balance, which denies the shopper at the next gate until the app pays it.
//! Amounts below the PSP's minimum charge are never sent: a total below it cancels the hold and
//! a difference below it is not charged, and either is recorded as written off. A total of 0
//! cancels the hold (reason `abandoned`). A hold that lapsed is replaced by an off-session
//! charge of the whole total.
//!
//! Every PSP call uses the key `<trip id>:<step>`. A settlement stopped by a retryable failure
//! returns `PaymentError::Retryable` with the total recorded; calling again replays the steps
//! that completed (the PSP returns their stored answers) and continues.

use super::gateway::{AuthorizeRequest, Capture, DeclineCategory, IdempotencyKey, Money, Outcome};
use super::minimum::{is_below_minimum, minimum_charge};
use super::trip::{self, PaymentError, TripPayment, TripPaymentState};
use crate::server::AppState;

/// What a settlement did, for the receipt, the trip state and reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Settlement {
    pub trip_id: String,
    pub state: TripPaymentState,
    pub total: Money,
    /// Captured from the hold (after any increment).
    pub captured: Money,
    /// Charged off-session beyond the hold, or instead of a lapsed hold.
    pub charged: Money,
    /// Owed by the shopper after a failed charge.
    pub outstanding: Money,
    /// Below the PSP minimum, not charged.
    pub written_off: Money,
    /// The PSP's decline code of the failed step, if one failed.
    pub decline_code: Option<String>,
}

impl Settlement {
    pub fn of(trip: &TripPayment) -> Settlement {
        Settlement {
            trip_id: trip.trip_id.clone(),
            state: trip.status,
            total: trip.money(trip.total_minor.unwrap_or(0)),
            captured: trip.money(trip.captured_minor),
            charged: trip.money(trip.charged_minor),
            outstanding: trip.money(trip.outstanding_minor),
            written_off: trip.money(trip.written_off_minor),
            decline_code: trip.failure_code.clone(),
        }
    }
}

fn key(trip: &TripPayment, step: &str) -> Result<IdempotencyKey, PaymentError> {
    Ok(IdempotencyKey::for_trip(&trip.trip_id, step)?)
}

fn retryable(trip: &TripPayment, step: &'static str, reason: String) -> PaymentError {
    tracing::warn!(trip_id = %trip.trip_id, step, %reason, "settlement step failed; it can be retried");
    PaymentError::Retryable {
        trip_id: trip.trip_id.clone(),
        step,
        reason,
    }
}

/// Settles `trip_id` for `total`: captures, increments, charges, cancels or records a balance.
/// Idempotent: once settled, a repeat returns the recorded settlement.
pub async fn settle_trip(
    state: &AppState,
    trip_id: &str,
    total: Money,
) -> Result<Settlement, PaymentError> {
    let trip = trip::load(&state.db, trip_id)
        .await?
        .ok_or_else(|| PaymentError::NoHold(trip_id.to_owned()))?;
    if trip.total_minor.is_some()
        && !matches!(
            trip.status,
            TripPaymentState::Held | TripPaymentState::Adjusted | TripPaymentState::Expired
        )
    {
        return Ok(Settlement::of(&trip));
    }
    match trip.status {
        TripPaymentState::HoldPending => return Err(PaymentError::HoldPending(trip_id.to_owned())),
        TripPaymentState::Held | TripPaymentState::Adjusted | TripPaymentState::Expired => {}
        _ => return Ok(Settlement::of(&trip)),
    }
    if total.currency != trip.currency {
        return Err(PaymentError::CurrencyMismatch {
            trip_id: trip_id.to_owned(),
            total: total.currency,
            hold: trip.currency,
        });
    }
    let amount = total.amount_minor.max(0);
    let now = state.clock.now_ms();
    let trip = if trip.total_minor == Some(amount) {
        trip
    } else {
        trip::update(&state.db, &trip, now, |t| t.total_minor = Some(amount)).await?
    };

    let settled = if trip.status == TripPaymentState::Expired {
        charge_instead_of_hold(state, trip, amount).await?
    } else if amount == 0 || is_below_minimum(amount, &trip.currency) {
        cancel_hold(state, trip, amount).await?
    } else if amount <= trip.hold_minor {
        capture(state, trip, amount).await?
    } else {
        settle_above_hold(state, trip, amount).await?
    };
    tracing::info!(trip_id, state = %settled.status, total = amount, outstanding = settled.outstanding_minor, "trip settled");
    Ok(Settlement::of(&settled))
}

/// Cancels the hold for a total of 0 or below the minimum, writing the latter off.
async fn cancel_hold(
    state: &AppState,
    trip: TripPayment,
    amount: i64,
) -> Result<TripPayment, PaymentError> {
    let authorization = trip.authorization_id.clone().unwrap_or_default();
    match state
        .payments
        .cancel(&authorization, "abandoned", &key(&trip, "cancel")?)
        .await?
    {
        Outcome::Approved(()) => {}
        Outcome::RetryableFailure { reason } => return Err(retryable(&trip, "cancel", reason)),
        other => {
            tracing::warn!(trip_id = %trip.trip_id, outcome = ?other, "the PSP did not cancel the hold; it lapses on its own")
        }
    }
    if amount > 0 {
        tracing::info!(trip_id = %trip.trip_id, amount, minimum = minimum_charge(&trip.currency), "total below the PSP minimum written off");
    }
    trip::transition(
        &state.db,
        &trip,
        TripPaymentState::Canceled,
        state.clock.now_ms(),
        |t| t.written_off_minor = amount,
    )
    .await
}

/// Captures `amount` (at most the hold); a lapsed hold falls back to an off-session charge.
async fn capture(
    state: &AppState,
    trip: TripPayment,
    amount: i64,
) -> Result<TripPayment, PaymentError> {
    let authorization = trip.authorization_id.clone().unwrap_or_default();
    let outcome = state
        .payments
        .capture(&authorization, &trip.money(amount), &key(&trip, "capture")?)
        .await?;
    let now = state.clock.now_ms();
    match outcome {
        Outcome::Approved(capture) => {
            trip::transition(&state.db, &trip, TripPaymentState::Captured, now, |t| {
                t.captured_minor = capture.captured.amount_minor
            })
            .await
        }
        Outcome::Declined {
            category: DeclineCategory::AuthorizationExpired,
            ..
        } => {
            let expired = trip::transition(&state.db, &trip, TripPaymentState::Expired, now, |t| {
                t.failure_code = Some("authorization_expired".into())
            })
            .await?;
            let total = expired.total_minor.unwrap_or(amount);
            charge_instead_of_hold(state, expired, total).await
        }
        Outcome::Declined { code, .. } => record_balance(state, trip, amount, code).await,
        Outcome::RequiresAction => {
            record_balance(state, trip, amount, "authentication_required".into()).await
        }
        Outcome::RetryableFailure { reason } => Err(retryable(&trip, "capture", reason)),
    }
}

async fn settle_above_hold(
    state: &AppState,
    trip: TripPayment,
    amount: i64,
) -> Result<TripPayment, PaymentError> {
    let authorization = trip.authorization_id.clone().unwrap_or_default();
    if trip.increment_available {
        let outcome = state
            .payments
            .increment(
                &authorization,
                &trip.money(amount),
                &key(&trip, "increment")?,
            )
            .await?;
        let now = state.clock.now_ms();
        match outcome {
            Outcome::Approved(hold) => {
                let adjusted =
                    trip::transition(&state.db, &trip, TripPaymentState::Adjusted, now, |t| {
                        t.hold_minor = hold.amount.amount_minor;
                        t.increments += 1;
                    })
                    .await?;
                return capture(state, adjusted, amount).await;
            }
            Outcome::RetryableFailure { reason } => {
                return Err(retryable(&trip, "increment", reason));
            }
            declined => {
                tracing::info!(trip_id = %trip.trip_id, outcome = ?declined, "increment not granted; capturing the hold and charging the difference");
            }
        }
    }

    let hold = trip.hold_minor;
    let trip = capture(state, trip, hold).await?;
    if trip.status != TripPaymentState::Captured {
        return Ok(trip);
    }
    let difference = amount - trip.captured_minor;
    if is_below_minimum(difference, &trip.currency) {
        return trip::update(&state.db, &trip, state.clock.now_ms(), |t| {
            t.written_off_minor = difference
        })
        .await;
    }
    charge_difference(state, trip, difference).await
}

async fn charge_difference(
    state: &AppState,
    trip: TripPayment,
    difference: i64,
) -> Result<TripPayment, PaymentError> {
    match charge(state, &trip, difference, "charge").await? {
        Outcome::Approved(capture) => {
            trip::update(&state.db, &trip, state.clock.now_ms(), |t| {
                t.charged_minor = capture.captured.amount_minor
            })
            .await
        }
        Outcome::RetryableFailure { reason } => Err(retryable(&trip, "charge", reason)),
        Outcome::Declined { code, .. } => record_balance(state, trip, difference, code).await,
        Outcome::RequiresAction => {
            record_balance(state, trip, difference, "authentication_required".into()).await
        }
    }
}

/// Charges the whole total off-session because the hold lapsed before it was captured.
async fn charge_instead_of_hold(
    state: &AppState,
    trip: TripPayment,
    amount: i64,
) -> Result<TripPayment, PaymentError> {
    let now = state.clock.now_ms();
    if amount == 0 || is_below_minimum(amount, &trip.currency) {
        return trip::transition(&state.db, &trip, TripPaymentState::Captured, now, |t| {
            t.written_off_minor = amount
        })
        .await;
    }
    match charge(state, &trip, amount, "charge-total").await? {
        Outcome::Approved(capture) => {
            trip::transition(&state.db, &trip, TripPaymentState::Captured, now, |t| {
                t.charged_minor = capture.captured.amount_minor
            })
            .await
        }
        Outcome::RetryableFailure { reason } => Err(retryable(&trip, "charge", reason)),
        Outcome::Declined { code, .. } => record_balance(state, trip, amount, code).await,
        Outcome::RequiresAction => {
            record_balance(state, trip, amount, "authentication_required".into()).await
        }
    }
}

/// Charges the trip's card off-session with the key `<trip id>:<step>`.
pub(crate) async fn charge(
    state: &AppState,
    trip: &TripPayment,
    amount: i64,
    step: &str,
) -> Result<Outcome<Capture>, PaymentError> {
    let request = AuthorizeRequest {
        customer: trip.psp_customer.clone(),
        payment_method: trip.psp_payment_method.clone(),
        amount: trip.money(amount),
        idempotency_key: key(trip, step)?,
        trip_id: trip.trip_id.clone(),
    };
    Ok(state.payments.charge(request).await?)
}

/// Records `amount` as owed by the shopper; the trip becomes `failed`.
async fn record_balance(
    state: &AppState,
    trip: TripPayment,
    amount: i64,
    code: String,
) -> Result<TripPayment, PaymentError> {
    tracing::warn!(trip_id = %trip.trip_id, amount, code = %code, "charge failed; the amount is recorded as an outstanding balance");
    trip::transition(
        &state.db,
        &trip,
        TripPaymentState::Failed,
        state.clock.now_ms(),
        |t| {
            t.outstanding_minor = amount;
            t.failure_code = Some(code);
        },
    )
    .await
}
