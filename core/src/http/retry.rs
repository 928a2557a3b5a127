//! Retry decisions for backend requests: which requests may be repeated, after which failures,
//! and how long to wait.
//!
//! Only requests that have no second effect are repeated: GET, HEAD, OPTIONS, PUT and DELETE,
//! and POST or PATCH when they carry an `Idempotency-Key`. Waits grow exponentially with full
//! jitter, so many phones that lost the same backend do not return in step. A `Retry-After`
//! from the server replaces the computed wait; one longer than the policy allows ends the
//! retries, because a synchronous call must not block for minutes.

use std::time::{Duration, SystemTime};

use reqwest::Method;

/// Bounds of the retry loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// Upper bound of the first backoff wait.
    pub base_delay: Duration,
    /// Upper bound of any computed backoff wait.
    pub max_delay: Duration,
    /// Longest `Retry-After` that is waited out; a longer one is returned to the caller.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that makes one attempt only.
    pub fn no_retries() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Returns the backoff wait before retry number `retry` (1 for the first retry), given a
    /// uniform random `jitter` in `[0, 1]`: full jitter over `base * 2^(retry-1)`, capped.
    pub fn backoff(&self, retry: u32, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Checks whether a request may be sent again without a second effect.
pub fn is_idempotent(method: &Method, has_idempotency_key: bool) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE => true,
        Method::POST | Method::PATCH => has_idempotency_key,
        _ => false,
    }
}

/// Checks whether a response status is worth retrying: throttling and gateway or availability
/// failures, which pass, unlike a 500 that the same request would most likely hit again.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// Parses a `Retry-After` value: delay seconds, or an HTTP-date.
///
/// An HTTP-date is measured from `server_now` (the response's own `Date` when it has one) so
/// that a device clock hours off does not turn a short wait into a long one. A date in the past
/// means no wait. Returns `None` for a malformed value.
pub fn parse_retry_after(value: &str, server_now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return value.parse::<u64>().ok().map(Duration::from_secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(server_now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotent_methods() {
        let cases = [
            (Method::GET, false, true),
            (Method::PUT, false, true),
            (Method::DELETE, false, true),
            (Method::POST, false, false),
            (Method::POST, true, true),
            (Method::PATCH, false, false),
            (Method::PATCH, true, true),
        ];
        for (method, has_key, expected) in cases {
            assert_eq!(
                is_idempotent(&method, has_key),
                expected,
                "{method} key={has_key}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(1),
        };
        assert_eq!(policy.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(policy.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(3, 1.0), Duration::from_millis(400));
        assert_eq!(policy.backoff(5, 1.0), Duration::from_millis(1000));
        assert_eq!(policy.backoff(64, 1.0), Duration::from_millis(1000));
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(policy.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Tue, 02 Jun 2026 10:00:00 GMT").expect("date");
        let cases = [
            ("3", Some(Duration::from_secs(3))),
            (" 0 ", Some(Duration::ZERO)),
            (
                "Tue, 02 Jun 2026 10:00:05 GMT",
                Some(Duration::from_secs(5)),
            ),
            ("Tue, 02 Jun 2026 09:59:00 GMT", Some(Duration::ZERO)),
            ("-1", None),
            ("soon", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                parse_retry_after(value, now),
                expected,
                "Retry-After {value:?}"
            );
        }
    }

    #[test]
    fn retryable_statuses() {
        for status in [429, 503, 502, 504, 408] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 400, 401, 403, 404, 409, 422, 500] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }
}
