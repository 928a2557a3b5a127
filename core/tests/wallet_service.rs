//! The wallet on `Walkout` against a stand-in backend and PSP on 127.0.0.1: tokenization in
//! Stripe's wire format, token registration, the card cache, and the balance.

mod wallet_support;

use walkout_core::WalkoutError;
use wallet_support::{Backend, PUBLISHABLE_KEY, TEST_JWT, app};

const DAY: i64 = 24 * 3600;

fn form_value(form: &[(String, String)], key: &str) -> String {
    form.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{key} missing from {form:?}"))
}

#[test]
fn add_card_tokenizes_at_psp() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    app.core
        .add_card("4242 4242 4242 4242", 12, 34, "123")
        .expect("card added");

    let recorded = backend.shared.lock();
    assert_eq!(recorded.psp.len(), 1);
    let psp = &recorded.psp[0];
    assert_eq!(psp.authorization, format!("Bearer {PUBLISHABLE_KEY}"));
    assert_eq!(psp.content_type, "application/x-www-form-urlencoded");
    assert!(psp.idempotency_key.is_some());
    assert_eq!(form_value(&psp.form, "type"), "card");
    assert_eq!(form_value(&psp.form, "card[number]"), "4242424242424242");
    assert_eq!(form_value(&psp.form, "card[exp_month]"), "12");
    assert_eq!(form_value(&psp.form, "card[exp_year]"), "2034");
    assert_eq!(form_value(&psp.form, "card[cvc]"), "123");
}

#[test]
fn backend_receives_token_only() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    let card = app
        .core
        .add_card("5555-5555-5555-4444", 1, 2031, "987")
        .expect("card added");

    assert_eq!(card.last4, "4444");
    let recorded = backend.shared.lock();
    assert_eq!(recorded.app.len(), 1);
    let register = &recorded.app[0];
    assert_eq!(register.path, "/app/v1/payment-methods");
    assert_eq!(register.authorization, format!("Bearer {TEST_JWT}"));
    assert!(register.idempotency_key.is_some(), "Idempotency-Key sent");
    let body: serde_json::Value = serde_json::from_str(&register.body).expect("JSON body");
    let token = body["payment_method"].as_str().expect("token field");
    assert!(token.starts_with("pm_"), "{token}");
    assert!(!register.body.contains("555555"), "{}", register.body);
    assert!(!register.body.contains("987"), "{}", register.body);
}

#[test]
fn invalid_form_never_reaches_psp() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let cases = [
        ("4242424242424241", 12, 2034, "123", "number"),
        ("4242424242424242", 13, 2034, "123", "exp_month"),
        ("4242424242424242", 12, 2001, "123", "exp_year"),
        ("378282246310005", 12, 2034, "123", "cvc"),
    ];
    for (number, month, year, cvc, field) in cases {
        let error = app
            .core
            .add_card(number, month, year, cvc)
            .expect_err(field);
        assert!(
            matches!(&error, WalkoutError::InvalidInput { field: f, .. } if f == field),
            "{field}: {error:?}"
        );
        assert!(!error.to_string().contains(number), "{error}");
    }
    assert_eq!(backend.shared.lock().psp.len(), 0);
}

/// Summarises an error as the slug, field or kind a test expects.
fn error_kind(error: &WalkoutError) -> String {
    match error {
        WalkoutError::Denied { reason_slug } => format!("denied {reason_slug}"),
        WalkoutError::InvalidInput { field, .. } => format!("invalid {field}"),
        WalkoutError::Offline { .. } => "offline".to_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn psp_errors_map_to_typed_errors() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let cases = [
        ("4000000000000002", "denied card-declined"),
        ("4000000000009995", "denied card-declined"),
        ("4000000000000069", "invalid exp_year"),
        ("4000000000000127", "invalid cvc"),
        ("4000000000000010", "invalid number"),
        ("4000000000000119", "offline"),
    ];
    for (number, expected) in cases {
        let error = app
            .core
            .add_card(number, 12, 2034, "123")
            .expect_err(number);
        assert_eq!(error_kind(&error), expected, "{number}");
        assert!(!error.to_string().contains(number), "{error}");
    }
    assert!(backend.shared.lock().app.is_empty(), "nothing registered");
}

#[test]
fn wrong_publishable_key_names_setting() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let mut config = wallet_support::config(&backend.url, storage.path());
    config.psp.publishable_key = "pk_test_other".to_owned();
    let secrets = std::sync::Arc::new(walkout_core::secrets::MemorySecretStore::new(&config.brand));
    let app = wallet_support::app_with(config, secrets, 0);

    let error = app
        .core
        .add_card("4242424242424242", 12, 2034, "123")
        .expect_err("key rejected");

    assert!(
        matches!(&error, WalkoutError::InvalidInput { field, .. } if field == "psp.publishable_key"),
        "{error:?}"
    );
}

