//! Each trip's payment as a persisted state machine (table `trip_payments`, one row per trip).
//!
//! States: `hold_pending` → `held` → `adjusted` → `captured` | `canceled` | `expired` | `failed`.
//! `failed` means a declined hold, or a settlement that left an outstanding balance (also after
//! the hold was captured, when the charge of the difference failed); paying the balance moves it
//! to `captured`. An `expired` hold can still be settled with an off-session
//! charge. Transitions are idempotent: asking for the state the row is already in is a no-op
//! that returns the row; a transition the table below does not allow is an error.

use serde::Serialize;
use sqlx::Row;

use super::gateway::{GatewayError, Money};
use crate::db::Database;

/// The payment state of one trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TripPaymentState {
    HoldPending,
    Held,
    Adjusted,
    Captured,
    Canceled,
    Expired,
    Failed,
}

impl TripPaymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            TripPaymentState::HoldPending => "hold_pending",
            TripPaymentState::Held => "held",
            TripPaymentState::Adjusted => "adjusted",
            TripPaymentState::Captured => "captured",
            TripPaymentState::Canceled => "canceled",
            TripPaymentState::Expired => "expired",
            TripPaymentState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<TripPaymentState> {
        Some(match text {
            "hold_pending" => TripPaymentState::HoldPending,
            "held" => TripPaymentState::Held,
            "adjusted" => TripPaymentState::Adjusted,
            "captured" => TripPaymentState::Captured,
            "canceled" => TripPaymentState::Canceled,
            "expired" => TripPaymentState::Expired,
            "failed" => TripPaymentState::Failed,
            _ => return None,
        })
    }

    /// Tells whether the machine allows going from `self` to `next` (a different state).
    pub fn can_become(self, next: TripPaymentState) -> bool {
        use TripPaymentState::*;
        matches!(
            (self, next),
            (HoldPending, Held | Failed | Canceled)
                | (Held, Adjusted | Captured | Canceled | Expired | Failed)
                | (Adjusted, Captured | Canceled | Expired | Failed)
                | (Expired, Captured | Failed)
                | (Captured, Failed)
                | (Failed, Captured)
        )
    }

    /// Tells whether the trip still has a live hold that can be captured, raised or canceled.
    pub fn has_live_hold(self) -> bool {
        matches!(self, TripPaymentState::Held | TripPaymentState::Adjusted)
    }
}

impl std::fmt::Display for TripPaymentState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a payment operation on a trip failed.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    #[error("trip {0} has no payment record (no hold was placed for it)")]
    NoHold(String),
    #[error("the hold of trip {0} is still pending; settle the trip once the hold is placed")]
    HoldPending(String),
    #[error("trip {trip_id}: the total is in {total}, but the hold is in {hold}")]
    CurrencyMismatch {
        trip_id: String,
        total: String,
        hold: String,
    },
    #[error("trip {trip_id}: the payment cannot go from {from} to {to}")]
    IllegalTransition {
        trip_id: String,
        from: TripPaymentState,
        to: TripPaymentState,
    },
    #[error(
        "trip {trip_id}: the PSP did not complete the {step} ({reason}); call again, the same idempotency keys are reused"
    )]
    Retryable {
        trip_id: String,
        step: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("payment record: {0}")]
    Database(#[from] sqlx::Error),
}

