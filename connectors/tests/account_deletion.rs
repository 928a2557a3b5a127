//! Account deletion through the real service: personal data erased, financial records kept
//! under a pseudonym, receipt tombstones in the sync feed, the old token answered with 410, and
//! a second deletion answered like the first.

mod app_receipts_support;
mod auth_support;

use serde_json::{Value, json};

use app_receipts_support::{App, SUB_A, document};

const RECEIPT_1: &str = "0190a000-0000-7000-8000-000000000001";
const RECEIPT_2: &str = "0190a000-0000-7000-8000-000000000002";
const TRIP: &str = "0190a000-0000-7000-8000-0000000000a1";

async fn delete(app: &App, token: &str) -> (u16, Value) {
    let response = app
        .service
        .http
        .delete(app.service.url("/app/v1/account"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn count(app: &App, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&app.db().pool)
        .await
        .expect("count")
}

async fn visitor_of(app: &App, shopper: &str) -> String {
    sqlx::query_scalar("SELECT visitor_id FROM shoppers WHERE id = $1")
        .bind(shopper)
        .fetch_one(&app.db().pool)
        .await
        .expect("visitor id")
}

/// Gives shopper A a profile, a device, an entry credential, a card, a trip with its purchase,
/// and two receipts (one refunded, so with two versions). Returns A's visitor id.
async fn shopper_with_history(app: &App) -> String {
    let a = app.shopper_a.clone();
    let visitor = visitor_of(app, &a).await;
    let pool = &app.db().pool;
    let statements = [
        "INSERT INTO profiles (shopper_id, display_name, email, updated_at) VALUES ($1, 'Ada', 'ada@example.com', 0)",
        "INSERT INTO devices (shopper_id, device_id, platform, app_version, push_token, created_at, updated_at) \
         VALUES ($1, 'phone', 'ios', '1.0', 'apns-token', 0, 0)",
        "INSERT INTO entry_credentials (id, shopper_id, device_name, secret_key_id, secret_sealed, period_secs, created_at, expires_at) \
         VALUES ('00112233aabbccdd', $1, 'Ada''s phone', 'k1', 'c2VhbGVk', 30, 0, 9999999999999)",
        "INSERT INTO payment_methods (id, shopper_id, psp_payment_method, brand, last4, exp_month, exp_year, fingerprint, is_default, created_at) \
         VALUES ('pm-row', $1, 'pm_123', 'visa', '4242', 12, 2034, 'fp', 1, 0)",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(&a)
            .execute(pool)
            .await
            .expect("setup row");
    }
    app.insert_trip(TRIP, &a, "receipt_ready", 1_714_554_000_000)
        .await;
    sqlx::query("UPDATE trips SET visitor_id = $1 WHERE id = $2")
        .bind(&visitor)
        .bind(TRIP)
        .execute(pool)
        .await
        .expect("trip visitor");
    sqlx::query(
        "INSERT INTO purchases (purchase_id, idempotent_shopping_trip_id, request_id, store_id, trip_id, shopper_id, \
         match_method, charge_mode, request, priced_cart, currency, net_minor, tax_minor, grand_minor, unpriced_count, \
         state, created_at, updated_at) VALUES ($1, 'trip-key', 'req', 'UK-LON-001', $2, $3, 'visitor', 'charge', $4, \
         '{}', 'GBP', 1000, 200, 1200, 0, 'completed', 0, 0)",
    )
    .bind(RECEIPT_1)
    .bind(TRIP)
    .bind(&a)
    .bind(json!({"visitorDetails": {"id": visitor}}).to_string())
    .execute(pool)
    .await
    .expect("purchase row");
    app.insert_receipt(
        RECEIPT_1,
        1,
        &a,
        Some(TRIP),
        Some(&document(RECEIPT_1, 1, 1200)),
    )
    .await;
    app.insert_receipt(
        RECEIPT_1,
        2,
        &a,
        Some(TRIP),
        Some(&document(RECEIPT_1, 2, 600)),
    )
    .await;
    app.insert_receipt(RECEIPT_2, 1, &a, None, Some(&document(RECEIPT_2, 1, 300)))
        .await;
    visitor
}

#[tokio::test]
async fn personal_data_is_erased() {
    let app = App::start().await;
    shopper_with_history(&app).await;
    let (status, _) = delete(&app, &app.token_a).await;
    assert_eq!(status, 200);
    let a = app.shopper_a.as_str();

    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM profiles WHERE shopper_id = $1",
            a
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM devices WHERE shopper_id = $1",
            a
        )
        .await,
        0
    );
    let live_credentials = "SELECT COUNT(*) FROM entry_credentials WHERE shopper_id = $1 \
         AND (revoked_at IS NULL OR secret_sealed <> '' OR device_name IS NOT NULL)";
    assert_eq!(count(&app, live_credentials, a).await, 0);
    let live_cards = "SELECT COUNT(*) FROM payment_methods WHERE shopper_id = $1 AND (removed_at IS NULL OR is_default = 1)";
    assert_eq!(count(&app, live_cards, a).await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM shoppers WHERE cognito_sub = $1",
            SUB_A
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM shoppers WHERE id = $1 AND status = 'deleted'",
            a
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM deleted_accounts WHERE sub_hash = $1",
            SUB_A
        )
        .await,
        0
    );
}

