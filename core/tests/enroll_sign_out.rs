//! Sign-out revokes the device's entry credential (on the backend when it responds, and always
//! in the local store and the secret store), then ends the backend session.

mod wallet_support;

use walkout_core::{SecretLookup, SecretStore};
use wallet_support::{Backend, app};

const DAY: i64 = 24 * 3600;

#[test]
fn sign_out_revokes_entry_credential() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let info = app.core.enroll_device().expect("enrolled");

    // No Cognito session exists in this fixture, so the token part of the sign-out may fail;
    // the credential must be revoked either way.
    let _ = app.core.sign_out();

    let deletes: Vec<String> = backend
        .shared
        .lock()
        .app
        .iter()
        .filter(|request| request.method == "DELETE")
        .map(|request| request.path.clone())
        .collect();
    assert_eq!(
        deletes,
        vec![
            format!("/app/v1/entry-credentials/{}", info.credential_id),
            "/app/v1/session".to_owned(),
        ],
        "the credential is revoked first, then the backend session ends"
    );
    assert!(app.core.entry_credential().expect("read").is_none());
    let stored = app.secrets.get("acme.entry-credential").expect("read");
    assert!(
        matches!(stored, SecretLookup::Absent),
        "secret still stored"
    );
}
