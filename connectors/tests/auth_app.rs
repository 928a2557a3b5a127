//! Shopper app authentication through the real service: Cognito-style access tokens signed
//! with test keys, checked against a JWKS served on loopback.

mod auth_support;

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use serde_json::{Value, json};
use walkout_connectors::auth::app::Shopper;
use walkout_connectors::server::AppState;

use auth_support::{
    CLIENT_ID, ISSUER, JwksServer, TestService, access_claims, captured_logs, fixture_bytes,
    sign_rs256, start_service, wait_for_fresh_second,
};

async fn whoami(shopper: Shopper) -> axum::Json<Value> {
    axum::Json(json!({
        "sub": shopper.sub,
        "username": shopper.username,
        "client_id": shopper.client_id,
        "scopes": shopper.scopes,
        "groups": shopper.groups,
        "exp": shopper.exp,
        "jti": shopper.jti,
        "origin_jti": shopper.origin_jti,
    }))
}

fn app_routes(state: AppState) -> Router {
    Router::new()
        .route("/test/app", get(whoami))
        .with_state(state)
}

/// Starts the service with app authentication against `jwks`, without waiting for the keys.
async fn start_app_service(jwks: &JwksServer) -> TestService {
    let url = jwks.url.clone();
    start_service(
        move |config| {
            config.auth.issuer = Some(ISSUER.to_owned());
            config.auth.jwks_url = Some(url);
            config.auth.client_ids = vec![CLIENT_ID.to_owned(), "walkout-other-client".to_owned()];
        },
        app_routes,
    )
    .await
}

async fn wait_until_ready(service: &TestService) {
    for _ in 0..150 {
        let response = service
            .http
            .get(service.url("/readyz"))
            .send()
            .await
            .expect("readyz answers");
        if response.status() == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the service did not become ready within 15 s");
}

/// The service with the JWKS of key A (kid `key-a`), ready to check tokens.
async fn ready_service() -> (TestService, JwksServer) {
    let jwks = JwksServer::start(&[("key-a", "rsa-a")]).await;
    let service = start_app_service(&jwks).await;
    wait_until_ready(&service).await;
    (service, jwks)
}

struct Answer {
    status: u16,
    authenticate: Option<String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("JSON body")
    }
}

