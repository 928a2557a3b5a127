//! VerifyIdentityKeys through the real service: entry codes made with the core's derivation,
//! scanned as JWO sends them, against the service's test clock.

mod auth_support;
mod gate_support;

use serde_json::{Value, json};
use walkout_connectors::gate::trips::{self, TripState};
use walkout_core::entry::{EntryCredential, derive_code};

use gate_support::{
    Gate, OTHER_STORE, STORE, add_card, base64, count, enroll, events, ready_shopper, scan,
    scan_body, shopper_id, verify, visitor_id,
};

const PERIOD: i64 = 30;

#[tokio::test]
async fn current_code_is_admitted() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-admitted").await;
    gate.settle_mid_step(PERIOD);

    let body = scan_body(
        STORE,
        &base64(shopper.code(gate.current_step(PERIOD)).as_bytes()),
    );
    let answer = verify(&gate, &body).await;

    assert_eq!(answer.status, 200, "{}", answer.text);
    let expected_visitor = visitor_id(&gate, "shopper-admitted").await;
    assert_eq!(
        answer.body,
        json!({"visitorDetails": {"id": expected_visitor, "type": "SHOPPER"}})
    );

    let auth_event = body["authEvent"]["id"].as_str().unwrap();
    let trip = trips::find_by_auth_event(&gate.service.state.db, auth_event)
        .await
        .unwrap()
        .expect("trip opened");
    assert_eq!(trip.state, TripState::Entered);
    assert_eq!(trip.store_id, STORE);
    assert_eq!(
        trip.credential_id.as_deref(),
        Some(shopper.credential_hex.as_str())
    );
    assert!(!trip.is_test);
    let shopper_id = shopper_id(&gate, "shopper-admitted").await;
    assert_eq!(events(&gate, &shopper_id, "trip-updated").await.len(), 1);
}

#[tokio::test]
async fn device_clock_two_hours_off_is_accepted() {
    let gate = Gate::start(|_| {}).await;
    gate.settle_mid_step(PERIOD);
    let server_ms = gate.now_ms();

    for (sub, device_error_secs) in [("shopper-ahead", 7_200_i64), ("shopper-behind", -7_200)] {
        let shopper = ready_shopper(&gate, sub).await;
        let credential = EntryCredential::new(
            shopper.credential_id,
            shopper.secret,
            shopper.period_secs,
            i64::MAX,
        );
        let device_ms = server_ms + device_error_secs * 1000;
        // The app measured the error, so its offset (server minus device) cancels it.
        let code = derive_code(&credential, -device_error_secs, device_ms).unwrap();

        let answer = scan(&gate, STORE, &code.text).await;
        assert_eq!(
            answer.status, 200,
            "device clock off by {device_error_secs} s: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn step_window_edges() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-edges").await;
    gate.settle_mid_step(PERIOD);
    let now = gate.current_step(PERIOD);

    let cases = [
        (now - 2, 403, "code-expired"),
        (now - 1, 200, ""),
        (now + 1, 200, ""),
        (now + 2, 403, "code-expired"),
    ];
    for (step, status, slug) in cases {
        let answer = scan(&gate, STORE, &shopper.code(step)).await;
        assert_eq!(
            answer.status,
            status,
            "step t{:+}: {}",
            i64::from(step) - i64::from(now),
            answer.text
        );
        assert_eq!(
            answer.slug(),
            slug,
            "step t{:+}",
            i64::from(step) - i64::from(now)
        );
    }
}

#[tokio::test]
async fn group_limit_admits_four_scans() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-group").await;
    gate.settle_mid_step(PERIOD);
    let code = shopper.code(gate.current_step(PERIOD));

    let mut auth_events = Vec::new();
    for scan_number in 1..=4 {
        let body = scan_body(STORE, &base64(code.as_bytes()));
        let answer = verify(&gate, &body).await;
        assert_eq!(answer.status, 200, "scan {scan_number}: {}", answer.text);
        auth_events.push(body["authEvent"]["id"].as_str().unwrap().to_owned());
    }
    let fifth = scan(&gate, STORE, &code).await;
    assert_eq!(fifth.status, 403);
    assert_eq!(fifth.slug(), "group-limit-reached");

    let db = &gate.service.state.db;
    let trip = trips::find_by_auth_event(db, &auth_events[0])
        .await
        .unwrap()
        .expect("trip");
    assert_eq!(
        trips::auth_event_ids(db, &trip.id).await.unwrap(),
        auth_events
    );
    let companion_trip = trips::find_by_auth_event(db, &auth_events[3])
        .await
        .unwrap()
        .expect("companion's trip");
    assert_eq!(companion_trip.id, trip.id);
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trip_payments WHERE trip_id = $1",
            &trip.id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn group_window_closes() {
    let gate = Gate::start(|config| config.gate.group_window_secs = 5).await;
    let shopper = ready_shopper(&gate, "shopper-window").await;
    gate.settle_mid_step(PERIOD);
    let code = shopper.code(gate.current_step(PERIOD));

    assert_eq!(scan(&gate, STORE, &code).await.status, 200);
    assert!(gate.service.state.clock.advance_ms(6_000));
    let late = scan(&gate, STORE, &code).await;
    assert_eq!(late.status, 403);
    assert_eq!(late.slug(), "group-limit-reached");
}

#[tokio::test]
async fn code_is_bound_to_first_store() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-stores").await;
    gate.settle_mid_step(PERIOD);
    let code = shopper.code(gate.current_step(PERIOD));

    assert_eq!(scan(&gate, STORE, &code).await.status, 200);
    let elsewhere = scan(&gate, OTHER_STORE, &code).await;
    assert_eq!(elsewhere.status, 403);
    assert_eq!(elsewhere.slug(), "store-mismatch");
}

