//! The app's receipt feed, receipt detail and trips through the real service, with receipt
//! and trip rows written straight into the database as the ordering and gate code write them.

mod app_receipts_support;
mod auth_support;

use serde_json::{Value, json};

use app_receipts_support::{App, document};

fn id(n: u32) -> String {
    format!("0190a000-0000-7000-8000-{n:012}")
}

/// Follows the feed from the start with `limit`, returning every page.
async fn all_pages(app: &App, token: &str, limit: u32) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut path = format!("/app/v1/receipts?limit={limit}");
    loop {
        let page = app.get_json(&path, token, 200).await;
        let cursor = page["next_cursor"]
            .as_str()
            .expect("next_cursor")
            .to_owned();
        let has_more = page["has_more"].as_bool().expect("has_more");
        pages.push(page);
        if !has_more {
            return pages;
        }
        path = format!("/app/v1/receipts?limit={limit}&after={cursor}");
    }
}

fn item_ids(pages: &[Value]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p["items"].as_array().expect("items").clone())
        .map(|item| item["receipt_id"].as_str().expect("receipt_id").to_owned())
        .collect()
}

#[tokio::test]
async fn feed_pages_own_changes_in_order() {
    let app = App::start().await;
    for n in 1..=5 {
        app.insert_receipt(
            &id(n),
            1,
            &app.shopper_a,
            None,
            Some(&document(&id(n), 1, 100)),
        )
        .await;
        app.insert_receipt(
            &id(100 + n),
            1,
            &app.shopper_b,
            None,
            Some(&document(&id(100 + n), 1, 100)),
        )
        .await;
    }

    let pages = all_pages(&app, &app.token_a, 2).await;

    assert_eq!(pages.len(), 3);
    assert_eq!(item_ids(&pages), (1..=5).map(id).collect::<Vec<_>>());
    let seqs: Vec<i64> = pages
        .iter()
        .flat_map(|p| p["items"].as_array().expect("items").clone())
        .map(|item| item["change_seq"].as_i64().expect("change_seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "change_seq not increasing: {seqs:?}"
    );
    let first = &pages[0]["items"][0];
    assert_eq!(first["version"], 1);
    assert_eq!(first["deleted"], false);
    assert_eq!(first["receipt"]["businessUnit"]["id"], "UK-LON-001");
}

#[tokio::test]
async fn feed_end_returns_same_cursor() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 100)),
    )
    .await;
    let page = app.get_json("/app/v1/receipts", &app.token_a, 200).await;
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();

    let end = app
        .get_json(
            &format!("/app/v1/receipts?after={cursor}"),
            &app.token_a,
            200,
        )
        .await;

    assert_eq!(end["items"], json!([]));
    assert_eq!(end["has_more"], false);
    assert_eq!(end["next_cursor"], cursor);
}

#[tokio::test]
async fn new_shopper_gets_empty_feed() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 100)),
    )
    .await;

    let page = app.get_json("/app/v1/receipts", &app.token_b, 200).await;

    assert_eq!(page["items"], json!([]));
    assert_eq!(page["has_more"], false);
}

#[tokio::test]
async fn limit_above_maximum_is_capped() {
    let app = App::start().await;
    for n in 1..=501 {
        app.insert_receipt(
            &id(n),
            1,
            &app.shopper_a,
            None,
            Some(&document(&id(n), 1, 100)),
        )
        .await;
    }

    let page = app
        .get_json("/app/v1/receipts?limit=100000", &app.token_a, 200)
        .await;
    let default = app.get_json("/app/v1/receipts", &app.token_a, 200).await;

    assert_eq!(page["items"].as_array().expect("items").len(), 500);
    assert_eq!(page["has_more"], true);
    assert_eq!(default["items"].as_array().expect("items").len(), 100);
}

