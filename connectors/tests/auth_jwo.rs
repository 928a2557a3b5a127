//! JWO caller authentication through the real service: bearer token, HMAC signature, both,
//! and the trusted-gateway mode.

mod auth_support;

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use serde_json::Value;
use walkout_connectors::auth::jwo::{require_jwo_caller, sign};
use walkout_connectors::config::{Config, JwoAuthConfig};
use walkout_connectors::server::AppState;

use auth_support::{TestService, captured_logs, start_service, wait_for_fresh_second};

const BODY: &str = r#"{"requestId":"4f1c0a52-77e1-4c57-8e0a-9a3b2c1d0e0f","storeId":"UK-LON-001"}"#;

/// Echoes the body, so a test sees that the middleware passed the whole body on.
async fn echo(body: Bytes) -> Bytes {
    body
}

fn jwo_routes(state: AppState) -> Router {
    Router::new()
        .route("/test/jwo", post(echo))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            require_jwo_caller,
        ))
        .with_state(state)
}

async fn start_jwo_service(bearer: bool, hmac: bool, trusted_gateway: bool) -> TestService {
    start_service(
        move |config: &mut Config| {
            config.jwo = JwoAuthConfig {
                bearer,
                hmac,
                trusted_gateway,
                ..JwoAuthConfig::default()
            };
            config.max_body_bytes = 4096;
        },
        jwo_routes,
    )
    .await
}

struct Answer {
    status: u16,
    authenticate: Option<String>,
    body: String,
}

impl Answer {
    fn problem_type(&self) -> String {
        let problem: Value = serde_json::from_str(&self.body).expect("problem body");
        problem["type"].as_str().unwrap_or("").to_owned()
    }

    fn detail(&self) -> String {
        let problem: Value = serde_json::from_str(&self.body).expect("problem body");
        problem["detail"].as_str().unwrap_or("").to_owned()
    }
}

async fn send(service: &TestService, headers: &[(&str, String)], body: &str) -> Answer {
    let mut request = service
        .http
        .post(service.url("/test/jwo"))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, value);
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

