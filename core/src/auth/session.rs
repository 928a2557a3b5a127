//! The signed-in session: tokens in the secret store, a bearer token for every backend call,
//! and one refresh at a time.
//!
//! Rules this module keeps:
//! - Tokens live in the secret store only; memory keeps a copy that is wiped on drop.
//! - Refresh is single-flight: any number of concurrent callers wait for one request, and the
//!   new tokens are stored before any of them continues, so a rotated refresh token is never
//!   lost to a race.
//! - Expiry is judged in server time (device time plus the offset measured from each token's
//!   `iat`), so a phone hours off neither refreshes constantly nor sends expired tokens.
//! - The session ends only on a definitive answer about the refresh token (expired, revoked,
//!   reused, user gone). A network failure, throttling, a server fault or a locked secret store
//!   keep it, and the caller gets `Offline` or `SecretStoreUnavailable`.

use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use super::cognito::{AuthFlow, CognitoClient, CognitoError};
use super::events::{Observers, SessionEvent};
use super::options::{AuthOptions, RefreshMethod};
use super::secrets::{is_unavailable, read_secret};
use super::tokens::{SESSION_KEY, SessionTokens};
use crate::clock::{ClockOffset, ServerClock};
use crate::error::Error;
use crate::http::{AccessTokenFuture, AccessTokenSource};
use crate::secrets::SecretStore;

/// Codes that end the session when a refresh returns them.
const SESSION_ENDING_CODES: &[&str] = &[
    "NotAuthorizedException",
    "TokenRevokedException",
    "UserNotFoundException",
    "PasswordResetRequiredException",
    "UserNotConfirmedException",
    "RefreshTokenReuseException",
];

/// The in-memory copy of the session state.
enum Cached {
    /// Not read from the secret store yet (or the store was unavailable).
    Unknown,
    SignedOut,
    /// Signed in; `persisted` is false when the secret store could not be written, and the
    /// write is tried again on the next use.
    SignedIn {
        tokens: Arc<SessionTokens>,
        persisted: bool,
    },
}

/// The session of the brand's shopper.
pub struct SessionManager {
    cognito: CognitoClient,
    secrets: Arc<dyn SecretStore>,
    clock: ServerClock,
    options: Arc<Mutex<AuthOptions>>,
    cached: Mutex<Cached>,
    refresh_lock: tokio::sync::Mutex<()>,
    observers: Observers,
}

impl SessionManager {
    pub fn new(
        cognito: CognitoClient,
        secrets: Arc<dyn SecretStore>,
        clock: ServerClock,
        options: Arc<Mutex<AuthOptions>>,
    ) -> Self {
        Self {
            cognito,
            secrets,
            clock,
            options,
            cached: Mutex::new(Cached::Unknown),
            refresh_lock: tokio::sync::Mutex::new(()),
            observers: Observers::default(),
        }
    }

    pub fn cognito(&self) -> &CognitoClient {
        &self.cognito
    }

    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// Returns the clock that reads server time.
    pub fn clock(&self) -> &ServerClock {
        &self.clock
    }

    pub(crate) fn observers(&self) -> &Observers {
        &self.observers
    }

