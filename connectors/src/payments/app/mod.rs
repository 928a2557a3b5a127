//! The app's payment routes under `/app/v1/`: saved cards and the outstanding balance.

pub mod balance;
pub mod methods;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::app::Shopper;
use crate::payments::gateway::{DeclineCategory, GatewayError, Outcome};
use crate::problem::{self, Problem};
use crate::server::AppState;
use crate::shoppers::{self, ShopperRecord};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(methods::register, methods::list))
        .routes(routes!(methods::set_default))
        .routes(routes!(methods::remove))
        .routes(routes!(balance::get_balance))
        .routes(routes!(balance::pay_balance))
}

async fn shopper_record(state: &AppState, shopper: &Shopper) -> Result<ShopperRecord, Problem> {
    shoppers::get_or_create(&state.db, &shopper.sub, state.clock.now_ms())
        .await
        .map_err(|e| Problem::internal(&e))
}

/// Unix milliseconds as RFC 3339 (UTC).
fn rfc3339(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|at| {
            at.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The problem for a gateway result that is not an approval.
fn gateway_problem(result: Result<Outcome<()>, GatewayError>) -> Problem {
    match result {
        Ok(Outcome::Declined { category, .. }) => decline_problem(category),
        Ok(Outcome::RequiresAction) => Problem::new(
            problem::PAYMENT_DECLINED,
            "the card issuer requires the shopper to authenticate this payment",
        )
        .with("decline_category", "authentication_required"),
        Ok(Outcome::RetryableFailure { reason }) => {
            Problem::new(problem::PAYMENT_UNAVAILABLE, reason)
        }
        Ok(Outcome::Approved(())) => {
            Problem::internal(&"an approved payment was treated as a failure")
        }
        Err(error) => Problem::internal(&error),
    }
}

fn decline_problem(category: DeclineCategory) -> Problem {
    let name = serde_json::to_value(category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Problem::new(
        problem::PAYMENT_DECLINED,
        format!("the card was declined ({name})"),
    )
    .with("decline_category", name)
}
