//! The shopper's tokens as the secret store keeps them, and the JWT claims the core reads.
//!
//! The core reads claims (`exp`, `iat`, `sub`, `email`) without checking the signature: the
//! tokens come straight from Cognito over TLS, which OpenID Connect Core 3.1.3.7 accepts for a
//! direct token response, and the backend verifies every access token it receives anyway.
//! Tokens are serialised into the secret store only, never into SQLite or logs, and are wiped
//! from memory on drop.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::cognito::types::AuthenticationResult;

/// Secret store key of the session.
pub const SESSION_KEY: &str = "cognito.session";

/// The claims of a Cognito access or ID token that the core uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct TokenClaims {
    pub sub: Option<String>,
    /// Expiry, Unix seconds (server time).
    pub exp: Option<i64>,
    /// Issue time, Unix seconds (server time).
    pub iat: Option<i64>,
    /// `access` or `id`.
    pub token_use: Option<String>,
    /// Internal username in access tokens.
    pub username: Option<String>,
    /// Internal username in ID tokens.
    #[serde(rename = "cognito:username")]
    pub cognito_username: Option<String>,
    pub email: Option<String>,
    pub email_verified: Option<serde_json::Value>,
    /// Device key in access tokens issued to a remembered device.
    pub device_key: Option<String>,
}

impl TokenClaims {
    /// Decodes the payload of a compact JWT; `None` when it is not one.
    pub fn decode(jwt: &str) -> Option<Self> {
        let mut parts = jwt.split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Returns `email_verified`, which Cognito sends as a boolean or as the string `"true"`.
    pub fn email_is_verified(&self) -> Option<bool> {
        match &self.email_verified {
            Some(serde_json::Value::Bool(value)) => Some(*value),
            Some(serde_json::Value::String(text)) => Some(text == "true"),
            _ => None,
        }
    }
}

/// The signed-in shopper, as the ID token describes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentUser {
    /// Cognito's stable user id; key users by this, never by email.
    pub sub: String,
    /// Cognito's internal username (`cognito:username`), which may equal `sub`.
    pub username: String,
    pub email: Option<String>,
    pub email_verified: Option<bool>,
}

/// A signed-in session: the three tokens and what refreshing them needs.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct SessionTokens {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: String,
    /// Cognito's internal username, for `SECRET_HASH` on refresh.
    pub username: String,
    /// The remembered device's key: every refresh must send it once a device is tracked.
    pub device_key: Option<String>,
    /// Access token expiry, Unix seconds (server time).
    pub access_expires_at: i64,
    /// ID token expiry, Unix seconds (server time).
    pub id_expires_at: i64,
}

impl SessionTokens {
    /// Builds a session from a sign-in or refresh result. `previous_refresh_token` is kept when
    /// the result has none (refresh without rotation). Returns a reason when a token is missing
    /// or is not a JWT with `exp`.
    pub fn from_result(
        result: &AuthenticationResult,
        previous_refresh_token: Option<&str>,
        fallback_username: &str,
        device_key: Option<String>,
    ) -> Result<Self, &'static str> {
        let access_token = result.access_token.clone().ok_or("no AccessToken")?;
        let id_token = result.id_token.clone().ok_or("no IdToken")?;
        let refresh_token = result
            .refresh_token
            .clone()
            .or_else(|| previous_refresh_token.map(str::to_owned))
            .ok_or("no RefreshToken")?;
        let access = TokenClaims::decode(&access_token).ok_or("AccessToken is not a JWT")?;
        let id = TokenClaims::decode(&id_token).ok_or("IdToken is not a JWT")?;
        let access_expires_at = access.exp.ok_or("AccessToken has no exp")?;
        let id_expires_at = id.exp.ok_or("IdToken has no exp")?;
        let username = access
            .username
            .or(id.cognito_username)
            .unwrap_or_else(|| fallback_username.to_owned());
        Ok(Self {
            access_token,
            id_token,
            refresh_token,
            username,
            device_key,
            access_expires_at,
            id_expires_at,
        })
    }

    /// Returns the access token's `iat`, for the clock offset.
    pub fn access_issued_at(&self) -> Option<i64> {
        TokenClaims::decode(&self.access_token).and_then(|claims| claims.iat)
    }

    /// Returns the shopper described by the ID token.
    pub fn current_user(&self) -> Option<CurrentUser> {
        let claims = TokenClaims::decode(&self.id_token)?;
        let email_verified = claims.email_is_verified();
        Some(CurrentUser {
            sub: claims.sub?,
            username: claims
                .cognito_username
                .unwrap_or_else(|| self.username.clone()),
            email: claims.email,
            email_verified,
        })
    }

    /// Serialises the session for the secret store.
    pub fn to_bytes(&self) -> Result<zeroize::Zeroizing<Vec<u8>>, serde_json::Error> {
        serde_json::to_vec(self).map(zeroize::Zeroizing::new)
    }

    /// Reads a session written by [`SessionTokens::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTokens")
            .field("has_device_key", &self.device_key.is_some())
            .field("access_expires_at", &self.access_expires_at)
            .field("id_expires_at", &self.id_expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{header}.{payload}.c2ln")
    }

    #[test]
    fn claims_are_decoded() {
        let token = jwt(&serde_json::json!({
            "sub": "s-1", "exp": 2000, "iat": 1000, "cognito:username": "u-1",
            "email": "jane@example.com", "email_verified": "true"
        }));
        let claims = TokenClaims::decode(&token).expect("claims");
        assert_eq!(claims.sub.as_deref(), Some("s-1"));
        assert_eq!(claims.exp, Some(2000));
        assert_eq!(claims.cognito_username.as_deref(), Some("u-1"));
        assert_eq!(claims.email_is_verified(), Some(true));
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        for token in ["", "abc", "a.b", "a.!!!.c", "a.b.c.d"] {
            assert_eq!(TokenClaims::decode(token), None, "{token:?}");
        }
    }

    #[test]
    fn refresh_token_is_kept_without_rotation() {
        let result = AuthenticationResult {
            access_token: Some(jwt(&serde_json::json!({"exp": 10, "username": "u"}))),
            id_token: Some(jwt(&serde_json::json!({"exp": 11, "sub": "s"}))),
            ..AuthenticationResult::default()
        };
        let tokens =
            SessionTokens::from_result(&result, Some("old"), "typed", None).expect("tokens");
        assert_eq!(tokens.refresh_token, "old");
        assert_eq!(tokens.username, "u");
        assert_eq!(tokens.access_expires_at, 10);
    }
}
