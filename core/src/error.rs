//! Errors of the core, in two tiers.
//!
//! [`Error`] is rich and internal: it keeps paths, statuses, problem documents and sources for
//! logs and tests. [`WalkoutError`] is what the public API returns and what reaches Swift and
//! Kotlin: a small enum whose shape stays stable and whose `Display` reads as a sentence. The one
//! function [`to_public`] turns the first into the second, decides what is logged and at which
//! level, and drops everything that could be personal (problem details, server messages).

use std::time::Duration;

use crate::config::ConfigError;
use crate::http::HttpError;
use crate::secrets::SecretStoreError;
use crate::store::StoreError;

/// Internal result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A rich internal error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    SecretStore(#[from] SecretStoreError),
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("no shopper is signed in")]
    NotSignedIn,
    /// The backend or the identity provider no longer accepts the session.
    #[error("the session was rejected: {reason}")]
    Unauthorized { reason: String },
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    /// A blocking public method was called on a thread that runs an async runtime.
    #[error("a blocking Walkout method was called from inside an async runtime")]
    InsideAsyncRuntime,
    #[error("cannot start the internal async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The public error of every Walkout API call, stable across versions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WalkoutError {
    /// The backend responded in an unexpected way (a server error or a malformed body).
    #[error("The backend could not handle the request ({reason}); try again later.")]
    Network { reason: String },
    /// The backend cannot be reached now, or asked to retry after `retry_after_seconds`.
    #[error("{}", offline_sentence(*.retry_after_seconds))]
    Offline { retry_after_seconds: Option<u64> },
    #[error("No shopper is signed in; sign in first.")]
    NotSignedIn,
    #[error("The session is no longer valid; sign in again.")]
    Unauthorized,
    #[error("Invalid {field}: {reason}.")]
    InvalidInput { field: String, reason: String },
    /// The backend or the identity provider refused the request for a reason the shopper can
    /// act on, such as `outstanding-balance` or `invalid-password`.
    #[error("{}", denied_sentence(reason_slug))]
    Denied { reason_slug: String },
    #[error("The app's local storage failed; try again, and reinstall the app if this persists.")]
    Storage,
    #[error(
        "The device's secure storage is unavailable right now; unlock the device and try again."
    )]
    SecretStoreUnavailable,
    #[error(
        "This blocking method was called from inside an async runtime; call it from a plain thread."
    )]
    CalledFromAsyncRuntime,
    #[error("An internal error occurred; try again, and report it if this persists.")]
    Internal,
}

fn offline_sentence(retry_after_seconds: Option<u64>) -> String {
    match retry_after_seconds {
        Some(seconds) => format!("The backend is busy; try again in {seconds} seconds."),
        None => {
            "The backend cannot be reached; check the network connection and try again.".to_owned()
        }
    }
}

/// Sentences for the refusals a shopper meets most, so an app can show the message as it is.
/// Other slugs get a generic sentence that names the slug.
const DENIED_SENTENCES: &[(&str, &str)] = &[
    (
        "not-authorized",
        "The email address or password is not correct.",
    ),
    (
        "invalid-password",
        "The password does not meet the password rules; choose a longer one that mixes \
         upper and lower case letters, digits and symbols.",
    ),
    (
        "password-history-policy-violation",
        "This password was used before; choose a new one.",
    ),
    (
        "code-mismatch",
        "The code is not correct; check it and try again.",
    ),
    ("expired-code", "The code has expired; ask for a new one."),
    (
        "user-not-confirmed",
        "The account is not confirmed yet; enter the code that was sent to you.",
    ),
    (
        "username-exists",
        "An account with this email address already exists; sign in instead.",
    ),
    (
        "limit-exceeded",
        "Too many attempts; wait a few minutes and try again.",
    ),
    (
        "too-many-failed-attempts",
        "Too many attempts; wait a few minutes and try again.",
    ),
    (
        "outstanding-balance",
        "A previous purchase is still unpaid; update the card in the wallet to settle it.",
    ),
    (
        "no-payment-method",
        "No card is saved; add one in the wallet first.",
    ),
    (
        "payment-method-required",
        "No card is saved; add one in the wallet first.",
    ),
    (
        "card-expired",
        "The saved card has expired; add a new one in the wallet.",
    ),
    (
        "payment-declined",
        "The card was declined; try another card.",
    ),
    (
        "payment-method-rejected",
        "The card was declined; try another card.",
    ),
    (
        "account-deleted",
        "This account was deleted; create a new one to shop again.",
    ),
];

