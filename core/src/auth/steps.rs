//! The public steps of sign-in: what the shopper is asked next, and what they answer.
//!
//! Cognito signs a shopper in through a chain of challenges. The proofs (`PASSWORD_VERIFIER`,
//! `DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`) are answered inside the core at once, because
//! Cognito allows only a few seconds for them. Every challenge that needs the shopper becomes a
//! [`SignInStep`]; the shell shows it and calls back with the matching [`SignInResponse`].

use std::collections::BTreeMap;

use super::tokens::CurrentUser;

/// Where sign-in stands after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInStep {
    /// Done: the session is stored.
    SignedIn { user: CurrentUser },
    /// `NEW_PASSWORD_REQUIRED`: the account was created with a temporary password. Answer with
    /// [`SignInResponse::NewPassword`], giving a value for each required attribute.
    NewPasswordRequired { required_attributes: Vec<String> },
    /// `SMS_MFA`: a code was sent by SMS to the masked `destination`.
    SmsMfaCode { destination: Option<String> },
    /// `EMAIL_OTP`: a code was sent by email to the masked `destination`.
    EmailMfaCode { destination: Option<String> },
    /// `SOFTWARE_TOKEN_MFA`: enter the code from the authenticator app.
    SoftwareTokenMfaCode,
    /// `SELECT_MFA_TYPE`: choose one of `options` (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`,
    /// `EMAIL_OTP`) with [`SignInResponse::MfaType`].
    SelectMfaType { options: Vec<String> },
    /// `MFA_SETUP`: the pool requires MFA and the shopper has none. Put `secret_code` (Base32)
    /// into an authenticator app, then answer with [`SignInResponse::MfaSetupCode`].
    MfaSetup { secret_code: String },
}

/// The shopper's answer to a [`SignInStep`].
#[derive(Clone, PartialEq, Eq)]
pub enum SignInResponse {
    /// Answers [`SignInStep::NewPasswordRequired`]; `attributes` maps attribute names (such as
    /// `name`) to values.
    NewPassword {
        password: String,
        attributes: BTreeMap<String, String>,
    },
    /// Answers an SMS, email or authenticator code step.
    MfaCode { code: String },
    /// Answers [`SignInStep::SelectMfaType`].
    MfaType { mfa_type: String },
    /// Answers [`SignInStep::MfaSetup`] with the first code from the authenticator app.
    MfaSetupCode {
        code: String,
        friendly_device_name: Option<String>,
    },
}

impl std::fmt::Debug for SignInResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self {
            Self::NewPassword { .. } => "NewPassword",
            Self::MfaCode { .. } => "MfaCode",
            Self::MfaType { .. } => "MfaType",
            Self::MfaSetupCode { .. } => "MfaSetupCode",
        };
        f.debug_struct("SignInResponse")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

/// A challenge waiting for the shopper, with what the next call needs to answer it.
#[derive(Clone)]
pub struct PendingChallenge {
    /// The normalised identifier the shopper typed.
    pub identifier: String,
    /// `USERNAME` to send: the challenge's, else the identifier.
    pub username: String,
    /// The challenge name, such as `SOFTWARE_TOKEN_MFA`.
    pub challenge_name: String,
    /// The session to echo; `MFA_SETUP` replaces it with the one `AssociateSoftwareToken`
    /// returned.
    pub session: Option<String>,
    /// The remembered device taking part, if any.
    pub device: Option<super::device::RememberedDevice>,
}

impl std::fmt::Debug for PendingChallenge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingChallenge")
            .field("challenge_name", &self.challenge_name)
            .field("has_session", &self.session.is_some())
            .finish_non_exhaustive()
    }
}

/// Parses a challenge parameter that holds a JSON string array (`requiredAttributes`,
/// `MFAS_CAN_CHOOSE`); a missing or malformed value gives an empty list.
pub fn json_string_list(value: Option<&String>) -> Vec<String> {
    value
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .unwrap_or_default()
}