async fn call(service: &TestService, authorization: Option<&str>) -> Answer {
    let mut request = service.http.get(service.url("/test/app"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.expect("service answers");
    let status = response.status().as_u16();
    let authenticate = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().expect("ASCII header").to_owned());
    let body = response.text().await.expect("body");
    Answer {
        status,
        authenticate,
        body,
    }
}

async fn call_with_token(service: &TestService, token: &str) -> Answer {
    call(service, Some(&format!("Bearer {token}"))).await
}

fn encode_part(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// A token with `alg: none` and an empty signature.
fn unsigned_token(claims: &Value) -> String {
    let header = json!({"alg": "none", "typ": "JWT", "kid": "key-a"});
    format!("{}.{}.", encode_part(&header), encode_part(claims))
}

/// An HS256 token whose secret is the RSA public key file: the key confusion attack.
fn hs256_with_public_key(claims: &Value) -> String {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some("key-a".to_owned());
    let key = jsonwebtoken::EncodingKey::from_secret(&fixture_bytes("rsa-a.pub.pem"));
    jsonwebtoken::encode(&header, claims, &key).expect("token signs")
}

/// A valid token whose payload was replaced after signing.
fn tampered_token(now: i64) -> String {
    let token = sign_rs256("key-a", "rsa-a", &access_claims(now));
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = access_claims(now);
    claims["sub"] = json!("someone-else");
    format!("{}.{}.{}", parts[0], encode_part(&claims), parts[2])
}

fn with_claim(now: i64, name: &str, value: Value) -> Value {
    let mut claims = access_claims(now);
    claims[name] = value;
    claims
}

#[tokio::test]
async fn valid_token_reaches_handler() {
    let (service, _jwks) = ready_service().await;
    let now = service.state.clock.now_secs();
    let token = sign_rs256("key-a", "rsa-a", &access_claims(now));

    let answer = call_with_token(&service, &token).await;

    assert_eq!(answer.status, 200, "{}", answer.body);
    let shopper = answer.json();
    assert_eq!(shopper["sub"], "7d8a3f2e-0c4b-4f63-9a55-2b1e8c7d6f10");
    assert_eq!(shopper["username"], "shopper-one");
    assert_eq!(shopper["client_id"], CLIENT_ID);
    assert_eq!(shopper["scopes"], json!(["aws.cognito.signin.user.admin"]));
    assert_eq!(shopper["groups"], json!(["pilot"]));
    assert_eq!(shopper["exp"], json!(now + 3600));
    assert_eq!(shopper["jti"], "5e6f7a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b");
    assert_eq!(
        shopper["origin_jti"],
        "3c0b9f51-8a7e-4d2c-b6f4-1e2d3c4b5a69"
    );
}

#[tokio::test]
async fn rejected_tokens_say_why() {
    let (service, _jwks) = ready_service().await;
    wait_for_fresh_second().await;
    let now = service.state.clock.now_secs();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "expired",
            sign_rs256("key-a", "rsa-a", &with_claim(now, "exp", json!(now - 120))),
            "has expired",
        ),
        (
            "nbf in future",
            sign_rs256("key-a", "rsa-a", &with_claim(now, "nbf", json!(now + 120))),
            "not valid yet",
        ),
        (
            "iat in future",
            sign_rs256("key-a", "rsa-a", &with_claim(now, "iat", json!(now + 120))),
            "issue time (iat)",
        ),
        (
            "wrong issuer",
            sign_rs256(
                "key-a",
                "rsa-a",
                &with_claim(
                    now,
                    "iss",
                    json!("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other"),
                ),
            ),
            "another user pool",
        ),
        (
            "id token",
            sign_rs256("key-a", "rsa-a", &with_claim(now, "token_use", json!("id"))),
            "ID token",
        ),
        (
            "other token use",
            sign_rs256(
                "key-a",
                "rsa-a",
                &with_claim(now, "token_use", json!("refresh")),
            ),
            "token_use must be access",
        ),
        (
            "client not allowed",
            sign_rs256(
                "key-a",
                "rsa-a",
                &with_claim(now, "client_id", json!("unknown-client")),
            ),
            "app client",
        ),
        (
            "exp missing",
            sign_rs256("key-a", "rsa-a", &{
                let mut c = access_claims(now);
                c.as_object_mut().unwrap().remove("exp");
                c
            }),
            "claims are malformed",
        ),
        ("alg none", unsigned_token(&access_claims(now)), "RS256"),
        (
            "HS256 with public key",
            hs256_with_public_key(&access_claims(now)),
            "RS256",
        ),
        ("tampered payload", tampered_token(now), "signature"),
        (
            "signed by another key",
            sign_rs256("key-a", "rsa-b", &access_claims(now)),
            "signature",
        ),
        ("not a JWT", "not-a-jwt".to_owned(), "well-formed"),
    ];

    for (case, token, expected) in &cases {
        let answer = call_with_token(&service, token).await;
        assert_eq!(answer.status, 401, "{case}: {}", answer.body);
        let problem = answer.json();
        assert_eq!(problem["type"], "/problems/invalid-token", "{case}");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(
            detail.contains(expected),
            "{case}: detail {detail:?} lacks {expected:?}"
        );
        let challenge = answer.authenticate.as_deref().unwrap_or("");
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{case}: challenge {challenge:?}"
        );
        assert!(
            !answer.body.contains(token.as_str()),
            "{case}: the body echoes the token"
        );
    }

    let logs = captured_logs();
    assert!(
        logs.contains("reason=\"expired\""),
        "rejections are logged with their reason"
    );
    for (case, token, _) in &cases {
        assert!(
            !logs.contains(token.as_str()),
            "{case}: the token is in the log"
        );
    }
}

#[tokio::test]
async fn missing_header_is_unauthenticated() {
    let (service, _jwks) = ready_service().await;

    for authorization in [None, Some("Basic dXNlcjpwYXNz"), Some("Bearer ")] {
        let answer = call(&service, authorization).await;
        assert_eq!(answer.status, 401, "{authorization:?}");
        assert_eq!(
            answer.json()["type"],
            "/problems/unauthenticated",
            "{authorization:?}"
        );
        let challenge = answer.authenticate.expect("WWW-Authenticate on 401");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
        assert!(
            !challenge.contains("error="),
            "no error code without a token: {challenge}"
        );
    }
}

