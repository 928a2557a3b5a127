//! Walkout app core: the shopper-side logic shared by the iOS and Android apps and the `walkout`
//! CLI. Plain Rust with a synchronous public API; network work runs on one internal tokio
//! runtime. FFI lives in the separate `walkout-ffi` crate.

pub mod account;
pub mod auth;
pub mod clock;
pub mod config;
pub mod entry;
pub mod error;
pub mod http;
pub mod offers;
pub mod receipts;
pub mod runtime;
pub mod secrets;
pub mod store;
pub mod walkout;
pub mod wallet;

pub use config::{BrandId, Config};
pub use error::WalkoutError;
pub use secrets::{SecretLookup, SecretStore, SecretStoreError};
pub use walkout::{HealthReport, Walkout};
