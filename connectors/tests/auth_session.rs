//! Access tokens after sign-out: the service's own sign-out record, and the online check of
//! sensitive routes against a real user pool (moto's Cognito server, started by
//! `cargo xtask test`, which sets `WALKOUT_MOTO_URL`).

mod auth_support;
mod gate_support;

use serde_json::{Value, json};

use auth_support::{access_claims, sign_rs256};
use gate_support::Gate;

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn list_cards(gate: &Gate, token: &str) -> (u16, Value) {
    let response = gate
        .http()
        .get(gate.url("/app/v1/payment-methods"))
        .bearer_auth(token)
        .send()
        .await
        .expect("payment methods respond");
    status_and_body(response).await
}

async fn end_session(gate: &Gate, token: &str) -> u16 {
    let response = gate
        .http()
        .delete(gate.url("/app/v1/session"))
        .bearer_auth(token)
        .send()
        .await
        .expect("session route responds");
    response.status().as_u16()
}

async fn enroll(gate: &Gate, token: &str) -> (u16, Value) {
    let response = gate
        .http()
        .post(gate.url("/app/v1/entry-credentials"))
        .bearer_auth(token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({ "device_name": "test phone" }))
        .send()
        .await
        .expect("enrollment responds");
    status_and_body(response).await
}

#[tokio::test]
async fn signed_out_token_is_rejected() {
    let gate = Gate::start(|_| {}).await;
    let before = gate.token("alice");
    assert_eq!(list_cards(&gate, &before).await.0, 200);

    assert_eq!(end_session(&gate, &before).await, 204);
    let (status, problem) = list_cards(&gate, &before).await;
    assert_eq!(status, 401);
    assert_eq!(problem["type"], "/problems/token-revoked");
}

#[tokio::test]
async fn token_issued_after_sign_out_works() {
    let gate = Gate::start(|_| {}).await;
    let before = gate.token("alice");
    assert_eq!(end_session(&gate, &before).await, 204);

    // Fixture tokens carry iat = now - 10 s, so move past the sign-out second first.
    assert!(gate.service.state.clock.advance_ms(12_000));
    let after = gate.token("alice");
    assert_eq!(list_cards(&gate, &after).await.0, 200);
}

#[tokio::test]
async fn sign_out_leaves_other_users_alone() {
    let gate = Gate::start(|_| {}).await;
    let alice = gate.token("alice");
    let bob = gate.token("bob");
    assert_eq!(end_session(&gate, &alice).await, 204);
    assert_eq!(list_cards(&gate, &bob).await.0, 200);
}

#[tokio::test]
async fn token_without_iat_is_rejected_after_sign_out() {
    let gate = Gate::start(|_| {}).await;
    assert_eq!(end_session(&gate, &gate.token("alice")).await, 204);

    let mut claims = access_claims(gate.service.state.clock.now_secs() + 60);
    claims["sub"] = json!("alice");
    claims.as_object_mut().expect("claims object").remove("iat");
    let no_iat = sign_rs256("key-a", "rsa-a", &claims);
    let (status, problem) = list_cards(&gate, &no_iat).await;
    assert_eq!(status, 401);
    assert_eq!(problem["type"], "/problems/token-revoked");
}

#[tokio::test]
async fn unreachable_user_pool_fails_sensitive_route_closed() {
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port();
    let gate = Gate::start(|config| {
        config.auth.user_pool_endpoint = Some(format!("http://127.0.0.1:{closed_port}/"));
    })
    .await;
    let token = gate.token("alice");

    let (status, problem) = enroll(&gate, &token).await;
    assert_eq!(status, 503);
    assert_eq!(problem["type"], "/problems/auth-check-unavailable");
    assert_eq!(
        gate_support::count(
            &gate,
            "SELECT COUNT(*) FROM entry_credentials e JOIN shoppers s ON s.id = e.shopper_id WHERE s.cognito_sub = $1",
            "alice"
        )
        .await,
        0,
        "nothing was enrolled"
    );
    assert_eq!(list_cards(&gate, &token).await.0, 200, "other routes pass");
}

