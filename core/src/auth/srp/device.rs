//! Remembered devices: the verifier and salt that `ConfirmDevice` registers, and the response to
//! `DEVICE_PASSWORD_VERIFIER`.
//!
//! The math is the user flow's with the device group key in place of the pool name, the device
//! key in place of `USER_ID_FOR_SRP`, and a random device password that only this device
//! stores. Everything sent is padHex-encoded, so Cognito never reads a salt or verifier as a
//! negative number.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use num_bigint::{BigInt, BigUint};
use rand::RngCore as _;
use zeroize::Zeroizing;

use super::client::{AppClientSecret, PasswordVerifierResponse, required};
use super::group::padded_bytes_unsigned;
use super::math::{ChallengeValues, EphemeralKey, client_claim_signature, private_key, verifier};
use super::{SrpError, SrpIdentity};

/// Random bytes in a device password, which is sent nowhere and stored as Base64.
const DEVICE_PASSWORD_BYTES: usize = 40;

/// Random bytes in a device salt before padHex encoding.
const DEVICE_SALT_BYTES: usize = 16;

/// `DeviceSecretVerifierConfig` of `ConfirmDevice`: both members standard Base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    /// `PasswordVerifier`: Base64 of padHex(g^x mod N).
    pub password_verifier: String,
    /// `Salt`: Base64 of padHex(salt).
    pub salt: String,
}

impl DeviceSecretVerifierConfig {
    /// Computes the verifier for `device_password` with a given `salt`.
    ///
    /// x hashes padHex(salt), the same bytes that `Salt` carries, so the value Cognito echoes
    /// as `SALT` later reproduces x.
    pub fn new(
        device_group_key: &str,
        device_key: &str,
        device_password: &str,
        salt: &BigUint,
    ) -> Self {
        let identity = SrpIdentity::Device {
            device_group_key,
            device_key,
        };
        let salt_signed = BigInt::from(salt.clone());
        let x = private_key(identity, device_password, &salt_signed);

        Self {
            password_verifier: STANDARD.encode(padded_bytes_unsigned(&verifier(&x))),
            salt: STANDARD.encode(padded_bytes_unsigned(salt)),
        }
    }
}

/// A new device password together with the verifier config to register for it.
pub struct DeviceSecret {
    /// The random device password (Base64 of 40 bytes). Store it in the platform secret store
    /// next to the device key and device group key; it never leaves the device.
    pub device_password: Zeroizing<String>,
    /// The `DeviceSecretVerifierConfig` to send in `ConfirmDevice`.
    pub config: DeviceSecretVerifierConfig,
}

impl DeviceSecret {
    /// Generates a random device password and salt for a device that Cognito just reported in
    /// `NewDeviceMetadata`, and computes the verifier config.
    pub fn generate(device_group_key: &str, device_key: &str) -> Self {
        let mut password_bytes = Zeroizing::new([0u8; DEVICE_PASSWORD_BYTES]);
        let mut salt_bytes = [0u8; DEVICE_SALT_BYTES];
        rand::rng().fill_bytes(password_bytes.as_mut());
        rand::rng().fill_bytes(&mut salt_bytes);

        let device_password = Zeroizing::new(STANDARD.encode(password_bytes.as_ref()));
        let salt = BigUint::from_bytes_be(&salt_bytes);
        let config =
            DeviceSecretVerifierConfig::new(device_group_key, device_key, &device_password, &salt);
        Self {
            device_password,
            config,
        }
    }
}

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DeviceSecret")
            .field("device_password", &"<redacted>")
            .field("config", &self.config)
            .finish()
    }
}

/// The `ChallengeParameters` of a `DEVICE_PASSWORD_VERIFIER` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePasswordVerifierChallenge {
    /// `SALT`: hex, possibly odd-length or negative.
    pub salt: String,
    /// `SRP_B`: hex, possibly odd-length or negative.
    pub srp_b: String,
    /// `SECRET_BLOCK`: Base64, echoed unchanged as `PASSWORD_CLAIM_SECRET_BLOCK`.
    pub secret_block: String,
    /// `USERNAME`: Cognito's internal username, sent back unchanged.
    pub username: String,
}

impl DevicePasswordVerifierChallenge {
    /// Reads the challenge from the `ChallengeParameters` map of a `RespondToAuthChallenge`
    /// response.
    pub fn from_challenge_parameters<S: BuildHasher>(
        parameters: &HashMap<String, String, S>,
    ) -> Result<Self, SrpError> {
        Ok(Self {
            salt: required(parameters, "SALT")?,
            srp_b: required(parameters, "SRP_B")?,
            secret_block: required(parameters, "SECRET_BLOCK")?,
            username: required(parameters, "USERNAME")?,
        })
    }
}

/// One `DEVICE_SRP_AUTH` attempt for a remembered device, with its own private value `a`.
pub struct DeviceSrpClient {
    device_group_key: String,
    device_key: String,
    app_client: Option<AppClientSecret>,
    key: EphemeralKey,
}

impl DeviceSrpClient {
    /// Starts a device attempt. `a` is the private value; `None` draws 128 random bytes.
    pub fn new(
        device_group_key: &str,
        device_key: &str,
        a: Option<BigUint>,
    ) -> Result<Self, SrpError> {
        Ok(Self {
            device_group_key: device_group_key.to_owned(),
            device_key: device_key.to_owned(),
            app_client: None,
            key: EphemeralKey::new(a)?,
        })
    }

    /// Adds `SECRET_HASH` to the response, for app clients created with a secret.
    #[must_use]
    pub fn with_client_secret(mut self, client_id: &str, client_secret: &str) -> Self {
        self.app_client = Some(AppClientSecret::new(client_id, client_secret));
        self
    }

    /// Returns `SRP_A` for the `DEVICE_SRP_AUTH` response: A as lowercase hex without padding.
    pub fn srp_a_hex(&self) -> String {
        self.key.public.to_str_radix(16)
    }

    /// Returns the `DEVICE_KEY` this attempt speaks for.
    pub fn device_key(&self) -> &str {
        &self.device_key
    }

    /// Computes the response to a `DEVICE_PASSWORD_VERIFIER` challenge with the stored device password.
    ///
    /// `timestamp` is signed and sent as is; build it with
    /// [`format_timestamp`](super::format_timestamp). Fails on malformed challenge values, on
    /// B mod N = 0 and on u = 0.
    pub fn device_password_verifier_response(
        self,
        challenge: &DevicePasswordVerifierChallenge,
        device_password: &str,
        timestamp: &str,
    ) -> Result<PasswordVerifierResponse, SrpError> {
        let values =
            ChallengeValues::parse(&challenge.srp_b, &challenge.salt, &challenge.secret_block)?;
        let identity = SrpIdentity::Device {
            device_group_key: &self.device_group_key,
            device_key: &self.device_key,
        };
        let signature =
            client_claim_signature(&self.key, identity, device_password, &values, timestamp)?;

        let secret_hash = self
            .app_client
            .as_ref()
            .map(|client| client.secret_hash(&challenge.username));
        Ok(PasswordVerifierResponse {
            username: challenge.username.clone(),
            password_claim_secret_block: challenge.secret_block.clone(),
            password_claim_signature: signature,
            timestamp: timestamp.to_owned(),
            secret_hash,
            device_key: Some(self.device_key.clone()),
        })
    }
}

impl fmt::Debug for DeviceSrpClient {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DeviceSrpClient")
            .field("device_key", &self.device_key)
            .field("has_client_secret", &self.app_client.is_some())
            .finish_non_exhaustive()
    }
}
