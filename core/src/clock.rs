//! Clocks and the clock-offset model shared by token expiry and entry codes.
//!
//! Phones are often minutes or hours off. The core never trusts the device clock alone: it
//! measures `offset = server time - device time` from the server's HTTP `Date` header (and from a
//! token's `iat`), keeps the latest measurement, and reads "server now" as device time plus that
//! offset. Everything here is pure arithmetic over a [`Clock`], so tests drive it with
//! [`ManualClock`] and no sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the device's current time.
pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch (negative before it).
    fn now_unix_millis(&self) -> i64;

    /// Whole seconds since the Unix epoch, rounded down.
    fn now_unix_seconds(&self) -> i64 {
        self.now_unix_millis().div_euclid(1000)
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix_millis(&self) -> i64 {
        system_time_to_unix_millis(SystemTime::now())
    }
}

/// A clock that moves only when a test tells it to.
#[derive(Debug, Default)]
pub struct ManualClock {
    millis: AtomicI64,
}

impl ManualClock {
    pub fn new(unix_millis: i64) -> Self {
        Self {
            millis: AtomicI64::new(unix_millis),
        }
    }

    pub fn set_unix_millis(&self, unix_millis: i64) {
        self.millis.store(unix_millis, Ordering::SeqCst);
    }

    /// Moves the clock forward by `millis` (backward when negative).
    pub fn advance_millis(&self, millis: i64) {
        self.millis.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix_millis(&self) -> i64 {
        self.millis.load(Ordering::SeqCst)
    }
}

/// Converts a `SystemTime` to Unix milliseconds, saturating at the `i64` range.
pub fn system_time_to_unix_millis(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// Where a clock-offset measurement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OffsetSource {
    /// An HTTP response's `Date` header (one-second resolution).
    HttpDate,
    /// A token's `iat` claim (one-second resolution).
    TokenIssuedAt,
    /// A value stored by an earlier run.
    Stored,
}

/// One measurement of `server time - device time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockOffset {
    /// Server time minus device time, in milliseconds.
    pub offset_millis: i64,
    /// Device time of the measurement, in Unix milliseconds.
    pub measured_at_millis: i64,
    pub source: OffsetSource,
}

impl ClockOffset {
    /// Measures the offset from an HTTP `Date` header.
    ///
    /// `Date` has one-second resolution and is truncated, so the server's true time lies in
    /// `[date, date + 1 s)`; the estimate takes the middle of that second and compares it with the
    /// middle of the request's round trip on the device. Returns `None` for a malformed header.
    pub fn from_http_date(
        date: &str,
        sent_at_millis: i64,
        received_at_millis: i64,
    ) -> Option<Self> {
        let server_time = httpdate::parse_http_date(date.trim()).ok()?;
        let server_millis = system_time_to_unix_millis(server_time).saturating_add(500);
        let device_millis = midpoint(sent_at_millis, received_at_millis);
        Some(Self {
            offset_millis: server_millis.saturating_sub(device_millis),
            measured_at_millis: received_at_millis,
            source: OffsetSource::HttpDate,
        })
    }

    /// Measures the offset from a freshly received token's `iat` (Unix seconds).
    ///
    /// The token was issued at most one round trip before `received_at_millis`, so the estimate
    /// is biased by that round trip; prefer a `Date` measurement when both exist.
    pub fn from_token_issued_at(iat_seconds: i64, received_at_millis: i64) -> Self {
        let server_millis = iat_seconds.saturating_mul(1000).saturating_add(500);
        Self {
            offset_millis: server_millis.saturating_sub(received_at_millis),
            measured_at_millis: received_at_millis,
            source: OffsetSource::TokenIssuedAt,
        }
    }
}

fn midpoint(a: i64, b: i64) -> i64 {
    // Halve before adding so two large timestamps cannot overflow.
    a / 2 + b / 2 + (a % 2 + b % 2) / 2
}

/// The current clock offset, shared by the HTTP client, the session and the entry codes.
///
/// The latest measurement replaces the previous one: the server's clock is the reference, and
/// a device clock that a user changes must be followed at once.
#[derive(Debug, Default)]
pub struct SharedClockOffset {
    latest: std::sync::RwLock<Option<ClockOffset>>,
}

impl SharedClockOffset {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a new measurement.
    pub fn record(&self, offset: ClockOffset) {
        let mut latest = self
            .latest
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *latest = Some(offset);
    }

    /// Returns the latest measurement, if any.
    pub fn latest(&self) -> Option<ClockOffset> {
        *self
            .latest
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the offset in milliseconds, or 0 before the first measurement.
    pub fn offset_millis(&self) -> i64 {
        self.latest().map_or(0, |offset| offset.offset_millis)
    }
}

/// A clock that reads server time: the device clock plus the shared offset.
#[derive(Clone)]
pub struct ServerClock {
    device: Arc<dyn Clock>,
    offset: Arc<SharedClockOffset>,
}

impl ServerClock {
    pub fn new(device: Arc<dyn Clock>, offset: Arc<SharedClockOffset>) -> Self {
        Self { device, offset }
    }