#[test]
fn sdk_token_skips_psp() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    let card = app
        .core
        .add_card_token("pm_test_1881_sdk")
        .expect("registered");

    assert_eq!(card.last4, "1881");
    let recorded = backend.shared.lock();
    assert!(recorded.psp.is_empty());
    assert_eq!(
        recorded.app[0].body,
        r#"{"payment_method":"pm_test_1881_sdk"}"#
    );
}

#[test]
fn malformed_token_is_rejected() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    for token in ["", "pm_1/../x", "pm 1", &"p".repeat(256)] {
        let error = app.core.add_card_token(token).expect_err("rejected");
        assert!(
            matches!(&error, WalkoutError::InvalidInput { field, .. } if field == "token"),
            "{token:?}: {error:?}"
        );
    }
    assert!(backend.shared.lock().app.is_empty());
}

#[test]
fn cards_are_cached_for_offline_reading() {
    let mut backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.add_card_token("pm_test_1111_a").expect("first");
    app.core.add_card_token("pm_test_2222_b").expect("second");

    let listed = app.core.cards().expect("listed");
    let last4: Vec<&str> = listed.iter().map(|c| c.last4.as_str()).collect();
    assert_eq!(last4, ["1111", "2222"]);
    assert!(listed[0].is_default);

    backend.stop();
    let error = app.core.cards().expect_err("offline");
    assert!(matches!(error, WalkoutError::Offline { .. }), "{error:?}");
    assert_eq!(app.core.cached_cards().expect("cached"), listed);
}

#[test]
fn default_and_remove_update_cache() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let first = app.core.add_card_token("pm_test_1111_a").expect("first");
    let second = app.core.add_card_token("pm_test_2222_b").expect("second");

    app.core.set_default_card(&second.id).expect("default set");
    let cached = app.core.cached_cards().expect("cached");
    let defaults: Vec<bool> = cached.iter().map(|c| c.is_default).collect();
    assert_eq!(defaults, [false, true]);

    app.core.remove_card(&first.id).expect("removed");
    let cached = app.core.cached_cards().expect("cached");
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0].id, second.id);
    assert_eq!(app.core.cards().expect("listed"), cached);

    // A card the backend no longer has counts as removed.
    app.core.remove_card(&first.id).expect("already removed");
}

#[test]
fn balance_is_read_and_paid() {
    let backend = Backend::start(0, 30 * DAY);
    backend.shared.lock().outstanding_minor = 1234;
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    let balance = app.core.balance().expect("balance");
    assert_eq!(balance.outstanding.amount_minor, 1234);
    assert_eq!(balance.outstanding.currency, "GBP");
    assert!(!balance.is_settled());

    let after = app.core.pay_balance().expect("paid");
    assert!(after.is_settled());
    let recorded = backend.shared.lock();
    let pay = recorded
        .app
        .iter()
        .find(|r| r.path == "/app/v1/balance/pay")
        .expect("pay request");
    assert!(pay.idempotency_key.is_some());
}

#[test]
fn signed_out_wallet_reports_not_signed_in() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let config = wallet_support::config(&backend.url, storage.path());
    let secrets = std::sync::Arc::new(walkout_core::secrets::MemorySecretStore::new(&config.brand));
    let core = walkout_core::Walkout::new(config, secrets).expect("walkout");

    assert_eq!(core.cards(), Err(WalkoutError::NotSignedIn));
}
