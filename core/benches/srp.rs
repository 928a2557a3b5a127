//! Cost of the Cognito SRP client step on the device: computing the `PASSWORD_VERIFIER`
//! response (x, u, the session key, HKDF and the HMAC claim) from a fixed server challenge.
//! Creating the attempt, which computes A = g^a, is set-up and is not timed.
//!
//! The inputs match `tests/python_bench/srp_peer.py`, which times pycognito on the same step,
//! so the two figures compare like with like. Run with
//! `cargo bench -p walkout-core --bench srp`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use walkout_core::auth::srp::{
    BigUint, PasswordVerifierChallenge, SrpClient, format_timestamp, generator, modulus,
};

const POOL_ID: &str = "eu-west-2_Walkout1";
const USER_ID: &str = "shopper-0001";
const PASSWORD: &str = "correct horse battery staple";
const SALT_HEX: &str = "c8a1f00dc8a1f00dc8a1f00dc8a1f00d";
const SECRET_BLOCK: &str = "c2VjcmV0LWJsb2NrLWZvci10aGUtYmVuY2htYXJr";
/// 2026-01-01T00:00:00Z.
const UNIX_SECS: i64 = 1_767_225_600;

/// Returns the private value a: 128 bytes of 0x5a.
fn private_a() -> BigUint {
    BigUint::from_bytes_be(&[0x5a; 128])
}

/// Computes the server value B = g^b mod N for b = 128 bytes of 0x3c, full size like a real one.
fn server_b_hex() -> String {
    let b = BigUint::from_bytes_be(&[0x3c; 128]);
    generator().modpow(&b, modulus()).to_str_radix(16)
}

fn bench_srp(c: &mut Criterion) {
    let challenge = PasswordVerifierChallenge {
        salt: SALT_HEX.to_owned(),
        srp_b: server_b_hex(),
        secret_block: SECRET_BLOCK.to_owned(),
        user_id_for_srp: USER_ID.to_owned(),
        username: Some(USER_ID.to_owned()),
    };
    let timestamp = format_timestamp(UNIX_SECS);

    c.bench_function("srp: PASSWORD_VERIFIER response", |b| {
        b.iter_batched(
            || SrpClient::new(POOL_ID, Some(private_a())).expect("valid pool id"),
            |client| {
                client
                    .password_verifier_response(black_box(&challenge), PASSWORD, &timestamp)
                    .expect("valid challenge")
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, bench_srp);
criterion_main!(benches);
