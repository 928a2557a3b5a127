//! CreatePurchases end to end over HTTP: real baskets priced from the demo catalog, captured at
//! the sandbox PSP, receipted and queued for the POS; idempotency under concurrent deliveries;
//! validation responses; unknown SKUs, empty carts, unmatched carts and test trips.

mod ordering_support;

use std::collections::HashMap;

use ordering_support::{
    STORE, Service, captured_amount, captures_for_trip, import_demo_catalog, open_trip,
    purchase_body, receipt_of, shopper_with_card,
};
use serde_json::{Value, json};
use walkout_connectors::catalog::uci;

async fn count(service: &Service, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("count query")
}

async fn alerts(service: &Service) -> Vec<Value> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM events WHERE kind = 'retailer-alert' ORDER BY id")
            .fetch_all(&service.state.db.pool)
            .await
            .expect("alerts");
    payloads
        .iter()
        .map(|text| serde_json::from_str(text).expect("alert JSON"))
        .collect()
}

async fn trip_state(service: &Service, trip_id: &str) -> String {
    sqlx::query_scalar("SELECT state FROM trips WHERE id = $1")
        .bind(trip_id)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("trip state")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_baskets_are_charged_at_catalog_prices() {
    let service = Service::start(|_| {}).await;
    let (data, items) = import_demo_catalog(&service.state).await;
    let prices: HashMap<&str, i64> = items
        .iter()
        .map(|item| (item.item_sku.as_str(), item.price_minor))
        .collect();
    let baskets = uci::baskets(&data).baskets;

    for (number, basket) in baskets.iter().take(12).enumerate() {
        let (shopper_id, visitor_id) =
            shopper_with_card(&service, &format!("shopper-{number}")).await;
        let (trip_id, auth_event_id) =
            open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
        let quantities: Vec<String> = basket
            .lines
            .iter()
            .map(|l| l.quantity.to_string())
            .collect();
        let lines: Vec<(&str, &str, &str, &str)> = basket
            .lines
            .iter()
            .zip(&quantities)
            .map(|(line, quantity)| (line.sku.as_str(), "SKU", quantity.as_str(), "each"))
            .collect();
        let body = purchase_body(
            &uuid::Uuid::now_v7().to_string(),
            &auth_event_id,
            &visitor_id,
            &lines,
        );

        let (status, answer) = service.post_purchase(&body).await;
        assert_eq!(status, 201, "invoice {}: {answer}", basket.invoice_no);
        let purchase_id = answer["purchaseId"]
            .as_str()
            .expect("purchaseId")
            .to_owned();
        assert_eq!(
            service.wait_for_job(&purchase_id).await,
            "done",
            "invoice {}",
            basket.invoice_no
        );

        // Independent computation: quantity × catalog price per line; VAT 20% included, one
        // rate group, tax = gross / 6 rounded half up.
        let receipt = receipt_of(&service.state, &purchase_id)
            .await
            .expect("receipt");
        let sales: Vec<&Value> = receipt["lineItems"]
            .as_array()
            .expect("lineItems")
            .iter()
            .filter(|line| line["type"] == "sale")
            .collect();
        assert_eq!(
            sales.len(),
            basket.lines.len(),
            "invoice {} line count",
            basket.invoice_no
        );
        let mut gross = 0;
        for (line, sale) in basket.lines.iter().zip(&sales) {
            let expected = prices[line.sku.as_str()] * line.quantity;
            gross += expected;
            assert_eq!(
                sale["sku"],
                line.sku.as_str(),
                "invoice {}",
                basket.invoice_no
            );
            assert_eq!(
                sale["extendedAmount"]["amount_minor"].as_i64(),
                Some(expected),
                "invoice {} line {}",
                basket.invoice_no,
                line.line
            );
        }
        assert_eq!(
            receipt["totals"]["grand"]["amount_minor"].as_i64(),
            Some(gross),
            "invoice {} grand",
            basket.invoice_no
        );
        assert_eq!(
            receipt["totals"]["tax"]["amount_minor"].as_i64(),
            Some((gross * 2 + 6) / 12),
            "invoice {} tax",
            basket.invoice_no
        );
        assert_eq!(
            captured_amount(&service.state, &trip_id).await,
            gross,
            "invoice {} captured",
            basket.invoice_no
        );
        assert_eq!(
            captures_for_trip(&service.state, &trip_id).await,
            1,
            "invoice {} captures",
            basket.invoice_no
        );
        assert_eq!(trip_state(&service, &trip_id).await, "receipt_ready");
        assert_eq!(receipt["tenders"][0]["last4"], "4242");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicates_make_one_purchase() {
    let service = Service::start(|_| {}).await;
    import_demo_catalog(&service.state).await;
    let (shopper_id, visitor_id) = shopper_with_card(&service, "duplicate").await;
    let (trip_id, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-duplicate",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "2", "each")],
    );

    let mut calls = Vec::new();
    for _ in 0..10 {
        let service_body = body.clone();
        let client = service.client.clone();
        let url = service.url("/v1/order/purchases");
        let token = service.state.credentials.jwo_caller_token.clone();
        calls.push(tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&service_body)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.expect("body");
            (
                status,
                answer["purchaseId"].as_str().unwrap_or_default().to_owned(),
            )
        }));
    }
    let mut ids = Vec::new();
    for call in calls {
        let (status, id) = call.await.expect("task");
        assert_eq!(status, 201);
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every delivery gets the same purchaseId");
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM purchases WHERE idempotent_shopping_trip_id = $1",
            "trip-key-duplicate"
        )
        .await,
        1
    );

    assert_eq!(service.wait_for_job(&ids[0]).await, "done");
    let (status, replay) = service.post_purchase(&body).await;
    assert_eq!(status, 201);
    assert_eq!(replay["purchaseId"].as_str(), Some(ids[0].as_str()));
    assert_eq!(captures_for_trip(&service.state, &trip_id).await, 1);
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM receipts WHERE receipt_id = $1",
            &ids[0]
        )
        .await,
        1
    );
}