    /// Returns the device clock this reads from.
    pub fn device(&self) -> &Arc<dyn Clock> {
        &self.device
    }

    /// Returns the shared offset this adds.
    pub fn offset(&self) -> &Arc<SharedClockOffset> {
        &self.offset
    }

    /// Checks whether a token expiring at `exp_seconds` (server time) should be treated as
    /// expired now, `leeway_seconds` early so a request in flight does not arrive with it expired.
    pub fn is_expired(&self, exp_seconds: i64, leeway_seconds: i64) -> bool {
        self.now_unix_seconds().saturating_add(leeway_seconds) >= exp_seconds
    }
}

impl Clock for ServerClock {
    fn now_unix_millis(&self) -> i64 {
        self.device
            .now_unix_millis()
            .saturating_add(self.offset.offset_millis())
    }
}

impl std::fmt::Debug for ServerClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerClock")
            .field("offset", &self.offset.latest())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;
    // Tue, 02 Jun 2026 10:00:00 GMT
    const T0_MS: i64 = 1_780_394_400_000;

    fn http_date(unix_millis: i64) -> String {
        let time = UNIX_EPOCH + std::time::Duration::from_millis(unix_millis as u64);
        httpdate::fmt_http_date(time)
    }

    #[test]
    fn date_header_measures_device_two_hours_behind_or_ahead() {
        for device_error_ms in [-2 * HOUR_MS, 2 * HOUR_MS, 0] {
            let device_sent = T0_MS + device_error_ms;
            let device_received = device_sent + 200;
            let date = http_date(T0_MS + 100);
            let offset = ClockOffset::from_http_date(&date, device_sent, device_received)
                .expect("valid date");
            let error = offset.offset_millis + device_error_ms;
            assert!(
                error.abs() <= 1000,
                "device off by {device_error_ms} ms measured {offset:?}"
            );
        }
    }

    #[test]
    fn malformed_date_header_is_ignored() {
        assert_eq!(ClockOffset::from_http_date("yesterday", T0_MS, T0_MS), None);
    }

    #[test]
    fn token_iat_measures_offset() {
        let device_now = T0_MS - 2 * HOUR_MS;
        let offset = ClockOffset::from_token_issued_at(T0_MS / 1000, device_now);
        assert_eq!(offset.offset_millis, 2 * HOUR_MS + 500);
        assert_eq!(offset.source, OffsetSource::TokenIssuedAt);
    }

    #[test]
    fn server_clock_adds_latest_offset() {
        let device = Arc::new(ManualClock::new(T0_MS));
        let shared = Arc::new(SharedClockOffset::new());
        let clock = ServerClock::new(device.clone(), shared.clone());
        assert_eq!(clock.now_unix_millis(), T0_MS);

        shared.record(ClockOffset::from_token_issued_at(
            T0_MS / 1000 + 7200,
            T0_MS,
        ));
        assert_eq!(clock.now_unix_millis(), T0_MS + 2 * HOUR_MS + 500);

        shared.record(ClockOffset::from_token_issued_at(
            T0_MS / 1000 - 7200,
            T0_MS,
        ));
        assert_eq!(clock.now_unix_seconds(), (T0_MS - 2 * HOUR_MS + 500) / 1000);
    }

    #[test]
    fn token_expiry_uses_server_time() {
        // The device is two hours behind: a token that expires in one hour of server time has
        // not expired, even though the device clock alone would read it as valid for three.
        let device = Arc::new(ManualClock::new(T0_MS - 2 * HOUR_MS));
        let shared = Arc::new(SharedClockOffset::new());
        shared.record(ClockOffset {
            offset_millis: 2 * HOUR_MS,
            measured_at_millis: T0_MS - 2 * HOUR_MS,
            source: OffsetSource::HttpDate,
        });
        let clock = ServerClock::new(device.clone(), shared);
        let exp = T0_MS / 1000 + 3600;

        assert!(!clock.is_expired(exp, 60));
        device.advance_millis(HOUR_MS - 30_000);
        assert!(clock.is_expired(exp, 60), "within the leeway");
    }

    #[test]
    fn manual_clock_seconds_round_down() {
        let clock = ManualClock::new(-1);
        assert_eq!(clock.now_unix_seconds(), -1);
        clock.set_unix_millis(1999);
        assert_eq!(clock.now_unix_seconds(), 1);
    }

    #[test]
    fn midpoint_handles_extremes() {
        assert_eq!(midpoint(i64::MAX, i64::MAX), i64::MAX);
        assert_eq!(midpoint(10, 20), 15);
        assert_eq!(midpoint(-10, 10), 0);
    }
}