/// One row of `trip_payments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TripPayment {
    pub trip_id: String,
    pub shopper_id: String,
    pub store_id: String,
    pub status: TripPaymentState,
    pub currency: String,
    pub hold_minor: i64,
    pub payment_method_id: String,
    pub psp_payment_method: String,
    pub psp_customer: Option<String>,
    pub authorization_id: Option<String>,
    pub increment_available: bool,
    pub hold_expires_at: Option<i64>,
    pub total_minor: Option<i64>,
    pub captured_minor: i64,
    pub charged_minor: i64,
    pub outstanding_minor: i64,
    pub written_off_minor: i64,
    pub increments: i64,
    pub reauthorizations: i64,
    pub balance_attempts: i64,
    pub failure_code: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TripPayment {
    pub fn money(&self, amount_minor: i64) -> Money {
        Money::new(amount_minor, &self.currency)
    }
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<TripPayment, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let status = TripPaymentState::parse(&status).ok_or_else(|| {
        sqlx::Error::Decode(format!("unknown trip payment status {status:?}").into())
    })?;
    Ok(TripPayment {
        trip_id: row.try_get("trip_id")?,
        shopper_id: row.try_get("shopper_id")?,
        store_id: row.try_get("store_id")?,
        status,
        currency: row.try_get("currency")?,
        hold_minor: row.try_get("hold_minor")?,
        payment_method_id: row.try_get("payment_method_id")?,
        psp_payment_method: row.try_get("psp_payment_method")?,
        psp_customer: row.try_get("psp_customer")?,
        authorization_id: row.try_get("authorization_id")?,
        increment_available: row.try_get::<i64, _>("increment_available")? == 1,
        hold_expires_at: row.try_get("hold_expires_at")?,
        total_minor: row.try_get("total_minor")?,
        captured_minor: row.try_get("captured_minor")?,
        charged_minor: row.try_get("charged_minor")?,
        outstanding_minor: row.try_get("outstanding_minor")?,
        written_off_minor: row.try_get("written_off_minor")?,
        increments: row.try_get("increments")?,
        reauthorizations: row.try_get("reauthorizations")?,
        balance_attempts: row.try_get("balance_attempts")?,
        failure_code: row.try_get("failure_code")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Loads the payment row of a trip.
pub async fn load(db: &Database, trip_id: &str) -> Result<Option<TripPayment>, sqlx::Error> {
    let row = sqlx::query("SELECT * FROM trip_payments WHERE trip_id = $1")
        .bind(trip_id)
        .fetch_optional(&db.pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Loads the rows matching a `WHERE` clause whose only parameters are `$1` and `$2`.
pub async fn load_where(
    db: &Database,
    condition: &str,
    first: &str,
    second: i64,
) -> Result<Vec<TripPayment>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT * FROM trip_payments WHERE {condition} ORDER BY created_at"
    ))
    .bind(first)
    .bind(second)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Inserts a `hold_pending` row; returns false when the trip already has one.
pub async fn insert_pending(db: &Database, trip: &TripPayment) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO trip_payments (trip_id, shopper_id, store_id, status, currency, hold_minor, payment_method_id, \
         psp_payment_method, psp_customer, created_at, updated_at) VALUES ($1, $2, $3, 'hold_pending', $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (trip_id) DO NOTHING",
    )
    .bind(&trip.trip_id)
    .bind(&trip.shopper_id)
    .bind(&trip.store_id)
    .bind(&trip.currency)
    .bind(trip.hold_minor)
    .bind(&trip.payment_method_id)
    .bind(&trip.psp_payment_method)
    .bind(&trip.psp_customer)
    .bind(trip.created_at)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Writes every mutable field of `trip` if the stored status is still `expected`; returns
/// whether the row was written.
pub async fn save(
    db: &Database,
    trip: &TripPayment,
    expected: TripPaymentState,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE trip_payments SET status = $1, hold_minor = $2, authorization_id = $3, increment_available = $4, \
         hold_expires_at = $5, total_minor = $6, captured_minor = $7, charged_minor = $8, outstanding_minor = $9, \
         written_off_minor = $10, increments = $11, reauthorizations = $12, balance_attempts = $13, failure_code = $14, \
         updated_at = $15 WHERE trip_id = $16 AND status = $17",
    )
    .bind(trip.status.as_str())
    .bind(trip.hold_minor)
    .bind(&trip.authorization_id)
    .bind(i64::from(trip.increment_available))
    .bind(trip.hold_expires_at)
    .bind(trip.total_minor)
    .bind(trip.captured_minor)
    .bind(trip.charged_minor)
    .bind(trip.outstanding_minor)
    .bind(trip.written_off_minor)
    .bind(trip.increments)
    .bind(trip.reauthorizations)
    .bind(trip.balance_attempts)
    .bind(&trip.failure_code)
    .bind(trip.updated_at)
    .bind(&trip.trip_id)
    .bind(expected.as_str())
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

/// Moves `trip` to `to`, applying `change` to its fields, and returns the stored row.
///
/// A transition to the current state is a no-op returning the row unchanged. When another
/// writer moved the row first and reached `to`, its row is returned. Otherwise the transition is
/// illegal from the state found.
pub async fn transition(
    db: &Database,
    trip: &TripPayment,
    to: TripPaymentState,
    now_ms: i64,
    change: impl FnOnce(&mut TripPayment),
) -> Result<TripPayment, PaymentError> {
    if trip.status == to {
        return Ok(trip.clone());
    }
    if !trip.status.can_become(to) {
        return Err(PaymentError::IllegalTransition {
            trip_id: trip.trip_id.clone(),
            from: trip.status,
            to,
        });
    }
    let mut next = trip.clone();
    change(&mut next);
    next.status = to;
    next.updated_at = now_ms;
    if save(db, &next, trip.status).await? {
        tracing::info!(trip_id = %trip.trip_id, from = %trip.status, to = %to, "trip payment changed state");
        return Ok(next);
    }
    let current = load(db, &trip.trip_id)
        .await?
        .ok_or_else(|| PaymentError::NoHold(trip.trip_id.clone()))?;
    if current.status == to {
        return Ok(current);
    }
    Err(PaymentError::IllegalTransition {
        trip_id: trip.trip_id.clone(),
        from: current.status,
        to,
    })
}

/// Writes changed fields without a change of state.
pub async fn update(
    db: &Database,
    trip: &TripPayment,
    now_ms: i64,
    change: impl FnOnce(&mut TripPayment),
) -> Result<TripPayment, PaymentError> {
    let mut next = trip.clone();
    change(&mut next);
    next.updated_at = now_ms;
    if save(db, &next, trip.status).await? {
        return Ok(next);
    }
    Err(PaymentError::IllegalTransition {
        trip_id: trip.trip_id.clone(),
        from: trip.status,
        to: trip.status,
    })
}

#[cfg(test)]
mod tests {
    use super::TripPaymentState::*;
    use super::*;

    #[test]
    fn allowed_transitions() {
        let allowed = [
            (HoldPending, Held),
            (HoldPending, Failed),
            (HoldPending, Canceled),
            (Held, Adjusted),
            (Held, Captured),
            (Held, Expired),
            (Adjusted, Captured),
            (Expired, Captured),
            (Failed, Captured),
        ];
        for (from, to) in allowed {
            assert!(from.can_become(to), "{from} -> {to}");
        }
    }

    #[test]
    fn illegal_transitions() {
        let illegal = [
            (Captured, Held),
            (Captured, Canceled),
            (Canceled, Captured),
            (HoldPending, Captured),
            (Adjusted, Held),
            (Expired, Held),
            (Failed, Held),
        ];
        for (from, to) in illegal {
            assert!(!from.can_become(to), "{from} -> {to}");
        }
    }

    #[test]
    fn names_round_trip() {
        for state in [
            HoldPending,
            Held,
            Adjusted,
            Captured,
            Canceled,
            Expired,
            Failed,
        ] {
            assert_eq!(TripPaymentState::parse(state.as_str()), Some(state));
        }
    }
}
