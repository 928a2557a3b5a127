//! Failures of Cognito Identity Provider calls, classified by the error code (`__type`).
//!
//! Cognito reports every failure as a non-2xx status with a JSON body such as
//! `{"__type":"NotAuthorizedException","message":"Incorrect username or password."}`. The code,
//! never the message, decides what the app does: retry (throttling, internal errors, network),
//! ask the shopper to act (wrong password, unconfirmed account, wrong code), or give up
//! (configuration faults). Messages are kept for debugging but never enter `Display`, public
//! errors or logs, because some of them repeat what the shopper typed.

use std::fmt;

use crate::error::Error;
use crate::http::{HttpError, Problem};

/// What the app should do about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Throttled (`TooManyRequestsException`, HTTP 429): retry after a backoff.
    Throttled,
    /// A transient fault (`InternalErrorException`, HTTP 5xx, network, timeout): retry
    /// idempotent calls; restart SRP from `InitiateAuth`.
    Transient,
    /// The shopper can fix it: wrong password or code, unconfirmed account, taken email.
    UserActionable,
    /// The pool or app client is misconfigured, or the response is not Cognito's.
    Fatal,
}

/// A failed Cognito call.
#[derive(Debug)]
pub enum CognitoError {
    /// Cognito responded with an error code.
    Service {
        /// The operation, such as `InitiateAuth`.
        operation: &'static str,
        /// The cleaned error code, such as `NotAuthorizedException`.
        code: String,
        /// Cognito's message; may repeat personal data, so it is never displayed.
        message: Option<String>,
        status: u16,
    },
    /// No response arrived: connection refused or reset, or a timeout.
    Network {
        operation: &'static str,
        reason: String,
        timed_out: bool,
    },
    /// A 2xx response that is not the JSON this operation returns, or a challenge that cannot be
    /// answered.
    UnexpectedResponse {
        operation: &'static str,
        reason: String,
    },
    /// The HTTP client or the endpoint URL cannot be set up.
    Setup { reason: String },
}

impl fmt::Display for CognitoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Service {
                operation,
                code,
                status,
                ..
            } => write!(f, "Cognito {operation} failed with {code} (HTTP {status})"),
            Self::Network {
                operation,
                reason,
                timed_out: true,
            } => write!(f, "Cognito {operation} timed out: {reason}"),
            Self::Network {
                operation, reason, ..
            } => write!(f, "cannot reach Cognito for {operation}: {reason}"),
            Self::UnexpectedResponse { operation, reason } => {
                write!(f, "unexpected Cognito {operation} response: {reason}")
            }
            Self::Setup { reason } => write!(f, "cannot set up the Cognito client: {reason}"),
        }
    }
}

impl std::error::Error for CognitoError {}

/// Codes that mean "throttled", as the AWS SDKs list them.
const THROTTLING_CODES: &[&str] = &[
    "TooManyRequestsException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestLimitExceeded",
];

/// Codes the shopper can act on. `LimitExceededException` is here, not with throttling: it is
/// a per-user quota on codes and password attempts, and retrying quickly only extends it.
const USER_ACTIONABLE_CODES: &[&str] = &[
    "NotAuthorizedException",
    "UserNotConfirmedException",
    "UserNotFoundException",
    "PasswordResetRequiredException",
    "CodeMismatchException",
    "ExpiredCodeException",
    "InvalidPasswordException",
    "PasswordHistoryPolicyViolationException",
    "UsernameExistsException",
    "AliasExistsException",
    "InvalidParameterException",
    "LimitExceededException",
    "TooManyFailedAttemptsException",
    "CodeDeliveryFailureException",
    "RefreshTokenReuseException",
    "UserLambdaValidationException",
    "EnableSoftwareTokenMFAException",
    "SoftwareTokenMFANotFoundException",
    "MFAMethodNotFoundException",
    "TokenRevokedException",
];

impl CognitoError {
    /// Returns the cleaned error code of a service error.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Checks whether this is a service error with `code`.
    pub fn is(&self, code: &str) -> bool {
        self.code() == Some(code)
    }

    /// Classifies the failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Network { .. } => ErrorClass::Transient,
            Self::UnexpectedResponse { .. } | Self::Setup { .. } => ErrorClass::Fatal,
            Self::Service { code, status, .. } => classify_code(code, *status),
        }
    }

    /// Checks whether a retry of an idempotent call may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self.class(), ErrorClass::Throttled | ErrorClass::Transient)
    }

    /// Maps the failure to the core's internal error, so the public error says what to do:
    /// throttling and network failures become `Offline`, internal errors `Network`, codes the
    /// shopper can act on `Denied` with a slug such as `user-not-confirmed`, and the rest
    /// `Internal`.
    pub fn into_error(self) -> Error {
        let path = |operation: &str| format!("cognito-idp {operation}");
        match self.class() {
            ErrorClass::Throttled => Error::Http(HttpError::Status {
                method: "POST".to_owned(),
                path: path(self.operation()),
                status: 429,
                problem: None,
                retry_after: None,
            }),
            ErrorClass::Transient => match self {
                Self::Network {
                    operation,
                    timed_out: true,
                    ..
                } => Error::Http(HttpError::Timeout {
                    method: "POST".to_owned(),
                    path: path(operation),
                }),
                Self::Network {
                    operation, reason, ..
                } => Error::Http(HttpError::Connect {
                    method: "POST".to_owned(),
                    path: path(operation),
                    reason,
                }),
                other => Error::Http(HttpError::Status {
                    method: "POST".to_owned(),
                    path: path(other.operation()),
                    status: 500,
                    problem: None,
                    retry_after: None,
                }),
            },
            ErrorClass::UserActionable => {
                let slug = self.slug();
                Error::Http(HttpError::Status {
                    method: "POST".to_owned(),
                    path: path(self.operation()),
                    status: 400,
                    problem: Some(Box::new(Problem {
                        type_uri: format!("/problems/{slug}"),
                        slug: Some(slug),
                        title: None,
                        status: Some(400),
                        detail: None,
                    })),
                    retry_after: None,
                })
            }
            ErrorClass::Fatal => Error::Internal(self.to_string()),
        }
    }

    /// Returns the public reason slug: the code in kebab case without `Exception`
    /// (`UserNotConfirmedException` gives `user-not-confirmed`).
    pub fn slug(&self) -> String {
        match self {
            Self::Service { code, .. } => slug_of_code(code),
            Self::Network { .. } => "network".to_owned(),
            Self::UnexpectedResponse { .. } => "unexpected-response".to_owned(),
            Self::Setup { .. } => "setup".to_owned(),
        }
    }

    fn operation(&self) -> &'static str {
        match self {
            Self::Service { operation, .. }
            | Self::Network { operation, .. }
            | Self::UnexpectedResponse { operation, .. } => operation,
            Self::Setup { .. } => "setup",
        }
    }
}

