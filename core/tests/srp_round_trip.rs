//! The user client against `srp::server`: the full exchange, the inputs that must fail, and the
//! server values that must be rejected.

use std::collections::HashMap;

use num_bigint::{BigInt, BigUint};
use walkout_core::auth::srp::server::{ServerSession, VerifierRecord};
use walkout_core::auth::srp::{
    PasswordVerifierChallenge, PasswordVerifierResponse, SrpClient, SrpError, SrpIdentity,
    format_timestamp, modulus, secret_hash,
};

const POOL_ID: &str = "eu-west-2_Walkout1";
const POOL_NAME: &str = "Walkout1";
const USER_ID: &str = "8c1f5a2e-3b7d-4e0a-9f6c-2d4b8e1a7c3f";
const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2NrIGZyb20gdGhlIGZha2U=";
const TIMESTAMP: &str = "Sat Jan 1 00:00:00 UTC 2022";

fn user_identity() -> SrpIdentity<'static> {
    SrpIdentity::User {
        pool_name: POOL_NAME,
        user_id_for_srp: USER_ID,
    }
}

fn salt() -> BigInt {
    BigInt::from_signed_bytes_be(&[0x3a; 16])
}

fn challenge_for(server: &ServerSession) -> PasswordVerifierChallenge {
    PasswordVerifierChallenge {
        salt: server.salt_hex(),
        srp_b: server.srp_b_hex(),
        secret_block: SECRET_BLOCK.to_owned(),
        user_id_for_srp: USER_ID.to_owned(),
        username: Some(USER_ID.to_owned()),
    }
}

/// Registers `registered` with the server, signs in with `typed`, and returns the server's
/// verdict on the claim.
fn sign_in(registered: &str, typed: &str, salt: BigInt) -> Result<(), SrpError> {
    let record = VerifierRecord::new(user_identity(), registered, salt);
    let server = ServerSession::new(record, None)?;
    let client = SrpClient::new(POOL_ID, None)?;
    let srp_a = client.srp_a_hex();

    let response = client.password_verifier_response(&challenge_for(&server), typed, TIMESTAMP)?;

    server.verify_password_claim(
        user_identity(),
        &srp_a,
        &response.password_claim_secret_block,
        &response.timestamp,
        &response.password_claim_signature,
    )
}

#[test]
fn passwords_of_every_kind_verify() {
    let passwords = [
        ("ascii", "correct horse battery staple"),
        ("symbols", "P@ss:w0rd!#$%^&*()_+-=[]{}|;'\",.<>/?`~\\"),
        ("spaces at both ends", "  padded password  "),
        ("non-ASCII letters", "Grüße-Ĳssel-Ålesund-Łódź"),
        ("non-Latin scripts", "пароль密码パスワード"),
        ("emoji", "🛒🚶‍♀️💳 walk out"),
        ("single character", "x"),
        ("empty", ""),
    ];
    for (name, password) in passwords {
        assert_eq!(sign_in(password, password, salt()), Ok(()), "{name}");
    }
}

#[test]
fn wrong_password_is_rejected() {
    let result = sign_in("correct horse", "correct horsf", salt());

    assert_eq!(result, Err(SrpError::SignatureMismatch));
}

#[test]
fn password_is_not_normalized() {
    let nfc = "Caf\u{e9}-Gr\u{fc}\u{df}e";
    let nfd = "Cafe\u{301}-Gru\u{308}\u{df}e";

    assert_eq!(sign_in(nfc, nfc, salt()), Ok(()));
    assert_eq!(sign_in(nfc, nfd, salt()), Err(SrpError::SignatureMismatch));
}

#[test]
fn password_case_and_whitespace_matter() {
    assert_eq!(
        sign_in("Secret1", "secret1", salt()),
        Err(SrpError::SignatureMismatch)
    );
    assert_eq!(
        sign_in("Secret1", "Secret1 ", salt()),
        Err(SrpError::SignatureMismatch)
    );
}

#[test]
fn salts_of_every_shape_verify() {
    let salts = [
        (
            "top bit set",
            BigInt::from_signed_bytes_be(&[0x00, 0xc8, 0x01, 0x02]),
        ),
        (
            "negative, as Java echoes it",
            BigInt::from_signed_bytes_be(&[0xc8, 0x01, 0x02]),
        ),
        ("odd hex length", BigInt::from(0x0abcu32)),
        (
            "leading zero nibble",
            BigInt::from_signed_bytes_be(&[0x0f; 16]),
        ),
        ("zero", BigInt::from(0u8)),
    ];
    for (name, salt) in salts {
        assert_eq!(sign_in("hunter2", "hunter2", salt), Ok(()), "{name}");
    }
}

