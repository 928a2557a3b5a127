//! Published Cognito SRP vectors, reproduced through the public API.
//!
//! The user and device vectors come from the tests of the `aws-cognito-srp` crate (a = 128 bytes
//! of 0x01, fixed B, SALT, SECRET_BLOCK and TIMESTAMP), and the SECRET_HASH vector from the tests
//! of cognito-srp-helper. The padHex table is the output of Java's `BigInteger.toByteArray()`.

use num_bigint::{BigInt, BigUint};
use walkout_core::auth::srp::{
    DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig, DeviceSrpClient,
    PasswordVerifierChallenge, SrpClient, SrpError, pad_hex, parse_server_hex,
    pool_name_from_user_pool_id, secret_hash,
};

const POOL_ID: &str = "us-west-2_abc";
const SRP_B: &str = "36ef01c6dde9fe503da333b1acc758ba";
const SALT: &str = "36ef01c6dde9fe503da333b1acc758ba";
const SECRET_BLOCK: &str = "9ae77ec7154c14dcc487b47707fee4b4920cb96d8a8c045e4c8df879a7b375524aa736acdec6c9ad4ea606774d00621b";
const TIMESTAMP: &str = "Mon Feb 10 18:30:12 UTC 2025";

const SRP_A: &str = "b1ce118779e27c1c015d7a226ecae2ea1fcd017049e4f5c6f9908c686d496dce12a1c017a7523d43e2f3a6bb7e75e266bab0471e0720030edb64d8b5aef428356bc72198d41d319cf36eb0c4b4063fb99f90bc3b25b0d1196f84836bc05be0dfe1e6d1e21ba4c77098f6e6119127981395b0f4da67e26f63ecbfb2ded5d9c091c9850c08f0c372e5101df27967250254d6748a75c9be2f59324d31241f950d79224af0d5ff1c169af541b04a063bd0d4f79216a9da1e1874bc041b97ca2d456310f0b29f3644eca4d0e0c21660cbc5774a7319746bf53024a3bbb9c1251002854d1e6fac951d3a160771cdaf681a95e8cd51eb0630c825cd6227f22edefd35b3789df41dfca6cbd4d90e90ec7e38d3cbdf2b5f3534b016267f6a42190690d4225131811c6ea3b8265cff2fc44497887995eb95357747c3db40dab7199af3b9cbaba28a75d800d809421c5da1b0a24ec3120b3738750dcd42a61d1e9d272118ec2e6db632c241ab33558502dc9bbac1f4a34b3243082b89dcc0620a626d83a483";

const DEVICE_VERIFIER: &str = "MlDC+806aWjrGBiwORRZRArlVzQm2cOadTDuNvXjLR2FVXmNw2aLKzYdBSLtUhVUs2FHx3JGcRLxH8QR0+HYaMgNCysSaPaA+ornRiQLD/I1K5rJpf6WeAMv7R6wr+Nq6+TCun72ime0UZd/CJSlO2JQ4Jdq55VuvZpBAZAhyEWDGmNQRe11WbxuO8tNSnsqSnUxn9+RYq+gXOAjdjv1Nn5zvFHTipZyOfUCYDoXtcjfbdkgzDwujTyb7TKeUvqc98/CJoa5b34ukLURIOvVXVYnXCaU4ArYZaI/zNtEdKQqA44kW+ZJSWliFG9nm/H8T8a6rIdwims9PZDau4Xm9968LqDdOB0bKOY8TyeL8merbkf0GPGculp9twCBKwVDcz10JRipDqFiU5byYeBPSj2ucX5TX+dcBhbMqjXXhQNPL1fmd14n2VmmLLSAJm8Tss+h3eqMBsSc4UkzHlyX6MeqsqmEegFGTrmGoyID3LORfk0hzFCjIpHJL6u+WCm1";

/// Returns the private value of every vector: 128 bytes of 0x01.
fn vector_a() -> Option<BigUint> {
    Some(BigUint::from_bytes_be(&[1u8; 128]))
}

fn user_challenge(srp_b: &str, salt: &str) -> PasswordVerifierChallenge {
    PasswordVerifierChallenge {
        salt: salt.to_owned(),
        srp_b: srp_b.to_owned(),
        secret_block: SECRET_BLOCK.to_owned(),
        user_id_for_srp: "user_id".to_owned(),
        username: None,
    }
}

fn device_challenge(srp_b: &str, salt: &str) -> DevicePasswordVerifierChallenge {
    DevicePasswordVerifierChallenge {
        salt: salt.to_owned(),
        srp_b: srp_b.to_owned(),
        secret_block: SECRET_BLOCK.to_owned(),
        username: "user_id".to_owned(),
    }
}

fn user_signature(srp_b: &str, salt: &str) -> String {
    let client = SrpClient::new(POOL_ID, vector_a()).unwrap();
    let response = client
        .password_verifier_response(&user_challenge(srp_b, salt), "password", TIMESTAMP)
        .unwrap();
    response.password_claim_signature
}

fn device_signature(srp_b: &str, salt: &str) -> String {
    let client =
        DeviceSrpClient::new("mock-device-group-key", "mock-device-key", vector_a()).unwrap();
    let response = client
        .device_password_verifier_response(&device_challenge(srp_b, salt), "password", TIMESTAMP)
        .unwrap();
    response.password_claim_signature
}

#[test]
fn user_srp_a_matches_vector() {
    let client = SrpClient::new(POOL_ID, vector_a()).unwrap();

    assert_eq!(client.srp_a_hex(), SRP_A);
}

