//! Administrator API keys through the real service: the initial key, scoped keys, unknown,
//! revoked and malformed keys.

mod auth_support;

use axum::Router;
use axum::routing::get;
use serde_json::Value;
use walkout_connectors::auth::admin::{AdminCaller, Scope, create_key, hash_key};
use walkout_connectors::problem::Problem;
use walkout_connectors::server::AppState;

use auth_support::{TestService, captured_logs, start_service};

async fn catalog_write(caller: AdminCaller) -> Result<&'static str, Problem> {
    caller.require(Scope::CatalogWrite)?;
    Ok("catalog written")
}

async fn reports_read(caller: AdminCaller) -> Result<&'static str, Problem> {
    caller.require(Scope::ReportsRead)?;
    Ok("report read")
}

fn admin_routes(state: AppState) -> Router {
    Router::new()
        .route("/test/admin/catalog", get(catalog_write))
        .route("/test/admin/reports", get(reports_read))
        .with_state(state)
}

async fn start_admin_service() -> TestService {
    start_service(|_| {}, admin_routes).await
}

struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn problem_type(&self) -> String {
        let problem: Value = serde_json::from_str(&self.body).expect("problem body");
        problem["type"].as_str().unwrap_or("").to_owned()
    }
}

async fn get_with_key(service: &TestService, path: &str, key: &str) -> Answer {
    let response = service
        .http
        .get(service.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("service answers");
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    Answer { status, body }
}

#[tokio::test]
async fn initial_key_has_admin_scope() {
    let service = start_admin_service().await;
    let key = service.state.credentials.admin_api_key.clone();

    for path in ["/test/admin/catalog", "/test/admin/reports"] {
        let answer = get_with_key(&service, path, &key).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    }
}

#[tokio::test]
async fn scoped_key_is_limited_to_its_scope() {
    let service = start_admin_service().await;
    let key = create_key(&service.state.db, &[Scope::ReportsRead], "reports only")
        .await
        .expect("key is created");

    let reports = get_with_key(&service, "/test/admin/reports", &key).await;
    assert_eq!(reports.status, 200);

    let catalog = get_with_key(&service, "/test/admin/catalog", &key).await;
    assert_eq!(catalog.status, 403);
    assert_eq!(catalog.problem_type(), "/problems/forbidden");
    assert!(
        catalog.body.contains("catalog:write"),
        "the detail names the scope: {}",
        catalog.body
    );
    assert!(!catalog.body.contains(&key), "the body echoes the key");
}

#[tokio::test]
async fn bad_keys_are_unauthenticated() {
    let service = start_admin_service().await;
    let revoked = create_key(&service.state.db, &[Scope::Admin], "revoked")
        .await
        .expect("key is created");
    sqlx::query("UPDATE admin_keys SET revoked_at = $1 WHERE key_hash = $2")
        .bind(service.state.clock.now_ms())
        .bind(hash_key(&revoked))
        .execute(&service.state.db.pool)
        .await
        .expect("key is revoked");
    let initial = service.state.credentials.admin_api_key.clone();
    let unknown = format!("wk_admin_{}", "A".repeat(43));
    let wrong_prefix = initial.replacen("wk_admin_", "wk_user_", 1);

    let cases = [
        ("unknown key", unknown, "unknown admin API key"),
        ("revoked key", revoked, "revoked"),
        ("wrong prefix", wrong_prefix, "start with wk_admin_"),
    ];
    for (case, key, expected) in &cases {
        let answer = get_with_key(&service, "/test/admin/catalog", key).await;
        assert_eq!(answer.status, 401, "{case}");
        assert_eq!(answer.problem_type(), "/problems/unauthenticated", "{case}");
        assert!(answer.body.contains(expected), "{case}: {}", answer.body);
        assert!(
            !answer.body.contains(key.as_str()),
            "{case}: the body echoes the key"
        );
    }

    let logs = captured_logs();
    assert!(!logs.contains(&initial), "the initial key is in the log");
    for (case, key, _) in &cases {
        assert!(
            !logs.contains(key.as_str()),
            "{case}: the key is in the log"
        );
    }
}

#[tokio::test]
async fn missing_key_is_unauthenticated() {
    let service = start_admin_service().await;

    let response = service
        .http
        .get(service.url("/test/admin/reports"))
        .send()
        .await
        .expect("service answers");

    assert_eq!(response.status(), 401);
    let challenge = response
        .headers()
        .get("www-authenticate")
        .expect("WWW-Authenticate on 401");
    assert!(challenge.to_str().unwrap_or("").starts_with("Bearer"));
}
