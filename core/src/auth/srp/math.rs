//! The SRP-6a steps shared by the user and device flows and by the server side: u, x, S, the
//! HKDF key and the claim signature.
//!
//! Values derived from a password or a private exponent live in [`SecretUint`] or
//! [`Zeroizing`] buffers and are wiped on drop.
//! NOTE: num-bigint's arithmetic is not constant time, and the temporaries it allocates (inside
//! `modpow`, products and remainders) are freed without being wiped. ring's HMAC keys and tags
//! are not wiped either.

use std::ops::Deref;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use num_bigint::{BigInt, BigUint};
use num_traits::Zero as _;
use rand::RngCore as _;
use ring::hmac;
use zeroize::Zeroizing;

use super::group::{
    generator, modulus, multiplier, padded_bytes, padded_bytes_unsigned, reduce, sha256,
};
use super::{SrpError, SrpIdentity};

/// HKDF `info` that Cognito's reference client uses for the 16-byte session key.
const KEY_INFO: &[u8] = b"Caldera Derived Key";

/// Size of a random private exponent: 128 bytes (1024 bits), as Cognito's reference clients use.
const PRIVATE_VALUE_BYTES: usize = 128;

/// Standard Base64 that also accepts missing padding and stray low bits, for `SECRET_BLOCK`.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// A secret non-negative integer whose digits are overwritten with zeros on drop.
pub(super) struct SecretUint(BigUint);

impl SecretUint {
    pub(super) fn new(value: BigUint) -> Self {
        Self(value)
    }

    /// Draws a fresh random private exponent of [`PRIVATE_VALUE_BYTES`] bytes.
    pub(super) fn random_private_value() -> Self {
        let mut bytes = Zeroizing::new([0u8; PRIVATE_VALUE_BYTES]);
        rand::rng().fill_bytes(bytes.as_mut());
        Self(BigUint::from_bytes_be(bytes.as_ref()))
    }
}

impl Deref for SecretUint {
    type Target = BigUint;

    fn deref(&self) -> &BigUint {
        &self.0
    }
}

impl Drop for SecretUint {
    fn drop(&mut self) {
        // Clearing from the lowest bit up zeroes every digit in place. Only clearing the top
        // digit shrinks the buffer, and by then all digits below it are already zero.
        for bit in 0..self.0.bits() {
            self.0.set_bit(bit, false);
        }
    }
}

/// A private exponent and its public value `g^e mod N`: (a, A) on the client, (b, g^b) inside
/// B on the server.
pub(super) struct EphemeralKey {
    pub(super) private: SecretUint,
    pub(super) public: BigUint,
}

impl EphemeralKey {
    /// Uses `private`, or a fresh random value when it is `None`.
    pub(super) fn new(private: Option<BigUint>) -> Result<Self, SrpError> {
        let private = match private {
            Some(value) => SecretUint::new(value),
            None => SecretUint::random_private_value(),
        };
        if private.is_zero() {
            return Err(SrpError::InvalidPrivateValue);
        }

        let public = generator().modpow(&private, modulus());
        Ok(Self { private, public })
    }
}

/// Computes the scrambling parameter u = H(padHex(A) ‖ padHex(B)); Cognito does not pad A and B
/// to the length of N as RFC 5054 does.
pub(super) fn scrambler(srp_a: &BigInt, srp_b: &BigInt) -> Result<BigUint, SrpError> {
    let digest = sha256(&[&padded_bytes(srp_a), &padded_bytes(srp_b)]);
    let u = BigUint::from_bytes_be(&digest);
    if u.is_zero() {
        return Err(SrpError::ZeroScrambler);
    }
    Ok(u)
}

/// Computes x = H(padHex(salt) ‖ H(realm ‖ user ‖ ":" ‖ password)), with the password bytes
/// exactly as typed (UTF-8, no normalization).
pub(super) fn private_key(identity: SrpIdentity<'_>, password: &str, salt: &BigInt) -> SecretUint {
    let (realm, user) = identity.parts();
    let inner = Zeroizing::new(sha256(&[
        realm.as_bytes(),
        user.as_bytes(),
        b":",
        password.as_bytes(),
    ]));

    let outer = Zeroizing::new(sha256(&[&padded_bytes(salt), inner.as_ref()]));
    SecretUint::new(BigUint::from_bytes_be(outer.as_ref()))
}

/// Computes the password verifier v = g^x mod N.
pub(super) fn verifier(x: &SecretUint) -> BigUint {
    generator().modpow(x, modulus())
}

