//! Failures of the entry credential and code methods, and their public form.
//!
//! An expired credential that could not be renewed and a device that never enrolled are
//! `InvalidInput` errors on the field `entry_credential`, and their messages tell the shopper
//! what to do ("connect to renew your entry code"). No message carries a secret or a code.

use super::code::StepError;
use super::render::{MAX_PIXELS_PER_MODULE, RenderError};
use crate::error::{Error, WalkoutError, to_public};
use crate::http::HttpError;

/// Field name of the public errors about the device's credential.
pub const CREDENTIAL_FIELD: &str = "entry_credential";
/// Reason of the public error for an expired credential that could not be renewed.
pub const EXPIRED_REASON: &str = "it has expired; connect to renew your entry code";
/// Reason of the public error for a device without a credential.
pub const NOT_ENROLLED_REASON: &str = "this device has none yet; connect to get your entry code";

/// A rich internal error of the entry methods.
#[derive(Debug, thiserror::Error)]
pub(crate) enum EntryError {
    #[error("no entry credential is enrolled on this device")]
    NotEnrolled,
    #[error("the entry credential expired at {expires_at_unix} (Unix seconds, server time)")]
    Expired { expires_at_unix: i64 },
    #[error(transparent)]
    Step(#[from] StepError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("unexpected enrollment response: {0}")]
    BadResponse(String),
    #[error(transparent)]
    Core(#[from] Error),
}

impl From<HttpError> for EntryError {
    fn from(error: HttpError) -> Self {
        Self::Core(Error::Http(error))
    }
}

impl EntryError {
    /// Tells whether the backend could not be reached or asked to come back later.
    pub(crate) fn is_offline(&self) -> bool {
        match self {
            Self::Core(Error::Http(
                HttpError::Connect { .. } | HttpError::Timeout { .. } | HttpError::Transport { .. },
            )) => true,
            Self::Core(Error::Http(error)) => matches!(error.status(), Some(429 | 503)),
            _ => false,
        }
    }

    /// Maps the error to the public one and logs it once.
    pub(crate) fn to_public(&self) -> WalkoutError {
        let invalid = |field: &str, reason: &str| WalkoutError::InvalidInput {
            field: field.to_owned(),
            reason: reason.to_owned(),
        };
        let public = match self {
            Self::Core(error) => return to_public(error),
            Self::NotEnrolled => invalid(CREDENTIAL_FIELD, NOT_ENROLLED_REASON),
            Self::Expired { .. } => invalid(CREDENTIAL_FIELD, EXPIRED_REASON),
            Self::Step(StepError::ZeroPeriod) => WalkoutError::Internal,
            Self::Step(_) => invalid(
                "device_unix_millis",
                "the instant lies outside the range of entry codes; check the device clock",
            ),
            Self::Render(RenderError::PixelsPerModule { .. }) => WalkoutError::InvalidInput {
                field: "pixels_per_module".to_owned(),
                reason: format!("expected 1 to {MAX_PIXELS_PER_MODULE}"),
            },
            Self::Render(_) => WalkoutError::Internal,
            Self::BadResponse(_) => WalkoutError::Network {
                reason: "unexpected enrollment response".to_owned(),
            },
        };
        match &public {
            WalkoutError::Internal => tracing::error!(error = %self, "entry operation failed"),
            WalkoutError::Network { .. } => tracing::warn!(error = %self, "entry operation failed"),
            _ => tracing::info!(error = %self, "entry operation did not complete"),
        }
        public
    }
}
