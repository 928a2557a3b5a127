//! Forwards the core's `tracing` events to a [`LogSink`] that the app implements over its
//! platform logger (`os_log`, Logcat).
//!
//! The core never puts secrets, tokens, card numbers, entry codes or passwords in a log line,
//! and this module adds nothing: it passes each event's level, target and text. Trace events
//! are never forwarded. The sink is called without any lock held, and an event logged while the
//! sink runs on the same thread (for example, by a sink that calls back into Walkout) is
//! dropped rather than sent to the sink again.

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

use crate::error::{FfiResult, WalkoutFfiError};

/// The level of a log event, from the most to the least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// A fault of the app or the device, such as a failed database write.
    Error,
    /// A failure the core recovers from, such as a retry.
    Warn,
    /// A start, a stop or an expected outcome, such as "offline".
    Info,
    /// Detail for developers.
    Debug,
}

impl LogLevel {
    fn from_tracing(level: Level) -> Option<Self> {
        match level {
            Level::ERROR => Some(Self::Error),
            Level::WARN => Some(Self::Warn),
            Level::INFO => Some(Self::Info),
            Level::DEBUG => Some(Self::Debug),
            _ => None,
        }
    }

    /// Stored in [`MAX_LEVEL`]; 0 means that no sink is set.
    fn rank(self) -> u8 {
        match self {
            Self::Error => 1,
            Self::Warn => 2,
            Self::Info => 3,
            Self::Debug => 4,
        }
    }
}

/// Receives the core's log events; implemented by the app over its platform logger.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    /// Writes one event. `target` is the Rust module that logged it, such as
    /// `walkout_core::receipts::sync`; `message` is the text followed by `key=value` fields.
    fn log(&self, level: LogLevel, target: String, message: String) -> FfiResult<()>;
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

thread_local! {
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Sends the core's log events up to `max_level` to `sink`, replacing any earlier sink.
///
/// The first call installs Walkout's `tracing` subscriber for the whole process; it fails with
/// `Internal` when the process already has another one.
#[uniffi::export]
pub fn set_log_sink(sink: Arc<dyn LogSink>, max_level: LogLevel) -> FfiResult<()> {
    install_subscriber()?;
    *SINK.write().unwrap_or_else(PoisonError::into_inner) = Some(sink);
    MAX_LEVEL.store(max_level.rank(), Ordering::Release);
    Ok(())
}

/// Stops forwarding log events and releases the sink.
#[uniffi::export]
pub fn clear_log_sink() -> FfiResult<()> {
    MAX_LEVEL.store(0, Ordering::Release);
    let previous = SINK.write().unwrap_or_else(PoisonError::into_inner).take();
    // The app's object is released here, after the lock, in case its cleanup logs.
    drop(previous);
    Ok(())
}

fn install_subscriber() -> FfiResult<()> {
    let installed = INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(SinkLayer);
        tracing::subscriber::set_global_default(subscriber).map_err(|error| error.to_string())
    });
    installed.clone().map_err(|_| WalkoutFfiError::Internal)
}

/// The `tracing` layer that hands events to the current sink.
struct SinkLayer;

impl<S: Subscriber> Layer<S> for SinkLayer {
    // The level can change at any time, so no call site may cache a decision.
    fn register_callsite(&self, _metadata: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _context: Context<'_, S>) -> bool {
        let Some(level) = LogLevel::from_tracing(*metadata.level()) else {
            return false;
        };
        level.rank() <= MAX_LEVEL.load(Ordering::Acquire) && !IN_SINK.with(Cell::get)
    }

    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let metadata = event.metadata();
        let Some(level) = LogLevel::from_tracing(*metadata.level()) else {
            return;
        };
        let sink = SINK.read().unwrap_or_else(PoisonError::into_inner).clone();
        let Some(sink) = sink else { return };

        let mut text = EventText::default();
        event.record(&mut text);

        IN_SINK.with(|flag| flag.set(true));
        // A failing platform logger has nowhere to report to; the event is lost.
        let _ = sink.log(level, metadata.target().to_owned(), text.finish());
        IN_SINK.with(|flag| flag.set(false));
    }
}

/// The text of one event: its message, then its other fields as `key=value`.
#[derive(Default)]
struct EventText {
    message: String,
    fields: String,
}

impl EventText {
    fn finish(self) -> String {
        if self.fields.is_empty() {
            self.message
        } else if self.message.is_empty() {
            self.fields.trim_start().to_owned()
        } else {
            self.message + &self.fields
        }
    }
}

impl Visit for EventText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}
