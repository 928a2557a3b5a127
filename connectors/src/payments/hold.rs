//! The gate's pre-authorization: one hold per trip, placed at the first admitted scan.
//!
//! The `trip_payments` row is the idempotency anchor: it is inserted (`hold_pending`) before the
//! PSP is called, the PSP call carries the key `<trip id>:hold`, and a repeat for the same trip
//! returns the first outcome without a second hold.
//!
//! Time budget: the PSP call runs in its own task and the gate waits at most
//! `payments.hold_timeout_ms`. On timeout the row moves to `canceled` with failure code
//! `hold-timeout` and the gate gets `TimedOut`. A hold that lands after that is canceled: the
//! task finds the row no longer `hold_pending` and releases the PaymentIntent (reason
//! `abandoned`). If the process stops before that, the reconciler cancels it later.

use std::time::Duration;

use super::gateway::{AuthorizeRequest, DeclineCategory, IdempotencyKey, Money, Outcome};
use super::trip::{self, TripPayment, TripPaymentState};
use crate::problem::Problem;
use crate::server::AppState;

/// Failure code of a hold that did not land within the gate's time budget.
pub const HOLD_TIMEOUT_CODE: &str = "hold-timeout";

/// Result of trying to place a trip's hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HoldOutcome {
    /// The hold is placed (or was placed by an earlier attempt for the same trip).
    Placed {
        authorization_id: String,
        amount_minor: i64,
        currency: String,
    },
    /// The shopper has no default payment method.
    NoPaymentMethod,
    /// The default card's expiry has passed.
    CardExpired,
    /// The PSP declined the hold; `category` is a `DeclineCategory` in snake case.
    Declined { category: String },
    /// The PSP did not answer within the gate's time budget.
    TimedOut,
}

/// Tells whether a card with expiry `exp_month`/`exp_year` has expired at `now_ms`. A card is
/// valid through the last day of its expiry month (UTC).
pub fn card_expired(exp_month: i64, exp_year: i64, now_ms: i64) -> bool {
    let Ok(now) = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000)) else {
        return true;
    };
    let current = i64::from(now.year()) * 12 + i64::from(u8::from(now.month())) - 1;
    let expiry = exp_year.saturating_mul(12).saturating_add(exp_month - 1);
    current > expiry
}

/// The shopper's default card: (payment_methods.id, PSP token, PSP customer, exp month, exp year).
type DefaultCard = (String, String, Option<String>, i64, i64);

async fn default_card(
    state: &AppState,
    shopper_id: &str,
) -> Result<Option<DefaultCard>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, psp_payment_method, psp_customer, exp_month, exp_year FROM payment_methods \
         WHERE shopper_id = $1 AND is_default = 1 AND removed_at IS NULL ORDER BY created_at DESC LIMIT 1",
    )
    .bind(shopper_id)
    .fetch_optional(&state.db.pool)
    .await
}

