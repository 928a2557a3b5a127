//! The entry credential offline and at its renewal: codes derived with the backend stopped,
//! the renewal window, and the error of an expired credential.

mod wallet_support;

use walkout_core::WalkoutError;
use walkout_core::entry::{CREDENTIAL_FIELD, EXPIRED_REASON};
use wallet_support::{Backend, app};

const DAY: i64 = 24 * 3600;
const HOUR: i64 = 3600;

fn is_renewal_error(error: &WalkoutError) -> bool {
    matches!(
        error,
        WalkoutError::InvalidInput { field, reason } if field == CREDENTIAL_FIELD && reason == EXPIRED_REASON
    )
}

#[test]
fn offline_codes_match_server() {
    let mut backend = Backend::start(0, 30 * DAY);
    let shared = backend.shared.clone();
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), -5 * HOUR);
    app.core.enroll_device().expect("enrolled");
    backend.stop();

    let code = app.core.entry_code().expect("code offline");

    assert!(
        shared.admits(&code.text),
        "the server admits the offline code"
    );
    let server_step = shared.now_unix() / 30;
    assert!(
        (i64::from(code.step) - server_step).abs() <= 1,
        "step {} at server step {server_step}",
        code.step
    );
}

#[test]
fn offline_codes_survive_a_restart() {
    let mut backend = Backend::start(0, 30 * DAY);
    let shared = backend.shared.clone();
    let storage = tempfile::tempdir().expect("tempdir");
    let first = app(&backend.url, storage.path(), 3 * HOUR);
    first.core.enroll_device().expect("enrolled");
    let secrets = first.secrets.clone();
    drop(first);
    backend.stop();

    // The same device after a restart: same storage, same secret store, same skewed clock.
    let config = wallet_support::config(&backend.url, storage.path());
    let again = wallet_support::app_with(config, secrets, 3 * HOUR);
    let code = again.core.entry_code().expect("code offline");

    assert!(
        shared.admits(&code.text),
        "the stored offset corrects the clock"
    );
}

#[test]
fn expired_credential_offline_asks_to_connect() {
    let mut backend = Backend::start(0, 120);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    backend.stop();
    app.clock.advance_millis(200_000);

    let error = app.core.entry_code().expect_err("expired");
    assert!(is_renewal_error(&error), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("connect to renew your entry code"),
        "{error}"
    );

    let error = app
        .core
        .ensure_entry_credential()
        .expect_err("cannot renew");
    assert!(is_renewal_error(&error), "{error:?}");
}

#[test]
fn expired_credential_online_is_renewed() {
    let backend = Backend::start(0, 120);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let first = app.core.enroll_device().expect("enrolled");
    // The device clock jumps past the expiry. The renewal's response measures the offset
    // again, so the new credential is valid in corrected time.
    app.clock.advance_millis(200_000);

    let renewed = app.core.ensure_entry_credential().expect("renewed");

    assert_ne!(renewed.credential_id, first.credential_id);
    let code = app.core.entry_code().expect("code after renewal");
    assert!(backend.shared.admits(&code.text), "renewed code admitted");
}

#[test]
fn renewal_window_enrolls_again_online() {
    let backend = Backend::start(0, 400);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let first = app.core.enroll_device().expect("enrolled");

    let unchanged = app.core.ensure_entry_credential().expect("still fresh");
    assert_eq!(unchanged, first);

    // renew_after is 100 s before the expiry.
    app.clock.advance_millis(310_000);
    let renewed = app.core.ensure_entry_credential().expect("renewed");

    assert_ne!(renewed.credential_id, first.credential_id);
    assert!(backend.shared.lock().credentials[&first.credential_id].revoked);
}

#[test]
fn renewal_window_offline_keeps_current() {
    let mut backend = Backend::start(0, 400);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let first = app.core.enroll_device().expect("enrolled");
    backend.stop();
    app.clock.advance_millis(310_000);

    let current = app.core.ensure_entry_credential().expect("current kept");

    assert_eq!(current, first);
    let code = app.core.entry_code().expect("code");
    assert_eq!(
        wallet_support::code_credential(&code.text),
        first.credential_id
    );
}

#[test]
fn first_enrollment_offline_is_offline_error() {
    let mut backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    backend.stop();

    let error = app.core.ensure_entry_credential().expect_err("offline");

    assert!(matches!(error, WalkoutError::Offline { .. }), "{error:?}");
}

#[test]
fn revoke_offline_still_clears_device() {
    let mut backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    backend.stop();

    assert_eq!(app.core.revoke_entry_credential(), Ok(false));
    assert_eq!(app.core.entry_credential(), Ok(None));
}