    pub fn options(&self) -> AuthOptions {
        self.options
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn cached(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the current tokens without refreshing: `NotSignedIn` when there are none, and
    /// `SecretStore(Unavailable)` when the store cannot be read now.
    pub fn load(&self) -> Result<Arc<SessionTokens>, Error> {
        let unpersisted = match &*self.cached() {
            Cached::SignedIn {
                tokens,
                persisted: true,
            } => return Ok(Arc::clone(tokens)),
            Cached::SignedIn {
                tokens,
                persisted: false,
            } => Some(Arc::clone(tokens)),
            Cached::SignedOut => return Err(Error::NotSignedIn),
            Cached::Unknown => None,
        };
        if let Some(tokens) = unpersisted {
            self.persist(&tokens);
            return Ok(tokens);
        }

        let Some(bytes) = read_secret(self.secrets.as_ref(), SESSION_KEY)? else {
            *self.cached() = Cached::SignedOut;
            return Err(Error::NotSignedIn);
        };
        let tokens = match SessionTokens::from_bytes(&bytes) {
            Ok(tokens) => Arc::new(tokens),
            Err(error) => {
                tracing::warn!(error = %error, "stored session is unreadable; signing out");
                self.forget_tokens();
                return Err(Error::NotSignedIn);
            }
        };
        *self.cached() = Cached::SignedIn {
            tokens: Arc::clone(&tokens),
            persisted: true,
        };
        Ok(tokens)
    }

    /// Installs new tokens: records the clock offset from the access token's `iat`, writes the
    /// secret store, then the memory copy. A store that cannot be written now keeps the tokens
    /// in memory and is written again on the next use.
    pub fn install(&self, tokens: SessionTokens) -> Arc<SessionTokens> {
        if let Some(iat) = tokens.access_issued_at() {
            let device_now = self.clock.device().now_unix_millis();
            self.clock
                .offset()
                .record(ClockOffset::from_token_issued_at(iat, device_now));
        }
        let tokens = Arc::new(tokens);
        self.persist(&tokens);
        tokens
    }

    fn persist(&self, tokens: &Arc<SessionTokens>) {
        let written = tokens
            .to_bytes()
            .map_err(|error| Error::Internal(error.to_string()))
            .and_then(|bytes| self.secrets.set(SESSION_KEY, &bytes).map_err(Error::from));
        if let Err(error) = &written {
            tracing::warn!(error = %error, "cannot store the session; keeping it in memory");
        }
        *self.cached() = Cached::SignedIn {
            tokens: Arc::clone(tokens),
            persisted: written.is_ok(),
        };
    }

    /// Deletes the tokens from the secret store and memory. Memory forgets them even when the
    /// store cannot be cleared now; the stale copy then fails its next refresh.
    pub fn forget_tokens(&self) {
        *self.cached() = Cached::SignedOut;
        if let Err(error) = self.secrets.delete(SESSION_KEY) {
            tracing::warn!(error = %error, "cannot delete the stored session");
        }
    }

    /// Clears the in-memory copy, so the next use reads the secret store again.
    pub fn reset_cache(&self) {
        *self.cached() = Cached::Unknown;
    }

    fn needs_refresh(&self, tokens: &SessionTokens) -> bool {
        let leeway = self.options().refresh_leeway_seconds;
        self.clock.is_expired(tokens.access_expires_at, leeway)
            || self.clock.is_expired(tokens.id_expires_at, leeway)
    }

    /// Returns a current access token, refreshing first when it expires within the leeway.
    pub async fn fresh_access_token(&self) -> Result<Zeroizing<String>, Error> {
        let tokens = self.fresh_tokens().await?;
        Ok(Zeroizing::new(tokens.access_token.clone()))
    }

    /// Returns current tokens, refreshing first when needed (single-flight).
    pub async fn fresh_tokens(&self) -> Result<Arc<SessionTokens>, Error> {
        let seen = self.load()?;
        if !self.needs_refresh(&seen) {
            return Ok(seen);
        }
        let _guard = self.refresh_lock.lock().await;
        // Another caller may have refreshed while this one waited.
        let current = self.load()?;
        if !Arc::ptr_eq(&current, &seen) || !self.needs_refresh(&current) {
            return Ok(current);
        }
        self.refresh(&current).await
    }

    /// Refreshes `current`; the caller holds the refresh lock.
    async fn refresh(&self, current: &Arc<SessionTokens>) -> Result<Arc<SessionTokens>, Error> {
        tracing::info!("refreshing the session");
        let result = match self.request_refresh(current).await {
            Ok(result) => result,
            Err(error) => return self.refresh_failed(current, error),
        };
        let tokens = SessionTokens::from_result(
            &result,
            Some(&current.refresh_token),
            &current.username,
            current.device_key.clone(),
        )
        .map_err(|reason| Error::Internal(format!("unusable refresh response: {reason}")))?;
        let tokens = self.install(tokens);
        self.observers.notify(&SessionEvent::Refreshed);
        Ok(tokens)
    }

    async fn request_refresh(
        &self,
        current: &SessionTokens,
    ) -> Result<super::cognito::types::AuthenticationResult, CognitoError> {
        let device_key = current.device_key.as_deref();
        let result = match self.options().refresh_method {
            RefreshMethod::GetTokensFromRefreshToken => {
                self.cognito
                    .get_tokens_from_refresh_token(&current.refresh_token, device_key)
                    .await?
                    .authentication_result
            }
            RefreshMethod::RefreshTokenAuth => {
                let mut parameters = std::collections::BTreeMap::from([(
                    "REFRESH_TOKEN",
                    current.refresh_token.clone(),
                )]);
                if let Some(device_key) = device_key {
                    parameters.insert("DEVICE_KEY", device_key.to_owned());
                }
                self.cognito
                    .initiate_auth(AuthFlow::RefreshToken, parameters, &current.username)
                    .await?
                    .authentication_result
            }
        };
        result.ok_or(CognitoError::UnexpectedResponse {
            operation: "refresh",
            reason: "no AuthenticationResult".to_owned(),
        })
    }

    /// Decides what a failed refresh means for the session.
    fn refresh_failed(
        &self,
        current: &Arc<SessionTokens>,
        error: CognitoError,
    ) -> Result<Arc<SessionTokens>, Error> {
        let ends_session = error
            .code()
            .is_some_and(|code| SESSION_ENDING_CODES.contains(&code));
        if !ends_session {
            tracing::warn!(error = %error, "refresh failed; keeping the session");
            return Err(error.into_error());
        }

        if error.is("RefreshTokenReuseException") {
            // Another process may have rotated the token and stored its successor.
            self.reset_cache();
            match self.load() {
                Ok(stored) if stored.refresh_token != current.refresh_token => {
                    tracing::info!("adopting the refresh token another process stored");
                    return Ok(stored);
                }
                Err(stored_error) if is_unavailable(&stored_error) => return Err(stored_error),
                _ => {}
            }
        }

        tracing::info!(error = %error, "refresh token rejected; the shopper must sign in again");
        self.forget_tokens();
        self.observers.notify(&SessionEvent::NeedsSignIn);
        Err(Error::Unauthorized {
            reason: error.to_string(),
        })
    }
}

impl AccessTokenSource for SessionManager {
    fn access_token(&self) -> AccessTokenFuture<'_> {
        Box::pin(self.fresh_access_token())
    }
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager")
            .field("cognito", &self.cognito)
            .finish_non_exhaustive()
    }
}
