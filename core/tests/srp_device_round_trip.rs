//! Remembered devices against `srp::server`: `ConfirmDevice` registration, then the
//! `DEVICE_PASSWORD_VERIFIER` exchange.

use walkout_core::auth::srp::server::{ServerSession, VerifierRecord};
use walkout_core::auth::srp::{
    DevicePasswordVerifierChallenge, DeviceSecret, DeviceSrpClient, SrpError, SrpIdentity,
};

const USER_ID: &str = "8c1f5a2e-3b7d-4e0a-9f6c-2d4b8e1a7c3f";
const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGZyb20gdGhlIGZha2U=";
const TIMESTAMP: &str = "Sat Jan 1 00:00:00 UTC 2022";

/// Confirms a new device with the server, then signs in with it.
fn device_sign_in(typed_password: Option<&str>) -> Result<(), SrpError> {
    let group_key = "-Xy1Zab2C";
    let device_key = "eu-west-2_0b8d7c6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e";
    let secret = DeviceSecret::generate(group_key, device_key);
    let record = VerifierRecord::from_device_config(&secret.config)?;
    let server = ServerSession::new(record, None)?;
    let identity = SrpIdentity::Device {
        device_group_key: group_key,
        device_key,
    };

    let client = DeviceSrpClient::new(group_key, device_key, None)?;
    let srp_a = client.srp_a_hex();
    let challenge = DevicePasswordVerifierChallenge {
        salt: server.salt_hex(),
        srp_b: server.srp_b_hex(),
        secret_block: SECRET_BLOCK.to_owned(),
        username: USER_ID.to_owned(),
    };
    let password = typed_password.unwrap_or(&secret.device_password);
    let response = client.device_password_verifier_response(&challenge, password, TIMESTAMP)?;

    assert_eq!(response.device_key.as_deref(), Some(device_key));
    server.verify_password_claim(
        identity,
        &srp_a,
        &response.password_claim_secret_block,
        &response.timestamp,
        &response.password_claim_signature,
    )
}

#[test]
fn device_round_trip_verifies() {
    // Random salts and verifiers: repeat so a top-bit-set salt is almost surely among them.
    for attempt in 0..16 {
        assert_eq!(device_sign_in(None), Ok(()), "attempt {attempt}");
    }
}

#[test]
fn device_wrong_password_is_rejected() {
    assert_eq!(
        device_sign_in(Some("bm90IHRoZSBkZXZpY2UgcGFzc3dvcmQ=")),
        Err(SrpError::SignatureMismatch)
    );
}

#[test]
fn device_secret_has_expected_shape() {
    let secret = DeviceSecret::generate("group", "device");

    assert_eq!(secret.device_password.len(), 56, "Base64 of 40 bytes");
    assert!(!format!("{secret:?}").contains(secret.device_password.as_str()));
}

#[test]
fn device_salt_is_never_negative_for_cognito() {
    for _ in 0..32 {
        let secret = DeviceSecret::generate("group", "device");
        let record = VerifierRecord::from_device_config(&secret.config).unwrap();
        assert!(!record.salt_hex().starts_with('-'), "{}", record.salt_hex());
    }
}
