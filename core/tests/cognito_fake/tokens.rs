//! RS256 tokens of the fake pool, signed with a test key that exists only for these tests.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

use super::{CLIENT_ID, POOL_ID};

const PRIVATE_KEY_PEM: &str = include_str!("test_key.pem");
const MODULUS_BASE64URL: &str = include_str!("test_key_modulus.txt");
pub const KEY_ID: &str = "fake-test-key";

pub fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or_default()
}

pub fn issuer() -> String {
    format!("https://cognito-idp.eu-west-2.amazonaws.com/{POOL_ID}")
}

fn sign(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(KEY_ID.to_owned());
    let key = EncodingKey::from_rsa_pem(PRIVATE_KEY_PEM.as_bytes()).expect("test key");
    encode(&header, claims, &key).expect("signed token")
}

/// Issues an access token and an ID token; returns them with the access token's `jti`.
pub fn issue(
    sub: &str,
    email: &str,
    lifetime: i64,
    device_key: Option<&str>,
) -> (String, String, String) {
    let now = now_seconds();
    let jti = uuid::Uuid::new_v4().to_string();
    let mut access = json!({
        "sub": sub, "iss": issuer(), "client_id": CLIENT_ID, "token_use": "access",
        "scope": "aws.cognito.signin.user.admin", "auth_time": now, "iat": now,
        "exp": now + lifetime, "jti": jti, "username": sub,
    });
    if let Some(device_key) = device_key {
        access["device_key"] = json!(device_key);
    }
    let id = json!({
        "sub": sub, "iss": issuer(), "aud": CLIENT_ID, "token_use": "id",
        "auth_time": now, "iat": now, "exp": now + lifetime,
        "cognito:username": sub, "email": email, "email_verified": true,
    });
    (sign(&access), sign(&id), jti)
}

pub fn jwks() -> Value {
    json!({"keys": [{
        "kty": "RSA", "alg": "RS256", "use": "sig", "kid": KEY_ID,
        "n": MODULUS_BASE64URL.trim(), "e": "AQAB",
    }]})
}

/// Reads the `jti` of an access token without checking it (the fake issued it).
pub fn jti_of(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims["jti"].as_str().map(str::to_owned)
}
