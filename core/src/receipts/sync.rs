//! Receipt sync: pages of `GET /app/v1/receipts` into the local store, with backoff.
//!
//! Each page is requested after the stored cursor and applied with its `next_cursor` in one
//! transaction (see [`super::local`]), so a sync can stop at any instant (crash, kill, lost
//! network) and the next one resumes where the last commit left off, losing and duplicating
//! nothing. A failed sync sets a time before which the next one is rejected without a request:
//! exponential backoff with jitter from [`BASE_BACKOFF`] up to [`MAX_BACKOFF`], and never
//! earlier than the server's `Retry-After`. A sync is started by the shell (pull to refresh,
//! app start) or by the backend's `receipt-ready` event through
//! [`Walkout::handle_server_event`].

use std::time::Duration;

use super::local::{self, NoObserver, PageOutcome, SyncObserver};
use super::model::{SyncReport, SyncStatus};
use super::wire::FeedPage;
use crate::WalkoutError;
use crate::error::Error;
use crate::http::{HttpError, HttpRequest};
use crate::walkout::Walkout;

/// Changes requested per page: the feed's maximum.
pub const PAGE_LIMIT: u32 = 500;
/// Upper bound of the first backoff wait.
pub const BASE_BACKOFF: Duration = Duration::from_secs(5);
/// Upper bound of any backoff wait.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Pages one sync fetches at most (5 million changes), so a backend that always answers
/// `has_more` cannot keep a sync running forever.
const MAX_PAGES: u32 = 10_000;

/// Server event kind that announces a new receipt or receipt version.
pub const RECEIPT_READY_EVENT: &str = "receipt-ready";

impl Walkout {
    /// Fetches receipt changes until the feed has no more and stores them.
    ///
    /// Returns [`WalkoutError::Offline`] with the seconds left, without a request, while an
    /// earlier failure's backoff lasts (see [`Walkout::receipt_sync_status`]).
    pub fn sync_receipts(&self) -> Result<SyncReport, WalkoutError> {
        self.sync_receipts_observed(&NoObserver)
    }

    /// Like [`Walkout::sync_receipts`], reporting progress to `observer`.
    pub fn sync_receipts_observed(
        &self,
        observer: &dyn SyncObserver,
    ) -> Result<SyncReport, WalkoutError> {
        self.run(self.sync_pages(observer))
    }

    /// Reacts to a server-sent event of `kind`: `receipt-ready` syncs receipts; other kinds
    /// need no receipt work and return `Ok(None)`.
    pub fn handle_server_event(&self, kind: &str) -> Result<Option<SyncReport>, WalkoutError> {
        if kind == RECEIPT_READY_EVENT {
            return self.sync_receipts().map(Some);
        }
        Ok(None)
    }

    /// Returns the sync cursor, backoff state and number of stored receipts.
    pub fn receipt_sync_status(&self) -> Result<SyncStatus, WalkoutError> {
        local::status(self.store()).map_err(|error| Error::from(error).into())
    }

    /// Returns the device time (Unix milliseconds) before which a sync is rejected, if a
    /// backoff is in force.
    pub fn next_sync_allowed_at(&self) -> Result<Option<i64>, WalkoutError> {
        let status = self.receipt_sync_status()?;
        let now = self.device_now_ms();
        Ok(status.next_sync_allowed_at_millis.filter(|at| *at > now))
    }

    fn device_now_ms(&self) -> i64 {
        self.server_clock().device().now_unix_millis()
    }

