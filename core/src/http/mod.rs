//! The backend HTTP client: reqwest over rustls, with timeouts, bounded retries of idempotent
//! requests, `Retry-After`, clock-offset measurement and RFC 9457 problem mapping.
//!
//! It speaks HTTP only. It knows no routes of the app API, keeps no state besides the shared
//! clock offset, and never logs a header value or a body, because either may hold a token or
//! personal data.

mod client;
mod error;
mod problem;
mod request;
mod retry;

pub use client::HttpClient;
pub use error::HttpError;
pub use problem::{Problem, slug_of};
pub use request::{AccessTokenFuture, AccessTokenSource, HttpRequest, HttpResponse, HttpSettings};
pub use reqwest::Method;
pub use retry::{RetryPolicy, is_idempotent, parse_retry_after};