#[test]
fn user_signature_matches_vector() {
    assert_eq!(
        user_signature(SRP_B, SALT),
        "apNSb5GZpJciVc6cVNkDf4elCMoWUZcH4aukLlMPiFA="
    );
}

#[test]
fn user_signature_matches_odd_length_vector() {
    assert_eq!(
        user_signature("36ef01c", "36ef01c"),
        "bVzjSe43mY37A6ZuzEVU5cr6QY1WeV3BPfdVJo0c2/8="
    );
}

#[test]
fn device_srp_a_matches_vector() {
    let client =
        DeviceSrpClient::new("mock-device-group-key", "mock-device-key", vector_a()).unwrap();

    assert_eq!(client.srp_a_hex(), SRP_A);
}

#[test]
fn device_signature_matches_vector() {
    assert_eq!(
        device_signature(SRP_B, SALT),
        "O9uSej4H1B4or3Zc7Q4+KxuSvOaEfuq2a7Ye4d16fmo="
    );
}

#[test]
fn device_signature_matches_odd_length_vector() {
    assert_eq!(
        device_signature("36ef01c", "36ef01c"),
        "eXYI/hzMa/5YWYSk1NFcDMOOBAOg+juflcjl38+xx4I="
    );
}

#[test]
fn device_verifier_matches_vector() {
    // The vector's salt is the ASCII text "0101…01" (32 bytes) taken as an integer.
    let salt = BigUint::from_bytes_be("01".repeat(16).as_bytes());
    let device_password = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==";

    let config = DeviceSecretVerifierConfig::new(
        "mock-device-group-key",
        "mock-device-key",
        device_password,
        &salt,
    );

    assert_eq!(config.salt, "MDEwMTAxMDEwMTAxMDEwMTAxMDEwMTAxMDEwMTAxMDE=");
    assert_eq!(config.password_verifier, DEVICE_VERIFIER);
}

#[test]
fn secret_hash_matches_vector() {
    let hash = secret_hash(
        "18u8119jgbpr464n28s1itk2mq",
        "ps50nb7hd1umdnmlt1xa9nwiscqvdvzy5ijw63vcacd09yihc2b",
        "a2c2e290-6d0f-4a08-a5ca-f0162935f3a6",
    );

    assert_eq!(hash, "QW3YkSgjkc9VNMtbTkuQflK54A6+9GS8ZiRDj0mSvPI=");
}

#[test]
fn pad_hex_matches_java_table() {
    let cases: [(i64, &str); 11] = [
        (-256, "ff00"),
        (-129, "ff7f"),
        (-128, "80"),
        (-1, "ff"),
        (0, "00"),
        (1, "01"),
        (127, "7f"),
        (128, "0080"),
        (200, "00c8"),
        (255, "00ff"),
        (256, "0100"),
    ];
    for (value, expected) in cases {
        assert_eq!(pad_hex(&BigInt::from(value)), expected, "padHex({value})");
    }
}

#[test]
fn server_hex_parses_leniently() {
    let cases: [(&str, &str, &str); 7] = [
        ("odd length", "36ef01c", "036ef01c"),
        ("single digit", "a", "0a"),
        ("high bit set", "80", "0080"),
        ("high bit odd length", "8ab", "08ab"),
        ("upper case", "FF", "00ff"),
        ("leading minus", "-80", "80"),
        ("leading minus two bytes", "-81", "ff7f"),
    ];
    for (name, text, expected) in cases {
        let value = parse_server_hex("SALT", text).unwrap();
        assert_eq!(pad_hex(&value), expected, "{name}");
    }
}

#[test]
fn negative_salt_restores_original_bytes() {
    // A device salt sent as 0xc8 0x01 without its 00 byte comes back from Java as "-37ff".
    let value = parse_server_hex("SALT", "-37ff").unwrap();

    assert_eq!(pad_hex(&value), "c801");
}

#[test]
fn server_hex_rejects_malformed_values() {
    let cases: [(&str, &str); 6] = [
        ("empty", ""),
        ("only minus", "-"),
        ("not hex", "12g4"),
        ("plus sign", "+12"),
        ("space", "12 34"),
        ("underscore", "12_34"),
    ];
    for (name, text) in cases {
        let result = parse_server_hex("SRP_B", text);
        assert!(
            matches!(
                result,
                Err(SrpError::InvalidHex {
                    parameter: "SRP_B",
                    ..
                })
            ),
            "{name}: {result:?}"
        );
    }
}

#[test]
fn server_hex_rejects_oversized_values() {
    let text = "1".repeat(1025);

    let result = parse_server_hex("SRP_B", &text);

    assert!(
        matches!(result, Err(SrpError::InvalidHex { .. })),
        "{result:?}"
    );
}

#[test]
fn pool_name_is_text_after_first_underscore() {
    assert_eq!(
        pool_name_from_user_pool_id("us-east-1_AbCdEf123"),
        Ok("AbCdEf123")
    );
    assert_eq!(pool_name_from_user_pool_id("us-east-1_Ab_C"), Ok("Ab_C"));
}

#[test]
fn pool_id_without_underscore_is_rejected() {
    for pool_id in ["abc", "_abc", "us-east-1_", ""] {
        let result = SrpClient::new(pool_id, None);
        assert!(
            matches!(result, Err(SrpError::InvalidUserPoolId(_))),
            "{pool_id:?}"
        );
    }
}