/// Computes the client's premaster secret S = (B − k·g^x)^(a + u·x) mod N.
///
/// `srp_b` must already be reduced into [1, N). The base is kept in [0, N) by adding N before
/// subtracting, which equals the floored modulo that Cognito's clients apply.
pub(super) fn client_premaster_secret(
    key: &EphemeralKey,
    srp_b: &BigUint,
    u: &BigUint,
    x: &SecretUint,
) -> SecretUint {
    let n = modulus();
    let g_x = SecretUint::new(verifier(x));
    let k_v = SecretUint::new((multiplier() * &*g_x) % n);
    let base = SecretUint::new(((srp_b + n) - &*k_v) % n);
    let exponent = SecretUint::new(&*key.private + u * &**x);
    SecretUint::new(base.modpow(&exponent, n))
}

/// Computes the server's premaster secret S = (A · v^u)^b mod N.
pub(super) fn server_premaster_secret(
    key: &EphemeralKey,
    srp_a: &BigUint,
    verifier: &BigUint,
    u: &BigUint,
) -> SecretUint {
    let n = modulus();
    let base = SecretUint::new((srp_a * verifier.modpow(u, n)) % n);
    SecretUint::new(base.modpow(&key.private, n))
}

/// Derives the 16-byte session key: HKDF-SHA256 (RFC 5869) with salt = padHex(u),
/// IKM = padHex(S), info = "Caldera Derived Key" and L = 16.
///
/// L is below the hash length, so the expand step is the single block T(1).
pub(super) fn session_key(u: &BigUint, premaster_secret: &SecretUint) -> Zeroizing<[u8; 16]> {
    let salt = hmac::Key::new(hmac::HMAC_SHA256, &padded_bytes_unsigned(u));
    let ikm = Zeroizing::new(padded_bytes_unsigned(premaster_secret));
    let prk = hmac::sign(&salt, &ikm);

    let prk_key = hmac::Key::new(hmac::HMAC_SHA256, prk.as_ref());
    let mut expand = hmac::Context::with_key(&prk_key);
    expand.update(KEY_INFO);
    expand.update(&[1]);
    let okm = expand.sign();

    let mut key = Zeroizing::new([0u8; 16]);
    key.copy_from_slice(&okm.as_ref()[..16]);
    key
}

/// Builds the message a password claim signs: realm ‖ user ‖ secret block ‖ timestamp.
pub(super) fn claim_message(
    identity: SrpIdentity<'_>,
    secret_block: &[u8],
    timestamp: &str,
) -> Vec<u8> {
    let (realm, user) = identity.parts();
    [
        realm.as_bytes(),
        user.as_bytes(),
        secret_block,
        timestamp.as_bytes(),
    ]
    .concat()
}

/// Computes `PASSWORD_CLAIM_SIGNATURE`: standard Base64 of HMAC-SHA256(key, [`claim_message`]).
pub(super) fn claim_signature(
    key: &[u8; 16],
    identity: SrpIdentity<'_>,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let tag = hmac::sign(&key, &claim_message(identity, secret_block, timestamp));
    STANDARD.encode(tag)
}

/// Decodes `SECRET_BLOCK` as Cognito's reference client does: standard or URL-safe alphabet,
/// padding optional. Emulators send a dashed UUID here, which decodes once `-` maps to `+`.
pub(super) fn decode_secret_block(text: &str) -> Result<Vec<u8>, SrpError> {
    let normalized: String = text
        .chars()
        .map(|character| match character {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    LENIENT_BASE64
        .decode(normalized)
        .map_err(|_| SrpError::InvalidBase64("SECRET_BLOCK"))
}

/// Runs the client side of one password claim: from the challenge values to the signature.
pub(super) fn client_claim_signature(
    key: &EphemeralKey,
    identity: SrpIdentity<'_>,
    password: &str,
    values: &ChallengeValues,
    timestamp: &str,
) -> Result<String, SrpError> {
    let srp_b = reduce(&values.srp_b);
    if srp_b.is_zero() {
        return Err(SrpError::IllegalSrpB);
    }
    let u = scrambler(&BigInt::from(key.public.clone()), &values.srp_b)?;

    let x = private_key(identity, password, &values.salt);
    let premaster_secret = client_premaster_secret(key, &srp_b, &u, &x);
    let session_key = session_key(&u, &premaster_secret);

    Ok(claim_signature(
        &session_key,
        identity,
        &values.secret_block,
        timestamp,
    ))
}

/// The parsed numeric and binary values of a `PASSWORD_VERIFIER` or `DEVICE_PASSWORD_VERIFIER`
/// challenge.
pub(super) struct ChallengeValues {
    pub(super) srp_b: BigInt,
    pub(super) salt: BigInt,
    pub(super) secret_block: Vec<u8>,
}

impl ChallengeValues {
    pub(super) fn parse(srp_b: &str, salt: &str, secret_block: &str) -> Result<Self, SrpError> {
        Ok(Self {
            srp_b: super::group::parse_server_hex("SRP_B", srp_b)?,
            salt: super::group::parse_server_hex("SALT", salt)?,
            secret_block: decode_secret_block(secret_block)?,
        })
    }
}
