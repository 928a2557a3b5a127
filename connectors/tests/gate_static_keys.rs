//! Static identity keys through the admin API and VerifyIdentityKeys.

mod auth_support;
mod gate_support;

use serde_json::{Value, json};
use walkout_connectors::gate::trips;

use gate_support::{Gate, OTHER_STORE, STORE, base64, count, scan_body, verify};

async fn add_static_key(gate: &Gate, key: &str, visitor_id: &str, kind: &str) -> reqwest::Response {
    gate.http()
        .post(gate.url("/admin/v1/static-keys"))
        .bearer_auth(gate.admin_key())
        .json(&json!({"storeId": STORE, "key": key, "visitorId": visitor_id, "type": kind}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn associate_key_is_admitted_without_hold() {
    let gate = Gate::start(|_| {}).await;
    let added = add_static_key(&gate, "ASSOCIATE-BADGE-0042", "associate-42", "ASSOCIATE").await;
    assert_eq!(added.status(), 201);

    let body = scan_body(STORE, &base64(b"ASSOCIATE-BADGE-0042"));
    let answer = verify(&gate, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(
        answer.body,
        json!({"visitorDetails": {"id": "associate-42", "type": "ASSOCIATE"}})
    );

    let auth_event = body["authEvent"]["id"].as_str().unwrap();
    let trip = trips::find_by_auth_event(&gate.service.state.db, auth_event)
        .await
        .unwrap()
        .expect("trip");
    assert!(trip.is_associate);
    assert!(!trip.is_test);
    assert_eq!(trip.shopper_id, None);
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trip_payments WHERE trip_id = $1",
            &trip.id
        )
        .await,
        0
    );
}

#[tokio::test]
async fn shopper_key_opens_test_trip() {
    let gate = Gate::start(|_| {}).await;
    assert_eq!(
        add_static_key(&gate, "valid_shopper_key", "test-shopper-1", "SHOPPER")
            .await
            .status(),
        201
    );

    // JWO's own test value: Base64 of "valid_shopper_key".
    let body = scan_body(STORE, "dmFsaWRfc2hvcHBlcl9rZXk=");
    let answer = verify(&gate, &body).await;
    assert_eq!(
        answer.body,
        json!({"visitorDetails": {"id": "test-shopper-1", "type": "SHOPPER"}})
    );
    let auth_event = body["authEvent"]["id"].as_str().unwrap();
    let trip = trips::find_by_auth_event(&gate.service.state.db, auth_event)
        .await
        .unwrap()
        .expect("trip");
    assert!(trip.is_test);
}

#[tokio::test]
async fn static_key_belongs_to_its_store() {
    let gate = Gate::start(|_| {}).await;
    assert_eq!(
        add_static_key(&gate, "valid_shopper_key", "test-shopper-1", "SHOPPER")
            .await
            .status(),
        201
    );
    let answer = verify(&gate, &scan_body(OTHER_STORE, "dmFsaWRfc2hvcHBlcl9rZXk=")).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "malformed-code");
}

#[tokio::test]
async fn static_keys_are_listed_and_revoked() {
    let gate = Gate::start(|_| {}).await;
    let added: Value = add_static_key(&gate, "badge-7", "associate-7", "ASSOCIATE")
        .await
        .json()
        .await
        .unwrap();
    let id = added["id"].as_str().unwrap();
    assert!(added.get("key").is_none(), "the key text is never returned");

    let listed: Value = gate
        .http()
        .get(gate.url("/admin/v1/static-keys"))
        .bearer_auth(gate.admin_key())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["static_keys"][0]["visitorId"], "associate-7");
    assert!(!listed.to_string().contains("badge-7"));

    let delete = |id: String| {
        let request = gate
            .http()
            .delete(gate.url(&format!("/admin/v1/static-keys/{id}")))
            .bearer_auth(gate.admin_key());
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(delete(id.to_owned()).await, 204);
    assert_eq!(delete(id.to_owned()).await, 404);
    let answer = verify(&gate, &scan_body(STORE, &base64(b"badge-7"))).await;
    assert_eq!(answer.slug(), "malformed-code");
}

#[tokio::test]
async fn static_key_body_is_validated() {
    let gate = Gate::start(|_| {}).await;
    let wrong_type = add_static_key(&gate, "badge-8", "visitor-8", "CASH").await;
    assert_eq!(wrong_type.status(), 400);
    assert_eq!(
        add_static_key(&gate, "badge-8", "visitor-8", "ASSOCIATE")
            .await
            .status(),
        201
    );
    let duplicate = add_static_key(&gate, "badge-8", "visitor-9", "ASSOCIATE").await;
    assert_eq!(duplicate.status(), 400);
}

#[tokio::test]
async fn static_keys_need_admin_key() {
    let gate = Gate::start(|_| {}).await;
    let response = gate
        .http()
        .get(gate.url("/admin/v1/static-keys"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}
