//! Offers and consent on `Walkout` against a stand-in backend on 127.0.0.1: the request each
//! method sends, the offer cache, and how a 404 reaches the caller.

mod receipts_support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use walkout_core::WalkoutError;
use walkout_core::offers::OfferKind;

use receipts_support::{TOKEN, walkout};

/// What the stand-in backend saw and holds.
#[derive(Default)]
struct Seen {
    /// (method and path, Idempotency-Key, body) of each request.
    requests: Vec<(String, Option<String>, String)>,
    activated: bool,
    consent: Vec<bool>,
}

type Shared = Arc<Mutex<Seen>>;

fn record(seen: &Shared, what: String, headers: &HeaderMap, body: String) -> bool {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    seen.lock()
        .unwrap_or_else(|p| p.into_inner())
        .requests
        .push((what, key, body));
    authorized
}

fn offer_json(activated: bool) -> Value {
    json!({
        "offer_id": "assoc-1", "kind": "targeted", "store_id": "UK-LON-001",
        "title": "10% off WHITE METAL LANTERN", "description": "",
        "rule": {"type": "percent_off", "target": {"sku": "71053"}, "basis_points": 1000},
        "active_to": null, "activated": activated, "redeemed": false,
        "reason": "because you bought WHITE HANGING HEART T-LIGHT HOLDER",
    })
}

async fn list(State(seen): State<Shared>, headers: HeaderMap) -> Response {
    if !record(&seen, "GET /app/v1/offers".into(), &headers, String::new()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let activated = seen.lock().unwrap_or_else(|p| p.into_inner()).activated;
    axum::Json(json!({ "offers": [offer_json(activated)] })).into_response()
}

async fn activate(
    State(seen): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    record(
        &seen,
        format!("POST /app/v1/offers/{id}/activate"),
        &headers,
        body,
    );
    if id != "assoc-1" {
        let problem = json!({"type": "/problems/not-found", "title": "Not found", "status": 404,
            "detail": "no offer with this id for this shopper"});
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/problem+json")],
            problem.to_string(),
        )
            .into_response();
    }
    seen.lock().unwrap_or_else(|p| p.into_inner()).activated = true;
    axum::Json(offer_json(true)).into_response()
}

fn consent_json(history: &[bool]) -> Value {
    let changes: Vec<Value> = history
        .iter()
        .enumerate()
        .map(|(i, granted)| json!({"granted": granted, "changed_at": format!("2026-01-0{}T00:00:00Z", i + 1)}))
        .collect();
    json!({"purpose": "targeted-offers", "granted": history.last().copied().unwrap_or(false), "history": changes})
}

async fn get_consent(State(seen): State<Shared>, headers: HeaderMap) -> Response {
    record(&seen, "GET /app/v1/consent".into(), &headers, String::new());
    let history = seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .consent
        .clone();
    axum::Json(consent_json(&history)).into_response()
}

async fn put_consent(State(seen): State<Shared>, headers: HeaderMap, body: String) -> Response {
    record(&seen, "PUT /app/v1/consent".into(), &headers, body.clone());
    let granted = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["granted"].as_bool());
    let Some(granted) = granted else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut state = seen.lock().unwrap_or_else(|p| p.into_inner());
    state.consent.push(granted);
    axum::Json(consent_json(&state.consent)).into_response()
}

fn start(seen: Shared) -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let app = Router::new()
                .route("/app/v1/offers", get(list))
                .route("/app/v1/offers/{id}/activate", post(activate))
                .route("/app/v1/consent", get(get_consent).put(put_consent))
                .with_state(seen);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            sender
                .send(listener.local_addr().expect("address"))
                .expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let address = receiver
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("server started");
    format!("http://{address}")
}

#[test]
fn offers_are_listed_and_cached() {
    let seen = Shared::default();
    let url = start(seen.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    assert_eq!(core.cached_offers().expect("empty cache"), Vec::new());
    let offers = core.offers().expect("offers");
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0].kind, OfferKind::Targeted);
    assert_eq!(
        offers[0].reason.as_deref(),
        Some("because you bought WHITE HANGING HEART T-LIGHT HOLDER")
    );
    assert!(!offers[0].activated);
    assert_eq!(core.cached_offers().expect("cache"), offers);
}

#[test]
fn activation_sends_idempotency_key() {
    let seen = Shared::default();
    let url = start(seen.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let offer = core.activate_offer("assoc-1").expect("activated");
    assert!(offer.activated);
    let requests = seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .requests
        .clone();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0, "POST /app/v1/offers/assoc-1/activate");
    assert!(requests[0].1.as_deref().is_some_and(|key| key.len() == 36));
}

#[test]
fn unknown_offer_is_denied_not_found() {
    let seen = Shared::default();
    let url = start(seen.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let error = core.activate_offer("someone-elses").expect_err("404");
    assert_eq!(
        error,
        WalkoutError::Denied {
            reason_slug: "not-found".to_owned()
        }
    );
}

#[test]
fn invalid_offer_id_is_not_sent() {
    let seen = Shared::default();
    let url = start(seen.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    for id in ["", " padded", &"x".repeat(65)] {
        let error = core.activate_offer(id).expect_err("invalid id");
        assert!(
            matches!(error, WalkoutError::InvalidInput { ref field, .. } if field == "offer_id"),
            "{error:?}"
        );
    }
    assert!(
        seen.lock()
            .unwrap_or_else(|p| p.into_inner())
            .requests
            .is_empty()
    );
}

#[test]
fn consent_round_trip() {
    let seen = Shared::default();
    let url = start(seen.clone());
    let storage = tempfile::tempdir().expect("tempdir");
    let core = walkout(&url, storage.path());

    let initial = core.consent().expect("consent");
    assert!(!initial.granted);
    assert!(initial.history.is_empty());

    core.offers().expect("offers cached");
    let on = core.set_consent(true).expect("on");
    assert!(on.granted);
    let off = core.set_consent(false).expect("off");
    assert!(!off.granted);
    assert_eq!(off.history.len(), 2);
    assert_eq!(
        core.cached_offers().expect("cache"),
        Vec::new(),
        "opting out clears the cache"
    );

    let requests = seen
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .requests
        .clone();
    let puts: Vec<&str> = requests
        .iter()
        .filter(|(what, _, _)| what == "PUT /app/v1/consent")
        .map(|(_, _, body)| body.as_str())
        .collect();
    assert_eq!(puts, [r#"{"granted":true}"#, r#"{"granted":false}"#]);
}
