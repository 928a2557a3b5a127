//! App API routes that let a shopper read their own data: the receipt change feed and receipt
//! detail, trips, and the server-sent event stream.
//!
//! Every route here is behind the [`Shopper`] extractor and reads only rows of the caller's
//! shopper record. A receipt or trip of another shopper takes the same code path as an unknown
//! id and gets the same 404 body, so an id never reveals whether it exists. Nothing here
//! writes, except that opening the event stream creates the caller's shopper record on first
//! sight (as enrolling does).

mod account;
mod cursor;
mod events;
mod profile;
mod receipts;
mod trips;

pub use account::{ACCOUNT_PATH, reject_deleted_accounts};
pub use cursor::{DEFAULT_LIMIT, MAX_LIMIT, decode as decode_cursor, encode as encode_cursor};
pub use events::{KEEP_ALIVE_INTERVAL, MAX_STREAM_LIFETIME, POLL_INTERVAL};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::app::Shopper;
use crate::problem::{self, Problem};
use crate::server::AppState;
use crate::shoppers;

/// Routes of the shopper's receipts, trips and event stream.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    let _ = state;
    OpenApiRouter::new()
        .routes(routes!(receipts::feed))
        .routes(routes!(receipts::detail))
        .routes(routes!(trips::current))
        .routes(routes!(trips::by_id))
        .routes(routes!(events::stream))
        .routes(routes!(profile::get_profile, profile::patch_profile))
        .routes(routes!(profile::register_device, profile::list_devices))
        .routes(routes!(profile::remove_device))
        .routes(routes!(profile::put_push_token, profile::delete_push_token))
        .routes(routes!(account::delete_account))
}

/// Returns the caller's shopper id, or `None` when the service has never seen this user.
async fn shopper_id(state: &AppState, caller: &Shopper) -> Result<Option<String>, Problem> {
    let shopper = shoppers::find_by_sub(&state.db, &caller.sub)
        .await
        .map_err(|e| Problem::internal(&e))?;
    Ok(shopper.map(|s| s.id))
}

/// The one 404 of a resource kind. Its body names neither the id nor the reason, so a missing
/// id and another shopper's id cannot be told apart.
fn not_found(resource: &str) -> Problem {
    Problem::new(
        problem::NOT_FOUND,
        format!("no {resource} with this id for this shopper"),
    )
}

/// Formats Unix milliseconds as RFC 3339 in UTC with millisecond precision.
fn rfc3339_ms(unix_ms: i64) -> String {
    let nanos = i128::from(unix_ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