#[tokio::test]
async fn purchases_are_kept_with_a_pseudonym() {
    let app = App::start().await;
    let visitor = shopper_with_history(&app).await;
    delete(&app, &app.token_a).await;
    let a = app.shopper_a.as_str();

    let (shopper, request): (Option<String>, String) =
        sqlx::query_as("SELECT shopper_id, request FROM purchases WHERE purchase_id = $1")
            .bind(RECEIPT_1)
            .fetch_one(&app.db().pool)
            .await
            .expect("purchase kept");
    assert_eq!(shopper.as_deref(), Some(a));
    assert!(!request.contains(&visitor));
    assert!(request.contains("deleted:"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM trips WHERE visitor_id = $1",
            &visitor
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM shoppers WHERE visitor_id = $1",
            &visitor
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM receipts WHERE shopper_id = $1 AND deleted = 0",
            a
        )
        .await,
        3
    );
}

#[tokio::test]
async fn receipts_get_tombstones_in_feed() {
    let app = App::start().await;
    shopper_with_history(&app).await;
    let (_, answer) = delete(&app, &app.token_a).await;
    assert_eq!(answer["receipts_tombstoned"], 2);

    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT receipt_id, version, change_seq, deleted FROM receipts WHERE shopper_id = $1 ORDER BY change_seq",
    )
    .bind(&app.shopper_a)
    .fetch_all(&app.db().pool)
    .await
    .expect("receipt rows");
    let tombstones: Vec<(&str, i64, i64)> = rows[3..]
        .iter()
        .map(|(id, v, _, d)| (id.as_str(), *v, *d))
        .collect();
    assert_eq!(tombstones, vec![(RECEIPT_1, 3, 1), (RECEIPT_2, 2, 1)]);
    let sequence: Vec<i64> = rows.iter().map(|(_, _, seq, _)| *seq).collect();
    assert_eq!(sequence, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn old_token_is_rejected_with_410() {
    let app = App::start().await;
    delete(&app, &app.token_a).await;

    for path in [
        "/app/v1/profile",
        "/app/v1/receipts",
        "/app/v1/devices",
        "/app/v1/trips/current",
    ] {
        let response = app.get(path, &app.token_a, &[]).await;
        assert_eq!(response.status().as_u16(), 410, "GET {path}");
        let body: Value = response.json().await.expect("problem");
        assert_eq!(body["type"], "/problems/account-deleted", "GET {path}");
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM shoppers WHERE cognito_sub = $1",
            SUB_A
        )
        .await,
        0
    );
    let other = app.get("/app/v1/profile", &app.token_b, &[]).await;
    assert_eq!(other.status().as_u16(), 200);
}

#[tokio::test]
async fn second_delete_returns_first_answer() {
    let app = App::start().await;
    shopper_with_history(&app).await;
    let (first, answer) = delete(&app, &app.token_a).await;
    let (second, again) = delete(&app, &app.token_a).await;

    assert_eq!(first, 200);
    assert_eq!(second, 200);
    assert_eq!(again["deleted_at"], answer["deleted_at"]);
    assert_eq!(again["receipts_tombstoned"], 0);
    let tombstones = "SELECT COUNT(*) FROM receipts WHERE shopper_id = $1 AND deleted = 1";
    assert_eq!(count(&app, tombstones, &app.shopper_a).await, 2);
}

#[tokio::test]
async fn sign_out_record_is_erased() {
    let app = App::start().await;
    shopper_with_history(&app).await;
    sqlx::query(
        "INSERT INTO session_revocations (cognito_sub, revoked_before, updated_at) VALUES ($1, 1, 0)",
    )
    .bind(app_receipts_support::SUB_A)
    .execute(&app.db().pool)
    .await
    .expect("sign-out row");
    // The record rejects tokens issued before second 1 only, so the current token still works.
    let (status, _) = delete(&app, &app.token_a).await;
    assert_eq!(status, 200);

    let remaining = count(
        &app,
        "SELECT COUNT(*) FROM session_revocations WHERE cognito_sub = $1",
        app_receipts_support::SUB_A,
    )
    .await;
    assert_eq!(
        remaining, 0,
        "the raw sub is gone from the sign-out records"
    );
}
