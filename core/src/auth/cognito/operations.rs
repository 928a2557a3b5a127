//! The typed operations of [`CognitoClient`]: one method per Cognito operation a shopper app
//! uses, each building its request body with `ClientId` and `SecretHash` where the operation
//! takes them.
//!
//! Usernames arrive here already normalised (see `auth::identifier`); passwords and codes are
//! sent exactly as given.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::types::{
    AssociateSoftwareTokenResponse, AttributeType, AuthResponse, CodeDeliveryResponse,
    ConfirmDeviceResponse, Empty, GetUserResponse, RefreshResponse, SignUpResponse,
    VerifySoftwareTokenResponse,
};
use super::{CognitoClient, CognitoError, Idempotency};

/// `AuthFlow` of `InitiateAuth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// SRP: the password never leaves the device. The default.
    UserSrp,
    /// The password is sent over TLS: for emulators without SRP and for user-migration
    /// triggers. Must be allowed on the app client.
    UserPassword,
    /// Refresh with a refresh token, for pools and emulators without `GetTokensFromRefreshToken`.
    RefreshToken,
}

impl AuthFlow {
    /// Returns the wire name, such as `USER_SRP_AUTH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserSrp => "USER_SRP_AUTH",
            Self::UserPassword => "USER_PASSWORD_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN_AUTH",
        }
    }
}

/// The `ConfirmDevice` request: which device, its verifier and a display name.
#[derive(Debug, Clone)]
pub struct DeviceConfirmation<'a> {
    pub device_key: &'a str,
    /// Base64 padHex of the verifier.
    pub password_verifier: &'a str,
    /// Base64 padHex of the salt.
    pub salt: &'a str,
    pub device_name: Option<&'a str>,
}

impl CognitoClient {
    fn with_client(&self, members: Value) -> Value {
        let mut body = Map::new();
        body.insert("ClientId".to_owned(), Value::from(self.client_id()));
        if let Value::Object(members) = members {
            body.extend(members);
        }
        Value::Object(body)
    }

    fn with_secret_hash(&self, mut body: Value, username: &str) -> Value {
        if let (Some(hash), Value::Object(map)) = (self.secret_hash(username), &mut body) {
            map.insert("SecretHash".to_owned(), Value::from(hash));
        }
        body
    }

    /// `SignUp` with `attributes` such as `email`.
    pub async fn sign_up(
        &self,
        username: &str,
        password: &str,
        attributes: &[AttributeType],
    ) -> Result<SignUpResponse, CognitoError> {
        let body = self.with_client(json!({
            "Username": username,
            "Password": password,
            "UserAttributes": attributes,
        }));
        let body = self.with_secret_hash(body, username);
        self.call("SignUp", &body, Idempotency::Once).await
    }

