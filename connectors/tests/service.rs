//! The service's foundations over real HTTP: health, readiness, problem documents, request ids
//! and the OpenAPI document.

mod common;

use common::TestService;
use walkout_connectors::problem;

#[tokio::test]
async fn healthz_answers_ok() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::get(service.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_reports_current_schema() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::get(service.url("/readyz")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(
        body["schema_version"],
        service.state.db.expected_schema_version()
    );
}

#[tokio::test]
async fn readyz_fails_when_database_is_closed() {
    let service = TestService::start(|_| {}).await;
    service.state.db.pool.close().await;
    let response = reqwest::get(service.url("/readyz")).await.unwrap();
    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/not-ready");
    let failed = body["failed"].as_array().unwrap();
    assert!(
        failed[0].as_str().unwrap().starts_with("database"),
        "{failed:?}"
    );
}

#[tokio::test]
async fn unknown_path_is_a_problem_document() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::get(service.url("/no/such/route")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/not-found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["title"], "Not found");
    assert!(body["detail"].as_str().unwrap().contains("/no/such/route"));
}

#[tokio::test]
async fn wrong_method_is_405_problem() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::Client::new()
        .post(service.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["type"], "/problems/method-not-allowed");
}

#[tokio::test]
async fn every_problem_slug_has_a_page() {
    let service = TestService::start(|_| {}).await;
    for kind in problem::ALL {
        let response = reqwest::get(service.url(&format!("/problems/{}", kind.slug)))
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "page of {}", kind.slug);
        let page = response.text().await.unwrap();
        assert!(page.contains(kind.title), "title of {}", kind.slug);
        assert!(
            page.contains(kind.explanation),
            "explanation of {}",
            kind.slug
        );
    }
    let unknown = reqwest::get(service.url("/problems/no-such-slug"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn request_id_is_echoed() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::Client::new()
        .get(service.url("/healthz"))
        .header("X-Request-Id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
}

#[tokio::test]
async fn request_id_is_generated_as_uuid_v7() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::get(service.url("/healthz")).await.unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    let parsed = uuid::Uuid::parse_str(id).unwrap();
    assert_eq!(parsed.get_version_num(), 7);
}

#[tokio::test]
async fn unprintable_request_id_is_replaced() {
    let service = TestService::start(|_| {}).await;
    let long = "x".repeat(500);
    let response = reqwest::Client::new()
        .get(service.url("/healthz"))
        .header("X-Request-Id", &long)
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(id, long);
    assert!(uuid::Uuid::parse_str(id).is_ok());
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let service = TestService::start(|_| {}).await;
    let response = reqwest::get(service.url("/openapi.json")).await.unwrap();
    assert_eq!(response.status(), 200);
    let document: serde_json::Value = response.json().await.unwrap();
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = document["paths"].as_object().unwrap();
    for path in ["/healthz", "/readyz", "/problems/{slug}"] {
        assert!(paths.contains_key(path), "missing {path}");
    }
}

#[tokio::test]
async fn first_start_stores_admin_key_hash_only() {
    let service = TestService::start(|_| {}).await;
    let key = service.state.credentials.admin_api_key.clone();
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT key_hash, scopes FROM admin_keys")
        .fetch_all(&service.state.db.pool)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, walkout_connectors::auth::admin::hash_key(&key));
    assert_eq!(rows[0].1, "admin");
    assert!(!rows[0].0.contains(&key));
}