fn denied_sentence(reason_slug: &str) -> String {
    DENIED_SENTENCES
        .iter()
        .find(|(slug, _)| *slug == reason_slug)
        .map_or_else(
            || format!("The request was refused ({reason_slug})."),
            |(_, sentence)| (*sentence).to_owned(),
        )
}

impl From<Error> for WalkoutError {
    fn from(error: Error) -> Self {
        to_public(&error)
    }
}

/// Maps an internal error to the public one and logs it once at the level it deserves.
///
/// Expected outcomes (offline, signed out, denied) are logged at info or below; faults of the
/// app or the device (storage, internal) at error. Only our own texts, slugs and field names
/// reach the public error.
pub fn to_public(error: &Error) -> WalkoutError {
    let public = classify(error);
    match &public {
        WalkoutError::Storage | WalkoutError::Internal | WalkoutError::CalledFromAsyncRuntime => {
            tracing::error!(error = %error, "operation failed");
        }
        WalkoutError::Network { .. } | WalkoutError::SecretStoreUnavailable => {
            tracing::warn!(error = %error, "operation failed");
        }
        _ => tracing::info!(error = %error, "operation did not complete"),
    }
    public
}

fn classify(error: &Error) -> WalkoutError {
    match error {
        Error::Config(config) => WalkoutError::InvalidInput {
            field: config.key().unwrap_or("configuration").to_owned(),
            reason: config
                .expected()
                .map_or_else(|| config.to_string(), |e| format!("expected {e}")),
        },
        Error::Store(_) => WalkoutError::Storage,
        Error::SecretStore(SecretStoreError::Unavailable { .. }) => {
            WalkoutError::SecretStoreUnavailable
        }
        Error::SecretStore(SecretStoreError::Failed { .. }) => WalkoutError::Storage,
        Error::SecretStore(SecretStoreError::InvalidKey { .. }) => WalkoutError::Internal,
        Error::Http(http) => classify_http(http),
        Error::NotSignedIn => WalkoutError::NotSignedIn,
        Error::Unauthorized { .. } => WalkoutError::Unauthorized,
        Error::InvalidInput { field, reason } => WalkoutError::InvalidInput {
            field: field.clone(),
            reason: reason.clone(),
        },
        Error::InsideAsyncRuntime => WalkoutError::CalledFromAsyncRuntime,
        Error::Runtime(_) | Error::Internal(_) => WalkoutError::Internal,
    }
}

fn classify_http(error: &HttpError) -> WalkoutError {
    match error {
        HttpError::Connect { .. } | HttpError::Timeout { .. } | HttpError::Transport { .. } => {
            WalkoutError::Offline {
                retry_after_seconds: None,
            }
        }
        HttpError::Status {
            status,
            problem,
            retry_after,
            ..
        } => classify_status(
            *status,
            problem.as_ref().and_then(|p| p.slug.as_deref()),
            *retry_after,
        ),
        HttpError::BodyTooLarge { .. } => WalkoutError::Network {
            reason: "response too large".to_owned(),
        },
        HttpError::UnexpectedBody { .. } => WalkoutError::Network {
            reason: "unexpected response".to_owned(),
        },
        HttpError::AccessToken { source, .. } => classify(source),
        HttpError::InvalidUrl { .. } | HttpError::Setup { .. } => WalkoutError::Internal,
    }
}