#[tokio::test]
async fn revoked_credential_is_denied_and_notified() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-revoked").await;
    let revoked = gate
        .http()
        .delete(gate.url(&format!(
            "/app/v1/entry-credentials/{}",
            shopper.credential_hex
        )))
        .bearer_auth(gate.token("shopper-revoked"))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "credential-revoked");
    assert_eq!(answer.content_type, "application/problem+json");

    let shopper_id = shopper_id(&gate, "shopper-revoked").await;
    let denied = events(&gate, &shopper_id, "entry-denied").await;
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["reason"], "credential-revoked");
    assert_eq!(denied[0]["store_id"], STORE);
    assert!(denied[0]["at"].as_str().is_some_and(|at| at.ends_with('Z')));
}

#[tokio::test]
async fn expired_credential_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-lapsed").await;
    assert!(gate.service.state.clock.advance_ms(31 * 24 * 3600 * 1000));
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "credential-expired");
}

#[tokio::test]
async fn tampered_tag_is_denied_without_event() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-tampered").await;
    gate.settle_mid_step(PERIOD);
    let mut code: Vec<char> = shopper.code(gate.current_step(PERIOD)).chars().collect();
    // Position 30 lies inside the tag; any other Base32 letter changes it.
    code[30] = if code[30] == 'A' { 'B' } else { 'A' };
    let code: String = code.into_iter().collect();

    let answer = scan(&gate, STORE, &code).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "bad-tag");
    let shopper_id = shopper_id(&gate, "shopper-tampered").await;
    assert!(
        events(&gate, &shopper_id, "entry-denied").await.is_empty(),
        "a forged code must not notify the shopper"
    );
}

#[tokio::test]
async fn unknown_credential_is_denied() {
    let gate = Gate::start(|_| {}).await;
    gate.settle_mid_step(PERIOD);
    let code = walkout_core::entry::code_text(&[0x5A; 8], &[1; 32], gate.current_step(PERIOD));
    let answer = scan(&gate, STORE, &code).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "unknown-credential");
}

#[tokio::test]
async fn malformed_keys_get_their_answers() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-malformed").await;
    gate.settle_mid_step(PERIOD);
    let code = shopper.code(gate.current_step(PERIOD));

    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "truncated",
            base64(&code.as_bytes()[..37]),
            403,
            "malformed-code",
        ),
        (
            "lower-cased",
            base64(code.to_lowercase().as_bytes()),
            403,
            "malformed-code",
        ),
        (
            "not text",
            base64(&[0xFF, 0xFE, 0x00, 0x80]),
            403,
            "malformed-code",
        ),
        (
            "foreign payload",
            "dmFsaWRfc2hvcHBlcl9rZXk=".to_owned(),
            403,
            "malformed-code",
        ),
        (
            "not Base64",
            "not*base64!".to_owned(),
            400,
            "invalid-request",
        ),
        ("empty", String::new(), 400, "invalid-request"),
        ("1001 characters", "A".repeat(1001), 400, "invalid-request"),
    ];
    for (name, identity_key, status, slug) in cases {
        let answer = verify(&gate, &scan_body(STORE, &identity_key)).await;
        assert_eq!(answer.status, status, "{name}: {}", answer.text);
        assert_eq!(answer.slug(), slug, "{name}");
        if status == 400 {
            assert_eq!(answer.body["field"], "identityKey", "{name}");
        }
    }
}

