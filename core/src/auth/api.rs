//! The synchronous sign-in API on [`Walkout`]: sign-up, sign-in step by step, passwords,
//! sign-out and the current shopper.
//!
//! Each method normalises the identifier (see [`normalize_username`]), passes passwords and
//! codes on exactly as typed (codes trimmed of surrounding spaces), runs its network work on the
//! core's runtime and maps failures once, through `Walkout::run`.

use std::sync::Arc;

use serde::Serialize;

use super::cognito::CognitoError;
use super::cognito::types::{AttributeType, CodeDeliveryDetails};
use super::device;
use super::events::{SessionEvent, SessionObserver};
use super::flow::{self, Progress};
use super::options::{AuthOptions, normalize_username, require_non_empty};
use super::signout::{LocalDataCleanup, SignOutOutcome};
use super::steps::{SignInResponse, SignInStep};
use super::tokens::CurrentUser;
use crate::error::{Error, WalkoutError, to_public};
use crate::walkout::Walkout;

/// The destination of a confirmation or reset code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeDelivery {
    /// Masked destination, such as `j***@e***.com`.
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub medium: Option<String>,
    /// The attribute the code went to, such as `email`.
    pub attribute: Option<String>,
}

impl From<CodeDeliveryDetails> for CodeDelivery {
    fn from(details: CodeDeliveryDetails) -> Self {
        Self {
            destination: details.destination,
            medium: details.delivery_medium,
            attribute: details.attribute_name,
        }
    }
}

/// The result of `sign_up`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignUpOutcome {
    /// The account needs no confirmation code (a pre-sign-up trigger confirmed it).
    pub user_confirmed: bool,
    /// The new user's `sub`.
    pub user_sub: Option<String>,
    /// The destination of the confirmation code.
    pub code_delivery: Option<CodeDelivery>,
}

fn cognito_error(error: CognitoError) -> Error {
    error.into_error()
}

impl Walkout {
    fn identifier(&self, typed: &str) -> Result<String, WalkoutError> {
        let options = self.auth().session().options();
        normalize_username(typed, options.username_is_email).map_err(|error| to_public(&error))
    }

    /// Replaces the sign-in options.
    pub fn set_auth_options(&self, options: AuthOptions) {
        self.auth().set_options(options);
    }

    /// Returns the sign-in options in force.
    pub fn auth_options(&self) -> AuthOptions {
        self.auth().session().options()
    }

    /// Registers an observer of session changes. It is called on the thread that caused the
    /// change, after every lock is released.
    pub fn add_session_observer(&self, observer: Arc<dyn SessionObserver>) {
        self.auth().session().observers().add(observer);
    }

    /// Registers a cleanup that deletes one module's shopper data from the local store at
    /// sign-out and account deletion.
    pub fn register_sign_out_cleanup(&self, name: &str, cleanup: LocalDataCleanup) {
        self.auth().hooks.register(name, cleanup);
    }

    /// Creates an account for `email` with `password` exactly as typed.
    pub fn sign_up(&self, email: &str, password: &str) -> Result<SignUpOutcome, WalkoutError> {
        let username = self.identifier(email)?;
        require_non_empty("password", password).map_err(|error| to_public(&error))?;
        let attributes = if username.contains('@') {
            vec![AttributeType {
                name: "email".to_owned(),
                value: username.clone(),
            }]
        } else {
            Vec::new()
        };
        self.run(async {
            let cognito = self.auth().session().cognito();
            let response = cognito
                .sign_up(&username, password, &attributes)
                .await
                .map_err(cognito_error)?;
            Ok(SignUpOutcome {
                user_confirmed: response.user_confirmed,
                user_sub: response.user_sub,
                code_delivery: response.code_delivery_details.map(CodeDelivery::from),
            })
        })
    }

