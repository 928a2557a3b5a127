//! [`AuthOptions`], the sign-in options a shell sets in code for its brand.

use walkout_core::auth;

use crate::error::{FfiResult, WalkoutFfiError};

/// How `sign_in_start` proves the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PasswordAuthFlow {
    /// `USER_SRP_AUTH`: the password never leaves the device. The default.
    Srp,
    /// `USER_PASSWORD_AUTH`: the password is sent over TLS. For emulators without SRP and for
    /// pools with a user-migration trigger.
    UserPassword,
}

/// How the session refreshes its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RefreshMethod {
    /// `GetTokensFromRefreshToken`, which works with refresh-token rotation on or off. The
    /// default.
    GetTokensFromRefreshToken,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`, for emulators that lack the operation above.
    /// Cognito rejects it when rotation is on.
    RefreshTokenAuth,
}

/// Options of shopper sign-in. `auth_options` returns the ones in force, which start as the
/// defaults described on each field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthOptions {
    /// How the password is proved; `Srp` by default.
    pub password_flow: PasswordAuthFlow,
    /// How tokens are refreshed; `GetTokensFromRefreshToken` by default.
    pub refresh_method: RefreshMethod,
    /// The pool uses the email address as the username, so identifiers with an `@` are
    /// lower-cased; `true` by default.
    pub username_is_email: bool,
    /// Register this device with Cognito when it reports a new one, and prove it on later
    /// sign-ins; `false` by default.
    pub remember_device: bool,
    /// Device name sent when registering the device, such as the phone model; `null` by
    /// default.
    pub device_name: Option<String>,
    /// Seconds before a token expires (server time) at which it is refreshed; 120 by default.
    pub refresh_leeway_seconds: u32,
    /// Sign-out ends the shopper's sessions on every device; `true` by default.
    pub global_sign_out: bool,
}

/// The largest accepted refresh leeway: one hour, the default lifetime of a Cognito access
/// token. With default tokens, a longer leeway would refresh before every request.
const MAX_REFRESH_LEEWAY_SECONDS: u32 = 3_600;

impl AuthOptions {
    /// Builds the core's options, rejecting a leeway longer than a token lives.
    pub(crate) fn into_core(self) -> FfiResult<auth::AuthOptions> {
        if self.refresh_leeway_seconds > MAX_REFRESH_LEEWAY_SECONDS {
            return Err(WalkoutFfiError::InvalidInput {
                field: "refresh_leeway_seconds".to_owned(),
                reason: format!(
                    "expected at most {MAX_REFRESH_LEEWAY_SECONDS} seconds, got {}",
                    self.refresh_leeway_seconds
                ),
            });
        }
        Ok(auth::AuthOptions {
            password_flow: match self.password_flow {
                PasswordAuthFlow::Srp => auth::PasswordAuthFlow::Srp,
                PasswordAuthFlow::UserPassword => auth::PasswordAuthFlow::UserPassword,
            },
            refresh_method: match self.refresh_method {
                RefreshMethod::GetTokensFromRefreshToken => {
                    auth::RefreshMethod::GetTokensFromRefreshToken
                }
                RefreshMethod::RefreshTokenAuth => auth::RefreshMethod::RefreshTokenAuth,
            },
            username_is_email: self.username_is_email,
            remember_device: self.remember_device,
            device_name: self.device_name,
            refresh_leeway_seconds: i64::from(self.refresh_leeway_seconds),
            global_sign_out: self.global_sign_out,
        })
    }
}

impl From<auth::AuthOptions> for AuthOptions {
    fn from(options: auth::AuthOptions) -> Self {
        Self {
            password_flow: match options.password_flow {
                auth::PasswordAuthFlow::Srp => PasswordAuthFlow::Srp,
                auth::PasswordAuthFlow::UserPassword => PasswordAuthFlow::UserPassword,
            },
            refresh_method: match options.refresh_method {
                auth::RefreshMethod::GetTokensFromRefreshToken => {
                    RefreshMethod::GetTokensFromRefreshToken
                }
                auth::RefreshMethod::RefreshTokenAuth => RefreshMethod::RefreshTokenAuth,
            },
            username_is_email: options.username_is_email,
            remember_device: options.remember_device,
            device_name: options.device_name,
            // A negative leeway is never set through the bindings; it would read as none.
            refresh_leeway_seconds: u32::try_from(options.refresh_leeway_seconds).unwrap_or(0),
            global_sign_out: options.global_sign_out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip() {
        let core = auth::AuthOptions::default();
        let ffi = AuthOptions::from(core.clone());
        assert_eq!(ffi.clone().into_core(), Ok(core));
    }

    #[test]
    fn default_leeway_is_exported() {
        let ffi = AuthOptions::from(auth::AuthOptions::default());
        assert_eq!(ffi.refresh_leeway_seconds, 120);
    }

    #[test]
    fn long_leeway_is_rejected() {
        let mut ffi = AuthOptions::from(auth::AuthOptions::default());
        ffi.refresh_leeway_seconds = MAX_REFRESH_LEEWAY_SECONDS + 1;
        let error = ffi.into_core().err();
        assert!(
            matches!(&error, Some(WalkoutFfiError::InvalidInput { field, .. }) if field == "refresh_leeway_seconds"),
            "{error:?}"
        );
    }
}
