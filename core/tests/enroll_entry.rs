//! Enrollment of the device's entry credential against a stand-in backend on 127.0.0.1: where
//! the secret goes, the measured clock offset, revocation, and the rendered code.

mod wallet_support;

use std::path::Path;

use base64::Engine as _;
use walkout_core::entry::{CREDENTIAL_FIELD, NOT_ENROLLED_REASON, TerminalBackground};
use walkout_core::{SecretLookup, SecretStore, WalkoutError};
use wallet_support::{Backend, app};

const DAY: i64 = 24 * 3600;
const TWO_HOURS: i64 = 2 * 3600;

/// Reads the database file and its WAL and shared-memory files, as they lie on disk.
fn database_bytes(storage: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = storage.join(format!("walkout-acme.sqlite3{suffix}"));
        if let Ok(content) = std::fs::read(&path) {
            bytes.extend_from_slice(&content);
        }
    }
    assert!(!bytes.is_empty(), "database files exist");
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn secret_is_kept_out_of_sqlite() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    let info = app.core.enroll_device().expect("enrolled");

    let secret = backend.shared.lock().credentials[&info.credential_id].secret;
    let on_disk = database_bytes(storage.path());
    let base64 = base64::engine::general_purpose::STANDARD.encode(secret);
    assert!(!contains(&on_disk, &secret), "raw secret in SQLite");
    assert!(
        !contains(&on_disk, base64.as_bytes()),
        "Base64 secret in SQLite"
    );
    assert!(
        !contains(&on_disk, hex::encode(secret).as_bytes()),
        "hex secret in SQLite"
    );
    assert!(
        contains(&on_disk, info.credential_id.as_bytes()),
        "the id is stored"
    );

    let SecretLookup::Found(stored) = app.secrets.get("acme.entry-credential").expect("read")
    else {
        panic!("secret missing from the secret store");
    };
    assert_eq!(&stored[8..], &secret[..]);
}

#[test]
fn enrollment_stores_public_part() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);

    let info = app.core.enroll_device().expect("enrolled");

    let server = backend.shared.lock().credentials[&info.credential_id].clone();
    assert_eq!(info.credential_id.len(), 16);
    assert_eq!(info.period_secs, 30);
    assert_eq!(info.expires_at_unix, server.expires_at_unix);
    assert_eq!(info.renew_after_unix, server.expires_at_unix - 30 * DAY / 4);
    assert_eq!(app.core.entry_credential().expect("read"), Some(info));
    let enroll = backend.shared.lock().app[0].clone();
    assert!(enroll.idempotency_key.is_some(), "Idempotency-Key sent");
}

#[test]
fn enrollment_measures_clock_offset() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    // The device clock is two hours behind the server's.
    let app = app(&backend.url, storage.path(), -TWO_HOURS);

    app.core.enroll_device().expect("enrolled");

    let offset = app
        .core
        .clock_offset()
        .expect("offset measured")
        .offset_millis;
    assert!(
        (offset - TWO_HOURS * 1000).abs() <= 1500,
        "offset {offset} ms"
    );
}

#[test]
fn codes_from_skewed_device_are_admitted() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), TWO_HOURS);
    let info = app.core.enroll_device().expect("enrolled");

    let code = app.core.entry_code().expect("code");

    assert!(backend.shared.admits(&code.text), "code admitted");
    assert_eq!(
        wallet_support::code_credential(&code.text),
        info.credential_id
    );
    assert!((1..=30).contains(&code.seconds_until_rotation));
}

#[test]
fn code_rotates_with_the_period() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    let now = app.device_now_millis();

    let first = app.core.entry_code_at(now).expect("code");
    let same_step = now + i64::try_from(first.millis_until_rotation).expect("fits") - 1;
    let next_step = same_step + 1;

    assert_eq!(
        app.core.entry_code_at(same_step).expect("code").text,
        first.text
    );
    let next = app.core.entry_code_at(next_step).expect("code");
    assert_eq!(next.step, first.step + 1);
    assert_ne!(next.text, first.text);
    assert_eq!(next.seconds_until_rotation, 30);
}

#[test]
fn second_enrollment_revokes_the_first() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let first = app.core.enroll_device().expect("first");
    let old_code = app.core.entry_code().expect("code").text;

    let second = app.core.enroll_device().expect("second");

    assert_ne!(first.credential_id, second.credential_id);
    assert!(backend.shared.lock().credentials[&first.credential_id].revoked);
    assert!(!backend.shared.admits(&old_code), "old code denied");
    let new_code = app.core.entry_code().expect("code").text;
    assert!(backend.shared.admits(&new_code), "new code admitted");
}

#[test]
fn revoke_removes_credential_everywhere() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    let info = app.core.enroll_device().expect("enrolled");

    assert_eq!(app.core.revoke_entry_credential(), Ok(true));

    assert!(backend.shared.lock().credentials[&info.credential_id].revoked);
    assert_eq!(app.core.entry_credential(), Ok(None));
    assert!(matches!(
        app.secrets.get("acme.entry-credential"),
        Ok(SecretLookup::Absent)
    ));
    let error = app.core.entry_code().expect_err("not enrolled");
    assert_eq!(
        error,
        WalkoutError::InvalidInput {
            field: CREDENTIAL_FIELD.to_owned(),
            reason: NOT_ENROLLED_REASON.to_owned()
        }
    );
}

#[test]
fn mismatched_secret_means_not_enrolled() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    // As after a crash between the two writes of another enrollment.
    app.secrets
        .set("acme.entry-credential", &[7u8; 40])
        .expect("write");

    let error = app.core.entry_code().expect_err("not usable");

    assert!(
        matches!(&error, WalkoutError::InvalidInput { field, .. } if field == CREDENTIAL_FIELD),
        "{error:?}"
    );
}

#[test]
fn locked_secret_store_is_unavailable_not_absent() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    app.secrets.set_locked(true);

    assert_eq!(
        app.core.entry_code(),
        Err(WalkoutError::SecretStoreUnavailable)
    );
}

#[test]
fn rendered_code_decodes_to_current_code() {
    let backend = Backend::start(0, 30 * DAY);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core.enroll_device().expect("enrolled");
    let code = app.core.entry_code().expect("code");

    let png = app.core.entry_code_png(8).expect("png");
    let image = image::load_from_memory(&png).expect("PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "symbols found");
    let (_, text) = grids[0].decode().expect("decodes");
    assert_eq!(text, code.text);

    assert_eq!(app.core.entry_code_matrix().expect("matrix").size(), 25);
    assert!(app.core.entry_code_svg(4).expect("svg").starts_with("<svg"));
    let terminal = app
        .core
        .entry_code_terminal(TerminalBackground::Dark)
        .expect("text");
    assert_eq!(terminal.lines().count(), 17);
    let error = app.core.entry_code_png(0).expect_err("zero pixels");
    assert!(
        matches!(&error, WalkoutError::InvalidInput { field, .. } if field == "pixels_per_module"),
        "{error:?}"
    );
}