    /// Confirms the account of `email` with the code Cognito sent.
    pub fn confirm_sign_up(&self, email: &str, code: &str) -> Result<(), WalkoutError> {
        let username = self.identifier(email)?;
        let code = code.trim();
        require_non_empty("code", code).map_err(|error| to_public(&error))?;
        self.run(async {
            let cognito = self.auth().session().cognito();
            cognito
                .confirm_sign_up(&username, code)
                .await
                .map_err(cognito_error)
        })
    }

    /// Sends the confirmation code again.
    pub fn resend_code(&self, email: &str) -> Result<Option<CodeDelivery>, WalkoutError> {
        let username = self.identifier(email)?;
        self.run(async {
            let cognito = self.auth().session().cognito();
            let response = cognito
                .resend_confirmation_code(&username)
                .await
                .map_err(cognito_error)?;
            Ok(response.code_delivery_details.map(CodeDelivery::from))
        })
    }

    /// Starts sign-in. Respond to any returned step with [`Walkout::sign_in_respond`].
    ///
    /// A sign-in that was waiting for an answer is abandoned.
    pub fn sign_in_start(&self, email: &str, password: &str) -> Result<SignInStep, WalkoutError> {
        let identifier = self.identifier(email)?;
        require_non_empty("password", password).map_err(|error| to_public(&error))?;
        self.auth().set_pending(None);
        let previous_sub = self.signed_in_sub();
        let progress = self.run(async {
            flow::start(self.auth().session(), &identifier, password)
                .await
                .map_err(flow::FlowError::into_error)
        })?;
        Ok(self.after_progress(progress, previous_sub))
    }

    /// Responds to the step that [`Walkout::sign_in_start`] or the previous call returned.
    ///
    /// A mistyped code or a new password that fails the policy leaves the step waiting, so the
    /// shopper can respond again. Any other failure ends this sign-in.
    pub fn sign_in_respond(&self, response: SignInResponse) -> Result<SignInStep, WalkoutError> {
        let Some(pending) = self.auth().take_pending() else {
            return Err(WalkoutError::InvalidInput {
                field: "response".to_owned(),
                reason: "no sign-in step is waiting; call sign_in_start first".to_owned(),
            });
        };
        let previous_sub = self.signed_in_sub();
        let outcome = self
            .run(async { Ok(flow::respond(self.auth().session(), &pending, &response).await) })?;
        match outcome {
            Ok(progress) => Ok(self.after_progress(progress, previous_sub)),
            Err(error) => {
                if error.allows_another_answer() {
                    self.auth().set_pending(Some(pending));
                }
                Err(to_public(&error.into_error()))
            }
        }
    }

    fn signed_in_sub(&self) -> Option<String> {
        let tokens = self.auth().session().load().ok()?;
        tokens.current_user().map(|user| user.sub)
    }

    fn after_progress(&self, progress: Progress, previous_sub: Option<String>) -> SignInStep {
        match progress {
            Progress::Waiting(pending, step) => {
                self.auth().set_pending(Some(pending));
                step
            }
            Progress::SignedIn(user) => {
                if previous_sub.is_some_and(|sub| sub != user.sub) {
                    // Another shopper's data must not show under this account.
                    let _ = self.auth().hooks.wipe_local_data(self.store());
                }
                SignInStep::SignedIn { user }
            }
        }
    }

    /// Sends a password-reset code to `email`.
    pub fn forgot_password(&self, email: &str) -> Result<Option<CodeDelivery>, WalkoutError> {
        let username = self.identifier(email)?;
        self.run(async {
            let cognito = self.auth().session().cognito();
            let response = cognito
                .forgot_password(&username)
                .await
                .map_err(cognito_error)?;
            Ok(response.code_delivery_details.map(CodeDelivery::from))
        })
    }

