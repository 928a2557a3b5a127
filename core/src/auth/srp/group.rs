//! The SRP-6a group Cognito uses and the byte encoding it hashes big integers with.
//!
//! Cognito pairs the 3072-bit prime of RFC 3526 group 15 with g = 2 (RFC 5054 uses g = 5 with
//! the same prime, so generic SRP libraries do not interoperate). Every integer that goes into a
//! hash is encoded as Java's `BigInteger.toByteArray()` would encode it: minimal big-endian
//! two's complement, so a positive value whose top bit is set gets a `00` byte in front.

use std::sync::LazyLock;

use num_bigint::{BigInt, BigUint, Sign};
use ring::digest;

use super::SrpError;

/// The prime N, written as in RFC 3526 section 4 (3072-bit MODP group).
const N_HEX: &[u8] = b"\
FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD\
EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED\
EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F\
83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B\
E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510\
15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7\
ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C\
BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// N as 384 big-endian bytes, decoded at compile time so no run-time parse can fail.
const N_BYTES: [u8; 384] = decode_hex(N_HEX);

/// Maximum number of hex digits accepted from a server: N has 768 digits, and nothing Cognito sends
/// (SRP_B, SALT) is longer than N. The bound keeps a broken server from making us parse or hash
/// megabytes.
const MAX_HEX_DIGITS: usize = 1024;

static MODULUS: LazyLock<BigUint> = LazyLock::new(|| BigUint::from_bytes_be(&N_BYTES));
static GENERATOR: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(2u8));
static MULTIPLIER: LazyLock<BigUint> = LazyLock::new(|| {
    let digest = sha256(&[
        &padded_bytes_unsigned(modulus()),
        &padded_bytes_unsigned(generator()),
    ]);
    BigUint::from_bytes_be(&digest)
});

/// Returns the group prime N (3072 bits).
pub fn modulus() -> &'static BigUint {
    &MODULUS
}

/// Returns the generator g = 2.
pub fn generator() -> &'static BigUint {
    &GENERATOR
}

/// Returns the multiplier k = H(padHex(N) ‖ padHex(g)).
///
/// This is not RFC 5054's `H(N ‖ PAD(g))`: Cognito hashes `00 ‖ N ‖ 02` (385 + 1 bytes).
pub fn multiplier() -> &'static BigUint {
    &MULTIPLIER
}

/// Encodes `value` the way Cognito hashes it: minimal big-endian two's complement bytes, the
/// output of Java's `BigInteger.toByteArray()`.
///
/// `0` is `[0x00]`, `128` is `[0x00, 0x80]`, `-128` is `[0x80]` and `-129` is `[0xff, 0x7f]`.
pub fn padded_bytes(value: &BigInt) -> Vec<u8> {
    value.to_signed_bytes_be()
}

/// Encodes `value` as lowercase hex of [`padded_bytes`]; the result always has an even length.
pub fn pad_hex(value: &BigInt) -> String {
    hex::encode(padded_bytes(value))
}

/// Parses a hex integer from a challenge parameter such as `SRP_B` or `SALT`.
///
/// Accepts what Cognito's Java side prints with `BigInteger.toString(16)`: any letter case, an
/// odd number of digits and a leading `-`. A salt that a client once sent with its top bit set
/// and no `00` byte comes back negative, and [`padded_bytes`] turns it back into the same bytes.
/// `parameter` names the value in the error.
pub fn parse_server_hex(parameter: &'static str, text: &str) -> Result<BigInt, SrpError> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (Sign::Minus, rest),
        None => (Sign::Plus, text),
    };

    if digits.is_empty() {
        return Err(SrpError::InvalidHex {
            parameter,
            reason: "empty",
        });
    }
    if digits.len() > MAX_HEX_DIGITS {
        return Err(SrpError::InvalidHex {
            parameter,
            reason: "longer than 1024 hex digits",
        });
    }
    if !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex {
            parameter,
            reason: "not a hexadecimal number",
        });
    }

    let magnitude = BigUint::parse_bytes(digits.as_bytes(), 16).ok_or(SrpError::InvalidHex {
        parameter,
        reason: "not a hexadecimal number",
    })?;
    Ok(BigInt::from_biguint(sign, magnitude))
}

/// Reduces `value` into `[0, N)`, rounding towards negative infinity as Java's `mod` does.
pub(super) fn reduce(value: &BigInt) -> BigUint {
    let n = BigInt::from(modulus().clone());
    let reduced = ((value % &n) + &n) % &n;
    reduced.magnitude().clone()
}

/// [`padded_bytes`] for a non-negative value.
pub(super) fn padded_bytes_unsigned(value: &BigUint) -> Vec<u8> {
    let mut bytes = value.to_bytes_be();
    if bytes.first().is_some_and(|first| first & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    bytes
}

/// SHA-256 over the concatenation of `parts`.
pub(super) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut context = digest::Context::new(&digest::SHA256);
    for part in parts {
        context.update(part);
    }

    let mut out = [0u8; 32];
    out.copy_from_slice(context.finish().as_ref());
    out
}

const fn decode_hex<const LEN: usize>(text: &[u8]) -> [u8; LEN] {
    assert!(text.len() == 2 * LEN, "hex constant has the wrong length");
    let mut out = [0u8; LEN];
    let mut index = 0;
    while index < LEN {
        out[index] = (hex_digit(text[2 * index]) << 4) | hex_digit(text[2 * index + 1]);
        index += 1;
    }
    out
}

const fn hex_digit(character: u8) -> u8 {
    match character {
        b'0'..=b'9' => character - b'0',
        b'a'..=b'f' => character - b'a' + 10,
        b'A'..=b'F' => character - b'A' + 10,
        _ => panic!("hex constant contains a non-hex character"),
    }
}