#[tokio::test]
async fn invalid_bodies_name_the_field() {
    let gate = Gate::start(|_| {}).await;
    let valid = scan_body(STORE, &base64(b"W1AAAA"));
    let cases = [
        ("requestId", edited(&valid, |b| remove(b, "requestId"))),
        (
            "requestId",
            edited(&valid, |b| b["requestId"] = json!("not-a-uuid")),
        ),
        ("storeId", edited(&valid, |b| remove(b, "storeId"))),
        (
            "storeId",
            edited(&valid, |b| b["storeId"] = json!("S".repeat(256))),
        ),
        ("identityKey", edited(&valid, |b| remove(b, "identityKey"))),
        ("authEvent", edited(&valid, |b| remove(b, "authEvent"))),
        (
            "authEvent.id",
            edited(&valid, |b| remove(&mut b["authEvent"], "id")),
        ),
        (
            "authEvent.timestamp",
            edited(&valid, |b| b["authEvent"]["timestamp"] = json!("yesterday")),
        ),
    ];

    for (field, body) in cases {
        let answer = verify(&gate, &body).await;
        assert_eq!(answer.status, 400, "{field}: {}", answer.text);
        assert_eq!(answer.slug(), "invalid-request", "{field}");
        assert_eq!(answer.body["field"], field, "{field}");
    }
    let not_json = gate_support::send_raw(&gate, "{\"requestId\":".to_owned()).await;
    assert_eq!(not_json.status, 400);
}

#[tokio::test]
async fn unknown_fields_and_values_are_accepted() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-lenient").await;
    gate.settle_mid_step(PERIOD);
    let mut body = scan_body(
        STORE,
        &base64(shopper.code(gate.current_step(PERIOD)).as_bytes()),
    );
    body["requestId"] = json!(body["requestId"].as_str().unwrap().to_uppercase());
    body["keyChannel"] = json!("NFC");
    body["authEvent"]["location"] = json!("SIDE_DOOR");
    body["authEvent"]["gateNumber"] = json!(7);
    body["futureAttribute"] = json!({"nested": [1, 2]});

    let answer = verify(&gate, &body).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
}

#[tokio::test]
async fn repeated_request_gets_first_answer() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-retry").await;
    gate.settle_mid_step(PERIOD);
    let body = scan_body(
        STORE,
        &base64(shopper.code(gate.current_step(PERIOD)).as_bytes()),
    );

    let first = verify(&gate, &body).await;
    let again = verify(&gate, &body).await;
    let mut same_event = scan_body(
        STORE,
        &base64(shopper.code(gate.current_step(PERIOD)).as_bytes()),
    );
    same_event["authEvent"]["id"] = body["authEvent"]["id"].clone();
    let by_event = verify(&gate, &same_event).await;

    assert_eq!(first.status, 200);
    assert_eq!(again, first);
    assert_eq!(by_event, first);
    let shopper_id = shopper_id(&gate, "shopper-retry").await;
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trips WHERE shopper_id = $1",
            &shopper_id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trip_payments WHERE shopper_id = $1",
            &shopper_id
        )
        .await,
        1
    );
    let intents: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM psp_payment_intents")
        .fetch_one(gate.db())
        .await
        .unwrap();
    assert_eq!(intents, 1, "one hold at the PSP");
    assert_eq!(gate_metric(&gate, "admitted").await, 1);
}

#[tokio::test]
async fn repeated_denial_gets_first_answer() {
    let gate = Gate::start(|_| {}).await;
    gate.settle_mid_step(PERIOD);
    let code = walkout_core::entry::code_text(&[0x11; 8], &[1; 32], gate.current_step(PERIOD));
    let body = scan_body(STORE, &base64(code.as_bytes()));

    let first = verify(&gate, &body).await;
    let again = verify(&gate, &body).await;
    assert_eq!(first.status, 403);
    assert_eq!(again, first);
    assert_eq!(gate_metric(&gate, "unknown-credential").await, 1);
}

#[tokio::test]
async fn concurrent_scans_admit_group_limit() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-rush").await;
    gate.settle_mid_step(PERIOD);
    let code = shopper.code(gate.current_step(PERIOD));

    let mut scans = tokio::task::JoinSet::new();
    for index in 0..10 {
        let body = scan_body(STORE, &base64(code.as_bytes()));
        let http = gate.http().clone();
        let url = gate.url("/v1/identity/identity-keys");
        let token = gate.service.state.credentials.jwo_caller_token.clone();
        let gate_name = if index % 2 == 0 { "gate-1" } else { "gate-2" };
        scans.spawn(async move {
            let response = http
                .post(url)
                .bearer_auth(token)
                .header("x-request-id", gate_name)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body["type"].as_str().unwrap_or("").to_owned())
        });
    }
    let answers = scans.join_all().await;

    let admitted = answers.iter().filter(|(status, _)| *status == 200).count();
    let limited = answers
        .iter()
        .filter(|(_, kind)| kind == "/problems/group-limit-reached")
        .count();
    assert_eq!(admitted, 4, "{answers:?}");
    assert_eq!(limited, 6, "{answers:?}");
    let shopper_id = shopper_id(&gate, "shopper-rush").await;
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trips WHERE shopper_id = $1",
            &shopper_id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &gate,
            "SELECT COUNT(*) FROM trip_payments WHERE shopper_id = $1",
            &shopper_id
        )
        .await,
        1
    );
}

