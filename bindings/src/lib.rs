//! `walkout-ffi`: the one library that the iOS and Android apps link, exporting the Walkout
//! core to Swift and Kotlin (and to Python for headless tests) through uniffi proc-macros.
//!
//! This crate is a thin layer and holds no logic of its own. Each export converts its
//! arguments, calls `walkout_core::Walkout` and converts the result. Every exported function and
//! method returns `Result`, so a Rust panic reaches the app as an exception (uniffi catches it;
//! the build profiles keep `panic = "unwind"`) rather than ending the process. Foreign code (the
//! secret store, observers, the log sink) is never called while a lock is held, because it may
//! call back into any export.

mod app;
mod app_account;
mod app_entry;
mod app_offers;
mod app_receipts;
mod app_trips;
mod app_wallet;
mod error;
mod hosted;
mod logging;
mod observer;
mod secrets;
mod types;

pub use app::WalkoutApp;
pub use error::{FfiResult, WalkoutFfiError};
pub use hosted::BrowserStep;
pub use logging::{LogLevel, LogSink};
pub use observer::SessionObserver;
pub use secrets::{SecretLookup, SecretStore};

uniffi::setup_scaffolding!();

/// Returns the version of the Walkout core library.
#[uniffi::export]
pub fn walkout_version() -> FfiResult<String> {
    Ok(env!("CARGO_PKG_VERSION").to_owned())
}

/// Panics inside Rust. Only the binding tests call it, to prove that a panic reaches the app
/// as an exception and that the process carries on.
#[uniffi::export]
pub fn debug_panic() -> FfiResult<()> {
    panic!("debug_panic was called to test panic handling");
}