/// Places the hold for `trip_id` on the shopper's default card, within the gate's time budget.
/// Idempotent per trip: a repeat returns the first outcome without a second hold.
pub async fn place_hold(
    state: &AppState,
    trip_id: &str,
    shopper_id: &str,
    store_id: &str,
) -> Result<HoldOutcome, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    if let Some(existing) = trip::load(&state.db, trip_id).await.map_err(internal)? {
        return outcome_of_existing(state, existing).await;
    }

    let Some((method_id, psp_method, psp_customer, exp_month, exp_year)) =
        default_card(state, shopper_id).await.map_err(internal)?
    else {
        return Ok(HoldOutcome::NoPaymentMethod);
    };
    let now = state.clock.now_ms();
    if card_expired(exp_month, exp_year, now) {
        return Ok(HoldOutcome::CardExpired);
    }

    let (amount_minor, currency) = state.config.payments.hold_for_store(store_id);
    let pending = TripPayment {
        trip_id: trip_id.to_owned(),
        shopper_id: shopper_id.to_owned(),
        store_id: store_id.to_owned(),
        status: TripPaymentState::HoldPending,
        currency,
        hold_minor: amount_minor,
        payment_method_id: method_id,
        psp_payment_method: psp_method,
        psp_customer,
        authorization_id: None,
        increment_available: false,
        hold_expires_at: None,
        total_minor: None,
        captured_minor: 0,
        charged_minor: 0,
        outstanding_minor: 0,
        written_off_minor: 0,
        increments: 0,
        reauthorizations: 0,
        balance_attempts: 0,
        failure_code: None,
        created_at: now,
        updated_at: now,
    };
    if !trip::insert_pending(&state.db, &pending)
        .await
        .map_err(internal)?
    {
        // A concurrent first scan of the same trip inserted first: follow its row.
        let existing = trip::load(&state.db, trip_id).await.map_err(internal)?;
        return match existing {
            Some(existing) => outcome_of_existing(state, existing).await,
            None => Err(Problem::internal(&"trip payment row vanished")),
        };
    }
    authorize_within_budget(state, pending).await
}

/// The outcome an earlier attempt recorded, or a new attempt when it never finished.
async fn outcome_of_existing(state: &AppState, trip: TripPayment) -> Result<HoldOutcome, Problem> {
    match trip.status {
        TripPaymentState::HoldPending => authorize_within_budget(state, trip).await,
        TripPaymentState::Canceled if trip.failure_code.as_deref() == Some(HOLD_TIMEOUT_CODE) => {
            Ok(HoldOutcome::TimedOut)
        }
        TripPaymentState::Failed if trip.authorization_id.is_none() => Ok(HoldOutcome::Declined {
            category: trip
                .failure_code
                .clone()
                .unwrap_or_else(|| "other".to_owned()),
        }),
        _ => Ok(HoldOutcome::Placed {
            authorization_id: trip.authorization_id.clone().unwrap_or_default(),
            amount_minor: trip.hold_minor,
            currency: trip.currency.clone(),
        }),
    }
}

async fn authorize_within_budget(
    state: &AppState,
    trip: TripPayment,
) -> Result<HoldOutcome, Problem> {
    let budget = Duration::from_millis(state.config.payments.hold_timeout_ms);
    let task_state = state.clone();
    let task_trip = trip.clone();
    let task = tokio::spawn(async move { authorize_and_record(&task_state, task_trip).await });

    match tokio::time::timeout(budget, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(join_error)) => Err(Problem::internal(&join_error)),
        Err(_elapsed) => give_up(state, &trip).await,
    }
}

/// Marks the hold as timed out, unless the task recorded an outcome in the meantime.
async fn give_up(state: &AppState, trip: &TripPayment) -> Result<HoldOutcome, Problem> {
    tracing::warn!(trip_id = %trip.trip_id, budget_ms = state.config.payments.hold_timeout_ms, "hold did not land within the gate's time budget");
    let result = trip::transition(
        &state.db,
        trip,
        TripPaymentState::Canceled,
        state.clock.now_ms(),
        |t| {
            t.failure_code = Some(HOLD_TIMEOUT_CODE.to_owned());
        },
    )
    .await;
    match result {
        Ok(_) => Ok(HoldOutcome::TimedOut),
        Err(_) => {
            let current = trip::load(&state.db, &trip.trip_id)
                .await
                .map_err(|e| Problem::internal(&e))?;
            match current {
                Some(current) if current.status != TripPaymentState::HoldPending => {
                    Box::pin(outcome_of_existing(state, current)).await
                }
                _ => Ok(HoldOutcome::TimedOut),
            }
        }
    }
}

