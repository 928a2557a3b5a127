//! Refunds of an amount without returned goods, end to end: a real basket from the demo
//! catalog is captured at the sandbox PSP, then part of it is refunded through the admin API.

mod ordering_support;

use std::time::Duration;

use ordering_support::{
    Service, import_demo_catalog, open_trip, purchase_body, receipt_of, shopper_with_card,
};
use serde_json::{Value, json};

/// A purchase with its receipt issued: (purchase id, trip id, shopper id).
async fn purchased(service: &Service, name: &str) -> (String, String, String) {
    import_demo_catalog(&service.state).await;
    let (shopper_id, visitor_id) = shopper_with_card(service, name).await;
    let (trip_id, auth_event_id) =
        open_trip(&service.state, Some((&shopper_id, &visitor_id)), false).await;
    let body = purchase_body(
        &format!("trip-key-{name}"),
        &auth_event_id,
        &visitor_id,
        &[
            ("85123A", "SKU", "3", "each"),
            ("22423", "SKU", "1", "each"),
        ],
    );
    let (status, answer) = service.post_purchase(&body).await;
    assert_eq!(status, 201, "CreatePurchases: {answer}");
    let purchase_id = answer["purchaseId"]
        .as_str()
        .expect("purchaseId")
        .to_owned();
    assert_eq!(service.wait_for_job(&purchase_id).await, "done");
    (purchase_id, trip_id, shopper_id)
}

