//! Sign-in options and the rule that turns what a shopper typed into a Cognito username.
//!
//! The options live here rather than in the TOML configuration because the shells set them in
//! code per brand. Defaults suit a production pool: SRP, `GetTokensFromRefreshToken`, email as
//! username, no device tracking.

use crate::error::Error;

/// How `sign_in_start` proves the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordAuthFlow {
    /// `USER_SRP_AUTH`: the password never leaves the device.
    Srp,
    /// `USER_PASSWORD_AUTH`: the password is sent over TLS. A fallback for emulators without
    /// SRP and for pools with a user-migration trigger.
    UserPassword,
}

/// How the session refreshes its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshMethod {
    /// `GetTokensFromRefreshToken`, which works with refresh-token rotation on or off.
    GetTokensFromRefreshToken,
    /// `InitiateAuth` with `REFRESH_TOKEN_AUTH`, for emulators that lack the operation above.
    /// Cognito refuses it when rotation is on.
    RefreshTokenAuth,
}

/// Options of shopper sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOptions {
    pub password_flow: PasswordAuthFlow,
    pub refresh_method: RefreshMethod,
    /// The pool uses the email address as the username (`UsernameAttributes: [email]`, or plain
    /// usernames that are always emails). Identifiers with an `@` are then lower-cased.
    pub username_is_email: bool,
    /// Register this device with `ConfirmDevice` when Cognito reports a new one, and answer
    /// `DEVICE_SRP_AUTH` on later sign-ins.
    pub remember_device: bool,
    /// `DeviceName` sent with `ConfirmDevice`, such as the phone model.
    pub device_name: Option<String>,
    /// Refresh this many seconds before a token expires (server time), so a request on a slow
    /// network does not arrive with an expired token.
    pub refresh_leeway_seconds: i64,
    /// Call `GlobalSignOut` on sign-out, ending the shopper's sessions on every device.
    pub global_sign_out: bool,
}

impl Default for AuthOptions {
    fn default() -> Self {
        Self {
            password_flow: PasswordAuthFlow::Srp,
            refresh_method: RefreshMethod::GetTokensFromRefreshToken,
            username_is_email: true,
            remember_device: false,
            device_name: None,
            refresh_leeway_seconds: 120,
            global_sign_out: true,
        }
    }
}

/// Normalises a typed sign-in identifier into the Cognito username.
///
/// The rule: surrounding whitespace (any Unicode white space) is removed, because keyboards
/// and autofill add it; inner characters are kept. When the pool uses email as username and the
/// identifier contains `@`, it is lower-cased, because email addresses are matched without case
/// in practice and Cognito stores the address as it was first typed. Plain usernames keep their
/// case, since a pool may be case-sensitive. Passwords never pass through here: they are sent
/// exactly as typed, without trimming or Unicode normalisation.
pub fn normalize_username(typed: &str, username_is_email: bool) -> Result<String, Error> {
    let trimmed = typed.trim();
    if trimmed.is_empty() {
        return Err(Error::InvalidInput {
            field: "email".to_owned(),
            reason: "must not be empty".to_owned(),
        });
    }
    if username_is_email && trimmed.contains('@') {
        return Ok(trimmed.to_lowercase());
    }
    Ok(trimmed.to_owned())
}

/// Rejects an empty password or code; any other value is sent exactly as typed.
pub fn require_non_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            reason: "must not be empty".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_normalised() {
        let cases = [
            ("  Jane@Example.COM \t", true, "jane@example.com"),
            ("Jane@Example.COM", false, "Jane@Example.COM"),
            (" JaneDoe ", true, "JaneDoe"),
            ("\u{a0}ÉLODIE@example.fr", true, "élodie@example.fr"),
        ];
        for (typed, email_is_username, expected) in cases {
            let normalised = normalize_username(typed, email_is_username).expect("valid");
            assert_eq!(normalised, expected, "{typed:?}");
        }
    }

    #[test]
    fn blank_identifier_is_rejected() {
        assert!(normalize_username(" \n ", true).is_err());
    }
}
