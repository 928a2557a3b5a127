//! The synchronous hosted sign-in API on [`Walkout`].
//!
//! The browser step runs on the caller's thread, between two short trips onto the core's
//! runtime, because it may block for minutes while the shopper types a password.

use super::browser::BrowserStep;
use super::error::HostedError;
use super::signin::HostedSignIn;
use super::{HostedSettings, PendingAuthorization};
use crate::auth::events::SessionEvent;
use crate::auth::tokens::{CurrentUser, SessionTokens};
use crate::error::{Error, WalkoutError};
use crate::walkout::Walkout;

/// Per-attempt choices of a hosted sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostedSignInRequest {
    /// Cognito's `identity_provider` (such as `Google`); `None` uses the configured one, if any.
    pub identity_provider: Option<String>,
    /// Redirect URI for this attempt, such as a loopback URI with the port a CLI listens on;
    /// `None` uses the configured one.
    pub redirect_uri: Option<String>,
}

impl Walkout {
    /// Builds the hosted sign-in flow from the `[openid]` configuration and `request`.
    pub fn hosted_sign_in(
        &self,
        request: &HostedSignInRequest,
    ) -> Result<HostedSignIn, HostedError> {
        let openid = self
            .config()
            .openid
            .as_ref()
            .ok_or_else(|| HostedError::NotConfigured {
                reason: "the configuration has no [openid] section".to_owned(),
            })?;
        let settings = HostedSettings {
            issuer: openid.issuer.clone(),
            client_id: openid.client_id.clone(),
            redirect_uri: request
                .redirect_uri
                .clone()
                .unwrap_or_else(|| openid.redirect_uri.clone()),
            scopes: openid.scopes.clone(),
            identity_provider: request
                .identity_provider
                .clone()
                .or_else(|| openid.identity_provider.clone()),
        };
        HostedSignIn::new(settings, self.server_clock().clone())
    }

    /// Signs the shopper in through the provider's pages, shown by `browser`.
    pub fn sign_in_hosted(
        &self,
        browser: &dyn BrowserStep,
        request: HostedSignInRequest,
    ) -> Result<CurrentUser, WalkoutError> {
        self.sign_in_hosted_detailed(browser, &request)
            .map_err(|error| error.to_public())
    }

    /// Like [`Walkout::sign_in_hosted`], with the detailed error.
    pub fn sign_in_hosted_detailed(
        &self,
        browser: &dyn BrowserStep,
        request: &HostedSignInRequest,
    ) -> Result<CurrentUser, HostedError> {
        let flow = self.hosted_sign_in(request)?;
        let pending = self.run_hosted(flow.start())?;
        let outcome = browser.authorize(pending.authorize_url(), pending.redirect_uri());
        let tokens = self.run_hosted(flow.finish(pending, outcome))?;
        self.install_hosted(tokens)
    }

    /// Starts a hosted sign-in and returns the pending attempt, for shells that run the browser
    /// step themselves; finish it with [`Walkout::finish_hosted_sign_in`].
    pub fn begin_hosted_sign_in(
        &self,
        request: &HostedSignInRequest,
    ) -> Result<(HostedSignIn, PendingAuthorization), HostedError> {
        let flow = self.hosted_sign_in(request)?;
        let pending = self.run_hosted(flow.start())?;
        Ok((flow, pending))
    }

    /// Completes an attempt from [`Walkout::begin_hosted_sign_in`] with the browser's outcome.
    pub fn finish_hosted_sign_in(
        &self,
        flow: &HostedSignIn,
        pending: PendingAuthorization,
        outcome: super::BrowserOutcome,
    ) -> Result<CurrentUser, HostedError> {
        let tokens = self.run_hosted(flow.finish(pending, outcome))?;
        self.install_hosted(tokens)
    }

    /// Refreshes a hosted session at the provider's token endpoint and stores the new tokens.
    /// An `invalid_grant` response (refresh token expired or revoked) ends the session.
    ///
    /// NOTE: the session's automatic refresh (before backend calls) still uses Cognito's
    /// `GetTokensFromRefreshToken` or `REFRESH_TOKEN_AUTH`, which accept refresh tokens from
    /// Cognito's managed login. A session from another OpenID provider must be refreshed
    /// through this method until the session chooses the refresh path per session.
    pub fn refresh_hosted_session(&self) -> Result<(), HostedError> {
        let session = self.auth().session();
        let current = session.load().map_err(|error| match error {
            Error::NotSignedIn => HostedError::NotSignedIn,
            other => HostedError::Storage {
                reason: other.to_string(),
            },
        })?;
        let flow = self.hosted_sign_in(&HostedSignInRequest::default())?;
        match self.run_hosted(flow.refresh(&current)) {
            Ok(tokens) => {
                session.install(tokens);
                session.observers().notify(&SessionEvent::Refreshed);
                Ok(())
            }
            Err(error @ HostedError::TokenEndpoint { .. }) if is_invalid_grant(&error) => {
                tracing::info!(error = %error, "refresh token rejected; the shopper must sign in again");
                session.forget_tokens();
                session.observers().notify(&SessionEvent::NeedsSignIn);
                Err(error)
            }
            Err(error) => {
                tracing::warn!(error = %error, "hosted refresh failed; keeping the session");
                Err(error)
            }
        }
    }

    fn run_hosted<T>(
        &self,
        future: impl Future<Output = Result<T, HostedError>>,
    ) -> Result<T, HostedError> {
        self.run(async { Ok::<_, Error>(future.await) })
            .map_err(|error: WalkoutError| HostedError::Runtime {
                reason: error.to_string(),
            })?
    }

    fn install_hosted(&self, tokens: SessionTokens) -> Result<CurrentUser, HostedError> {
        let user = tokens
            .current_user()
            .ok_or_else(|| HostedError::InvalidIdToken {
                reason: "the ID token has no sub".to_owned(),
            })?;
        self.auth().set_pending(None);
        let session = self.auth().session();
        session.install(tokens);
        tracing::info!("signed in through the hosted page");
        session.observers().notify(&SessionEvent::SignedIn {
            sub: user.sub.clone(),
        });
        Ok(user)
    }
}

fn is_invalid_grant(error: &HostedError) -> bool {
    matches!(error, HostedError::TokenEndpoint { code, .. } if code == "invalid_grant")
}
