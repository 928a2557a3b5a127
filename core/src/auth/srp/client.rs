//! The user side of `USER_SRP_AUTH`: `SRP_A` for `InitiateAuth`, then the response to the
//! `PASSWORD_VERIFIER` challenge, plus `SECRET_HASH` for app clients that have a secret.
//!
//! Each [`SrpClient`] is one sign-in attempt. Responding consumes it, so a `PASSWORD_VERIFIER`
//! response is never replayed with the same `a`. After any failure, start over with a new client.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use num_bigint::BigUint;
use ring::hmac;
use zeroize::Zeroizing;

use super::math::{ChallengeValues, EphemeralKey, client_claim_signature};
use super::{SrpError, SrpIdentity};

/// Returns the pool name that Cognito hashes: the part of the user pool id after the first `_`
/// (`us-east-1_AbCdEf123` gives `AbCdEf123`).
pub fn pool_name_from_user_pool_id(user_pool_id: &str) -> Result<&str, SrpError> {
    match user_pool_id.split_once('_') {
        Some((region, pool_name)) if !region.is_empty() && !pool_name.is_empty() => Ok(pool_name),
        _ => Err(SrpError::InvalidUserPoolId(user_pool_id.to_owned())),
    }
}

/// Computes `SECRET_HASH` / `SecretHash`: Base64 of HMAC-SHA256 keyed with the app client
/// secret over `username ‖ client_id`.
///
/// Use the internal username (`USER_ID_FOR_SRP`) in challenge responses and refreshes.
pub fn secret_hash(client_id: &str, client_secret: &str, username: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, client_secret.as_bytes());
    let mut context = hmac::Context::with_key(&key);
    context.update(username.as_bytes());
    context.update(client_id.as_bytes());
    STANDARD.encode(context.sign())
}

/// An app client id with its secret, for `SECRET_HASH`.
pub(super) struct AppClientSecret {
    client_id: String,
    client_secret: Zeroizing<String>,
}

impl AppClientSecret {
    pub(super) fn new(client_id: &str, client_secret: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            client_secret: Zeroizing::new(client_secret.to_owned()),
        }
    }

    pub(super) fn secret_hash(&self, username: &str) -> String {
        secret_hash(&self.client_id, &self.client_secret, username)
    }
}

/// The `ChallengeParameters` of a `PASSWORD_VERIFIER` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordVerifierChallenge {
    /// `SALT`: hex, possibly odd-length or negative.
    pub salt: String,
    /// `SRP_B`: hex, possibly odd-length or negative.
    pub srp_b: String,
    /// `SECRET_BLOCK`: Base64, echoed unchanged as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub secret_block: String,
    /// `USER_ID_FOR_SRP`: the internal username that x and the signature use.
    pub user_id_for_srp: String,
    /// `USERNAME`, when the challenge carries it.
    pub username: Option<String>,
}

impl PasswordVerifierChallenge {
    /// Reads the challenge from the `ChallengeParameters` map of an `InitiateAuth` response.
    pub fn from_challenge_parameters<S: BuildHasher>(
        parameters: &HashMap<String, String, S>,
    ) -> Result<Self, SrpError> {
        Ok(Self {
            salt: required(parameters, "SALT")?,
            srp_b: required(parameters, "SRP_B")?,
            secret_block: required(parameters, "SECRET_BLOCK")?,
            user_id_for_srp: required(parameters, "USER_ID_FOR_SRP")?,
            username: parameters.get("USERNAME").cloned(),
        })
    }
}

pub(super) fn required<S: BuildHasher>(
    parameters: &HashMap<String, String, S>,
    name: &'static str,
) -> Result<String, SrpError> {
    parameters
        .get(name)
        .cloned()
        .ok_or(SrpError::MissingChallengeParameter(name))
}

/// The `ChallengeResponses` of a `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER` response.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordVerifierResponse {
    /// `USERNAME`: the challenge's `USERNAME`, else `USER_ID_FOR_SRP`.
    pub username: String,
    /// `PASSWORD_CLAIM_SECRET_BLOCK`: the challenge's `SECRET_BLOCK`, byte for byte.
    pub password_claim_secret_block: String,
    /// `PASSWORD_CLAIM_SIGNATURE`: Base64 HMAC-SHA256 proving knowledge of the password.
    pub password_claim_signature: String,
    /// `TIMESTAMP`: the signed timestamp string.
    pub timestamp: String,
    /// `SECRET_HASH`, when the app client has a secret.
    pub secret_hash: Option<String>,
    /// `DEVICE_KEY`: always set in a device response. In a user response the caller sets it
    /// when a remembered device takes part.
    pub device_key: Option<String>,
}