#[test]
fn negative_salt_is_sent_with_minus_sign() {
    let record = VerifierRecord::new(
        user_identity(),
        "pw",
        BigInt::from_signed_bytes_be(&[0xc8, 0x01]),
    );

    assert_eq!(record.salt_hex(), "-37ff");
}

#[test]
fn claim_for_other_user_is_rejected() {
    let record = VerifierRecord::new(user_identity(), "pw", salt());
    let server = ServerSession::new(record, None).unwrap();
    let client = SrpClient::new(POOL_ID, None).unwrap();
    let srp_a = client.srp_a_hex();
    let mut challenge = challenge_for(&server);
    challenge.user_id_for_srp = "someone-else".to_owned();

    let response = client
        .password_verifier_response(&challenge, "pw", TIMESTAMP)
        .unwrap();
    let result = server.verify_password_claim(
        user_identity(),
        &srp_a,
        &response.password_claim_secret_block,
        &response.timestamp,
        &response.password_claim_signature,
    );

    assert_eq!(result, Err(SrpError::SignatureMismatch));
}

/// Runs one good exchange and returns what the server needs to check variations of it.
fn good_exchange() -> (ServerSession, String, PasswordVerifierResponse) {
    let record = VerifierRecord::new(user_identity(), "pw", salt());
    let server = ServerSession::new(record, None).unwrap();
    let client = SrpClient::new(POOL_ID, None).unwrap();
    let srp_a = client.srp_a_hex();
    let response = client
        .password_verifier_response(&challenge_for(&server), "pw", TIMESTAMP)
        .unwrap();
    (server, srp_a, response)
}

#[test]
fn altered_claim_fields_are_rejected() {
    let (server, srp_a, response) = good_exchange();
    let other_block = "b3RoZXIgYmxvY2s=";
    let other_time = "Sun Jan 2 00:00:00 UTC 2022";
    let signature = response.password_claim_signature.as_str();

    let cases = [
        ("other secret block", other_block, TIMESTAMP),
        ("other timestamp", SECRET_BLOCK, other_time),
    ];
    for (name, block, timestamp) in cases {
        let result =
            server.verify_password_claim(user_identity(), &srp_a, block, timestamp, signature);
        assert_eq!(result, Err(SrpError::SignatureMismatch), "{name}");
    }
}

#[test]
fn padded_day_timestamp_is_rejected_by_server() {
    let record = VerifierRecord::new(user_identity(), "pw", salt());
    let server = ServerSession::new(record, None).unwrap();
    let client = SrpClient::new(POOL_ID, None).unwrap();
    let srp_a = client.srp_a_hex();
    let padded = "Sat Jan 01 00:00:00 UTC 2022";

    let response = client
        .password_verifier_response(&challenge_for(&server), "pw", padded)
        .unwrap();
    let result = server.verify_password_claim(
        user_identity(),
        &srp_a,
        &response.password_claim_secret_block,
        &response.timestamp,
        &response.password_claim_signature,
    );

    assert_eq!(result, Err(SrpError::InvalidTimestamp));
}

#[test]
fn server_rejects_zero_srp_a() {
    let (server, _, response) = good_exchange();
    let n_hex = modulus().to_str_radix(16);

    for srp_a in ["0", "00", n_hex.as_str()] {
        let result = server.verify_password_claim(
            user_identity(),
            srp_a,
            &response.password_claim_secret_block,
            &response.timestamp,
            &response.password_claim_signature,
        );
        assert_eq!(
            result,
            Err(SrpError::IllegalSrpA),
            "SRP_A {}…",
            &srp_a[..2.min(srp_a.len())]
        );
    }
}

#[test]
fn client_rejects_srp_b_of_zero_mod_n() {
    let n = modulus();
    let cases = [
        ("zero", "0".to_owned()),
        ("N", n.to_str_radix(16)),
        ("2N", (n * 2u8).to_str_radix(16)),
        ("minus N", format!("-{}", n.to_str_radix(16))),
    ];
    for (name, srp_b) in cases {
        let client = SrpClient::new(POOL_ID, None).unwrap();
        let challenge = PasswordVerifierChallenge {
            salt: "3a".to_owned(),
            srp_b,
            secret_block: SECRET_BLOCK.to_owned(),
            user_id_for_srp: USER_ID.to_owned(),
            username: None,
        };
        let result = client.password_verifier_response(&challenge, "pw", TIMESTAMP);
        assert_eq!(result, Err(SrpError::IllegalSrpB), "{name}");
    }
}