fn classify_code(code: &str, status: u16) -> ErrorClass {
    if status == 429 || THROTTLING_CODES.contains(&code) {
        ErrorClass::Throttled
    } else if code == "InternalErrorException" || status >= 500 {
        ErrorClass::Transient
    } else if USER_ACTIONABLE_CODES.contains(&code) {
        ErrorClass::UserActionable
    } else {
        ErrorClass::Fatal
    }
}

/// Converts `UserNotConfirmedException` to `user-not-confirmed`.
pub fn slug_of_code(code: &str) -> String {
    let base = code.strip_suffix("Exception").unwrap_or(code);
    let mut slug = String::with_capacity(base.len() + 4);
    let characters: Vec<char> = base.chars().collect();
    for (index, character) in characters.iter().enumerate() {
        if character.is_ascii_uppercase() {
            let previous_lower = index > 0 && characters[index - 1].is_ascii_lowercase();
            let next_lower = characters
                .get(index + 1)
                .is_some_and(|next| next.is_ascii_lowercase());
            let previous_upper = index > 0 && characters[index - 1].is_ascii_uppercase();
            if index > 0 && (previous_lower || (previous_upper && next_lower)) {
                slug.push('-');
            }
            slug.push(character.to_ascii_lowercase());
        } else if character.is_ascii_alphanumeric() {
            slug.push(*character);
        }
    }
    slug
}

/// Cleans an error code the way the AWS SDKs do: everything from the first `:` is cut, then
/// everything up to and including the last `#`
/// (`com.amazonaws#NotAuthorizedException:http://…` gives `NotAuthorizedException`).
pub fn clean_error_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let after_hash = before_colon.rsplit('#').next().unwrap_or_default();
    after_hash.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, status: u16) -> CognitoError {
        CognitoError::Service {
            operation: "InitiateAuth",
            code: code.to_owned(),
            message: Some("Incorrect username or password.".to_owned()),
            status,
        }
    }

    #[test]
    fn codes_are_cleaned() {
        let cases = [
            ("NotAuthorizedException", "NotAuthorizedException"),
            (
                "com.amazonaws.cognito#NotAuthorizedException:http://internal",
                "NotAuthorizedException",
            ),
            (
                "aws.protocoljson#TooManyRequestsException",
                "TooManyRequestsException",
            ),
            ("CognitoLocal#Unsupported", "Unsupported"),
        ];
        for (raw, expected) in cases {
            assert_eq!(clean_error_code(raw), expected, "{raw}");
        }
    }

    #[test]
    fn codes_are_classified() {
        let cases = [
            ("TooManyRequestsException", 400, ErrorClass::Throttled),
            ("LimitExceededException", 400, ErrorClass::UserActionable),
            ("InternalErrorException", 500, ErrorClass::Transient),
            ("SomethingNew", 503, ErrorClass::Transient),
            ("NotAuthorizedException", 400, ErrorClass::UserActionable),
            ("UserNotConfirmedException", 400, ErrorClass::UserActionable),
            ("CodeMismatchException", 400, ErrorClass::UserActionable),
            ("ResourceNotFoundException", 400, ErrorClass::Fatal),
            (
                "InvalidUserPoolConfigurationException",
                400,
                ErrorClass::Fatal,
            ),
        ];
        for (code, status, expected) in cases {
            assert_eq!(service(code, status).class(), expected, "{code}");
        }
    }

    #[test]
    fn slugs_are_kebab_case() {
        let cases = [
            ("UserNotConfirmedException", "user-not-confirmed"),
            ("NotAuthorizedException", "not-authorized"),
            ("MFAMethodNotFoundException", "mfa-method-not-found"),
            (
                "EnableSoftwareTokenMFAException",
                "enable-software-token-mfa",
            ),
            ("CodeMismatchException", "code-mismatch"),
        ];
        for (code, slug) in cases {
            assert_eq!(slug_of_code(code), slug, "{code}");
        }
    }

    #[test]
    fn message_stays_out_of_display() {
        let error = service("NotAuthorizedException", 400);
        assert!(!error.to_string().contains("Incorrect"));
    }

    #[test]
    fn public_errors_follow_class() {
        use crate::error::{WalkoutError, to_public};
        let cases = [
            (
                service("TooManyRequestsException", 400),
                WalkoutError::Offline {
                    retry_after_seconds: None,
                },
            ),
            (
                service("UserNotConfirmedException", 400),
                WalkoutError::Denied {
                    reason_slug: "user-not-confirmed".to_owned(),
                },
            ),
            (
                service("ResourceNotFoundException", 400),
                WalkoutError::Internal,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(to_public(&error.into_error()), expected);
        }
    }
}