    /// `ConfirmSignUp` with the code from the email or SMS.
    pub async fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), CognitoError> {
        let body = self.with_client(json!({"Username": username, "ConfirmationCode": code}));
        let body = self.with_secret_hash(body, username);
        let _: Empty = self.call("ConfirmSignUp", &body, Idempotency::Once).await?;
        Ok(())
    }

    /// `ResendConfirmationCode`.
    pub async fn resend_confirmation_code(
        &self,
        username: &str,
    ) -> Result<CodeDeliveryResponse, CognitoError> {
        let body = self.with_client(json!({"Username": username}));
        let body = self.with_secret_hash(body, username);
        self.call("ResendConfirmationCode", &body, Idempotency::Once)
            .await
    }

    /// `InitiateAuth` with `parameters` (`USERNAME`, `SRP_A`, `PASSWORD`, `REFRESH_TOKEN`,
    /// `DEVICE_KEY`); `SECRET_HASH` is added for `secret_hash_username` when the client has a
    /// secret. Repeating it only starts another challenge, so it is retried.
    pub async fn initiate_auth(
        &self,
        flow: AuthFlow,
        mut parameters: BTreeMap<&'static str, String>,
        secret_hash_username: &str,
    ) -> Result<AuthResponse, CognitoError> {
        if let Some(hash) = self.secret_hash(secret_hash_username) {
            parameters.insert("SECRET_HASH", hash);
        }
        let body = self.with_client(json!({
            "AuthFlow": flow.as_str(),
            "AuthParameters": parameters,
        }));
        self.call("InitiateAuth", &body, Idempotency::Retry).await
    }

    /// `RespondToAuthChallenge`; `session` is echoed when the challenge had one. Never retried:
    /// a proof is answered once, and a failed step restarts from `InitiateAuth`.
    pub async fn respond_to_auth_challenge(
        &self,
        challenge_name: &str,
        session: Option<&str>,
        responses: BTreeMap<String, String>,
    ) -> Result<AuthResponse, CognitoError> {
        let mut body = self.with_client(json!({
            "ChallengeName": challenge_name,
            "ChallengeResponses": responses,
        }));
        if let (Some(session), Value::Object(map)) = (session, &mut body) {
            map.insert("Session".to_owned(), Value::from(session));
        }
        self.call("RespondToAuthChallenge", &body, Idempotency::Once)
            .await
    }

    /// `GetTokensFromRefreshToken`, which works with refresh-token rotation on or off.
    pub async fn get_tokens_from_refresh_token(
        &self,
        refresh_token: &str,
        device_key: Option<&str>,
    ) -> Result<RefreshResponse, CognitoError> {
        let mut body = self.with_client(json!({"RefreshToken": refresh_token}));
        if let Value::Object(map) = &mut body {
            if let Some(secret) = self.client_secret() {
                map.insert("ClientSecret".to_owned(), Value::from(secret));
            }
            if let Some(device_key) = device_key {
                map.insert("DeviceKey".to_owned(), Value::from(device_key));
            }
        }
        self.call("GetTokensFromRefreshToken", &body, Idempotency::Retry)
            .await
    }

    /// `ForgotPassword`: sends a reset code.
    pub async fn forgot_password(
        &self,
        username: &str,
    ) -> Result<CodeDeliveryResponse, CognitoError> {
        let body = self.with_client(json!({"Username": username}));
        let body = self.with_secret_hash(body, username);
        self.call("ForgotPassword", &body, Idempotency::Once).await
    }

    /// `ConfirmForgotPassword`: sets `password` with the reset code.
    pub async fn confirm_forgot_password(
        &self,
        username: &str,
        code: &str,
        password: &str,
    ) -> Result<(), CognitoError> {
        let body = self.with_client(json!({
            "Username": username,
            "ConfirmationCode": code,
            "Password": password,
        }));
        let body = self.with_secret_hash(body, username);
        let _: Empty = self
            .call("ConfirmForgotPassword", &body, Idempotency::Once)
            .await?;
        Ok(())
    }

    /// `ChangePassword` for the signed-in user.
    pub async fn change_password(
        &self,
        access_token: &str,
        previous: &str,
        proposed: &str,
    ) -> Result<(), CognitoError> {
        let body = json!({
            "AccessToken": access_token,
            "PreviousPassword": previous,
            "ProposedPassword": proposed,
        });
        let _: Empty = self
            .call("ChangePassword", &body, Idempotency::Once)
            .await?;
        Ok(())
    }

    /// `GlobalSignOut`: revokes every refresh token of the user.
    pub async fn global_sign_out(&self, access_token: &str) -> Result<(), CognitoError> {
        let body = json!({"AccessToken": access_token});
        let _: Empty = self
            .call("GlobalSignOut", &body, Idempotency::Retry)
            .await?;
        Ok(())
    }

    /// `RevokeToken`: revokes one refresh token and the access tokens minted from it.
    pub async fn revoke_token(&self, refresh_token: &str) -> Result<(), CognitoError> {
        let mut body = self.with_client(json!({"Token": refresh_token}));
        if let (Some(secret), Value::Object(map)) = (self.client_secret(), &mut body) {
            map.insert("ClientSecret".to_owned(), Value::from(secret));
        }
        let _: Empty = self.call("RevokeToken", &body, Idempotency::Retry).await?;
        Ok(())
    }

    /// `GetUser`: the user's name and attributes; also checks the access token online.
    pub async fn get_user(&self, access_token: &str) -> Result<GetUserResponse, CognitoError> {
        let body = json!({"AccessToken": access_token});
        self.call("GetUser", &body, Idempotency::Retry).await
    }

    /// `DeleteUser`: deletes the signed-in user's account.
    pub async fn delete_user(&self, access_token: &str) -> Result<(), CognitoError> {
        let body = json!({"AccessToken": access_token});
        let _: Empty = self.call("DeleteUser", &body, Idempotency::Once).await?;
        Ok(())
    }

    /// `ConfirmDevice`: registers the device verifier so later sign-ins can use device SRP.
    pub async fn confirm_device(
        &self,
        access_token: &str,
        device: &DeviceConfirmation<'_>,
    ) -> Result<ConfirmDeviceResponse, CognitoError> {
        let mut body = json!({
            "AccessToken": access_token,
            "DeviceKey": device.device_key,
            "DeviceSecretVerifierConfig": {
                "PasswordVerifier": device.password_verifier,
                "Salt": device.salt,
            },
        });
        if let (Some(name), Value::Object(map)) = (device.device_name, &mut body) {
            map.insert("DeviceName".to_owned(), Value::from(name));
        }
        self.call("ConfirmDevice", &body, Idempotency::Retry).await
    }

    /// `UpdateDeviceStatus` to `remembered`, for pools that ask the user before remembering.
    pub async fn remember_device(
        &self,
        access_token: &str,
        device_key: &str,
    ) -> Result<(), CognitoError> {
        let body = json!({
            "AccessToken": access_token,
            "DeviceKey": device_key,
            "DeviceRememberedStatus": "remembered",
        });
        let _: Empty = self
            .call("UpdateDeviceStatus", &body, Idempotency::Retry)
            .await?;
        Ok(())
    }

    /// `AssociateSoftwareToken` with a challenge session: starts TOTP enrolment in `MFA_SETUP`.
    pub async fn associate_software_token(
        &self,
        session: &str,
    ) -> Result<AssociateSoftwareTokenResponse, CognitoError> {
        let body = json!({"Session": session});
        self.call("AssociateSoftwareToken", &body, Idempotency::Once)
            .await
    }

    /// `VerifySoftwareToken` with a challenge session and the first code from the app.
    pub async fn verify_software_token(
        &self,
        session: &str,
        code: &str,
        friendly_device_name: Option<&str>,
    ) -> Result<VerifySoftwareTokenResponse, CognitoError> {
        let mut body = json!({"Session": session, "UserCode": code});
        if let (Some(name), Value::Object(map)) = (friendly_device_name, &mut body) {
            map.insert("FriendlyDeviceName".to_owned(), Value::from(name));
        }
        self.call("VerifySoftwareToken", &body, Idempotency::Once)
            .await
    }
}
