//! The app's identity provider for the load benchmark: a loopback JWKS with the test RSA key of
//! `tests/fixtures/auth`, and access tokens signed with it. Tokens carry what the service
//! checks in a Cognito access token: RS256, `token_use = access`, its issuer and client id.

use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/auth");
const KEY_ID: &str = "load-key";
pub const ISSUER: &str = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_LoadBench";
pub const CLIENT_ID: &str = "walkout-load-bench-client";

/// Serves the JWKS document on a loopback port of this process; returns its URL.
pub async fn start_jwks() -> String {
    let text = std::fs::read_to_string(format!("{FIXTURES}/rsa-a.jwk.json"))
        .unwrap_or_else(|error| panic!("cannot read the JWK fixture: {error}"));
    let mut jwk: Value = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("the JWK fixture is not JSON: {error}"));
    jwk["kid"] = json!(KEY_ID);
    jwk["alg"] = json!("RS256");
    jwk["use"] = json!("sig");
    let document = json!({ "keys": [jwk] });
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let document = document.clone();
            async move { axum::Json(document) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|error| panic!("cannot bind a loopback port: {error}"));
    let address = listener
        .local_addr()
        .unwrap_or_else(|error| panic!("no local address: {error}"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{address}/.well-known/jwks.json")
}

/// Signing key of the fixture, read once per process.
pub fn signing_key() -> jsonwebtoken::EncodingKey {
    let pem = std::fs::read(format!("{FIXTURES}/rsa-a.key.pem"))
        .unwrap_or_else(|error| panic!("cannot read the private key fixture: {error}"));
    jsonwebtoken::EncodingKey::from_rsa_pem(&pem)
        .unwrap_or_else(|error| panic!("the private key fixture is not an RSA PEM: {error}"))
}

/// Signs an access token for the user `sub`, valid for one hour from `now` (Unix seconds).
pub fn access_token(key: &jsonwebtoken::EncodingKey, sub: &str, now: i64) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(KEY_ID.to_owned());
    let claims = json!({
        "sub": sub,
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": now - 10,
        "iat": now - 10,
        "exp": now + 3600,
        "jti": uuid::Uuid::new_v4().to_string(),
        "username": sub,
    });
    jsonwebtoken::encode(&header, &claims, key)
        .unwrap_or_else(|error| panic!("the access token does not sign: {error}"))
}
