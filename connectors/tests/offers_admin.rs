//! Admin API of offers: create, list, read, update and withdraw general offers, with the
//! `offers:write` scope checks and problem documents that name the field.

mod auth_support;
mod offers_support;
mod ordering_support;

use reqwest::Method;
use serde_json::json;
use walkout_connectors::auth::admin::Scope;

use offers_support::{OffersService, percent_off_sku};

#[tokio::test]
async fn general_offer_lifecycle() {
    let service = OffersService::start().await;
    let key = service.key_with(&[Scope::OffersWrite]).await;

    let body = percent_off_sku("spring-mugs", "85123A", 1_000);
    let (status, created) = service
        .admin(Method::POST, "/admin/v1/offers", &key, Some(body.clone()))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["offer_id"], "spring-mugs");
    assert_eq!(created["kind"], "general");
    assert_eq!(created["withdrawn_at"], json!(null));

    let (status, again) = service
        .admin(Method::POST, "/admin/v1/offers", &key, Some(body))
        .await;
    assert_eq!(status, 409, "{again}");
    assert_eq!(again["type"], "/problems/offer-exists");

    let mut changed = percent_off_sku("ignored", "85123A", 2_500);
    changed["title"] = json!("25% off the heart holder");
    let (status, updated) = service
        .admin(
            Method::PUT,
            "/admin/v1/offers/spring-mugs",
            &key,
            Some(changed),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["title"], "25% off the heart holder");
    assert_eq!(updated["rule"]["basis_points"], 2_500);

    let (status, listed) = service
        .admin(Method::GET, "/admin/v1/offers", &key, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(listed["offers"].as_array().map(Vec::len), Some(1));

    let (status, withdrawn) = service
        .admin(
            Method::POST,
            "/admin/v1/offers/spring-mugs/withdraw",
            &key,
            None,
        )
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert!(withdrawn["withdrawn_at"].is_string(), "{withdrawn}");

    let (_, listed) = service
        .admin(Method::GET, "/admin/v1/offers", &key, None)
        .await;
    assert_eq!(listed["offers"].as_array().map(Vec::len), Some(0));
    let (_, with_withdrawn) = service
        .admin(
            Method::GET,
            "/admin/v1/offers?include_withdrawn=true",
            &key,
            None,
        )
        .await;
    assert_eq!(with_withdrawn["offers"].as_array().map(Vec::len), Some(1));

    let (status, edit_withdrawn) = service
        .admin(
            Method::PUT,
            "/admin/v1/offers/spring-mugs",
            &key,
            Some(percent_off_sku("x", "85123A", 500)),
        )
        .await;
    assert_eq!(status, 409, "{edit_withdrawn}");
    assert_eq!(edit_withdrawn["type"], "/problems/offer-not-editable");
}

#[tokio::test]
async fn missing_offer_is_not_found() {
    let service = OffersService::start().await;
    let key = service.admin_key();
    let cases = [
        (Method::GET, "/admin/v1/offers/nope"),
        (Method::POST, "/admin/v1/offers/nope/withdraw"),
    ];
    for (method, path) in cases {
        let (status, body) = service.admin(method, path, &key, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
}

#[tokio::test]
async fn invalid_fields_are_named() {
    let service = OffersService::start().await;
    let key = service.admin_key();
    let mut long_title = percent_off_sku("a", "85123A", 1_000);
    long_title["title"] = json!("x".repeat(101));
    let mut bad_window = percent_off_sku("b", "85123A", 1_000);
    bad_window["active_from"] = json!("2030-01-02T00:00:00Z");
    bad_window["active_to"] = json!("2030-01-01T00:00:00Z");
    let cases = [
        (percent_off_sku("has space", "85123A", 1_000), "offer_id"),
        (percent_off_sku("c", "85123A", 10_001), "rule"),
        (long_title, "title"),
        (bad_window, "active_to"),
    ];
    for (body, field) in cases {
        let (status, problem) = service
            .admin(Method::POST, "/admin/v1/offers", &key, Some(body))
            .await;
        assert_eq!(status, 400, "{field}: {problem}");
        assert_eq!(problem["type"], "/problems/invalid-request", "{field}");
        assert_eq!(problem["field"], field, "{problem}");
    }

    let (status, problem) = service
        .admin(
            Method::POST,
            "/admin/v1/offers",
            &key,
            Some(json!({"title": "no rule"})),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("rule"), "{detail}");
}

#[tokio::test]
async fn scopes_are_enforced() {
    let service = OffersService::start().await;
    let catalog_key = service.key_with(&[Scope::CatalogWrite]).await;
    let offers_key = service.key_with(&[Scope::OffersWrite]).await;
    let admin_key = service.admin_key();
    let routes = [
        (Method::GET, "/admin/v1/offers", None),
        (
            Method::POST,
            "/admin/v1/offers",
            Some(percent_off_sku("scoped", "85123A", 1_000)),
        ),
        (Method::POST, "/admin/v1/offers/recompute", None),
    ];
    for (method, path, body) in routes {
        let (status, problem) = service
            .admin(method.clone(), path, &catalog_key, body.clone())
            .await;
        assert_eq!(status, 403, "{method} {path} with catalog:write");
        assert_eq!(problem["required_scope"], "offers:write");

        let (status, _) = service
            .admin(method.clone(), path, "wk_admin_unknown", body.clone())
            .await;
        assert_eq!(status, 401, "{method} {path} with an unknown key");

        let (status, body_ok) = service
            .admin(method.clone(), path, &offers_key, body.clone())
            .await;
        assert!(
            status < 300,
            "{method} {path} with offers:write: {status} {body_ok}"
        );
    }
    let (status, _) = service
        .admin(Method::GET, "/admin/v1/offers", &admin_key, None)
        .await;
    assert_eq!(status, 200, "admin scope reads offers");
}
