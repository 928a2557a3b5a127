//! The one public error of the bindings, [`WalkoutFfiError`].
//!
//! It has the same variants and fields as the core's [`WalkoutError`] and takes its sentences
//! from it, so the core stays the single place that decides what an app may show. Foreign code
//! throws it too: a secret store reports a locked device with `SecretStoreUnavailable`. It must
//! never carry personal data, which is why the text of an unexpected foreign exception is dropped
//! rather than kept.

use std::fmt;

use walkout_core::WalkoutError;

/// Why a Walkout call failed. Its message (`toString()` in Kotlin, `description` in Swift) is
/// a sentence that can be shown to the shopper.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[uniffi::export(Display)]
pub enum WalkoutFfiError {
    /// The backend responded in an unexpected way (a server error or a malformed body).
    Network {
        /// A short technical reason, such as `HTTP 500`.
        reason: String,
    },
    /// The backend cannot be reached now, or asked to retry later.
    Offline {
        /// Seconds to wait before retrying, when the backend said so.
        retry_after_seconds: Option<u64>,
    },
    /// No shopper is signed in.
    NotSignedIn,
    /// The session is no longer valid; the shopper must sign in again.
    Unauthorized,
    /// A value passed to the call is invalid.
    InvalidInput {
        /// The name of the invalid value, such as `email` or `pixels_per_module`.
        field: String,
        /// What is wrong with it and what is expected.
        reason: String,
    },
    /// The backend refused the request for a business reason.
    Denied {
        /// The backend's problem slug, such as `outstanding-balance`.
        reason_slug: String,
    },
    /// The app's local storage failed.
    Storage,
    /// The device's secure storage cannot be used now (for example, the device is locked).
    SecretStoreUnavailable,
    /// A blocking method was called from inside an async runtime.
    CalledFromAsyncRuntime,
    /// An internal error, including an unexpected exception thrown by app code that the
    /// core called.
    Internal,
}

impl From<WalkoutError> for WalkoutFfiError {
    fn from(error: WalkoutError) -> Self {
        match error {
            WalkoutError::Network { reason } => Self::Network { reason },
            WalkoutError::Offline {
                retry_after_seconds,
            } => Self::Offline {
                retry_after_seconds,
            },
            WalkoutError::NotSignedIn => Self::NotSignedIn,
            WalkoutError::Unauthorized => Self::Unauthorized,
            WalkoutError::InvalidInput { field, reason } => Self::InvalidInput { field, reason },
            WalkoutError::Denied { reason_slug } => Self::Denied { reason_slug },
            WalkoutError::Storage => Self::Storage,
            WalkoutError::SecretStoreUnavailable => Self::SecretStoreUnavailable,
            WalkoutError::CalledFromAsyncRuntime => Self::CalledFromAsyncRuntime,
            WalkoutError::Internal => Self::Internal,
        }
    }
}

impl From<WalkoutFfiError> for WalkoutError {
    fn from(error: WalkoutFfiError) -> Self {
        match error {
            WalkoutFfiError::Network { reason } => Self::Network { reason },
            WalkoutFfiError::Offline {
                retry_after_seconds,
            } => Self::Offline {
                retry_after_seconds,
            },
            WalkoutFfiError::NotSignedIn => Self::NotSignedIn,
            WalkoutFfiError::Unauthorized => Self::Unauthorized,
            WalkoutFfiError::InvalidInput { field, reason } => Self::InvalidInput { field, reason },
            WalkoutFfiError::Denied { reason_slug } => Self::Denied { reason_slug },
            WalkoutFfiError::Storage => Self::Storage,
            WalkoutFfiError::SecretStoreUnavailable => Self::SecretStoreUnavailable,
            WalkoutFfiError::CalledFromAsyncRuntime => Self::CalledFromAsyncRuntime,
            WalkoutFfiError::Internal => Self::Internal,
        }
    }
}

/// Foreign code threw something other than a `WalkoutFfiError`. Its text may hold anything
/// the app put there, so only the fact is logged.
impl From<uniffi::UnexpectedUniFFICallbackError> for WalkoutFfiError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        tracing::warn!("app code called by the core threw an unexpected exception");
        Self::Internal
    }
}

impl fmt::Display for WalkoutFfiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&WalkoutError::from(self.clone()), f)
    }
}

impl std::error::Error for WalkoutFfiError {}

/// The result of every exported call.
pub type FfiResult<T> = Result<T, WalkoutFfiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_round_trips() {
        let errors = [
            WalkoutError::Network {
                reason: "HTTP 500".to_owned(),
            },
            WalkoutError::Offline {
                retry_after_seconds: Some(5),
            },
            WalkoutError::Offline {
                retry_after_seconds: None,
            },
            WalkoutError::NotSignedIn,
            WalkoutError::Unauthorized,
            WalkoutError::InvalidInput {
                field: "email".to_owned(),
                reason: "expected an email address".to_owned(),
            },
            WalkoutError::Denied {
                reason_slug: "outstanding-balance".to_owned(),
            },
            WalkoutError::Storage,
            WalkoutError::SecretStoreUnavailable,
            WalkoutError::CalledFromAsyncRuntime,
            WalkoutError::Internal,
        ];
        for error in errors {
            let ffi = WalkoutFfiError::from(error.clone());
            assert_eq!(WalkoutError::from(ffi), error);
        }
    }

    #[test]
    fn message_is_core_sentence() {
        let core = WalkoutError::Offline {
            retry_after_seconds: Some(30),
        };
        let ffi = WalkoutFfiError::from(core.clone());
        assert_eq!(ffi.to_string(), core.to_string());
    }
}