    async fn sync_pages(&self, observer: &dyn SyncObserver) -> Result<SyncReport, Error> {
        let status = local::status(self.store())?;
        let now = self.device_now_ms();
        if let Some(at) = status.next_sync_allowed_at_millis.filter(|at| *at > now) {
            let seconds = (at - now + 999) / 1000;
            // NOTE: no request is sent here. The backoff is reported as the 503 with
            // `Retry-After` that the public mapping turns into `Offline`, so the log line of
            // this error names a status the backend did not send; a dedicated internal error
            // variant would say it plainly.
            return Err(Error::Http(HttpError::Status {
                method: "GET".to_owned(),
                path: "/app/v1/receipts".to_owned(),
                status: 503,
                problem: None,
                retry_after: Some(Duration::from_secs(u64::try_from(seconds).unwrap_or(1))),
            }));
        }

        let mut report = SyncReport::default();
        let result = self.fetch_and_apply(observer, &mut report).await;
        match result {
            Ok(()) => {
                local::record_success(self.store(), self.device_now_ms())?;
                report.cursor = local::cursor(self.store())?;
                tracing::info!(
                    pages = report.pages,
                    applied = report.applied,
                    deleted = report.deleted,
                    skipped = report.skipped,
                    "receipt sync finished"
                );
                Ok(report)
            }
            Err(error) => {
                self.back_off(&error)?;
                Err(error)
            }
        }
    }

    async fn fetch_and_apply(
        &self,
        observer: &dyn SyncObserver,
        report: &mut SyncReport,
    ) -> Result<(), Error> {
        for _ in 0..MAX_PAGES {
            let after = local::cursor(self.store())?;
            let response = self.http().send(&feed_request(after.as_deref())).await?;
            let page: FeedPage = response.json()?;
            let now = self.device_now_ms();
            match local::apply_page(self.store(), after.as_deref(), &page, now, observer, report)? {
                PageOutcome::CursorMoved => {
                    tracing::info!("receipt cursor moved during the request; fetching again");
                    continue;
                }
                PageOutcome::Applied => {
                    report.pages += 1;
                    observer.page_committed(report.pages);
                }
            }
            if !page.has_more {
                return Ok(());
            }
        }
        tracing::warn!(
            pages = MAX_PAGES,
            "receipt sync stopped at its page limit; the next sync continues"
        );
        Ok(())
    }

    /// Records the failure and its backoff, when the failure is one that retrying later can
    /// fix: network and server failures, not a missing sign-in or a local fault.
    fn back_off(&self, error: &Error) -> Result<(), Error> {
        let Error::Http(http) = error else {
            return Ok(());
        };
        if matches!(http, HttpError::AccessToken { .. }) || http.status() == Some(401) {
            return Ok(());
        }
        let retry_after = match http {
            HttpError::Status { retry_after, .. } => *retry_after,
            _ => None,
        };
        let now = self.device_now_ms();
        let (failures, until) = local::record_failure(self.store(), |failures| {
            let wait =
                backoff(failures, rand::random::<f64>()).max(retry_after.unwrap_or_default());
            now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX))
        })?;
        tracing::info!(failures, wait_ms = until - now, error = %error, "receipt sync failed; backing off");
        Ok(())
    }
}

/// The wait after `failures` consecutive failures, given a uniform `jitter` in `[0, 1]`: half
/// of `BASE_BACKOFF * 2^(failures-1)` plus a random part of the other half, capped at
/// [`MAX_BACKOFF`].
pub fn backoff(failures: u32, jitter: f64) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let ceiling = BASE_BACKOFF
        .saturating_mul(1u32 << exponent)
        .min(MAX_BACKOFF);
    ceiling / 2 + (ceiling / 2).mul_f64(jitter.clamp(0.0, 1.0))
}

fn feed_request(after: Option<&str>) -> HttpRequest {
    let mut path = format!("/app/v1/receipts?limit={PAGE_LIMIT}");
    if let Some(after) = after {
        path.push_str("&after=");
        path.push_str(&percent_encode(after));
    }
    HttpRequest::get(path).authenticated()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1, 0.0), Duration::from_millis(2500));
        assert_eq!(backoff(1, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(3, 1.0), Duration::from_secs(20));
        assert_eq!(backoff(40, 1.0), MAX_BACKOFF);
    }

    #[test]
    fn cursor_is_percent_encoded() {
        assert_eq!(percent_encode("rc1.NDI"), "rc1.NDI");
        assert_eq!(percent_encode("a b/+="), "a%20b%2F%2B%3D");
    }
}