/// Request headers as (name, value) pairs.
type Headers = Vec<(&'static str, String)>;

fn hmac_secret(service: &TestService) -> String {
    service.state.credentials.jwo_hmac_secret.clone()
}

fn caller_token(service: &TestService) -> String {
    service.state.credentials.jwo_caller_token.clone()
}

fn signed_headers(secret: &str, timestamp: i64, body: &str) -> Headers {
    vec![
        ("x-walkout-timestamp", timestamp.to_string()),
        (
            "x-walkout-signature",
            sign(secret.as_bytes(), timestamp, body.as_bytes()),
        ),
    ]
}

fn assert_no_secret(service: &TestService, answer: &Answer) {
    for secret in [hmac_secret(service), caller_token(service)] {
        assert!(!answer.body.contains(&secret), "the body contains a secret");
    }
}

#[tokio::test]
async fn hmac_window_and_body_are_checked() {
    let service = start_jwo_service(false, true, false).await;
    let secret = hmac_secret(&service);
    wait_for_fresh_second().await;
    let now = service.state.clock.now_secs();

    let cases: Vec<(&str, Headers, u16, &str)> = vec![
        ("current", signed_headers(&secret, now, BODY), 200, ""),
        (
            "299 s old",
            signed_headers(&secret, now - 299, BODY),
            200,
            "",
        ),
        (
            "301 s old",
            signed_headers(&secret, now - 301, BODY),
            401,
            "301 s behind",
        ),
        (
            "301 s ahead",
            signed_headers(&secret, now + 301, BODY),
            401,
            "301 s ahead",
        ),
        (
            "tampered body",
            signed_headers(&secret, now, "{}"),
            401,
            "does not match the body",
        ),
        (
            "wrong secret",
            signed_headers("another-secret-of-at-least-32-characters", now, BODY),
            401,
            "does not match",
        ),
    ];

    for (case, headers, status, expected) in cases {
        let answer = send(&service, &headers, BODY).await;
        assert_eq!(answer.status, status, "{case}: {}", answer.body);
        assert_no_secret(&service, &answer);
        if status == 200 {
            assert_eq!(answer.body, BODY, "{case}: the handler sees the raw body");
        } else {
            assert_eq!(
                answer.problem_type(),
                "/problems/invalid-signature",
                "{case}"
            );
            assert!(
                answer.detail().contains(expected),
                "{case}: {}",
                answer.detail()
            );
            assert!(
                answer.authenticate.is_some(),
                "{case}: WWW-Authenticate on 401"
            );
        }
    }
}

#[tokio::test]
async fn hmac_headers_are_required() {
    let service = start_jwo_service(false, true, false).await;
    let now = service.state.clock.now_secs();
    let signed = signed_headers(&hmac_secret(&service), now, BODY);
    let timestamp_only = vec![signed[0].clone()];
    let signature_only = vec![signed[1].clone()];
    let bearer = vec![(
        "authorization",
        format!("Bearer {}", caller_token(&service)),
    )];

    let cases = [
        (
            "no headers",
            Vec::new(),
            "X-Walkout-Timestamp and X-Walkout-Signature",
        ),
        (
            "timestamp only",
            timestamp_only,
            "X-Walkout-Signature header is missing",
        ),
        (
            "signature only",
            signature_only,
            "X-Walkout-Timestamp header is missing",
        ),
        (
            "bearer when only hmac is on",
            bearer,
            "X-Walkout-Timestamp and X-Walkout-Signature",
        ),
    ];
    for (case, headers, expected) in cases {
        let answer = send(&service, &headers, BODY).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(answer.problem_type(), "/problems/unauthenticated", "{case}");
        assert!(
            answer.detail().contains(expected),
            "{case}: {}",
            answer.detail()
        );
        assert_no_secret(&service, &answer);
    }
}

#[tokio::test]
async fn malformed_signature_is_invalid() {
    let service = start_jwo_service(false, true, false).await;
    let now = service.state.clock.now_secs().to_string();

    for (case, timestamp, signature) in [
        ("no version", now.clone(), "ab".repeat(32)),
        ("short tag", now.clone(), format!("v1={}", "ab".repeat(16))),
        ("not hex", now.clone(), format!("v1={}", "zz".repeat(32))),
        (
            "timestamp with fraction",
            format!("{now}.5"),
            format!("v1={}", "ab".repeat(32)),
        ),
        (
            "negative timestamp",
            "-5".to_owned(),
            format!("v1={}", "ab".repeat(32)),
        ),
    ] {
        let headers = [
            ("x-walkout-timestamp", timestamp),
            ("x-walkout-signature", signature),
        ];
        let answer = send(&service, &headers, BODY).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(
            answer.problem_type(),
            "/problems/invalid-signature",
            "{case}"
        );
    }
}

#[tokio::test]
async fn oversized_signed_body_is_413() {
    let service = start_jwo_service(false, true, false).await;
    let body = "x".repeat(5000);
    let headers = signed_headers(
        &hmac_secret(&service),
        service.state.clock.now_secs(),
        &body,
    );

    let answer = send(&service, &headers, &body).await;

    assert_eq!(answer.status, 413);
    assert_eq!(answer.problem_type(), "/problems/payload-too-large");
}

#[tokio::test]
async fn bearer_token_is_compared() {
    let service = start_jwo_service(true, false, false).await;
    let token = caller_token(&service);

    let good = send(
        &service,
        &[("authorization", format!("Bearer {token}"))],
        BODY,
    )
    .await;
    assert_eq!(good.status, 200);
    assert_eq!(good.body, BODY);

    let truncated = &token[..token.len() - 1];
    for (case, headers) in [
        (
            "wrong token",
            vec![("authorization", format!("Bearer {truncated}"))],
        ),
        (
            "longer token",
            vec![("authorization", format!("Bearer {token}x"))],
        ),
        ("no header", Vec::new()),
    ] {
        let answer = send(&service, &headers, BODY).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(answer.problem_type(), "/problems/unauthenticated", "{case}");
        let challenge = answer.authenticate.clone().unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{case}: {challenge}");
        assert!(
            !answer.body.contains(truncated),
            "{case}: the body echoes the token"
        );
    }
}

#[tokio::test]
async fn either_mode_passes_when_both_enabled() {
    let service = start_jwo_service(true, true, false).await;
    let now = service.state.clock.now_secs();
    let bearer = (
        "authorization",
        format!("Bearer {}", caller_token(&service)),
    );
    let wrong_bearer = ("authorization", "Bearer not-the-caller-token".to_owned());
    let signed = signed_headers(&hmac_secret(&service), now, BODY);
    let mut wrong_bearer_signed = signed.clone();
    wrong_bearer_signed.push(wrong_bearer.clone());

    let accepted = [
        ("bearer", vec![bearer]),
        ("hmac", signed),
        ("wrong bearer, good hmac", wrong_bearer_signed),
    ];
    for (case, headers) in accepted {
        let answer = send(&service, &headers, BODY).await;
        assert_eq!(answer.status, 200, "{case}: {}", answer.body);
    }

    let none = send(&service, &[], BODY).await;
    assert_eq!(none.status, 401);
    assert!(
        none.detail().contains("Authorization: Bearer"),
        "{}",
        none.detail()
    );
    assert!(
        none.detail().contains("X-Walkout-Signature"),
        "{}",
        none.detail()
    );
    let challenge = none.authenticate.unwrap_or_default();
    assert!(
        challenge.contains("Bearer") && challenge.contains("Walkout-Signature"),
        "{challenge}"
    );

    let wrong = send(&service, &[wrong_bearer], BODY).await;
    assert_eq!(wrong.status, 401);
}

#[tokio::test]
async fn trusted_gateway_accepts_everything() {
    let service = start_jwo_service(true, false, true).await;

    let answer = send(&service, &[], BODY).await;

    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, BODY);
    assert!(
        captured_logs().contains("trusted_gateway = true"),
        "the start warns that the check is off"
    );
}

