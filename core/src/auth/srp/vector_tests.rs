//! Intermediate values of the published vectors, which the public API keeps private.

use num_bigint::{BigInt, BigUint};

use super::SrpIdentity;
use super::group::{multiplier, parse_server_hex};
use super::math::{
    EphemeralKey, SecretUint, client_premaster_secret, decode_secret_block, private_key, scrambler,
    session_key,
};

/// `a` of the published vectors: 128 bytes of 0x01.
fn vector_a() -> BigUint {
    BigUint::from_bytes_be(&[1u8; 128])
}

const VECTOR_B: &str = "36ef01c6dde9fe503da333b1acc758ba";
const VECTOR_SALT: &str = "36ef01c6dde9fe503da333b1acc758ba";

const USER: SrpIdentity<'static> = SrpIdentity::User {
    pool_name: "abc",
    user_id_for_srp: "user_id",
};

fn hex_of(value: &BigUint) -> String {
    format!("{value:064x}")
}

#[test]
fn multiplier_matches_cognito() {
    assert_eq!(
        hex_of(multiplier()),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
}

#[test]
fn scrambler_matches_v1() {
    let key = EphemeralKey::new(Some(vector_a())).unwrap();
    let b = parse_server_hex("SRP_B", VECTOR_B).unwrap();

    let u = scrambler(&BigInt::from(key.public.clone()), &b).unwrap();

    assert_eq!(
        hex_of(&u),
        "ae7790a1c515729889ef3fd4ade6a2fa82833f8340203f9204dcd91f92ac9aa7"
    );
}

#[test]
fn private_key_matches_v1() {
    let salt = parse_server_hex("SALT", VECTOR_SALT).unwrap();

    let x = private_key(USER, "password", &salt);

    assert_eq!(
        hex_of(&x),
        "175e675439dddf3cfeb89c1ca19284061fe2e6cdaa046b056ba5fcb21b960c76"
    );
}

#[test]
fn session_key_matches_v1() {
    let key = EphemeralKey::new(Some(vector_a())).unwrap();
    let b = parse_server_hex("SRP_B", VECTOR_B).unwrap();
    let salt = parse_server_hex("SALT", VECTOR_SALT).unwrap();
    let u = scrambler(&BigInt::from(key.public.clone()), &b).unwrap();
    let x = private_key(USER, "password", &salt);

    let premaster_secret = client_premaster_secret(&key, b.magnitude(), &u, &x);
    let session_key = session_key(&u, &premaster_secret);

    assert_eq!(
        hex::encode(session_key.as_ref()),
        "5d090983f6b04502c9066a80cf439ad0"
    );
}

#[test]
fn session_key_equals_ring_hkdf() {
    let u = BigUint::from_bytes_be(&[0x9a; 32]);
    let premaster_secret = SecretUint::new(BigUint::from_bytes_be(&[0x5c; 384]));

    let ours = session_key(&u, &premaster_secret);

    struct Len16;
    impl ring::hkdf::KeyType for Len16 {
        fn len(&self) -> usize {
            16
        }
    }
    let mut salt_bytes = vec![0u8];
    salt_bytes.extend_from_slice(&[0x9a; 32]);
    let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &salt_bytes);
    let prk = salt.extract(&[0x5c; 384]);
    let info = [b"Caldera Derived Key".as_slice()];
    let mut reference = [0u8; 16];
    prk.expand(&info, Len16)
        .unwrap()
        .fill(&mut reference)
        .unwrap();
    assert_eq!(ours.as_ref(), &reference);
}

#[test]
fn secret_block_decodes_leniently() {
    let cases: [(&str, &str, usize); 4] = [
        ("standard padded", "AAEC/w==", 4),
        ("unpadded", "AAEC/w", 4),
        ("url-safe", "AAEC_w", 4),
        ("dashed uuid", "3b241101-e2bb-4255-8caf-4136c566a962", 27),
    ];
    for (name, text, length) in cases {
        let decoded = decode_secret_block(text);
        assert_eq!(decoded.map(|bytes| bytes.len()), Ok(length), "{name}");
    }
}

#[test]
fn secret_block_rejects_garbage() {
    assert!(decode_secret_block("not base64!").is_err());
}