#[tokio::test]
async fn leeway_accepts_slightly_expired_token() {
    let (service, _jwks) = ready_service().await;
    let now = service.state.clock.now_secs();
    let token = sign_rs256("key-a", "rsa-a", &with_claim(now, "exp", json!(now - 30)));

    assert_eq!(call_with_token(&service, &token).await.status, 200);
}

#[tokio::test]
async fn service_clock_expires_token() {
    let (service, _jwks) = ready_service().await;
    let now = service.state.clock.now_secs();
    let token = sign_rs256("key-a", "rsa-a", &with_claim(now, "exp", json!(now + 120)));
    assert_eq!(call_with_token(&service, &token).await.status, 200);

    assert!(service.state.clock.advance_ms(3_600_000));
    let answer = call_with_token(&service, &token).await;

    assert_eq!(answer.status, 401);
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap_or("")
            .contains("expired")
    );
}

#[tokio::test]
async fn rotated_key_is_fetched_once() {
    let jwks =
        JwksServer::start_with(&[("key-a", "rsa-a")], true, Duration::from_millis(200)).await;
    let service = start_app_service(&jwks).await;
    wait_until_ready(&service).await;
    let hits_before = jwks.hits();

    jwks.set_keys(&[("key-a", "rsa-a"), ("key-b", "rsa-b")]);
    let now = service.state.clock.now_secs();
    let token = sign_rs256("key-b", "rsa-b", &access_claims(now));
    let mut requests = Vec::new();
    for _ in 0..5 {
        let (http, url, token) = (
            service.http.clone(),
            service.url("/test/app"),
            token.clone(),
        );
        requests.push(tokio::spawn(async move {
            http.get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("service answers")
                .status()
                .as_u16()
        }));
    }
    for request in requests {
        assert_eq!(request.await.expect("request task"), 200);
    }

    assert_eq!(
        jwks.hits(),
        hits_before + 1,
        "concurrent requests share one fetch"
    );
}

#[tokio::test]
async fn unknown_kid_refetch_is_rate_limited() {
    let (service, jwks) = ready_service().await;
    let hits_before = jwks.hits();
    let now = service.state.clock.now_secs();
    let token = sign_rs256("key-never", "rsa-b", &access_claims(now));

    for attempt in 0..4 {
        let answer = call_with_token(&service, &token).await;
        assert_eq!(answer.status, 401, "attempt {attempt}");
        let detail = answer.json()["detail"].as_str().unwrap_or("").to_owned();
        assert!(
            detail.contains("does not publish"),
            "attempt {attempt}: {detail}"
        );
    }

    assert_eq!(jwks.hits(), hits_before + 1, "one fetch within 10 s");
}

#[tokio::test]
async fn unconfigured_app_auth_is_503() {
    let service = start_service(|_| {}, app_routes).await;
    let token = sign_rs256(
        "key-a",
        "rsa-a",
        &access_claims(service.state.clock.now_secs()),
    );

    let answer = call_with_token(&service, &token).await;

    assert_eq!(answer.status, 503);
    assert_eq!(answer.json()["type"], "/problems/app-auth-not-configured");
    let ready = service
        .http
        .get(service.url("/readyz"))
        .send()
        .await
        .expect("readyz answers");
    assert_eq!(ready.status(), 200, "no JWKS to wait for");
}

#[tokio::test]
async fn readiness_waits_for_jwks() {
    let jwks = JwksServer::start_with(&[("key-a", "rsa-a")], false, Duration::ZERO).await;
    let service = start_app_service(&jwks).await;

    let response = service
        .http
        .get(service.url("/readyz"))
        .send()
        .await
        .expect("readyz answers");
    assert_eq!(response.status(), 503);
    let problem: Value = response.json().await.expect("problem body");
    let expected = format!("jwks: not fetched yet ({})", jwks.url);
    assert_eq!(problem["failed"], json!([expected]));

    let token = sign_rs256(
        "key-a",
        "rsa-a",
        &access_claims(service.state.clock.now_secs()),
    );
    let answer = call_with_token(&service, &token).await;
    assert_eq!(
        answer.status, 503,
        "tokens cannot be checked yet: {}",
        answer.body
    );
    assert_eq!(answer.json()["type"], "/problems/auth-keys-unavailable");

    jwks.available
        .store(true, std::sync::atomic::Ordering::SeqCst);
    wait_until_ready(&service).await;
    assert_eq!(call_with_token(&service, &token).await.status, 200);
}