/// Calls the PSP and records the outcome; runs to the end even after the gate gave up.
async fn authorize_and_record(state: &AppState, trip: TripPayment) -> Result<HoldOutcome, Problem> {
    let key = IdempotencyKey::for_trip(&trip.trip_id, "hold").map_err(|e| Problem::internal(&e))?;
    let request = AuthorizeRequest {
        customer: trip.psp_customer.clone(),
        payment_method: trip.psp_payment_method.clone(),
        amount: Money::new(trip.hold_minor, &trip.currency),
        idempotency_key: key,
        trip_id: trip.trip_id.clone(),
    };
    let outcome = state
        .payments
        .authorize(request)
        .await
        .map_err(|e| Problem::internal(&e))?;
    let now = state.clock.now_ms();

    let (next, result) = match outcome {
        Outcome::Approved(hold) => {
            let result = HoldOutcome::Placed {
                authorization_id: hold.id.clone(),
                amount_minor: hold.amount.amount_minor,
                currency: hold.amount.currency.clone(),
            };
            let recorded = trip::transition(&state.db, &trip, TripPaymentState::Held, now, |t| {
                t.authorization_id = Some(hold.id.clone());
                t.increment_available = hold.increment_available;
                t.hold_expires_at = hold.expires_at_ms;
            })
            .await;
            if recorded.is_err() {
                release_late_hold(state, &trip.trip_id, &hold.id).await;
                return Ok(HoldOutcome::TimedOut);
            }
            return Ok(result);
        }
        Outcome::Declined { category, code } => (
            Some(code),
            HoldOutcome::Declined {
                category: category_name(category),
            },
        ),
        Outcome::RequiresAction => (
            Some("authentication_required".to_owned()),
            HoldOutcome::Declined {
                category: category_name(DeclineCategory::Other),
            },
        ),
        Outcome::RetryableFailure { reason } => {
            tracing::warn!(trip_id = %trip.trip_id, %reason, "hold failed with a retryable PSP error");
            (None, HoldOutcome::TimedOut)
        }
    };

    let (to, code) = match (&result, next) {
        (HoldOutcome::Declined { category }, _) => {
            (TripPaymentState::Failed, Some(category.clone()))
        }
        _ => (
            TripPaymentState::Canceled,
            Some(HOLD_TIMEOUT_CODE.to_owned()),
        ),
    };
    if let Err(error) = trip::transition(&state.db, &trip, to, now, |t| t.failure_code = code).await
    {
        tracing::warn!(trip_id = %trip.trip_id, %error, "cannot record the hold outcome");
    }
    Ok(result)
}

/// Releases a hold that landed after the gate gave up on it.
async fn release_late_hold(state: &AppState, trip_id: &str, authorization_id: &str) {
    let Ok(key) = IdempotencyKey::for_trip(trip_id, "hold-release") else {
        return;
    };
    match state
        .payments
        .cancel(authorization_id, "abandoned", &key)
        .await
    {
        Ok(Outcome::Approved(())) => tracing::info!(
            trip_id,
            "released a hold that landed after the gate's time budget"
        ),
        Ok(other) => {
            tracing::error!(trip_id, outcome = ?other, "cannot release a late hold; the reconciler retries")
        }
        Err(error) => {
            tracing::error!(trip_id, %error, "cannot release a late hold; the reconciler retries")
        }
    }
}

fn category_name(category: DeclineCategory) -> String {
    serde_json::to_value(category)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_else(|| "other".to_owned())
}

/// Amount outstanding for the shopper (failed captures not yet settled), in minor units.
pub async fn outstanding_minor(state: &AppState, shopper_id: &str) -> Result<i64, sqlx::Error> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(outstanding_minor), 0) AS BIGINT) FROM trip_payments WHERE shopper_id = $1 AND outstanding_minor > 0",
    )
    .bind(shopper_id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(total.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_valid_through_end_of_expiry_month() {
        // 2030-03-31T23:59:59Z and 2030-04-01T00:00:00Z.
        let last_second = 1_901_231_999_000;
        let next_month = 1_901_232_000_000;
        assert!(!card_expired(3, 2030, last_second));
        assert!(card_expired(3, 2030, next_month));
        assert!(!card_expired(4, 2030, next_month));
    }
}