#[tokio::test]
async fn configured_secrets_override_generated_ones() {
    let token = "configured-caller-token-0123456789abcdef";
    let secret = "configured-hmac-secret-0123456789abcdef";
    let service = start_service(
        |config| {
            config.jwo.hmac = true;
            config.jwo.caller_token = Some(token.to_owned());
            config.jwo.hmac_secret = Some(secret.to_owned());
        },
        jwo_routes,
    )
    .await;
    let now = service.state.clock.now_secs();

    let by_token = send(
        &service,
        &[("authorization", format!("Bearer {token}"))],
        BODY,
    )
    .await;
    assert_eq!(by_token.status, 200);
    let by_signature = send(&service, &signed_headers(secret, now, BODY), BODY).await;
    assert_eq!(by_signature.status, 200);
    let generated = send(
        &service,
        &[(
            "authorization",
            format!("Bearer {}", caller_token(&service)),
        )],
        BODY,
    )
    .await;
    assert_eq!(generated.status, 401, "the generated token no longer works");
}

#[tokio::test]
async fn short_configured_secret_is_rejected_at_start() {
    let data_dir = tempfile::tempdir().expect("temporary data folder");
    let mut config = Config {
        data_dir: data_dir.path().to_owned(),
        ..Config::default()
    };
    config.jwo.caller_token = Some("too-short".to_owned());
    let (credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .expect("data folder opens");

    let error = AppState::new(config, db, credentials)
        .await
        .err()
        .expect("start fails");

    let message = error.to_string();
    assert!(message.contains("jwo.caller_token"), "{message}");
    assert!(!message.contains("too-short"), "the error echoes the value");
}

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let service = start_jwo_service(true, true, false).await;
    let now = service.state.clock.now_secs();
    let wrong = (
        "authorization",
        "Bearer wrong-caller-token-for-the-log-test".to_owned(),
    );
    let mut stale = signed_headers(&hmac_secret(&service), now - 1000, BODY);
    stale.push(wrong.clone());
    send(&service, &[wrong], BODY).await;
    send(&service, &stale, BODY).await;
    send(
        &service,
        &signed_headers(&hmac_secret(&service), now, "{}"),
        BODY,
    )
    .await;

    let logs = captured_logs();
    assert!(
        logs.contains("JWO caller rejected"),
        "rejections are logged"
    );
    assert!(
        !logs.contains(&hmac_secret(&service)),
        "the HMAC secret is in the log"
    );
    assert!(
        !logs.contains(&caller_token(&service)),
        "the caller token is in the log"
    );
    assert!(
        !logs.contains("wrong-caller-token-for-the-log-test"),
        "a presented token is in the log"
    );
    assert!(
        !logs.contains(&stale[1].1),
        "a presented signature is in the log"
    );
}