#[tokio::test]
async fn invalid_fields_are_named() {
    let service = Service::start(|_| {}).await;
    let base = purchase_body(
        "trip-key-invalid",
        "event-1",
        "visitor-1",
        &[("85123A", "SKU", "1", "each")],
    );
    let cases: [(&str, &str, Value); 5] = [
        ("/requestId", "requestId", json!("not-a-uuid")),
        ("/storeId", "storeId", json!("")),
        (
            "/shoppingTrip/endTime",
            "shoppingTrip.endTime",
            json!("2024-03-22T16:00:00Z"),
        ),
        ("/cartItems/0/type", "cartItems[0].type", json!("BARCODE")),
        (
            "/cartItems/0/quantity/unit",
            "cartItems[0].quantity.unit",
            json!("crate"),
        ),
    ];
    for (pointer, field, value) in cases {
        let mut body = base.clone();
        *body.pointer_mut(pointer).expect("field exists") = value;
        let (status, problem) = service.post_purchase(&body).await;
        assert_eq!(status, 400, "{field}");
        assert_eq!(problem["type"], "/problems/invalid-request", "{field}");
        assert_eq!(problem["field"], field, "{field}");
    }
    let purchases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases")
        .fetch_one(&service.state.db.pool)
        .await
        .expect("count");
    assert_eq!(purchases, 0);
}