#[tokio::test]
async fn expired_card_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = enroll(&gate, "shopper-old-card").await;
    add_card(&gate, "shopper-old-card", 1, 2020).await;
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "card-expired");
    let shopper_id = shopper_id(&gate, "shopper-old-card").await;
    assert_eq!(
        events(&gate, &shopper_id, "entry-denied").await[0]["reason"],
        "card-expired"
    );
}

#[tokio::test]
async fn missing_card_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = enroll(&gate, "shopper-no-card").await;
    gate.settle_mid_step(PERIOD);
    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.slug(), "no-payment-method");
}

#[tokio::test]
async fn inactive_account_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-suspended").await;
    sqlx::query("UPDATE shoppers SET status = 'suspended' WHERE cognito_sub = $1")
        .bind("shopper-suspended")
        .execute(gate.db())
        .await
        .unwrap();
    gate.settle_mid_step(PERIOD);
    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.slug(), "account-inactive");
}

#[tokio::test]
async fn outstanding_balance_is_denied() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-owes").await;
    let shopper_id = shopper_id(&gate, "shopper-owes").await;
    // A capture that failed leaves its amount in trip_payments.outstanding_minor.
    sqlx::query(
        "INSERT INTO trip_payments (trip_id, shopper_id, store_id, status, currency, hold_minor, payment_method_id, \
         psp_payment_method, total_minor, outstanding_minor, created_at, updated_at) \
         VALUES ($1, $2, $3, 'failed', 'GBP', 5000, 'pm_earlier', 'pm_card_visa', 1234, 1234, $4, $4)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&shopper_id)
    .bind(STORE)
    .bind(gate.now_ms())
    .execute(gate.db())
    .await
    .unwrap();
    gate.settle_mid_step(PERIOD);

    let answer = scan(&gate, STORE, &shopper.code(gate.current_step(PERIOD))).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.slug(), "outstanding-balance");
}

#[tokio::test]
async fn velocity_limit_is_enforced() {
    let gate = Gate::start(|config| config.gate.velocity_limit = 1).await;
    let shopper = ready_shopper(&gate, "shopper-busy").await;
    gate.settle_mid_step(PERIOD);
    let now = gate.current_step(PERIOD);

    assert_eq!(scan(&gate, STORE, &shopper.code(now)).await.status, 200);
    let second = scan(&gate, STORE, &shopper.code(now + 1)).await;
    assert_eq!(second.slug(), "velocity-limit");
}

fn edited(body: &Value, change: impl FnOnce(&mut Value)) -> Value {
    let mut body = body.clone();
    change(&mut body);
    body
}

fn remove(body: &mut Value, member: &str) {
    body.as_object_mut().expect("object").remove(member);
}

async fn gate_metric(gate: &Gate, reason: &str) -> u64 {
    let response = gate
        .http()
        .get(gate.url("/admin/v1/metrics/gate"))
        .bearer_auth(gate.admin_key())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["decisions"][reason].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn logs_carry_no_codes() {
    let gate = Gate::start(|_| {}).await;
    let shopper = ready_shopper(&gate, "shopper-logged").await;
    gate.settle_mid_step(PERIOD);
    let now = gate.current_step(PERIOD);
    let admitted = shopper.code(now);
    let expired = shopper.code(now - 3);
    let truncated = admitted[..30].to_owned();

    assert_eq!(scan(&gate, STORE, &admitted).await.status, 200);
    assert_eq!(scan(&gate, STORE, &expired).await.slug(), "code-expired");
    assert_eq!(
        scan(&gate, STORE, &truncated).await.slug(),
        "malformed-code"
    );

    let logs = auth_support::captured_logs();
    for text in [&admitted, &expired, &truncated] {
        assert!(!logs.contains(text.as_str()), "a code reached the logs");
        assert!(
            !logs.contains(&base64(text.as_bytes())),
            "an identity key reached the logs"
        );
    }
    let denial_line = logs
        .lines()
        .find(|line| line.contains("entry denied") && line.contains(&shopper.credential_hex))
        .expect("the denial is logged with the credential id");
    assert!(denial_line.contains("code-expired"), "{denial_line}");
    assert!(denial_line.contains(STORE), "{denial_line}");
}
