//! Entry credential enrollment, listing and revocation through the app API.

mod auth_support;
mod gate_support;

use serde_json::{Value, json};

use gate_support::{Gate, enroll, shopper_id};

fn parse_time(text: &Value) -> i64 {
    let text = text.as_str().expect("RFC 3339 string");
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339")
        .unix_timestamp()
}

#[tokio::test]
async fn enrollment_returns_credential() {
    let gate = Gate::start(|_| {}).await;
    let now = gate.service.state.clock.now_secs();
    let enrolled = enroll(&gate, "shopper-enroll").await;

    assert_eq!(enrolled.credential_hex.len(), 16);
    assert!(
        enrolled
            .credential_hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(enrolled.period_secs, 30);
    assert_eq!(enrolled.body["device_name"], "test phone");
    let expires_at = parse_time(&enrolled.body["expires_at"]);
    assert!(
        (expires_at - (now + 30 * 86_400)).abs() <= 2,
        "expires_at {expires_at}"
    );
    let renew_after = parse_time(&enrolled.body["renew_after"]);
    assert_eq!(expires_at - renew_after, 7 * 86_400);
    assert!((parse_time(&enrolled.body["server_time"]) - now).abs() <= 2);
}

#[tokio::test]
async fn enrollment_needs_idempotency_key() {
    let gate = Gate::start(|_| {}).await;
    let response = gate
        .http()
        .post(gate.url("/app/v1/entry-credentials"))
        .bearer_auth(gate.token("shopper-no-key"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/missing-idempotency-key");
}

#[tokio::test]
async fn repeated_enrollment_returns_same_secret() {
    let gate = Gate::start(|_| {}).await;
    let send = || {
        gate.http()
            .post(gate.url("/app/v1/entry-credentials"))
            .bearer_auth(gate.token("shopper-repeat"))
            .header("Idempotency-Key", "enroll-once")
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let second: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(first["credential_id"], second["credential_id"]);
    assert_eq!(first["secret"], second["secret"]);

    let shopper = shopper_id(&gate, "shopper-repeat").await;
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM entry_credentials WHERE shopper_id = $1")
            .bind(&shopper)
            .fetch_one(gate.db())
            .await
            .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn secret_is_not_stored_in_clear() {
    let gate = Gate::start(|_| {}).await;
    let enrolled = enroll(&gate, "shopper-sealed").await;
    let secret_base64 = enrolled.body["secret"].as_str().unwrap().to_owned();
    let secret_hex = hex::encode(enrolled.secret);

    let sealed: Vec<String> = sqlx::query_scalar("SELECT secret_sealed FROM entry_credentials")
        .fetch_all(gate.db())
        .await
        .unwrap();
    let replays: Vec<String> = sqlx::query_scalar("SELECT response_body FROM idempotency_keys")
        .fetch_all(gate.db())
        .await
        .unwrap();
    for text in sealed.iter().chain(replays.iter()) {
        assert!(
            !text.contains(&secret_base64),
            "the Base64 secret is stored in clear"
        );
        assert!(
            !text.contains(&secret_hex),
            "the hex secret is stored in clear"
        );
    }
    assert_eq!(replays.len(), 1);
}

#[tokio::test]
async fn list_shows_own_credentials_without_secrets() {
    let gate = Gate::start(|_| {}).await;
    let enrolled = enroll(&gate, "shopper-list").await;
    enroll(&gate, "shopper-other").await;

    let listed: Value = gate
        .http()
        .get(gate.url("/app/v1/entry-credentials"))
        .bearer_auth(gate.token("shopper-list"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let credentials = listed["credentials"].as_array().unwrap();
    assert_eq!(credentials.len(), 1);
    assert_eq!(
        credentials[0]["credential_id"],
        json!(enrolled.credential_hex)
    );
    assert_eq!(credentials[0]["status"], "active");
    assert!(credentials[0].get("secret").is_none());
}

#[tokio::test]
async fn revoke_reaches_only_own_credentials() {
    let gate = Gate::start(|_| {}).await;
    let mine = enroll(&gate, "shopper-owner").await;
    let theirs = enroll(&gate, "shopper-neighbour").await;
    let revoke = |id: String| {
        let request = gate
            .http()
            .delete(gate.url(&format!("/app/v1/entry-credentials/{id}")))
            .bearer_auth(gate.token("shopper-owner"));
        async move { request.send().await.unwrap() }
    };

    let other = revoke(theirs.credential_hex.clone()).await;
    assert_eq!(other.status(), 404);
    let other_body: Value = other.json().await.unwrap();
    let missing = revoke("00112233aabbccdd".to_owned()).await;
    assert_eq!(missing.status(), 404);
    let missing_body: Value = missing.json().await.unwrap();
    assert_eq!(
        other_body, missing_body,
        "another shopper's id must look like a missing one"
    );
    assert_eq!(revoke("not-an-id".to_owned()).await.status(), 404);

    assert_eq!(revoke(mine.credential_hex.clone()).await.status(), 204);
    assert_eq!(revoke(mine.credential_hex.clone()).await.status(), 204);
    let revoked_at: Option<i64> =
        sqlx::query_scalar("SELECT revoked_at FROM entry_credentials WHERE id = $1")
            .bind(&theirs.credential_hex)
            .fetch_one(gate.db())
            .await
            .unwrap();
    assert_eq!(revoked_at, None);
}