#[tokio::test]
async fn missing_token_is_unauthenticated() {
    let service = Service::start(|_| {}).await;
    let body = purchase_body("trip-key-auth", "event-1", "visitor-1", &[]);
    let response = service
        .client
        .post(service.url("/v1/order/purchases"))
        .json(&body)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sku_is_unpriced_and_alerted() {
    let service = Service::start(|_| {}).await;
    let (_, items) = import_demo_catalog(&service.state).await;
    let known = items
        .iter()
        .find(|item| item.item_sku == "85123A")
        .expect("demo item");
    let (shopper_id, visitor_id) = shopper_with_card(&service, "unknown-sku").await;
    let (trip_id, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-unknown",
        &auth_event_id,
        &visitor_id,
        &[
            ("85123A", "SKU", "1", "each"),
            ("NO-SUCH-SKU", "SKU", "3", "each"),
        ],
    );

    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201);
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");

    let receipt = receipt_of(&service.state, &purchase_id)
        .await
        .expect("receipt");
    let unpriced = &receipt["lineItems"][1];
    assert_eq!(unpriced["sku"], "NO-SUCH-SKU");
    assert_eq!(unpriced["description"], "unpriced item");
    assert_eq!(unpriced["extendedAmount"]["amount_minor"], 0);
    assert_eq!(
        receipt["totals"]["grand"]["amount_minor"].as_i64(),
        Some(known.price_minor)
    );
    assert_eq!(
        captured_amount(&service.state, &trip_id).await,
        known.price_minor
    );
    let alerts = alerts(&service).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["reason"], "unknown-sku");
    assert_eq!(
        alerts[0]["details"]["lines"][0]["cart_item_id"],
        "NO-SUCH-SKU"
    );
}

