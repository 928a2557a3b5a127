//! The service's clock. In `test` mode an administrator can move it forward, so tests expire
//! holds, credentials and webhooks without waiting; the default system clock cannot be moved.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Debug, Clone)]
pub struct Clock {
    /// Milliseconds added to the system time; `None` for the system clock.
    shift_ms: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { shift_ms: None }
    }

    pub fn test() -> Clock {
        Clock {
            shift_ms: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn is_test(&self) -> bool {
        self.shift_ms.is_some()
    }

    /// Current time in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let system = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        let shift = self
            .shift_ms
            .as_ref()
            .map_or(0, |s| s.load(Ordering::Relaxed));
        i64::try_from(system)
            .unwrap_or(i64::MAX)
            .saturating_add(shift)
    }

    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves a test clock forward by `ms`; returns false (and does nothing) on the system clock
    /// or for a negative amount, because time never runs backwards for the service.
    pub fn advance_ms(&self, ms: i64) -> bool {
        match &self.shift_ms {
            Some(shift) if ms >= 0 => {
                shift.fetch_add(ms, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves_forward_only() {
        let clock = Clock::test();
        let before = clock.now_ms();
        assert!(clock.advance_ms(3_600_000));
        assert!(clock.now_ms() - before >= 3_600_000);
        assert!(!clock.advance_ms(-1));
    }

    #[test]
    fn system_clock_cannot_move() {
        assert!(!Clock::system().advance_ms(1000));
    }
}
