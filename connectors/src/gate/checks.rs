//! Checks on the shopper at the first scan of a trip, in this order: account active, a default
//! card that has not expired, no outstanding balance, entry velocity, then the payment hold.
//!
//! The card checks read `payment_methods` directly, so a shopper without a usable card is
//! denied before any call to the payment service provider; `place_hold` reports the same two
//! reasons should the card change in between.

use crate::payments::hold::{self, HoldOutcome};
use crate::problem::{self, Problem, ProblemKind};
use crate::server::AppState;
use crate::shoppers::ShopperRecord;

/// A reason to deny, with the detail for the answer.
pub(crate) type Refusal = (ProblemKind, String);

/// Runs the checks for the trip `trip_id`; `None` when the shopper may enter (the hold is then
/// placed).
pub(crate) async fn check_shopper(
    state: &AppState,
    shopper: Option<&ShopperRecord>,
    store_id: &str,
    trip_id: &str,
    now_ms: i64,
) -> Result<Option<Refusal>, Problem> {
    let internal = |e: sqlx::Error| Problem::internal(&e);
    let Some(shopper) = shopper.filter(|s| s.is_active()) else {
        return Ok(Some(refuse(
            problem::ACCOUNT_INACTIVE,
            "the shopper's account is not active",
        )));
    };

    if let Some(refusal) = check_card(state, &shopper.id, now_ms)
        .await
        .map_err(internal)?
    {
        return Ok(Some(refusal));
    }

    let outstanding = hold::outstanding_minor(state, &shopper.id)
        .await
        .map_err(internal)?;
    if outstanding > 0 {
        return Ok(Some(refuse(
            problem::OUTSTANDING_BALANCE,
            "an earlier trip left an unpaid amount; settle it in the app",
        )));
    }

    let gate = &state.config.gate;
    let window_ms =
        i64::try_from(gate.velocity_window_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let recent =
        super::trips::count_recent(&state.db, &shopper.id, now_ms.saturating_sub(window_ms))
            .await
            .map_err(internal)?;
    if recent >= i64::from(gate.velocity_limit) {
        return Ok(Some(refuse(
            problem::VELOCITY_LIMIT,
            &format!(
                "the shopper entered {recent} times within {} seconds; the limit is {}",
                gate.velocity_window_secs, gate.velocity_limit
            ),
        )));
    }

    place_hold(state, trip_id, &shopper.id, store_id).await
}

fn refuse(kind: ProblemKind, detail: &str) -> Refusal {
    (kind, detail.to_owned())
}

/// Checks that the shopper has a default card whose expiry month has not passed (UTC).
async fn check_card(
    state: &AppState,
    shopper_id: &str,
    now_ms: i64,
) -> Result<Option<Refusal>, sqlx::Error> {
    let card: Option<(i64, i64)> = sqlx::query_as(
        "SELECT exp_month, exp_year FROM payment_methods \
         WHERE shopper_id = $1 AND is_default = 1 AND removed_at IS NULL \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(shopper_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((exp_month, exp_year)) = card else {
        return Ok(Some(refuse(
            problem::NO_PAYMENT_METHOD,
            "the shopper has no default payment method",
        )));
    };
    let now = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    // A card is valid through the last day of its expiry month.
    let current = i64::from(now.year()) * 12 + i64::from(u8::from(now.month()));
    let expiry = exp_year.saturating_mul(12).saturating_add(exp_month);
    if expiry < current {
        return Ok(Some(refuse(
            problem::CARD_EXPIRED,
            "the shopper's default card has expired",
        )));
    }
    Ok(None)
}

async fn place_hold(
    state: &AppState,
    trip_id: &str,
    shopper_id: &str,
    store_id: &str,
) -> Result<Option<Refusal>, Problem> {
    let outcome = match hold::place_hold(state, trip_id, shopper_id, store_id).await {
        Ok(outcome) => outcome,
        Err(error) => {
            // NOTE: a failure to place the hold (as opposed to a decline) is answered as a
            // timeout, because the gate must not open without a hold and must not answer 5xx.
            tracing::error!(%error, trip_id, "the payment hold could not be placed");
            return Ok(Some(refuse(
                problem::HOLD_TIMEOUT,
                "the payment hold could not be placed in time",
            )));
        }
    };
    Ok(match outcome {
        HoldOutcome::Placed { .. } => None,
        HoldOutcome::NoPaymentMethod => Some(refuse(
            problem::NO_PAYMENT_METHOD,
            "the shopper has no default payment method",
        )),
        HoldOutcome::CardExpired => Some(refuse(
            problem::CARD_EXPIRED,
            "the shopper's default card has expired",
        )),
        HoldOutcome::Declined { category } => Some((
            problem::HOLD_DECLINED,
            format!("the payment service provider declined the hold ({category})"),
        )),
        HoldOutcome::TimedOut => Some(refuse(
            problem::HOLD_TIMEOUT,
            "the payment service provider did not answer in time",
        )),
    })
}
