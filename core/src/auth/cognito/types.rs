//! The JSON shapes of Cognito Identity Provider responses that the core reads.
//!
//! Members use Cognito's PascalCase names. Every member that Cognito or an emulator may leave
//! out is optional (cognito-local omits `ExpiresIn` on refresh), and unknown members are
//! ignored. `Debug` never prints a token.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// `AuthenticationResult`: the tokens of a finished sign-in or refresh.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationResult {
    pub access_token: Option<String>,
    pub id_token: Option<String>,
    /// Absent on a refresh without rotation; the old refresh token stays valid then.
    pub refresh_token: Option<String>,
    /// Lifetime of the access token in seconds.
    pub expires_in: Option<i64>,
    pub token_type: Option<String>,
    /// Set when device tracking is on and this device is new to the pool.
    pub new_device_metadata: Option<NewDeviceMetadata>,
}

impl fmt::Debug for AuthenticationResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticationResult")
            .field("has_access_token", &self.access_token.is_some())
            .field("has_id_token", &self.id_token.is_some())
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_in", &self.expires_in)
            .field("new_device_metadata", &self.new_device_metadata)
            .finish()
    }
}

/// `NewDeviceMetadata`: the keys Cognito assigned to this device.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    pub device_key: String,
    pub device_group_key: String,
}

/// The response of `InitiateAuth` and `RespondToAuthChallenge`: either a challenge or tokens.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    pub challenge_name: Option<String>,
    /// The challenge session; real Cognito sends none with `PASSWORD_VERIFIER`.
    pub session: Option<String>,
    #[serde(default)]
    pub challenge_parameters: HashMap<String, String>,
    pub authentication_result: Option<AuthenticationResult>,
}

impl fmt::Debug for AuthResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.challenge_parameters.keys().collect();
        names.sort();
        f.debug_struct("AuthResponse")
            .field("challenge_name", &self.challenge_name)
            .field("has_session", &self.session.is_some())
            .field("challenge_parameter_names", &names)
            .field("authentication_result", &self.authentication_result)
            .finish()
    }
}

/// The response of `GetTokensFromRefreshToken`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshResponse {
    pub authentication_result: Option<AuthenticationResult>,
}

/// `CodeDeliveryDetails`: where a confirmation or reset code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// Masked destination, such as `j***@e***.com`.
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    pub delivery_medium: Option<String>,
    /// The attribute the code went to, such as `email`.
    pub attribute_name: Option<String>,
}

/// The response of `SignUp`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    #[serde(default)]
    pub user_confirmed: bool,
    pub user_sub: Option<String>,
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// The response of `ResendConfirmationCode` and `ForgotPassword`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    pub code_delivery_details: Option<CodeDeliveryDetails>,
}

/// One `{Name, Value}` user attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// The response of `GetUser`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUserResponse {
    pub username: String,
    #[serde(default)]
    pub user_attributes: Vec<AttributeType>,
}

/// The response of `ConfirmDevice`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceResponse {
    #[serde(default)]
    pub user_confirmation_necessary: bool,
}

/// The response of `AssociateSoftwareToken`, the first step of TOTP enrolment.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssociateSoftwareTokenResponse {
    /// The TOTP secret (Base32) to put into an authenticator app.
    pub secret_code: Option<String>,
    pub session: Option<String>,
}

impl fmt::Debug for AssociateSoftwareTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssociateSoftwareTokenResponse")
            .field("has_secret_code", &self.secret_code.is_some())
            .field("has_session", &self.session.is_some())
            .finish()
    }
}

/// The response of `VerifySoftwareToken`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VerifySoftwareTokenResponse {
    /// `SUCCESS` or `ERROR`.
    pub status: Option<String>,
    pub session: Option<String>,
}

/// A response without members (`ConfirmSignUp`, `GlobalSignOut`, `RevokeToken`, …).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Empty {}
