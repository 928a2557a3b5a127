//! Sign-up, sign-in and session values.

use std::collections::{BTreeMap, HashMap};

use walkout_core::auth;

/// The signed-in shopper, as the ID token describes them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CurrentUser {
    /// Cognito's stable user id; key users by this, never by email.
    pub sub: String,
    /// Cognito's internal username, which may equal `sub`.
    pub username: String,
    /// The shopper's email address, when the ID token has one.
    pub email: Option<String>,
    /// Whether Cognito verified the email address.
    pub email_verified: Option<bool>,
}

impl From<auth::CurrentUser> for CurrentUser {
    fn from(user: auth::CurrentUser) -> Self {
        Self {
            sub: user.sub,
            username: user.username,
            email: user.email,
            email_verified: user.email_verified,
        }
    }
}

/// The destination of a confirmation or reset code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CodeDelivery {
    /// Masked destination, such as `j***@e***.com`.
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub medium: Option<String>,
    /// The attribute the code went to, such as `email`.
    pub attribute: Option<String>,
}

impl From<auth::CodeDelivery> for CodeDelivery {
    fn from(delivery: auth::CodeDelivery) -> Self {
        Self {
            destination: delivery.destination,
            medium: delivery.medium,
            attribute: delivery.attribute,
        }
    }
}

/// The result of `sign_up`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignUpOutcome {
    /// The account needs no confirmation code.
    pub user_confirmed: bool,
    /// The new user's `sub`.
    pub user_sub: Option<String>,
    /// Where the confirmation code was sent.
    pub code_delivery: Option<CodeDelivery>,
}

impl From<auth::SignUpOutcome> for SignUpOutcome {
    fn from(outcome: auth::SignUpOutcome) -> Self {
        Self {
            user_confirmed: outcome.user_confirmed,
            user_sub: outcome.user_sub,
            code_delivery: outcome.code_delivery.map(CodeDelivery::from),
        }
    }
}

/// Where sign-in stands after `sign_in_start` or `sign_in_respond`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SignInStep {
    /// Done: the session is stored.
    SignedIn {
        /// The shopper who signed in.
        user: CurrentUser,
    },
    /// The account has a temporary password: answer with `SignInResponse.NewPassword`.
    NewPasswordRequired {
        /// Attributes that the answer must give a value for, such as `name`.
        required_attributes: Vec<String>,
    },
    /// A code was sent by SMS: answer with `SignInResponse.MfaCode`.
    SmsMfaCode {
        /// Masked phone number.
        destination: Option<String>,
    },
    /// A code was sent by email: answer with `SignInResponse.MfaCode`.
    EmailMfaCode {
        /// Masked email address.
        destination: Option<String>,
    },
    /// Enter the code from the authenticator app: answer with `SignInResponse.MfaCode`.
    SoftwareTokenMfaCode,
    /// Choose a second factor: answer with `SignInResponse.MfaType`.
    SelectMfaType {
        /// `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP`.
        options: Vec<String>,
    },
    /// The pool requires MFA and the shopper has none: put `secret_code` into an
    /// authenticator app, then answer with `SignInResponse.MfaSetupCode`.
    MfaSetup {
        /// The authenticator secret, in Base32.
        secret_code: String,
    },
}

impl From<auth::SignInStep> for SignInStep {
    fn from(step: auth::SignInStep) -> Self {
        use auth::SignInStep as Core;
        match step {
            Core::SignedIn { user } => Self::SignedIn { user: user.into() },
            Core::NewPasswordRequired {
                required_attributes,
            } => Self::NewPasswordRequired {
                required_attributes,
            },
            Core::SmsMfaCode { destination } => Self::SmsMfaCode { destination },
            Core::EmailMfaCode { destination } => Self::EmailMfaCode { destination },
            Core::SoftwareTokenMfaCode => Self::SoftwareTokenMfaCode,
            Core::SelectMfaType { options } => Self::SelectMfaType { options },
            Core::MfaSetup { secret_code } => Self::MfaSetup { secret_code },
        }
    }
}

/// The shopper's answer to a `SignInStep`.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SignInResponse {
    /// Answers `NewPasswordRequired`.
    NewPassword {
        /// The new password, exactly as typed.
        password: String,
        /// A value for each required attribute, keyed by attribute name.
        attributes: HashMap<String, String>,
    },
    /// Answers an SMS, email or authenticator code step.
    MfaCode {
        /// The code as typed; surrounding spaces are ignored.
        code: String,
    },
    /// Answers `SelectMfaType` with one of its options.
    MfaType {
        /// The chosen option, such as `SOFTWARE_TOKEN_MFA`.
        mfa_type: String,
    },
    /// Answers `MfaSetup` with the first code from the authenticator app.
    MfaSetupCode {
        /// The code as typed.
        code: String,
        /// A name for the authenticator, shown in the account's settings.
        friendly_device_name: Option<String>,
    },
}

/// Leaves out the passwords and codes.
impl std::fmt::Debug for SignInResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&auth::SignInResponse::from(self.clone()), f)
    }
}

impl From<SignInResponse> for auth::SignInResponse {
    fn from(response: SignInResponse) -> Self {
        match response {
            SignInResponse::NewPassword {
                password,
                attributes,
            } => Self::NewPassword {
                password,
                attributes: attributes.into_iter().collect::<BTreeMap<_, _>>(),
            },
            SignInResponse::MfaCode { code } => Self::MfaCode { code },
            SignInResponse::MfaType { mfa_type } => Self::MfaType { mfa_type },
            SignInResponse::MfaSetupCode {
                code,
                friendly_device_name,
            } => Self::MfaSetupCode {
                code,
                friendly_device_name,
            },
        }
    }
}

/// What sign-out achieved. The tokens and the shopper's local data are deleted in every case.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SignOutOutcome {
    /// Cognito's `GlobalSignOut` succeeded.
    pub global_sign_out: bool,
    /// The refresh token was revoked now.
    pub refresh_token_revoked: bool,
    /// Revocations still queued for a later attempt (this one included when offline).
    pub revocations_pending: u64,
}

impl From<auth::SignOutOutcome> for SignOutOutcome {
    fn from(outcome: auth::SignOutOutcome) -> Self {
        Self {
            global_sign_out: outcome.global_sign_out,
            refresh_token_revoked: outcome.refresh_token_revoked,
            revocations_pending: u64::try_from(outcome.revocations_pending).unwrap_or(u64::MAX),
        }
    }
}

/// A change of the session, sent to every `SessionObserver`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SessionEvent {
    /// A shopper signed in.
    SignedIn {
        /// Their Cognito user id.
        sub: String,
    },
    /// The tokens were refreshed.
    Refreshed,
    /// The shopper signed out or deleted their account.
    SignedOut,
    /// The session ended without the shopper asking (the refresh token expired or was
    /// revoked): show the sign-in screen.
    NeedsSignIn,
}

impl From<auth::SessionEvent> for SessionEvent {
    fn from(event: auth::SessionEvent) -> Self {
        match event {
            auth::SessionEvent::SignedIn { sub } => Self::SignedIn { sub },
            auth::SessionEvent::Refreshed => Self::Refreshed,
            auth::SessionEvent::SignedOut => Self::SignedOut,
            auth::SessionEvent::NeedsSignIn => Self::NeedsSignIn,
        }
    }
}
