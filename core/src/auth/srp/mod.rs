//! Cognito's SRP-6a variant: the client math of `USER_SRP_AUTH` (`PASSWORD_VERIFIER`) and of
//! remembered devices (`DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`, `ConfirmDevice`).
//!
//! Cognito's SRP is defined by its reference clients, not by RFC 5054: g = 2 with the 3072-bit
//! prime, k and u hash Java-style two's complement bytes without padding to the length of N, x
//! mixes in the pool name, and the session key comes from HKDF with the info
//! `"Caldera Derived Key"`. Generic SRP crates therefore cannot talk to Cognito, and this module
//! implements the formulas itself.
//!
//! The module is pure: no HTTP and no wall clock. The caller injects the private value `a` (or
//! lets it be drawn at random) and the `TIMESTAMP` string, so published vectors run as tests.
//! Passwords are hashed exactly as typed, with no Unicode normalization, because Cognito does
//! not normalize either. [`server`] contains the other side of the exchange for tests and
//! in-process fakes.

mod client;
mod device;
mod group;
mod math;
pub mod server;
mod timestamp;

#[cfg(test)]
mod vector_tests;

pub use client::{
    PasswordVerifierChallenge, PasswordVerifierResponse, SrpClient, pool_name_from_user_pool_id,
    secret_hash,
};
pub use device::{
    DevicePasswordVerifierChallenge, DeviceSecret, DeviceSecretVerifierConfig, DeviceSrpClient,
};
pub use group::{generator, modulus, multiplier, pad_hex, padded_bytes, parse_server_hex};
/// The big-integer types of this API, re-exported so callers need no direct dependency.
pub use num_bigint::{BigInt, BigUint};
pub use timestamp::{format_timestamp, parse_timestamp};

/// The identity a password claim is made for. Its two strings go into x and into the signed
/// message.
///
/// Cognito's reference client runs the device flow through the same code with the device group
/// key in place of the pool name and the device key in place of the user id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrpIdentity<'a> {
    /// A user of the pool: `poolName ‖ USER_ID_FOR_SRP`.
    User {
        /// The part of the user pool id after the first `_`.
        pool_name: &'a str,
        /// `USER_ID_FOR_SRP` from the challenge, Cognito's internal username.
        user_id_for_srp: &'a str,
    },
    /// A remembered device: `DeviceGroupKey ‖ DeviceKey`.
    Device {
        /// `DeviceGroupKey` from `NewDeviceMetadata`.
        device_group_key: &'a str,
        /// `DeviceKey` from `NewDeviceMetadata`.
        device_key: &'a str,
    },
}

impl<'a> SrpIdentity<'a> {
    /// Returns the two strings that precede `":" ‖ password` in x.
    fn parts(self) -> (&'a str, &'a str) {
        match self {
            Self::User {
                pool_name,
                user_id_for_srp,
            } => (pool_name, user_id_for_srp),
            Self::Device {
                device_group_key,
                device_key,
            } => (device_group_key, device_key),
        }
    }
}

/// An SRP input that cannot be used, or a password claim that does not verify.
///
/// Messages name the parameter at fault but never contain passwords, keys or signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    /// The user pool id has no `_` between region and pool name.
    #[error(
        "invalid user pool id {0:?}: expected `<region>_<pool name>`, for example `us-east-1_AbC123`"
    )]
    InvalidUserPoolId(String),

    /// A challenge parameter the step needs is absent.
    #[error("missing challenge parameter {0}; restart sign-in")]
    MissingChallengeParameter(&'static str),

    /// A hex parameter (`SRP_B`, `SALT`, `SRP_A`) is not a hex integer.
    #[error("invalid {parameter}: {reason}")]
    InvalidHex {
        /// The parameter name as Cognito spells it.
        parameter: &'static str,
        /// The reason the value is invalid.
        reason: &'static str,
    },

    /// A Base64 parameter (`SECRET_BLOCK`, `PasswordVerifier`, …) does not decode.
    #[error("invalid {0}: not Base64")]
    InvalidBase64(&'static str),

    /// The injected private value is 0, which would make the public value 1.
    #[error("invalid SRP private value: must not be 0")]
    InvalidPrivateValue,

    /// B mod N is 0: the exchange would reveal nothing about the password, so it is aborted.
    #[error("invalid SRP_B: B mod N is 0; restart sign-in with a new SRP_A")]
    IllegalSrpB,

    /// A mod N is 0 (server side): the client is broken or hostile.
    #[error("invalid SRP_A: A mod N is 0")]
    IllegalSrpA,

    /// u = H(padHex(A) ‖ padHex(B)) is 0, which SRP-6a forbids.
    #[error("invalid SRP exchange: u = H(A, B) is 0; restart sign-in with a new SRP_A")]
    ZeroScrambler,

    /// The `TIMESTAMP` is not `EEE MMM d HH:mm:ss UTC yyyy` for a real instant (server side).
    #[error(
        "invalid TIMESTAMP: expected English `EEE MMM d HH:mm:ss UTC yyyy` without a padded day, \
         for example `Mon Feb 10 18:30:12 UTC 2025`"
    )]
    InvalidTimestamp,

    /// The `PASSWORD_CLAIM_SIGNATURE` does not match (server side).
    #[error("PASSWORD_CLAIM_SIGNATURE does not match: wrong password or altered challenge")]
    SignatureMismatch,
}