// ----- against moto's user pool -----

fn moto_url() -> Option<String> {
    match std::env::var("WALKOUT_MOTO_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("WALKOUT_MOTO_URL must be set under CI")
        }
        Err(_) => {
            eprintln!("skipped: WALKOUT_MOTO_URL not set (cargo xtask test starts moto)");
            None
        }
    }
}

async fn cognito(http: &reqwest::Client, endpoint: &str, operation: &str, body: Value) -> Value {
    let response = http
        .post(endpoint)
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{operation} reaches moto: {e}"));
    let status = response.status();
    let text = response.text().await.expect("moto body");
    assert!(status.is_success(), "{operation}: HTTP {status}: {text}");
    serde_json::from_str(&text).expect("moto JSON")
}

/// A pool, a client that allows USER_PASSWORD_AUTH, and a signed-in user's access token.
struct Pool {
    id: String,
    client_id: String,
    access_token: String,
}

async fn pool_with_user(http: &reqwest::Client, moto: &str) -> Pool {
    let name = format!("session-{}", uuid::Uuid::new_v4().simple());
    let pool = cognito(http, moto, "CreateUserPool", json!({ "PoolName": name })).await;
    let id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    let client = cognito(
        http,
        moto,
        "CreateUserPoolClient",
        json!({
            "UserPoolId": id,
            "ClientName": "app",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        }),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    let password = "Walkout-session-9!";
    cognito(
        http,
        moto,
        "AdminCreateUser",
        json!({ "UserPoolId": id, "Username": "carol", "MessageAction": "SUPPRESS" }),
    )
    .await;
    cognito(
        http,
        moto,
        "AdminSetUserPassword",
        json!({ "UserPoolId": id, "Username": "carol", "Password": password, "Permanent": true }),
    )
    .await;
    let auth = cognito(
        http,
        moto,
        "InitiateAuth",
        json!({
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": { "USERNAME": "carol", "PASSWORD": password },
        }),
    )
    .await;
    let access_token = auth["AuthenticationResult"]["AccessToken"]
        .as_str()
        .expect("access token")
        .to_owned();
    Pool {
        id,
        client_id,
        access_token,
    }
}

#[tokio::test]
async fn global_sign_out_stops_sensitive_routes_at_once() {
    let Some(moto) = moto_url() else {
        return;
    };
    let http = reqwest::Client::new();
    let pool = pool_with_user(&http, &moto).await;
    let region = pool.id.split('_').next().expect("region").to_owned();
    let gate = Gate::start(|config| {
        config.auth.issuer = Some(format!(
            "https://cognito-idp.{region}.amazonaws.com/{}",
            pool.id
        ));
        config.auth.jwks_url = Some(format!("{moto}/{}/.well-known/jwks.json", pool.id));
        config.auth.client_ids = vec![pool.client_id.clone()];
        config.auth.user_pool_endpoint = Some(moto.clone());
    })
    .await;

    let (status, body) = enroll(&gate, &pool.access_token).await;
    assert_eq!(status, 201, "a live session enrolls: {body}");

    cognito(
        &http,
        &moto,
        "GlobalSignOut",
        json!({ "AccessToken": pool.access_token }),
    )
    .await;
    let (status, problem) = enroll(&gate, &pool.access_token).await;
    assert_eq!(status, 401, "{problem}");
    assert_eq!(problem["type"], "/problems/token-revoked");
    // Routes without the online check still take the unexpired token until the app reports the
    // sign-out: that gap is what DELETE /app/v1/session closes.
    assert_eq!(list_cards(&gate, &pool.access_token).await.0, 200);
    // The token was issued moments ago: step past its issue second, which the sign-out record
    // cannot split.
    assert!(gate.service.state.clock.advance_ms(2_000));
    assert_eq!(end_session(&gate, &pool.access_token).await, 204);
    assert_eq!(list_cards(&gate, &pool.access_token).await.0, 401);
}
