//! Remembered devices against the in-process Cognito fake: `ConfirmDevice` after the first
//! sign-in, `DEVICE_SRP_AUTH` verified for real on the next, and `DEVICE_KEY` on refresh.

mod cognito_fake;

use std::sync::Arc;

use cognito_fake::{FakeCognito, FakeOptions, config_for};
use walkout_core::Walkout;
use walkout_core::auth::{AuthOptions, SignInStep};
use walkout_core::secrets::{MemorySecretStore, SecretLookup, SecretStore};

const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "Correct-Horse-7";

fn core(fake: &FakeCognito, dir: &tempfile::TempDir, secrets: &MemorySecretStore) -> Walkout {
    let core = Walkout::new(config_for(fake, dir.path()), Arc::new(secrets.clone())).expect("core");
    core.set_auth_options(AuthOptions {
        remember_device: true,
        device_name: Some("Test phone".to_owned()),
        ..AuthOptions::default()
    });
    core
}

fn setup() -> (FakeCognito, tempfile::TempDir, MemorySecretStore) {
    let fake = FakeCognito::start(FakeOptions {
        track_devices: true,
        ..FakeOptions::default()
    });
    fake.add_user(EMAIL, PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = MemorySecretStore::new(&walkout_core::BrandId::new("acme").expect("brand"));
    (fake, dir, secrets)
}

#[test]
fn remembered_device_signs_in_with_device_srp() {
    let (fake, dir, secrets) = setup();
    let core = core(&fake, &dir, &secrets);

    let first = core.sign_in_start(EMAIL, PASSWORD).expect("first sign-in");
    assert!(matches!(first, SignInStep::SignedIn { .. }), "{first:?}");
    assert_eq!(fake.calls("ConfirmDevice"), 1);
    assert!(matches!(
        secrets.get("cognito.device"),
        Ok(SecretLookup::Found(_))
    ));

    let second = core.sign_in_start(EMAIL, PASSWORD).expect("second sign-in");
    assert!(matches!(second, SignInStep::SignedIn { .. }), "{second:?}");
    // PASSWORD_VERIFIER of both sign-ins, then DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
    assert_eq!(fake.calls("RespondToAuthChallenge"), 4);
    assert_eq!(
        fake.calls("ConfirmDevice"),
        1,
        "the device is registered once"
    );
}

#[test]
fn refresh_sends_the_device_key() {
    let (fake, dir, secrets) = setup();
    let core = core(&fake, &dir, &secrets);
    core.sign_in_start(EMAIL, PASSWORD).expect("sign-in");

    let SecretLookup::Found(bytes) = secrets.get("cognito.session").expect("get") else {
        panic!("no session stored");
    };
    let mut session: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert!(session["device_key"].is_string());
    session["access_expires_at"] = 0.into();
    secrets
        .set(
            "cognito.session",
            &serde_json::to_vec(&session).expect("json"),
        )
        .expect("set");

    // The fake rejects a device-bound refresh token sent without its DeviceKey.
    let fresh = core_from_store(&fake, &dir, &secrets);
    assert!(fresh.access_token().is_ok());
    assert_eq!(fake.calls("GetTokensFromRefreshToken"), 1);
}

#[test]
fn wrong_device_password_fails_device_srp() {
    let (fake, dir, secrets) = setup();
    let core = core(&fake, &dir, &secrets);
    core.sign_in_start(EMAIL, PASSWORD).expect("first sign-in");

    let SecretLookup::Found(bytes) = secrets.get("cognito.device").expect("get") else {
        panic!("no device stored");
    };
    let mut device: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    device["device_password"] = "AAAA".into();
    secrets
        .set(
            "cognito.device",
            &serde_json::to_vec(&device).expect("json"),
        )
        .expect("set");

    let error = core
        .sign_in_start(EMAIL, PASSWORD)
        .expect_err("device proof fails");
    assert_eq!(
        error,
        walkout_core::WalkoutError::Denied {
            reason_slug: "not-authorized".to_owned()
        }
    );
}

fn core_from_store(
    fake: &FakeCognito,
    dir: &tempfile::TempDir,
    secrets: &MemorySecretStore,
) -> Walkout {
    core(fake, dir, secrets)
}
