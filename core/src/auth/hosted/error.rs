//! Failures of hosted sign-in.
//!
//! Messages name what failed and what to do, and never contain the authorization code, the
//! PKCE verifier, `state`, `nonce` or any token, because they end up in logs and on screens.

use crate::error::WalkoutError;

/// A failure of hosted or federated sign-in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostedError {
    /// The configuration has no `[openid]` section, or a value in it is unusable.
    #[error("hosted sign-in is not configured: {reason}")]
    NotConfigured { reason: String },
    /// The shopper closed the browser or cancelled the sign-in page.
    #[error("sign-in was cancelled")]
    Cancelled,
    /// The browser step could not show the sign-in page or catch the redirect.
    #[error("the browser step failed: {reason}")]
    BrowserFailed { reason: String },
    /// The browser landed on a URL that is not the registered redirect URI.
    #[error("the browser returned to an unexpected address; expected the redirect URI {expected}")]
    WrongRedirect { expected: String },
    /// The `state` in the redirect is missing or differs from the one sent: the response is not
    /// for this sign-in and is rejected.
    #[error("the sign-in response does not match this sign-in (state mismatch); start again")]
    StateMismatch,
    /// The provider returned `error` (and maybe `error_description`) in the redirect.
    #[error("the identity provider rejected the sign-in: {code}{}", description_suffix(.description))]
    Provider {
        code: String,
        description: Option<String>,
    },
    /// The redirect has neither `code` nor `error`.
    #[error("the sign-in response has no authorization code")]
    MissingCode,
    /// Discovery, JWKS or the token endpoint failed at the HTTP level.
    #[error("the identity provider could not be reached: {reason}")]
    Network { reason: String },
    /// The token endpoint rejected the request (`invalid_grant` and the like).
    #[error("the token endpoint rejected the request: {code}{}", description_suffix(.description))]
    TokenEndpoint {
        code: String,
        description: Option<String>,
    },
    /// The provider's discovery document, JWKS or token response is unusable.
    #[error("the identity provider sent an invalid response: {reason}")]
    InvalidResponse { reason: String },
    /// The ID token failed verification (signature, `iss`, `aud`, `exp`, `nonce`).
    #[error("the ID token is invalid: {reason}")]
    InvalidIdToken { reason: String },
    /// The core could not run the request (called from inside an async runtime, for example).
    #[error("the core could not run hosted sign-in: {reason}")]
    Runtime { reason: String },
    /// A refresh was requested but no shopper is signed in.
    #[error("no shopper is signed in; sign in first")]
    NotSignedIn,
    /// Storing the session failed.
    #[error("cannot store the session: {reason}")]
    Storage { reason: String },
}

fn description_suffix(description: &Option<String>) -> String {
    match description {
        Some(text) => format!(" ({text})"),
        None => String::new(),
    }
}

impl HostedError {
    /// Returns a short slug for the public error, such as `sign-in-cancelled`.
    pub fn slug(&self) -> &'static str {
        match self {
            Self::NotConfigured { .. } => "hosted-sign-in-not-configured",
            Self::Cancelled => "sign-in-cancelled",
            Self::BrowserFailed { .. } => "browser-failed",
            Self::WrongRedirect { .. } => "wrong-redirect",
            Self::StateMismatch => "state-mismatch",
            Self::Provider { .. } => "provider-error",
            Self::MissingCode => "missing-code",
            Self::Network { .. } => "provider-unreachable",
            Self::TokenEndpoint { .. } => "token-request-rejected",
            Self::InvalidResponse { .. } => "invalid-provider-response",
            Self::InvalidIdToken { .. } => "invalid-id-token",
            Self::Runtime { .. } => "runtime",
            Self::NotSignedIn => "not-signed-in",
            Self::Storage { .. } => "storage",
        }
    }

    /// Maps the failure to the error that crosses the FFI.
    pub fn to_public(&self) -> WalkoutError {
        match self {
            Self::Network { reason } => WalkoutError::Network {
                reason: reason.clone(),
            },
            Self::NotConfigured { reason } => WalkoutError::InvalidInput {
                field: "openid".to_owned(),
                reason: reason.clone(),
            },
            Self::Storage { .. } => WalkoutError::SecretStoreUnavailable,
            Self::NotSignedIn => WalkoutError::NotSignedIn,
            _ => WalkoutError::Denied {
                reason_slug: self.slug().to_owned(),
            },
        }
    }
}
