//! One hosted sign-in from start to session, and the refresh of a hosted session.
//!
//! [`HostedSignIn::start`] discovers the provider and builds the authorize URL; the shell's
//! browser step runs between the two halves, outside any async runtime;
//! [`HostedSignIn::finish`] checks the redirect, exchanges the code and verifies the ID token.
//! The result is the same [`SessionTokens`] an SRP sign-in produces.

use super::authorize::{self, HostedSettings, PendingAuthorization};
use super::browser::BrowserOutcome;
use super::discovery::{self, ProviderMetadata};
use super::error::HostedError;
use super::exchange::{self, TokenSet};
use super::id_token::{self, Expected, IdTokenClaims};
use super::redirect;
use super::transport::ProviderHttp;
use crate::auth::tokens::SessionTokens;
use crate::clock::{Clock as _, ServerClock};

/// Hosted sign-in against one provider.
#[derive(Debug, Clone)]
pub struct HostedSignIn {
    settings: HostedSettings,
    http: ProviderHttp,
}

impl HostedSignIn {
    /// Creates the flow for `settings`, reading and updating the clock offset in `clock`.
    pub fn new(settings: HostedSettings, clock: ServerClock) -> Result<Self, HostedError> {
        if !settings.scopes.iter().any(|scope| scope == "openid") {
            return Err(HostedError::NotConfigured {
                reason: "the scopes must include \"openid\"".to_owned(),
            });
        }
        let http = ProviderHttp::new(clock)?;
        Ok(Self { settings, http })
    }

    /// Returns the settings in use.
    pub fn settings(&self) -> &HostedSettings {
        &self.settings
    }

    /// Fetches the provider metadata and builds a fresh authorization request.
    pub async fn start(&self) -> Result<PendingAuthorization, HostedError> {
        let metadata = discovery::discover(&self.http, &self.settings.issuer).await?;
        authorize::begin(&self.settings, metadata)
    }

    /// Completes the sign-in from what the browser step returned.
    pub async fn finish(
        &self,
        pending: PendingAuthorization,
        outcome: BrowserOutcome,
    ) -> Result<SessionTokens, HostedError> {
        let landed = match outcome {
            BrowserOutcome::Redirected { url } => url,
            BrowserOutcome::Cancelled => return Err(HostedError::Cancelled),
            BrowserOutcome::Failed { reason } => {
                return Err(HostedError::BrowserFailed { reason });
            }
        };
        let code = redirect::authorization_code(
            &landed,
            &pending.redirect_uri,
            pending.state.secret(),
            &pending.metadata.issuer,
        )?;
        let client = authorize::oidc_client(
            &self.settings.client_id,
            &pending.metadata,
            &pending.redirect_uri,
        )?;
        let tokens = exchange::exchange_code(&self.http, &client, code, pending.verifier).await?;
        let id_token = tokens.id_token.clone().ok_or(HostedError::InvalidIdToken {
            reason: "the token response has no id_token".to_owned(),
        })?;
        let claims = self
            .verify_id_token(&pending.metadata, &id_token, Some(&pending.nonce))
            .await?;
        session_tokens(tokens, id_token, &claims, None)
    }

    /// Refreshes a hosted session with the `refresh_token` grant at the token endpoint.
    pub async fn refresh(&self, current: &SessionTokens) -> Result<SessionTokens, HostedError> {
        let metadata = discovery::discover(&self.http, &self.settings.issuer).await?;
        let client = authorize::oidc_client(
            &self.settings.client_id,
            &metadata,
            &self.settings.redirect_uri,
        )?;
        let tokens = exchange::refresh(&self.http, &client, &current.refresh_token).await?;
        match tokens.id_token.clone() {
            Some(id_token) => {
                let claims = self.verify_id_token(&metadata, &id_token, None).await?;
                session_tokens(tokens, id_token, &claims, Some(current))
            }
            None => Ok(SessionTokens {
                access_token: tokens.access_token,
                id_token: current.id_token.clone(),
                refresh_token: tokens
                    .refresh_token
                    .unwrap_or_else(|| current.refresh_token.clone()),
                username: current.username.clone(),
                device_key: current.device_key.clone(),
                access_expires_at: tokens.access_expires_at,
                id_expires_at: current.id_expires_at,
            }),
        }
    }

    async fn verify_id_token(
        &self,
        metadata: &ProviderMetadata,
        id_token: &str,
        nonce: Option<&str>,
    ) -> Result<IdTokenClaims, HostedError> {
        let jwks = discovery::fetch_jwks(&self.http, &metadata.jwks_uri).await?;
        let expected = Expected {
            issuer: &metadata.issuer,
            client_id: &self.settings.client_id,
            nonce,
            now_seconds: self.http.clock().now_unix_seconds(),
        };
        id_token::verify(id_token, &jwks, &expected)
    }
}

/// Builds the stored session. `previous` supplies the refresh token when a refresh response
/// does not rotate it.
fn session_tokens(
    tokens: TokenSet,
    id_token: String,
    claims: &IdTokenClaims,
    previous: Option<&SessionTokens>,
) -> Result<SessionTokens, HostedError> {
    let refresh_token = tokens
        .refresh_token
        .or_else(|| previous.map(|session| session.refresh_token.clone()))
        .ok_or(HostedError::InvalidResponse {
            reason: "the provider issued no refresh token; allow the refresh_token grant for \
                     the app client, or request the offline_access scope"
                .to_owned(),
        })?;
    let username = claims
        .cognito_username
        .clone()
        .unwrap_or_else(|| claims.sub.clone());
    Ok(SessionTokens {
        access_token: tokens.access_token,
        id_token,
        refresh_token,
        username,
        device_key: previous.and_then(|session| session.device_key.clone()),
        access_expires_at: tokens.access_expires_at,
        id_expires_at: claims.exp,
    })
}