#[tokio::test]
async fn invalid_query_is_rejected() {
    let app = App::start().await;
    let cases = [
        ("after=42", "after"),
        ("after=rc1.%21%21", "after"),
        ("after=rc1.LTE", "after"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
    ];
    for (query, parameter) in cases {
        let response = app
            .get(&format!("/app/v1/receipts?{query}"), &app.token_a, &[])
            .await;
        assert_eq!(response.status(), 400, "{query}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .expect("type")
            .to_owned();
        assert_eq!(content_type, "application/problem+json", "{query}");
        let body: Value = response.json().await.expect("problem");
        assert_eq!(body["type"], "/problems/invalid-request", "{query}");
        assert_eq!(body["parameter"], parameter, "{query}");
        let detail = body["detail"].as_str().expect("detail");
        assert!(
            detail.contains(&format!("`{parameter}`")),
            "{query}: {detail}"
        );
    }
}

#[tokio::test]
async fn versions_and_tombstones_are_changes() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 500)),
    )
    .await;
    app.insert_receipt(
        &id(2),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(2), 1, 700)),
    )
    .await;
    app.insert_receipt(
        &id(1),
        2,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 2, 300)),
    )
    .await;
    app.insert_receipt(&id(2), 2, &app.shopper_a, None, None)
        .await;

    let page = app.get_json("/app/v1/receipts", &app.token_a, 200).await;
    let items = page["items"].as_array().expect("items");

    assert_eq!(items.len(), 4);
    assert_eq!(items[2]["receipt_id"], id(1));
    assert_eq!(items[2]["version"], 2);
    assert_eq!(items[2]["receipt"]["totals"]["grand"]["amount_minor"], 300);
    assert_eq!(items[3]["receipt_id"], id(2));
    assert_eq!(items[3]["deleted"], true);
    assert_eq!(items[3]["receipt"], Value::Null);
}

#[tokio::test]
async fn detail_is_latest_version_with_etag() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 500)),
    )
    .await;
    app.insert_receipt(
        &id(1),
        2,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 2, 300)),
    )
    .await;
    let path = format!("/app/v1/receipts/{}", id(1));

    let response = app.get(&path, &app.token_a, &[]).await;

    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned();
    assert_eq!(etag, format!("\"{}.v2\"", id(1)));
    let body: Value = response.json().await.expect("document");
    assert_eq!(body["version"], 2);
    assert_eq!(body["totals"]["grand"]["amount_minor"], 300);
}

#[tokio::test]
async fn matching_etag_is_not_modified() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 500)),
    )
    .await;
    let path = format!("/app/v1/receipts/{}", id(1));
    let first = app.get(&path, &app.token_a, &[]).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();

    let same = app
        .get(&path, &app.token_a, &[("If-None-Match", &etag)])
        .await;
    assert_eq!(same.status(), 304);
    assert_eq!(same.headers()["etag"].to_str().expect("etag"), etag);
    assert!(same.bytes().await.expect("body").is_empty());

    app.insert_receipt(
        &id(1),
        2,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 2, 300)),
    )
    .await;
    let changed = app
        .get(&path, &app.token_a, &[("If-None-Match", &etag)])
        .await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().expect("etag"), etag);
}

/// Returns the status and body of a 404, with the ids of the request removed from the body.
async fn not_found_body(app: &App, path: &str, token: &str, ids: &[&str]) -> (u16, String) {
    let response = app.get(path, token, &[]).await;
    let status = response.status().as_u16();
    let mut body = response.text().await.expect("body");
    for id in ids {
        body = body.replace(id, "<id>");
    }
    (status, body)
}

#[tokio::test]
async fn other_shoppers_receipt_looks_missing() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 500)),
    )
    .await;
    let theirs = id(1);
    let missing = id(999);

    let other = not_found_body(
        &app,
        &format!("/app/v1/receipts/{theirs}"),
        &app.token_b,
        &[&theirs],
    )
    .await;
    let absent = not_found_body(
        &app,
        &format!("/app/v1/receipts/{missing}"),
        &app.token_b,
        &[&missing],
    )
    .await;

    assert_eq!(other.0, 404);
    assert_eq!(other, absent);
}

#[tokio::test]
async fn deleted_receipt_looks_missing() {
    let app = App::start().await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        None,
        Some(&document(&id(1), 1, 500)),
    )
    .await;
    app.insert_receipt(&id(1), 2, &app.shopper_a, None, None)
        .await;

    let deleted = not_found_body(
        &app,
        &format!("/app/v1/receipts/{}", id(1)),
        &app.token_a,
        &[&id(1)],
    )
    .await;
    let absent = not_found_body(
        &app,
        &format!("/app/v1/receipts/{}", id(2)),
        &app.token_a,
        &[&id(2)],
    )
    .await;

    assert_eq!(deleted.0, 404);
    assert_eq!(deleted, absent);
}

