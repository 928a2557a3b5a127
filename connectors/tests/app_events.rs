//! The app's server-sent event stream through the real service: resuming with
//! `Last-Event-ID`, live delivery by polling, and one shopper never seeing another's events.
//! Every read is bounded in time.

mod app_receipts_support;
mod auth_support;

use std::time::Duration;

use serde_json::json;
use tokio::time::{Instant, timeout};

use app_receipts_support::App;

/// One parsed SSE event.
#[derive(Debug, Clone, PartialEq)]
struct SseEvent {
    id: String,
    kind: String,
    data: String,
}

/// Reads events from an open stream until `count` arrived or `within` passed.
async fn read_events(
    response: &mut reqwest::Response,
    count: usize,
    within: Duration,
) -> Vec<SseEvent> {
    let deadline = Instant::now() + within;
    let mut buffer = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(Ok(Some(chunk))) = timeout(left, response.chunk()).await else {
            break;
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if let Some(event) = parse_block(&block) {
                events.push(event);
            }
        }
    }
    events
}

/// Parses one SSE block; comments (keep-alives) give `None`.
fn parse_block(block: &str) -> Option<SseEvent> {
    let mut event = SseEvent {
        id: String::new(),
        kind: String::new(),
        data: String::new(),
    };
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("id:") {
            event.id = value.trim().to_owned();
        } else if let Some(value) = line.strip_prefix("event:") {
            event.kind = value.trim().to_owned();
        } else if let Some(value) = line.strip_prefix("data:") {
            event.data.push_str(value.trim());
        }
    }
    (!event.id.is_empty()).then_some(event)
}

async fn open_stream(app: &App, token: &str, last_event_id: Option<&str>) -> reqwest::Response {
    let mut headers = vec![("Accept", "text/event-stream")];
    if let Some(id) = last_event_id {
        headers.push(("Last-Event-ID", id));
    }
    let response = app.get("/app/v1/events", token, &headers).await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("type")
        .to_owned();
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    response
}

#[tokio::test]
async fn stream_resumes_after_last_event_id() {
    let app = App::start().await;
    let first = app
        .publish(
            &app.shopper_a,
            "receipt-ready",
            json!({"receipt_id": "r-1"}),
        )
        .await;
    app.publish(
        &app.shopper_b,
        "receipt-ready",
        json!({"receipt_id": "theirs"}),
    )
    .await;
    let second = app
        .publish(&app.shopper_a, "trip-updated", json!({"trip_id": "t-1"}))
        .await;
    let third = app
        .publish(
            &app.shopper_a,
            "receipt-ready",
            json!({"receipt_id": "r-2"}),
        )
        .await;

    let mut stream = open_stream(&app, &app.token_a, Some(&first.to_string())).await;
    let events = read_events(&mut stream, 2, Duration::from_secs(5)).await;

    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, vec![second.to_string(), third.to_string()]);
    assert_eq!(events[0].kind, "trip-updated");
    assert_eq!(events[1].data, r#"{"receipt_id":"r-2"}"#);
}

#[tokio::test]
async fn stream_delivers_new_events_live() {
    let app = App::start().await;
    app.publish(
        &app.shopper_a,
        "receipt-ready",
        json!({"receipt_id": "old"}),
    )
    .await;
    let mut stream = open_stream(&app, &app.token_a, None).await;

    app.publish(
        &app.shopper_b,
        "receipt-ready",
        json!({"receipt_id": "theirs"}),
    )
    .await;
    let fresh = app
        .publish(
            &app.shopper_a,
            "receipt-ready",
            json!({"receipt_id": "new"}),
        )
        .await;
    let events = read_events(&mut stream, 1, Duration::from_secs(5)).await;

    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].id, fresh.to_string());
    assert_eq!(events[0].data, r#"{"receipt_id":"new"}"#);
}

#[tokio::test]
async fn stream_never_shows_other_shoppers_events() {
    let app = App::start().await;
    app.publish(&app.shopper_b, "entry-denied", json!({"reason": "bad-tag"}))
        .await;
    let mine = app
        .publish(&app.shopper_a, "trip-updated", json!({"trip_id": "t-1"}))
        .await;
    app.publish(&app.shopper_b, "entry-denied", json!({"reason": "bad-tag"}))
        .await;

    let mut stream = open_stream(&app, &app.token_a, Some("0")).await;
    let events = read_events(&mut stream, 2, Duration::from_secs(2)).await;

    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(ids, vec![mine.to_string()]);
}

#[tokio::test]
async fn invalid_last_event_id_is_rejected() {
    let app = App::start().await;
    for value in ["abc", "-1", "1.5", "99999999999999999999"] {
        let response = app
            .get("/app/v1/events", &app.token_a, &[("Last-Event-ID", value)])
            .await;
        assert_eq!(response.status(), 400, "Last-Event-ID {value}");
        let body: serde_json::Value = response.json().await.expect("problem");
        assert_eq!(body["parameter"], "Last-Event-ID", "Last-Event-ID {value}");
    }
}