impl PasswordVerifierResponse {
    /// Returns the response as the `ChallengeResponses` map, keyed by Cognito's parameter names.
    pub fn challenge_responses(&self) -> BTreeMap<&'static str, String> {
        let mut responses = BTreeMap::from([
            ("USERNAME", self.username.clone()),
            (
                "PASSWORD_CLAIM_SECRET_BLOCK",
                self.password_claim_secret_block.clone(),
            ),
            (
                "PASSWORD_CLAIM_SIGNATURE",
                self.password_claim_signature.clone(),
            ),
            ("TIMESTAMP", self.timestamp.clone()),
        ]);
        if let Some(secret_hash) = &self.secret_hash {
            responses.insert("SECRET_HASH", secret_hash.clone());
        }
        if let Some(device_key) = &self.device_key {
            responses.insert("DEVICE_KEY", device_key.clone());
        }
        responses
    }
}

impl fmt::Debug for PasswordVerifierResponse {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("PasswordVerifierResponse")
            .field("username", &self.username)
            .field("password_claim_secret_block", &"<redacted>")
            .field("password_claim_signature", &"<redacted>")
            .field("timestamp", &self.timestamp)
            .field(
                "secret_hash",
                &self.secret_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("device_key", &self.device_key)
            .finish()
    }
}

/// One `USER_SRP_AUTH` attempt for one user pool, with the private value `a` and `A = g^a`.
pub struct SrpClient {
    pool_name: String,
    app_client: Option<AppClientSecret>,
    key: EphemeralKey,
}

impl SrpClient {
    /// Starts an attempt for the pool `user_pool_id` (`<region>_<pool name>`).
    ///
    /// `a` is the private value; `None` draws 128 random bytes, as every real sign-in should.
    /// Tests pass a fixed `a` to reproduce published vectors.
    pub fn new(user_pool_id: &str, a: Option<BigUint>) -> Result<Self, SrpError> {
        let pool_name = pool_name_from_user_pool_id(user_pool_id)?.to_owned();
        Ok(Self {
            pool_name,
            app_client: None,
            key: EphemeralKey::new(a)?,
        })
    }

    /// Adds `SECRET_HASH` to the response, for app clients created with a secret.
    ///
    /// A mobile app should use a public app client instead: the binary cannot keep a secret.
    #[must_use]
    pub fn with_client_secret(mut self, client_id: &str, client_secret: &str) -> Self {
        self.app_client = Some(AppClientSecret::new(client_id, client_secret));
        self
    }

    /// Returns the pool name that x and the signature use.
    pub fn pool_name(&self) -> &str {
        &self.pool_name
    }

    /// Returns `SRP_A` for `InitiateAuth`: A as lowercase hex without padding.
    pub fn srp_a_hex(&self) -> String {
        self.key.public.to_str_radix(16)
    }

    /// Computes the response to a `PASSWORD_VERIFIER` challenge with `password` exactly as typed.
    ///
    /// `timestamp` is signed and sent as is; build it with
    /// [`format_timestamp`](super::format_timestamp). x and the signature use
    /// `USER_ID_FOR_SRP`, never the name the user typed. Fails on malformed challenge values,
    /// on B mod N = 0 and on u = 0.
    pub fn password_verifier_response(
        self,
        challenge: &PasswordVerifierChallenge,
        password: &str,
        timestamp: &str,
    ) -> Result<PasswordVerifierResponse, SrpError> {
        let values =
            ChallengeValues::parse(&challenge.srp_b, &challenge.salt, &challenge.secret_block)?;
        let identity = SrpIdentity::User {
            pool_name: &self.pool_name,
            user_id_for_srp: &challenge.user_id_for_srp,
        };
        let signature = client_claim_signature(&self.key, identity, password, &values, timestamp)?;

        let username = challenge
            .username
            .clone()
            .unwrap_or_else(|| challenge.user_id_for_srp.clone());
        let secret_hash = self
            .app_client
            .as_ref()
            .map(|client| client.secret_hash(&username));
        Ok(PasswordVerifierResponse {
            username,
            password_claim_secret_block: challenge.secret_block.clone(),
            password_claim_signature: signature,
            timestamp: timestamp.to_owned(),
            secret_hash,
            device_key: None,
        })
    }
}

impl fmt::Debug for SrpClient {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SrpClient")
            .field("pool_name", &self.pool_name)
            .field("has_client_secret", &self.app_client.is_some())
            .finish_non_exhaustive()
    }
}