#[tokio::test]
async fn unknown_sku_rejected_under_reject_policy() {
    let service = Service::start(|config| {
        config.ordering.unknown_sku = walkout_connectors::ordering::UnknownSkuPolicy::Reject;
    })
    .await;
    import_demo_catalog(&service.state).await;
    let body = purchase_body(
        "trip-key-reject",
        "event-1",
        "visitor-1",
        &[("NO-SUCH-SKU", "SKU", "1", "each")],
    );
    let (status, problem) = service.post_purchase(&body).await;
    assert_eq!(status, 400);
    assert_eq!(problem["field"], "cartItems[0].id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_cart_cancels_the_hold() {
    let service = Service::start(|_| {}).await;
    let (shopper_id, visitor_id) = shopper_with_card(&service, "empty").await;
    let (trip_id, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body("trip-key-empty", &auth_event_id, &visitor_id, &[]);

    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201);
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");

    let payment: String = sqlx::query_scalar("SELECT status FROM trip_payments WHERE trip_id = $1")
        .bind(&trip_id)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("payment state");
    assert_eq!(payment, "canceled");
    assert_eq!(captures_for_trip(&service.state, &trip_id).await, 0);
    assert_eq!(trip_state(&service, &trip_id).await, "closed_empty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmatched_cart_is_recorded_and_alerted() {
    let service = Service::start(|_| {}).await;
    import_demo_catalog(&service.state).await;
    let body = purchase_body(
        "trip-key-unmatched",
        "unknown-event",
        "unknown-visitor",
        &[("85123A", "SKU", "1", "each")],
    );

    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201);
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");
    let state: String = sqlx::query_scalar("SELECT state FROM purchases WHERE purchase_id = $1")
        .bind(&purchase_id)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("purchase state");
    assert_eq!(state, "unmatched");
    let alerts = alerts(&service).await;
    assert_eq!(alerts[0]["reason"], "unmatched-cart");
    assert!(receipt_of(&service.state, &purchase_id).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_trip_is_never_charged() {
    let service = Service::start(|_| {}).await;
    import_demo_catalog(&service.state).await;
    let (trip_id, auth_event_id) = open_trip(&service.state, None, true).await;
    let body = purchase_body(
        "trip-key-test",
        &auth_event_id,
        "static-visitor",
        &[("85123A", "SKU", "2", "each")],
    );

    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201);
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");
    let receipt = receipt_of(&service.state, &purchase_id)
        .await
        .expect("receipt");
    assert_eq!(receipt["isTest"], true);
    assert_eq!(receipt["tenders"].as_array().map(Vec::len), Some(0));
    assert_eq!(captures_for_trip(&service.state, &trip_id).await, 0);
    assert_eq!(STORE, receipt["businessUnit"]["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refund_adds_a_receipt_version() {
    let service = Service::start(|_| {}).await;
    let (_, items) = import_demo_catalog(&service.state).await;
    let price = items
        .iter()
        .find(|item| item.item_sku == "85123A")
        .expect("demo item")
        .price_minor;
    let (shopper_id, visitor_id) = shopper_with_card(&service, "refund").await;
    let (trip_id, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-refund",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "3", "each")],
    );
    let (_, answer) = service.post_purchase(&body).await;
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");

    let url = service.url(&format!("/admin/v1/purchases/{purchase_id}/refunds"));
    let refund = json!({ "lines": [{ "line_number": 1, "quantity": "1" }], "reason": "damaged" });
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = service
            .client
            .post(&url)
            .bearer_auth(&service.state.credentials.admin_api_key)
            .header("Idempotency-Key", "refund-1")
            .json(&refund)
            .send()
            .await
            .expect("refund request");
        assert_eq!(response.status().as_u16(), 201);
        answers.push(response.json::<Value>().await.expect("refund answer"));
    }
    assert_eq!(answers[0]["refund_id"], answers[1]["refund_id"]);
    assert_eq!(answers[0]["amount"]["amount_minor"].as_i64(), Some(price));

    let job_id: String = sqlx::query_scalar(
        "SELECT job_id FROM ordering_jobs WHERE kind = 'refund' AND purchase_id = $1",
    )
    .bind(&purchase_id)
    .fetch_one(&service.state.db.pool)
    .await
    .expect("refund job");
    for _ in 0..200 {
        let state: String = sqlx::query_scalar("SELECT state FROM ordering_jobs WHERE job_id = $1")
            .bind(&job_id)
            .fetch_one(&service.state.db.pool)
            .await
            .expect("job state");
        if state != "pending" {
            assert_eq!(state, "done");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let versions: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT version, change_seq FROM receipts WHERE receipt_id = $1 ORDER BY version",
    )
    .bind(&purchase_id)
    .fetch_all(&service.state.db.pool)
    .await
    .expect("versions");
    assert_eq!(versions.len(), 2);
    assert!(
        versions[1].1 > versions[0].1,
        "the refund version has a later change_seq"
    );
    let refunded: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM psp_refunds r JOIN trip_payments p ON p.authorization_id = r.payment_intent WHERE p.trip_id = $1",
    )
    .bind(&trip_id)
    .fetch_one(&service.state.db.pool)
    .await
    .expect("refunded");
    assert_eq!(refunded, price);
    let returns = count(
        &service,
        "SELECT COUNT(*) FROM pos_export_jobs WHERE transaction_id = $1 AND sink = 'csv'",
        &format!("{trip_id}-v2"),
    )
    .await;
    assert_eq!(returns, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retailer_webhook_gets_signed_receipt() {
    use std::sync::{Arc, Mutex};

    use axum::http::HeaderMap;

    let received: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sink = sink.clone();
            async move {
                sink.lock().expect("lock").push((headers, body));
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hook_url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let receiver = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let secret = "retailer-webhook-secret-for-tests";
    let service = Service::start(|config| {
        config.ordering.retailer_webhook_url = Some(hook_url.clone());
        config.ordering.retailer_webhook_secret = Some(secret.to_owned());
    })
    .await;
    import_demo_catalog(&service.state).await;
    let (shopper_id, visitor_id) = shopper_with_card(&service, "webhook").await;
    let (_, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        "trip-key-webhook",
        &auth_event_id,
        &visitor_id,
        &[("85123A", "SKU", "1", "each")],
    );
    let (_, answer) = service.post_purchase(&body).await;
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");

    let calls = received.lock().expect("lock").clone();
    assert_eq!(calls.len(), 1);
    let (headers, text) = &calls[0];
    let timestamp: i64 = headers["x-walkout-timestamp"]
        .to_str()
        .expect("text")
        .parse()
        .expect("number");
    let expected =
        walkout_connectors::auth::jwo::sign(secret.as_bytes(), timestamp, text.as_bytes());
    assert_eq!(
        headers["x-walkout-signature"].to_str().expect("text"),
        expected
    );
    let event: Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(event["type"], "receipt-ready");
    assert_eq!(event["data"]["purchase_id"], purchase_id.as_str());
    receiver.abort();
}
