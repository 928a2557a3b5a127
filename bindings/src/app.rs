//! [`WalkoutApp`], the one object an app creates: the core of one brand, with its status,
//! sign-up, sign-in and session methods. Cards, entry codes and receipts add methods in their
//! own files.
//!
//! Every method is a thin, synchronous wrapper over `walkout_core::Walkout`: it converts the
//! arguments, calls the core and converts the result, and decides nothing itself. Methods
//! block on network work, so the app calls them off its main thread.

use std::sync::Arc;

use walkout_core::Walkout;

use crate::error::FfiResult;
use crate::observer::{ForeignSessionObserver, SessionObserver};
use crate::secrets::{ForeignSecretStore, SecretStore};
use crate::types::auth::{
    CodeDelivery, CurrentUser, SignInResponse, SignInStep, SignOutOutcome, SignUpOutcome,
};
use crate::types::auth_options::AuthOptions;
use crate::types::config::AppConfig;
use crate::types::health::HealthReport;

/// The Walkout core of one brand. Create one per process and share it; every method may be
/// called from any thread, and blocks until its network work is done.
#[derive(Debug, uniffi::Object)]
pub struct WalkoutApp {
    pub(crate) core: Walkout,
}

#[uniffi::export]
impl WalkoutApp {
    /// Opens the brand's local store and starts the core. Secrets (tokens, the entry
    /// credential) are kept in `secret_store`.
    #[uniffi::constructor]
    pub fn new(config: AppConfig, secret_store: Arc<dyn SecretStore>) -> FfiResult<Arc<Self>> {
        let secrets = Arc::new(ForeignSecretStore::new(secret_store));
        let core = Walkout::new(config.into_core()?, secrets)?;
        Ok(Arc::new(Self { core }))
    }

    /// Returns the brand id this core serves.
    pub fn brand_id(&self) -> FfiResult<String> {
        Ok(self.core.brand_id())
    }

    /// Checks the backend's liveness and readiness and measures the clock offset. A backend
    /// that cannot be reached is an `Offline` error.
    pub fn backend_health(&self) -> FfiResult<HealthReport> {
        Ok(self.core.backend_health()?.into())
    }

    /// Replaces the sign-in options. They apply from the next sign-in or token refresh; a
    /// `refresh_leeway_seconds` above 3600 is an `InvalidInput` error.
    pub fn set_auth_options(&self, options: AuthOptions) -> FfiResult<()> {
        self.core.set_auth_options(options.into_core()?);
        Ok(())
    }

    /// Returns the sign-in options in force.
    pub fn auth_options(&self) -> FfiResult<AuthOptions> {
        Ok(self.core.auth_options().into())
    }

    /// Registers an observer of session changes (sign-in, refresh, sign-out, session ended).
    pub fn add_session_observer(&self, observer: Arc<dyn SessionObserver>) -> FfiResult<()> {
        let adapter = ForeignSessionObserver::new(observer);
        self.core.add_session_observer(Arc::new(adapter));
        Ok(())
    }

    /// Creates an account for `email` with `password` exactly as typed. Cognito then sends a
    /// confirmation code unless the account is confirmed already.
    pub fn sign_up(&self, email: String, password: String) -> FfiResult<SignUpOutcome> {
        Ok(self.core.sign_up(&email, &password)?.into())
    }

    /// Confirms the account of `email` with the code Cognito sent.
    pub fn confirm_sign_up(&self, email: String, code: String) -> FfiResult<()> {
        Ok(self.core.confirm_sign_up(&email, &code)?)
    }

    /// Sends the confirmation code again; returns where it went.
    pub fn resend_code(&self, email: String) -> FfiResult<Option<CodeDelivery>> {
        Ok(self.core.resend_code(&email)?.map(Into::into))
    }

    /// Starts sign-in with a password. Answer any step other than `SignedIn` with
    /// `sign_in_respond`. A sign-in that was waiting for an answer is abandoned.
    pub fn sign_in_start(&self, email: String, password: String) -> FfiResult<SignInStep> {
        Ok(self.core.sign_in_start(&email, &password)?.into())
    }

    /// Answers the step that the previous sign-in call returned. A mistyped code leaves the
    /// step waiting, so the shopper can answer again.
    pub fn sign_in_respond(&self, response: SignInResponse) -> FfiResult<SignInStep> {
        Ok(self.core.sign_in_respond(response.into())?.into())
    }

    /// Sends a password-reset code to `email`; returns where it went.
    pub fn forgot_password(&self, email: String) -> FfiResult<Option<CodeDelivery>> {
        Ok(self.core.forgot_password(&email)?.map(Into::into))
    }

    /// Sets a new password with the reset code.
    pub fn confirm_forgot_password(
        &self,
        email: String,
        code: String,
        new_password: String,
    ) -> FfiResult<()> {
        Ok(self
            .core
            .confirm_forgot_password(&email, &code, &new_password)?)
    }

    /// Changes the signed-in shopper's password.
    pub fn change_password(&self, current: String, new_password: String) -> FfiResult<()> {
        Ok(self.core.change_password(&current, &new_password)?)
    }

    /// Returns the signed-in shopper, or `null` when signed out. Makes no network call.
    pub fn current_user(&self) -> FfiResult<Option<CurrentUser>> {
        Ok(self.core.current_user()?.map(Into::into))
    }

    /// Signs the shopper out and deletes their tokens and local data. Revoking the refresh
    /// token is queued when the device is offline.
    pub fn sign_out(&self) -> FfiResult<SignOutOutcome> {
        Ok(self.core.sign_out()?.into())
    }

    /// Deletes the shopper's Cognito account, then their session and local data. The backend
    /// keeps its data, so an app's "delete account" button calls `close_account` instead.
    pub fn delete_account(&self) -> FfiResult<()> {
        Ok(self.core.delete_account()?)
    }
}