#[tokio::test]
async fn other_shoppers_trip_looks_missing() {
    let app = App::start().await;
    let theirs = "0190b000-0000-7000-8000-000000000001";
    let missing = "0190b000-0000-7000-8000-000000000999";
    app.insert_trip(theirs, &app.shopper_a, "entered", 1_000)
        .await;

    let other = not_found_body(
        &app,
        &format!("/app/v1/trips/{theirs}"),
        &app.token_b,
        &[theirs],
    )
    .await;
    let absent = not_found_body(
        &app,
        &format!("/app/v1/trips/{missing}"),
        &app.token_b,
        &[missing],
    )
    .await;

    assert_eq!(other.0, 404);
    assert_eq!(other, absent);
    let own = app
        .get_json(&format!("/app/v1/trips/{theirs}"), &app.token_a, 200)
        .await;
    assert_eq!(own["trip_id"], theirs);
    assert_eq!(own["state"], "entered");
}

#[tokio::test]
async fn current_trip_prefers_latest_open() {
    let app = App::start().await;
    app.insert_trip("trip-old-open", &app.shopper_a, "entered", 1_000)
        .await;
    app.insert_trip("trip-open", &app.shopper_a, "cart_received", 2_000)
        .await;
    app.insert_trip("trip-done", &app.shopper_a, "receipt_ready", 3_000)
        .await;

    let current = app
        .get_json("/app/v1/trips/current", &app.token_a, 200)
        .await;

    assert_eq!(current["trip"]["trip_id"], "trip-open");
    assert_eq!(current["trip"]["state"], "cart_received");
    assert_eq!(current["trip"]["outstanding"], Value::Null);
}

#[tokio::test]
async fn current_trip_falls_back_to_most_recent() {
    let app = App::start().await;
    app.insert_trip("trip-1", &app.shopper_a, "receipt_ready", 1_000)
        .await;
    app.insert_trip("trip-2", &app.shopper_a, "closed_empty", 2_000)
        .await;
    app.insert_receipt(
        &id(1),
        1,
        &app.shopper_a,
        Some("trip-1"),
        Some(&document(&id(1), 1, 500)),
    )
    .await;

    let current = app
        .get_json("/app/v1/trips/current", &app.token_a, 200)
        .await;
    let first = app
        .get_json("/app/v1/trips/trip-1", &app.token_a, 200)
        .await;
    let none = app
        .get_json("/app/v1/trips/current", &app.token_b, 200)
        .await;

    assert_eq!(current["trip"]["trip_id"], "trip-2");
    assert_eq!(first["receipt_id"], id(1));
    assert_eq!(none, json!({"trip": null}));
}

#[tokio::test]
async fn payment_failed_trip_shows_outstanding() {
    let app = App::start().await;
    app.insert_trip("trip-failed", &app.shopper_a, "payment_failed", 1_000)
        .await;
    sqlx::query(
        "INSERT INTO trip_payments (trip_id, shopper_id, store_id, status, currency, hold_minor, \
         payment_method_id, psp_payment_method, outstanding_minor, created_at, updated_at) \
         VALUES ('trip-failed', $1, 'UK-LON-001', 'failed', 'GBP', 5000, 'pm-1', 'pm_test', 1234, 1, 1)",
    )
    .bind(&app.shopper_a)
    .execute(&app.db().pool)
    .await
    .expect("payment row");

    let current = app
        .get_json("/app/v1/trips/current", &app.token_a, 200)
        .await;

    assert_eq!(current["trip"]["state"], "payment_failed");
    assert_eq!(
        current["trip"]["outstanding"],
        json!({"amount_minor": 1234, "currency": "GBP"})
    );
}

#[tokio::test]
async fn routes_need_a_token() {
    let app = App::start().await;
    for path in [
        "/app/v1/receipts",
        "/app/v1/receipts/x",
        "/app/v1/trips/current",
        "/app/v1/trips/x",
        "/app/v1/events",
    ] {
        let response = app
            .service
            .http
            .get(app.service.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{path}");
    }
}
