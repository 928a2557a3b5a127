//! Authentication of the three kinds of caller: shopper apps, JWO, and administrators.
//!
//! Each kind has its own module and its own way in: shopper apps send Cognito access tokens
//! ([`app::Shopper`]), the JWO caller a shared bearer token or an HMAC signature
//! ([`jwo::require_jwo_caller`]), administrators an API key ([`admin::AdminCaller`]).

use std::sync::Arc;

use crate::config::Config;
use crate::credentials::Credentials;
use crate::db::Database;

pub mod admin;
pub mod app;
pub mod jwo;
pub mod session;

/// Everything the authentication layers need at request time.
#[derive(Debug, Clone)]
pub struct AuthState {
    /// The access token verifier; `None` when app authentication is not configured.
    pub app: Option<Arc<app::JwtVerifier>>,
    pub jwo: Arc<jwo::JwoAuth>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    AppAuth(#[from] app::VerifierSetupError),
}

impl AuthState {
    /// Resolves the authentication settings and, when app authentication is configured,
    /// starts fetching the user pool's keys in the background.
    pub async fn new(
        config: &Config,
        credentials: &Credentials,
        _db: &Database,
    ) -> Result<AuthState, AuthSetupError> {
        let app = app::JwtVerifier::from_config(&config.auth)?.map(Arc::new);
        match &app {
            Some(verifier) => {
                tracing::info!(
                    jwks_url = verifier.keys().url(),
                    "app authentication enabled"
                );
                verifier.spawn_initial_fetch();
            }
            None => {
                tracing::info!("app authentication not configured; app routes respond with 503")
            }
        }
        let jwo = Arc::new(jwo::JwoAuth::new(&config.jwo, credentials)?);
        Ok(AuthState { app, jwo })
    }

    /// Names of the authentication dependencies that are not ready yet (the JWKS, when app
    /// authentication is configured).
    pub fn not_ready(&self) -> Vec<String> {
        match &self.app {
            Some(verifier) if !verifier.keys().fetched_once() => {
                vec![format!("jwks: not fetched yet ({})", verifier.keys().url())]
            }
            _ => Vec::new(),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header, if the header has that form.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}