fn classify_status(status: u16, slug: Option<&str>, retry_after: Option<Duration>) -> WalkoutError {
    match status {
        401 => WalkoutError::Unauthorized,
        429 | 503 => WalkoutError::Offline {
            retry_after_seconds: retry_after.map(|wait| wait.as_secs()),
        },
        400..=499 => WalkoutError::Denied {
            reason_slug: slug.map_or_else(|| format!("http-{status}"), str::to_owned),
        },
        _ => WalkoutError::Network {
            reason: match slug {
                Some(slug) => format!("HTTP {status}, {slug}"),
                None => format!("HTTP {status}"),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Problem;

    fn status_error(status: u16, slug: Option<&str>, detail: Option<&str>) -> Error {
        Error::Http(HttpError::Status {
            method: "POST".to_owned(),
            path: "/app/v1/trips".to_owned(),
            status,
            problem: Some(Box::new(Problem {
                type_uri: slug.map_or("about:blank".to_owned(), |s| format!("/problems/{s}")),
                slug: slug.map(str::to_owned),
                title: None,
                status: Some(status),
                detail: detail.map(str::to_owned),
            })),
            retry_after: Some(Duration::from_secs(7)),
        })
    }

    #[test]
    fn denials_read_as_sentences() {
        let cases = [
            (
                "invalid-password",
                "The password does not meet the password rules; choose a longer one that mixes \
                 upper and lower case letters, digits and symbols.",
            ),
            (
                "code-mismatch",
                "The code is not correct; check it and try again.",
            ),
            (
                "outstanding-balance",
                "A previous purchase is still unpaid; update the card in the wallet to settle it.",
            ),
            (
                "velocity-limit",
                "The request was refused (velocity-limit).",
            ),
        ];
        for (slug, sentence) in cases {
            let error = WalkoutError::Denied {
                reason_slug: slug.to_owned(),
            };
            assert_eq!(error.to_string(), sentence, "{slug}");
        }
    }

    #[test]
    fn every_denial_sentence_ends_with_a_full_stop() {
        for (slug, sentence) in DENIED_SENTENCES {
            assert!(sentence.ends_with('.'), "{slug}");
            assert!(!sentence.contains("  "), "{slug}");
        }
    }

    #[test]
    fn statuses_map_to_public_errors() {
        let cases = [
            (401, Some("invalid-token"), WalkoutError::Unauthorized),
            (
                403,
                Some("outstanding-balance"),
                WalkoutError::Denied {
                    reason_slug: "outstanding-balance".to_owned(),
                },
            ),
            (
                404,
                None,
                WalkoutError::Denied {
                    reason_slug: "http-404".to_owned(),
                },
            ),
            (
                503,
                Some("not-ready"),
                WalkoutError::Offline {
                    retry_after_seconds: Some(7),
                },
            ),
            (
                500,
                Some("internal"),
                WalkoutError::Network {
                    reason: "HTTP 500, internal".to_owned(),
                },
            ),
        ];
        for (status, slug, expected) in cases {
            assert_eq!(
                to_public(&status_error(status, slug, None)),
                expected,
                "HTTP {status}"
            );
        }
    }

    #[test]
    fn problem_detail_stays_out_of_public_error() {
        let error = status_error(
            403,
            Some("card-expired"),
            Some("card of jane@example.com expired"),
        );
        let public = to_public(&error);
        assert!(!format!("{public:?}").contains("jane"));
        assert!(!public.to_string().contains("jane"));
    }

    #[test]
    fn secret_store_outcomes_map_apart() {
        let unavailable = Error::SecretStore(SecretStoreError::Unavailable {
            reason: "locked".to_owned(),
        });
        let failed = Error::SecretStore(SecretStoreError::Failed {
            reason: "disk".to_owned(),
        });
        assert_eq!(
            to_public(&unavailable),
            WalkoutError::SecretStoreUnavailable
        );
        assert_eq!(to_public(&failed), WalkoutError::Storage);
    }

    #[test]
    fn token_failure_maps_through_its_source() {
        let error = Error::Http(HttpError::AccessToken {
            path: "/app/v1/me".to_owned(),
            source: Box::new(Error::NotSignedIn),
        });
        assert_eq!(to_public(&error), WalkoutError::NotSignedIn);
    }

    #[test]
    fn public_messages_are_sentences() {
        let errors = [
            WalkoutError::Offline {
                retry_after_seconds: None,
            },
            WalkoutError::Offline {
                retry_after_seconds: Some(30),
            },
            WalkoutError::NotSignedIn,
            WalkoutError::Storage,
            WalkoutError::Denied {
                reason_slug: "bad-tag".to_owned(),
            },
        ];
        for error in errors {
            let text = error.to_string();
            assert!(text.starts_with(char::is_uppercase), "{text}");
            assert!(text.ends_with('.'), "{text}");
        }
    }
}
