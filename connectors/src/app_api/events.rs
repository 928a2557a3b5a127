//! `GET /app/v1/events`: the caller's outbox events as server-sent events.
//!
//! Each SSE `id:` is the outbox event id, which is global and gap-free, so a client that
//! reconnects with `Last-Event-ID` receives exactly the events it missed. Without that header
//! the stream starts after the newest event at connection time. New events are found by
//! polling the `events` table every [`POLL_INTERVAL`]. A connection is bounded: it reads at
//! most [`BATCH_SIZE`] events per query and holds at most one batch in memory, and it ends
//! after [`MAX_STREAM_LIFETIME`], after which the client reconnects with `Last-Event-ID` and
//! loses nothing. Comments keep idle connections open through proxies.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::time::Instant;

use crate::auth::app::Shopper;
use crate::outbox;
use crate::problem::Problem;
use crate::server::AppState;
use crate::shoppers;

/// Time between two queries for new events on an idle connection.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// Time between keep-alive comments on an idle connection.
pub const KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(15);
/// Time after which the service ends a stream; the client reconnects with `Last-Event-ID`.
pub const MAX_STREAM_LIFETIME: Duration = Duration::from_secs(300);
/// Largest number of events read by one query.
const BATCH_SIZE: i64 = 100;
/// Wait after a failed query before the next one.
const ERROR_BACKOFF: Duration = Duration::from_secs(2);

/// Streams the caller's events (`receipt-ready`, `trip-updated`, `entry-denied`, …).
#[utoipa::path(get, path = "/app/v1/events", tag = "app",
    params(("Last-Event-ID" = Option<String>, Header, description = "Id of the last event received; the stream resumes after it")),
    responses(
        (status = 200, description = "`text/event-stream`: `id:` event id, `event:` kind, `data:` JSON payload", content_type = "text/event-stream"),
        (status = 400, description = "Last-Event-ID is not a whole number", content_type = "application/problem+json")))]
pub async fn stream(
    State(state): State<AppState>,
    caller: Shopper,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let resume_after = last_event_id(&headers)?;
    let shopper = shoppers::get_or_create(&state.db, &caller.sub, state.clock.now_ms())
        .await
        .map_err(|e| Problem::internal(&e))?;
    let after = match resume_after {
        Some(id) => id,
        None => newest_event_id(&state, &shopper.id).await?,
    };
    tracing::info!(shopper_id = %shopper.id, after, "event stream opened");

    let reader = Reader {
        pool: state.db.pool.clone(),
        shopper_id: shopper.id,
        after,
        pending: VecDeque::new(),
        ends_at: Instant::now() + MAX_STREAM_LIFETIME,
    };
    let events = futures_util::stream::unfold(reader, |mut reader| async move {
        let event = reader.next_event().await?;
        Some((Ok(event), reader))
    });
    let keep_alive = KeepAlive::new()
        .interval(KEEP_ALIVE_INTERVAL)
        .text("keep-alive");
    Ok(Sse::new(events).keep_alive(keep_alive))
}

/// Reads `Last-Event-ID`: absent, or a whole number.
fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, Problem> {
    let Some(value) = headers.get("last-event-id") else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text.is_empty() {
        return Ok(None);
    }
    let valid = text.len() <= 19 && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<i64>() {
        Ok(id) if valid => Ok(Some(id)),
        _ => Err(Problem::invalid(
            "invalid Last-Event-ID: expected the id of an event this stream sent (a whole number)",
        )
        .with("parameter", "Last-Event-ID")),
    }
}

async fn newest_event_id(state: &AppState, shopper_id: &str) -> Result<i64, Problem> {
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM events WHERE shopper_id = $1")
            .bind(shopper_id)
            .fetch_one(&state.db.pool)
            .await
            .map_err(|e| Problem::internal(&e))?;
    Ok(newest.unwrap_or(0))
}

/// The state of one connection: where it is in the outbox and the batch not yet sent.
struct Reader {
    pool: sqlx::AnyPool,
    shopper_id: String,
    after: i64,
    pending: VecDeque<outbox::Event>,
    ends_at: Instant,
}

impl Reader {
    /// Waits for the next event; `None` ends the stream at the end of its lifetime.
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                self.after = event.id;
                return Some(to_sse(&event));
            }
            if Instant::now() >= self.ends_at {
                tracing::info!(shopper_id = %self.shopper_id, "event stream reached its lifetime; closing");
                return None;
            }
            let found =
                outbox::events_for_shopper(&self.pool, &self.shopper_id, self.after, BATCH_SIZE)
                    .await;
            match found {
                Ok(events) if !events.is_empty() => self.pending.extend(events),
                Ok(_) => self.sleep(POLL_INTERVAL).await,
                Err(error) => {
                    tracing::warn!(shopper_id = %self.shopper_id, %error, "reading events failed; retrying");
                    self.sleep(ERROR_BACKOFF).await;
                }
            }
        }
    }

    /// Sleeps for `wait`, but not past the end of the stream's lifetime.
    async fn sleep(&self, wait: Duration) {
        tokio::time::sleep_until(self.ends_at.min(Instant::now() + wait)).await;
    }
}

fn to_sse(event: &outbox::Event) -> Event {
    // Event names come from our own constants; a line break would corrupt the stream
    // (and make axum panic), so any is replaced.
    let kind: String = event
        .kind
        .chars()
        .map(|c| if c == '\n' || c == '\r' { '-' } else { c })
        .collect();
    Event::default()
        .id(event.id.to_string())
        .event(kind)
        .data(event.payload.to_string())
}
