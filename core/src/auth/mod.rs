//! Shopper sign-in: the Cognito client, SRP, the sign-in state machine and the session.
//!
//! [`AuthState`] is what a `Walkout` owns: the session (installed on the backend client as its
//! token source), the sign-in options, the challenge waiting for the shopper and the sign-out
//! hooks. The public methods are on `Walkout` (see `api`); the shells drive sign-in step by
//! step through them.

mod api;
pub mod cognito;
pub mod device;
pub mod events;
pub mod flow;
pub mod hosted;
pub mod options;
mod secrets;
pub mod session;
pub mod signout;
mod signout_flow;
pub mod srp;
pub mod steps;
pub mod tokens;

use std::sync::{Arc, Mutex};

pub use api::{CodeDelivery, SignUpOutcome};
pub use events::{SessionEvent, SessionObserver};
pub use options::{AuthOptions, PasswordAuthFlow, RefreshMethod, normalize_username};
pub use signout::{LocalDataCleanup, SHOPPER_KV_PREFIX, SignOutOutcome};
pub use steps::{SignInResponse, SignInStep};
pub use tokens::CurrentUser;

use cognito::{CognitoClient, CognitoSettings};
use session::SessionManager;
use signout::SignOutHooks;
use steps::PendingChallenge;

use crate::clock::ServerClock;
use crate::config::CognitoConfig;
use crate::error::Error;
use crate::secrets::SecretStore;

/// The sign-in state of one `Walkout`.
pub struct AuthState {
    session: Arc<SessionManager>,
    options: Arc<Mutex<AuthOptions>>,
    pending: Mutex<Option<PendingChallenge>>,
    pub(crate) hooks: SignOutHooks,
}

impl AuthState {
    /// Creates the state for the pool in `config`, keeping tokens in `secrets`.
    pub fn new(
        config: &CognitoConfig,
        secrets: Arc<dyn SecretStore>,
        clock: ServerClock,
    ) -> Result<Self, Error> {
        let cognito = CognitoClient::new(config, &CognitoSettings::default())
            .map_err(|error| Error::Internal(error.to_string()))?;
        let options = Arc::new(Mutex::new(AuthOptions::default()));
        let session = SessionManager::new(cognito, secrets, clock, Arc::clone(&options));
        Ok(Self {
            session: Arc::new(session),
            options,
            pending: Mutex::new(None),
            hooks: SignOutHooks::default(),
        })
    }

    /// Returns the session, which is also the backend client's token source.
    pub fn session(&self) -> &Arc<SessionManager> {
        &self.session
    }

    pub(crate) fn set_options(&self, options: AuthOptions) {
        *self
            .options
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = options;
    }

    pub(crate) fn take_pending(&self) -> Option<PendingChallenge> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    pub(crate) fn set_pending(&self, pending: Option<PendingChallenge>) {
        *self
            .pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = pending;
    }
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}
