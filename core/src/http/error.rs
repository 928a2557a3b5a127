//! Failures of backend requests.
//!
//! Messages name the method, the path and the status, never a token, a header value or a
//! problem's `detail`, so they can be logged as they are.

use std::time::Duration;

use super::problem::Problem;

/// A backend request that did not produce a successful response.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The request could not be built (a malformed base URL or path).
    #[error("invalid request URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {reason}")]
    Setup { reason: String },
    /// No connection could be made to the backend.
    #[error("cannot connect for {method} {path}: {reason}")]
    Connect {
        method: String,
        path: String,
        reason: String,
    },
    /// The backend did not respond within the timeout.
    #[error("{method} {path} timed out")]
    Timeout { method: String, path: String },
    /// The connection failed while sending the request or reading the response.
    #[error("{method} {path} failed: {reason}")]
    Transport {
        method: String,
        path: String,
        reason: String,
    },
    /// The backend responded with a non-success status.
    #[error("{method} {path} returned HTTP {status}{}", describe_problem(.problem))]
    Status {
        method: String,
        path: String,
        status: u16,
        /// The problem document of the response, when it had one (boxed to keep errors small).
        problem: Option<Box<Problem>>,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The response body is larger than the client accepts.
    #[error("{method} {path}: response body exceeds {limit} bytes")]
    BodyTooLarge {
        method: String,
        path: String,
        limit: usize,
    },
    /// A successful response's body is not the JSON the caller expected.
    #[error("{method} {path}: unexpected response body: {reason}")]
    UnexpectedBody {
        method: String,
        path: String,
        reason: String,
    },
    /// The access token for an authenticated request could not be obtained.
    #[error("cannot attach an access token to {path}")]
    AccessToken {
        path: String,
        #[source]
        source: Box<crate::error::Error>,
    },
}

fn describe_problem(problem: &Option<Box<Problem>>) -> String {
    match problem.as_ref().and_then(|problem| problem.slug.as_ref()) {
        Some(slug) => format!(" ({slug})"),
        None => String::new(),
    }
}

impl HttpError {
    /// Returns the HTTP status, for errors that carry one.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Returns the problem slug, for answers that carried a problem document with one.
    pub fn problem_slug(&self) -> Option<&str> {
        match self {
            HttpError::Status {
                problem: Some(problem),
                ..
            } => problem.slug.as_deref(),
            _ => None,
        }
    }
}