#[test]
fn client_rejects_malformed_challenge_values() {
    let base = PasswordVerifierChallenge {
        salt: "3a".to_owned(),
        srp_b: "1234".to_owned(),
        secret_block: SECRET_BLOCK.to_owned(),
        user_id_for_srp: USER_ID.to_owned(),
        username: None,
    };
    let cases = [
        (
            "SRP_B",
            PasswordVerifierChallenge {
                srp_b: "xyz".into(),
                ..base.clone()
            },
        ),
        (
            "SALT",
            PasswordVerifierChallenge {
                salt: String::new(),
                ..base.clone()
            },
        ),
        (
            "SECRET_BLOCK",
            PasswordVerifierChallenge {
                secret_block: "***".into(),
                ..base.clone()
            },
        ),
    ];
    for (parameter, challenge) in cases {
        let client = SrpClient::new(POOL_ID, None).unwrap();
        let error = client
            .password_verifier_response(&challenge, "pw", TIMESTAMP)
            .unwrap_err();
        assert_eq!(invalid_parameter(&error), Some(parameter), "{error}");
    }
}

fn invalid_parameter(error: &SrpError) -> Option<&'static str> {
    match error {
        SrpError::InvalidHex { parameter, .. } => Some(parameter),
        SrpError::InvalidBase64(parameter) => Some(parameter),
        _ => None,
    }
}

#[test]
fn zero_private_value_is_rejected() {
    let result = SrpClient::new(POOL_ID, Some(BigUint::from(0u8)));

    assert!(matches!(result, Err(SrpError::InvalidPrivateValue)));
}

#[test]
fn fresh_clients_draw_different_srp_a() {
    let first = SrpClient::new(POOL_ID, None).unwrap().srp_a_hex();
    let second = SrpClient::new(POOL_ID, None).unwrap().srp_a_hex();

    assert_ne!(first, second);
}

#[test]
fn challenge_parameters_are_read_from_map() {
    let parameters = HashMap::from([
        ("SALT".to_owned(), "3a".to_owned()),
        ("SRP_B".to_owned(), "1234".to_owned()),
        ("SECRET_BLOCK".to_owned(), SECRET_BLOCK.to_owned()),
        ("USER_ID_FOR_SRP".to_owned(), USER_ID.to_owned()),
        ("USERNAME".to_owned(), "shopper@example.com".to_owned()),
    ]);

    let challenge = PasswordVerifierChallenge::from_challenge_parameters(&parameters).unwrap();

    assert_eq!(challenge.user_id_for_srp, USER_ID);
    assert_eq!(challenge.username.as_deref(), Some("shopper@example.com"));
}

#[test]
fn missing_challenge_parameter_is_named() {
    let parameters = HashMap::from([("SALT".to_owned(), "3a".to_owned())]);

    let result = PasswordVerifierChallenge::from_challenge_parameters(&parameters);

    assert_eq!(result, Err(SrpError::MissingChallengeParameter("SRP_B")));
}

#[test]
fn response_carries_cognito_parameter_names() {
    let record = VerifierRecord::new(user_identity(), "pw", salt());
    let server = ServerSession::new(record, None).unwrap();
    let client = SrpClient::new(POOL_ID, None)
        .unwrap()
        .with_client_secret("client-id", "client-secret");
    let mut challenge = challenge_for(&server);
    challenge.username = None;

    let response = client
        .password_verifier_response(&challenge, "pw", TIMESTAMP)
        .unwrap();
    let map = response.challenge_responses();

    let keys: Vec<&str> = map.keys().copied().collect();
    assert_eq!(
        keys,
        [
            "PASSWORD_CLAIM_SECRET_BLOCK",
            "PASSWORD_CLAIM_SIGNATURE",
            "SECRET_HASH",
            "TIMESTAMP",
            "USERNAME"
        ]
    );
    assert_eq!(
        map["USERNAME"], USER_ID,
        "USERNAME falls back to USER_ID_FOR_SRP"
    );
    assert_eq!(map["PASSWORD_CLAIM_SECRET_BLOCK"], SECRET_BLOCK);
    assert_eq!(
        map["SECRET_HASH"],
        secret_hash("client-id", "client-secret", USER_ID)
    );
}

#[test]
fn response_debug_hides_signature() {
    let (_, _, response) = good_exchange();

    let debug = format!("{response:?}");

    assert!(
        !debug.contains(&response.password_claim_signature),
        "{debug}"
    );
}

#[test]
fn timestamp_helper_feeds_a_valid_claim() {
    let record = VerifierRecord::new(user_identity(), "pw", salt());
    let server = ServerSession::new(record, None).unwrap();
    let client = SrpClient::new(POOL_ID, None).unwrap();
    let srp_a = client.srp_a_hex();
    let timestamp = format_timestamp(1_756_684_800);

    let response = client
        .password_verifier_response(&challenge_for(&server), "pw", &timestamp)
        .unwrap();
    let result = server.verify_password_claim(
        user_identity(),
        &srp_a,
        &response.password_claim_secret_block,
        &response.timestamp,
        &response.password_claim_signature,
    );

    assert_eq!(result, Ok(()));
}