async fn post_refund(
    service: &Service,
    purchase_id: &str,
    key: &str,
    body: &Value,
) -> (u16, Value) {
    let response = service
        .client
        .post(service.url(&format!("/admin/v1/purchases/{purchase_id}/refunds")))
        .bearer_auth(&service.state.credentials.admin_api_key)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("refund request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn wait_for_refund_jobs(service: &Service, purchase_id: &str) {
    for _ in 0..200 {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ordering_jobs WHERE kind = 'refund' AND purchase_id = $1 AND state = 'pending'",
        )
        .bind(purchase_id)
        .fetch_one(&service.state.db.pool)
        .await
        .expect("job count");
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the refund job of {purchase_id} did not finish within 10 s");
}

async fn receipt_version(service: &Service, purchase_id: &str, version: i64) -> Value {
    let text: String =
        sqlx::query_scalar("SELECT document FROM receipts WHERE receipt_id = $1 AND version = $2")
            .bind(purchase_id)
            .bind(version)
            .fetch_one(&service.state.db.pool)
            .await
            .expect("receipt version");
    serde_json::from_str(&text).expect("receipt JSON")
}

fn minor(value: &Value) -> i64 {
    value["amount_minor"].as_i64().expect("amount_minor")
}

fn gbp(amount_minor: i64) -> Value {
    json!({ "amount_minor": amount_minor, "currency": "GBP" })
}

async fn psp_refunded(service: &Service, trip_id: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(r.amount), 0) AS BIGINT) FROM psp_refunds r JOIN trip_payments p ON p.authorization_id = r.payment_intent WHERE p.trip_id = $1",
    )
    .bind(trip_id)
    .fetch_one(&service.state.db.pool)
    .await
    .expect("refunded sum")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amount_refund_adds_a_receipt_version() {
    let service = Service::start(|_| {}).await;
    let (purchase_id, trip_id, shopper_id) = purchased(&service, "amount").await;
    let first = receipt_of(&service.state, &purchase_id)
        .await
        .expect("first receipt");

    let body = json!({ "amount": gbp(250), "reason": "goodwill" });
    let (status, answer) = post_refund(&service, &purchase_id, "amount-1", &body).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["amount"], gbp(250));
    wait_for_refund_jobs(&service, &purchase_id).await;

    assert_eq!(psp_refunded(&service, &trip_id).await, 250);
    let second = receipt_version(&service, &purchase_id, 2).await;
    let tender = second["tenders"]
        .as_array()
        .and_then(|tenders| tenders.last())
        .expect("a tender");
    assert_eq!(tender["type"], "refund", "last tender: {tender}");
    assert_eq!(minor(&tender["amount"]), 250);
    assert_eq!(
        minor(&second["totals"]["grand"]),
        minor(&first["totals"]["grand"]) - 250
    );
    let returned: i64 = second["lineItems"]
        .as_array()
        .expect("line items")
        .iter()
        .filter(|line| line["type"] == "return")
        .map(|line| minor(&line["extendedAmount"]))
        .sum();
    assert_eq!(returned, 250, "return lines carry the refund");
    let row_tax: i64 = second["taxes"]
        .as_array()
        .expect("tax rows")
        .iter()
        .map(|row| minor(&row["taxAmount"]))
        .sum();
    assert_eq!(row_tax, minor(&second["totals"]["tax"]));
    assert!(
        minor(&second["totals"]["tax"]) < minor(&first["totals"]["tax"]),
        "the refund gives back tax"
    );

    let exports: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pos_export_jobs WHERE transaction_id = $1 AND sink = 'csv'",
    )
    .bind(format!("{trip_id}-v2"))
    .fetch_one(&service.state.db.pool)
    .await
    .expect("export count");
    assert_eq!(exports, 1, "a POS return export");
    let ready: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE shopper_id = $1 AND kind = 'receipt-ready'",
    )
    .bind(&shopper_id)
    .fetch_one(&service.state.db.pool)
    .await
    .expect("event count");
    assert_eq!(ready, 2, "receipt-ready for the sale and for the refund");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amount_beyond_captured_is_rejected() {
    let service = Service::start(|_| {}).await;
    let (purchase_id, trip_id, _) = purchased(&service, "too-much").await;
    let first = receipt_of(&service.state, &purchase_id)
        .await
        .expect("first receipt");
    let grand = minor(&first["totals"]["grand"]);

    let (status, _) = post_refund(
        &service,
        &purchase_id,
        "part",
        &json!({ "amount": gbp(100) }),
    )
    .await;
    assert_eq!(status, 201);
    wait_for_refund_jobs(&service, &purchase_id).await;

    let (status, problem) = post_refund(
        &service,
        &purchase_id,
        "rest-and-one",
        &json!({ "amount": gbp(grand - 100 + 1) }),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "/problems/refund-exceeds-captured");

    let (status, answer) = post_refund(
        &service,
        &purchase_id,
        "rest",
        &json!({ "amount": gbp(grand - 100) }),
    )
    .await;
    assert_eq!(status, 201, "the exact remainder is refundable: {answer}");
    wait_for_refund_jobs(&service, &purchase_id).await;
    assert_eq!(psp_refunded(&service, &trip_id).await, grand);
    let last = receipt_version(&service, &purchase_id, 3).await;
    assert_eq!(minor(&last["totals"]["grand"]), 0);
    assert_eq!(minor(&last["totals"]["tax"]), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_amount_requests_are_rejected() {
    let service = Service::start(|_| {}).await;
    let (purchase_id, _, _) = purchased(&service, "invalid").await;
    let cases = [
        (
            "other currency",
            json!({ "amount": { "amount_minor": 100, "currency": "EUR" } }),
        ),
        ("zero", json!({ "amount": gbp(0) })),
        ("negative", json!({ "amount": gbp(-5) })),
        (
            "lines and amount",
            json!({ "amount": gbp(100), "lines": [{ "line_number": 1, "quantity": "1" }] }),
        ),
        ("neither", json!({ "reason": "nothing" })),
    ];
    for (index, (case, body)) in cases.iter().enumerate() {
        let (status, problem) =
            post_refund(&service, &purchase_id, &format!("invalid-{index}"), body).await;
        assert_eq!(status, 400, "{case}: {problem}");
        assert_eq!(problem["type"], "/problems/invalid-request", "{case}");
    }
}
