//! The server side of Cognito's SRP: B from a stored verifier, and the check of a client's
//! `PASSWORD_CLAIM_SIGNATURE`.
//!
//! This exists for tests and in-process Cognito fakes, never for production sign-in: the app
//! only ever plays the client. It follows the same formulas as the client (B = k·v + g^b,
//! S = (A·v^u)^b), so a client that passes here computes what Cognito computes, provided the
//! published vectors also pass.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use num_bigint::{BigInt, BigUint};
use num_traits::Zero as _;
use ring::hmac;

use super::device::DeviceSecretVerifierConfig;
use super::group::{modulus, multiplier, parse_server_hex, reduce};
use super::math::{
    EphemeralKey, claim_message, decode_secret_block, private_key, scrambler,
    server_premaster_secret, session_key, verifier,
};
use super::timestamp::parse_timestamp;
use super::{SrpError, SrpIdentity};

/// The server's record for one user or device: the salt and v = g^x mod N.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierRecord {
    salt: BigInt,
    verifier: BigUint,
}

impl VerifierRecord {
    /// Computes the record for `identity` and `password` with `salt`, as a user pool does at
    /// sign-up. The salt may be negative, to exercise clients against the values that Cognito
    /// echoes for top-bit-set device salts.
    pub fn new(identity: SrpIdentity<'_>, password: &str, salt: BigInt) -> Self {
        let x = private_key(identity, password, &salt);
        let verifier = verifier(&x);
        Self { salt, verifier }
    }

    /// Reads the record that a `ConfirmDevice` call registers.
    ///
    /// The salt bytes are read as a signed big-endian integer, as Cognito's Java side reads
    /// them, so a salt sent without its `00` byte comes back as a negative `SALT`. The verifier
    /// bytes are read as unsigned.
    pub fn from_device_config(config: &DeviceSecretVerifierConfig) -> Result<Self, SrpError> {
        let salt_bytes = STANDARD
            .decode(&config.salt)
            .map_err(|_| SrpError::InvalidBase64("Salt"))?;
        let verifier_bytes = STANDARD
            .decode(&config.password_verifier)
            .map_err(|_| SrpError::InvalidBase64("PasswordVerifier"))?;

        Ok(Self {
            salt: BigInt::from_signed_bytes_be(&salt_bytes),
            verifier: BigUint::from_bytes_be(&verifier_bytes),
        })
    }

    /// Returns `SALT` as Cognito prints it: Java's `BigInteger.toString(16)`, lowercase, no
    /// padding, with a `-` for a negative salt.
    pub fn salt_hex(&self) -> String {
        self.salt.to_str_radix(16)
    }

    /// Returns the verifier v = g^x mod N.
    pub fn verifier(&self) -> &BigUint {
        &self.verifier
    }
}

impl fmt::Debug for VerifierRecord {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("VerifierRecord")
            .field("salt", &self.salt_hex())
            .finish_non_exhaustive()
    }
}

/// One server-side exchange: the private value b and B = (k·v + g^b) mod N.
pub struct ServerSession {
    record: VerifierRecord,
    key: EphemeralKey,
    srp_b: BigUint,
}

impl ServerSession {
    /// Starts an exchange for `record`. `b` is the private value; `None` draws 128 random
    /// bytes. Fails if b is 0 or B comes out as 0 mod N.
    pub fn new(record: VerifierRecord, b: Option<BigUint>) -> Result<Self, SrpError> {
        let key = EphemeralKey::new(b)?;
        let n = modulus();
        let srp_b = (multiplier() * &record.verifier + &key.public) % n;
        if srp_b.is_zero() {
            return Err(SrpError::IllegalSrpB);
        }
        Ok(Self { record, key, srp_b })
    }

    /// Returns `SRP_B`: lowercase hex without padding.
    pub fn srp_b_hex(&self) -> String {
        self.srp_b.to_str_radix(16)
    }

    /// Returns `SALT` for the challenge; see [`VerifierRecord::salt_hex`].
    pub fn salt_hex(&self) -> String {
        self.record.salt_hex()
    }

    /// Checks a `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER` response.
    ///
    /// `srp_a_hex` is the `SRP_A` the client sent to start this exchange. `secret_block` is the
    /// `PASSWORD_CLAIM_SECRET_BLOCK` the client echoed; the caller checks that it is the block it
    /// issued. The timestamp must have Cognito's exact format; its freshness is the caller's
    /// policy. The signature is compared in constant time.
    pub fn verify_password_claim(
        &self,
        identity: SrpIdentity<'_>,
        srp_a_hex: &str,
        secret_block: &str,
        timestamp: &str,
        signature: &str,
    ) -> Result<(), SrpError> {
        let srp_a_signed = parse_server_hex("SRP_A", srp_a_hex)?;
        let srp_a = reduce(&srp_a_signed);
        if srp_a.is_zero() {
            return Err(SrpError::IllegalSrpA);
        }
        let secret_block = decode_secret_block(secret_block)?;
        if parse_timestamp(timestamp).is_none() {
            return Err(SrpError::InvalidTimestamp);
        }
        let signature = STANDARD
            .decode(signature)
            .map_err(|_| SrpError::InvalidBase64("PASSWORD_CLAIM_SIGNATURE"))?;

        // u hashes A as the client sent it, just as the client hashes B as the server sent it.
        let u = scrambler(&srp_a_signed, &BigInt::from(self.srp_b.clone()))?;
        let premaster_secret =
            server_premaster_secret(&self.key, &srp_a, &self.record.verifier, &u);
        let session_key = session_key(&u, &premaster_secret);

        let key = hmac::Key::new(hmac::HMAC_SHA256, session_key.as_ref());
        let message = claim_message(identity, &secret_block, timestamp);
        hmac::verify(&key, &message, &signature).map_err(|_| SrpError::SignatureMismatch)
    }
}

impl fmt::Debug for ServerSession {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("ServerSession")
            .field("srp_b", &self.srp_b_hex())
            .finish_non_exhaustive()
    }
}