    /// Sets a new password with the reset code.
    pub fn confirm_forgot_password(
        &self,
        email: &str,
        code: &str,
        new_password: &str,
    ) -> Result<(), WalkoutError> {
        let username = self.identifier(email)?;
        let code = code.trim();
        require_non_empty("code", code).map_err(|error| to_public(&error))?;
        require_non_empty("password", new_password).map_err(|error| to_public(&error))?;
        self.run(async {
            let cognito = self.auth().session().cognito();
            cognito
                .confirm_forgot_password(&username, code, new_password)
                .await
                .map_err(cognito_error)
        })
    }

    /// Changes the signed-in shopper's password.
    pub fn change_password(&self, current: &str, new_password: &str) -> Result<(), WalkoutError> {
        require_non_empty("password", new_password).map_err(|error| to_public(&error))?;
        self.run(async {
            let session = self.auth().session();
            let access_token = session.fresh_access_token().await?;
            session
                .cognito()
                .change_password(&access_token, current, new_password)
                .await
                .map_err(cognito_error)
        })
    }

    /// Returns the signed-in shopper from the stored ID token, or `None` when signed out.
    /// Makes no network call.
    pub fn current_user(&self) -> Result<Option<CurrentUser>, WalkoutError> {
        match self.auth().session().load() {
            Ok(tokens) => Ok(tokens.current_user()),
            Err(Error::NotSignedIn) => Ok(None),
            Err(error) => Err(to_public(&error)),
        }
    }

    /// Returns a current access token, refreshing it first when it is about to expire. Meant
    /// for tests and diagnostics: backend calls get the token through the HTTP client.
    pub fn access_token(&self) -> Result<String, WalkoutError> {
        self.run(async {
            let token = self.auth().session().fresh_access_token().await?;
            Ok(token.to_string())
        })
    }

    /// Signs the shopper out: `GlobalSignOut` (when enabled), revocation of the refresh token
    /// (queued when offline), deletion of the tokens and of the shopper's local data.
    pub fn sign_out(&self) -> Result<SignOutOutcome, WalkoutError> {
        // Revoke the entry credential first, while the session can still authorize the DELETE.
        // It is removed locally even when the backend cannot be reached, and a failure never
        // blocks the sign-out.
        if let Err(error) = self.revoke_entry_credential() {
            tracing::warn!(%error, "entry credential revocation failed during sign-out");
        }
        self.end_backend_session();
        self.run(super::signout_flow::sign_out(self))
    }

    /// Tells the backend that the shopper signed out, so it rejects the access tokens issued
    /// before now. A failure is logged and never blocks the sign-out.
    fn end_backend_session(&self) {
        let request = crate::http::HttpRequest::new(crate::http::Method::DELETE, "/app/v1/session")
            .authenticated();
        match self.run(async { Ok(self.http().send(&request).await) }) {
            Ok(Ok(_)) => tracing::info!("backend session ended"),
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot end the backend session; its tokens lapse at expiry")
            }
            Err(error) => tracing::info!(%error, "no backend session to end"),
        }
    }

    /// Tries the queued refresh-token revocations again; returns how many are still queued.
    pub fn retry_pending_revocations(&self) -> Result<usize, WalkoutError> {
        self.run(async {
            let auth = self.auth();
            let session = auth.session();
            let (_, remaining) = auth
                .hooks
                .retry_revocations(self.store(), session.secrets().as_ref(), session.cognito())
                .await?;
            Ok(remaining)
        })
    }

    /// Deletes the shopper's Cognito account, then the session, the remembered device and the
    /// shopper's local data.
    pub fn delete_account(&self) -> Result<(), WalkoutError> {
        self.run(async {
            let auth = self.auth();
            let session = auth.session();
            let access_token = session.fresh_access_token().await?;
            session
                .cognito()
                .delete_user(&access_token)
                .await
                .map_err(cognito_error)?;
            session.forget_tokens();
            if let Err(error) = device::forget(session.secrets().as_ref()) {
                tracing::warn!(error = %error, "cannot forget the remembered device");
            }
            let wiped = auth.hooks.wipe_local_data(self.store());
            session.observers().notify(&SessionEvent::SignedOut);
            wiped
        })
    }
}
