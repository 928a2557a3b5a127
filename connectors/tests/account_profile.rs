//! The shopper's profile, devices and push tokens through the real service: validation that
//! names the field, idempotent registration, and another shopper's device answering 404 like a
//! missing one.

mod app_receipts_support;
mod auth_support;

use serde_json::{Value, json};

use app_receipts_support::App;

const PUSH_TOKEN: &str = "apns-0123456789abcdef0123456789abcdef";

async fn send(
    app: &App,
    method: reqwest::Method,
    path: &str,
    token: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .service
        .http
        .request(method, app.service.url(path))
        .bearer_auth(token);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn device(id: &str) -> Value {
    json!({"device_id": id, "platform": "ios", "app_version": "1.4.2", "push_token": PUSH_TOKEN})
}

#[tokio::test]
async fn profile_starts_empty_and_merges_updates() {
    let app = App::start().await;
    let token = app.token_a.clone();
    let empty = app.get_json("/app/v1/profile", &token, 200).await;
    assert_eq!(empty["display_name"], Value::Null);
    assert_eq!(empty["marketing"], json!({"email": false, "push": false}));

    let patch = json!({"display_name": "Ada", "email": "ada@example.com", "locale": "en-GB", "marketing": {"push": true}});
    let (status, _) = send(
        &app,
        reqwest::Method::PATCH,
        "/app/v1/profile",
        &token,
        None,
        Some(patch),
    )
    .await;
    assert_eq!(status, 200);
    let (status, updated) = send(
        &app,
        reqwest::Method::PATCH,
        "/app/v1/profile",
        &token,
        None,
        Some(json!({"email": null})),
    )
    .await;
    assert_eq!(status, 200);

    assert_eq!(updated["display_name"], "Ada");
    assert_eq!(updated["email"], Value::Null);
    assert_eq!(updated["locale"], "en-GB");
    assert_eq!(updated["marketing"], json!({"email": false, "push": true}));
    let other = app.get_json("/app/v1/profile", &app.token_b, 200).await;
    assert_eq!(other["display_name"], Value::Null);
}

#[tokio::test]
async fn invalid_profile_field_is_named() {
    let app = App::start().await;
    let cases = [
        (json!({"email": "not an address"}), "email"),
        (json!({"locale": "english please"}), "locale"),
        (json!({"display_name": 42}), "display_name"),
        (json!({"marketing": {"sms": true}}), "marketing.sms"),
    ];
    for (body, field) in cases {
        let (status, problem) = send(
            &app,
            reqwest::Method::PATCH,
            "/app/v1/profile",
            &app.token_a,
            None,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "body {body}");
        assert_eq!(problem["field"], field, "body {body}");
        assert_eq!(problem["type"], "/problems/invalid-request");
    }
}

#[tokio::test]
async fn device_registration_is_idempotent() {
    let app = App::start().await;
    let token = app.token_a.clone();
    let (status, problem) = send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &token,
        None,
        Some(device("phone-1")),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(problem["type"], "/problems/missing-idempotency-key");

    let (first, created) = send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &token,
        Some("k1"),
        Some(device("phone-1")),
    )
    .await;
    let (repeat, replayed) = send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &token,
        Some("k1"),
        Some(device("phone-1")),
    )
    .await;
    let (again, updated) = send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &token,
        Some("k2"),
        Some(device("phone-1")),
    )
    .await;
    assert_eq!(first, 201);
    assert_eq!(repeat, 201);
    assert_eq!(replayed, created);
    assert_eq!(again, 200);
    assert_eq!(updated["push_token_set"], true);

    let list = app.get_json("/app/v1/devices", &token, 200).await;
    assert_eq!(list["devices"].as_array().map(Vec::len), Some(1));
    assert!(!list.to_string().contains(PUSH_TOKEN));
}

#[tokio::test]
async fn invalid_device_field_is_named() {
    let app = App::start().await;
    let cases = [
        (
            json!({"device_id": "", "platform": "ios", "app_version": "1"}),
            "device_id",
        ),
        (
            json!({"device_id": "d1", "platform": "symbian", "app_version": "1"}),
            "platform",
        ),
        (json!({"device_id": "d1", "platform": "ios"}), "app_version"),
        (
            json!({"device_id": "d1", "platform": "ios", "app_version": "1", "push_token": "has spaces"}),
            "push_token",
        ),
    ];
    for (n, (body, field)) in cases.into_iter().enumerate() {
        let key = format!("bad-{n}");
        let (status, problem) = send(
            &app,
            reqwest::Method::POST,
            "/app/v1/devices",
            &app.token_a,
            Some(&key),
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, 400, "body {body}");
        assert_eq!(problem["field"], field, "body {body}");
    }
}

#[tokio::test]
async fn other_shoppers_device_is_not_found() {
    let app = App::start().await;
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &app.token_a,
        Some("k"),
        Some(device("phone-a")),
    )
    .await;
    assert_eq!(status, 201);

    let put = Some(json!({"push_token": "fcm:token-b"}));
    let attempts = [
        (reqwest::Method::DELETE, "/app/v1/devices/phone-a", None),
        (
            reqwest::Method::PUT,
            "/app/v1/devices/phone-a/push-token",
            put.clone(),
        ),
        (
            reqwest::Method::DELETE,
            "/app/v1/devices/phone-a/push-token",
            None,
        ),
    ];
    for (method, path, body) in attempts {
        let (other, other_body) =
            send(&app, method.clone(), path, &app.token_b, None, body.clone()).await;
        let missing_path = path.replace("phone-a", "phone-z");
        let (missing, missing_body) = send(
            &app,
            method.clone(),
            &missing_path,
            &app.token_a,
            None,
            body,
        )
        .await;
        assert_eq!(other, 404, "{method} {path}");
        assert_eq!(missing, 404, "{method} {missing_path}");
        assert_eq!(
            other_body["detail"], missing_body["detail"],
            "{method} {path}"
        );
    }
    let list = app.get_json("/app/v1/devices", &app.token_a, 200).await;
    assert_eq!(list["devices"][0]["push_token_set"], true);
}

#[tokio::test]
async fn push_token_is_replaced_and_cleared() {
    let app = App::start().await;
    let token = app.token_a.clone();
    send(
        &app,
        reqwest::Method::POST,
        "/app/v1/devices",
        &token,
        Some("k"),
        Some(json!({"device_id": "tab", "platform": "android", "app_version": "2.0"})),
    )
    .await;

    let (status, view) = send(
        &app,
        reqwest::Method::PUT,
        "/app/v1/devices/tab/push-token",
        &token,
        None,
        Some(json!({"push_token": "fcm:new-token"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(view["push_token_set"], true);
    let stored: Option<String> =
        sqlx::query_scalar("SELECT push_token FROM devices WHERE device_id = 'tab'")
            .fetch_one(&app.db().pool)
            .await
            .expect("device row");
    assert_eq!(stored.as_deref(), Some("fcm:new-token"));

    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/app/v1/devices/tab/push-token",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        "/app/v1/devices/tab",
        &token,
        None,
        None,
    )
    .await;
    assert_eq!(status, 204);
    let list = app.get_json("/app/v1/devices", &token, 200).await;
    assert_eq!(list["devices"], json!([]));
    assert!(!auth_support::captured_logs().contains("fcm:new-token"));
}
