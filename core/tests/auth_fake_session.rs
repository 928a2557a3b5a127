//! The session against the in-process Cognito fake: single-flight refresh, which failures keep
//! or end the session, clock offsets, the secret store, and sign-out.

mod cognito_fake;

use std::sync::{Arc, Mutex};

use cognito_fake::{FakeCognito, FakeOptions, Injected, config_for};
use walkout_core::auth::cognito::{CognitoClient, CognitoSettings};
use walkout_core::auth::{SessionEvent, SessionObserver, SignInStep};
use walkout_core::clock::{Clock, ManualClock, SystemClock};
use walkout_core::secrets::{MemorySecretStore, SecretLookup, SecretStore};
use walkout_core::{Walkout, WalkoutError};

const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "Correct-Horse-7";
const SESSION_KEY: &str = "cognito.session";

struct Fixture {
    fake: FakeCognito,
    secrets: MemorySecretStore,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(options: FakeOptions) -> Self {
        let fake = FakeCognito::start(options);
        fake.add_user(EMAIL, PASSWORD);
        let dir = tempfile::tempdir().expect("tempdir");
        let secrets = MemorySecretStore::new(&walkout_core::BrandId::new("acme").expect("brand"));
        Self { fake, secrets, dir }
    }

    fn core_with_clock(&self, clock: Arc<dyn Clock>) -> Walkout {
        let config = config_for(&self.fake, self.dir.path());
        Walkout::with_clock(config, Arc::new(self.secrets.clone()), clock).expect("core")
    }

    fn core(&self) -> Walkout {
        self.core_with_clock(Arc::new(SystemClock))
    }

    fn signed_in_core(&self) -> Walkout {
        let core = self.core();
        let step = core.sign_in_start(EMAIL, PASSWORD).expect("sign-in");
        assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
        core
    }

    fn cognito(&self) -> CognitoClient {
        let config = config_for(&self.fake, self.dir.path());
        CognitoClient::new(&config.cognito, &CognitoSettings::default()).expect("client")
    }

    fn stored_session(&self) -> Option<Vec<u8>> {
        match self.secrets.get(SESSION_KEY).expect("get") {
            SecretLookup::Found(bytes) => Some(bytes.to_vec()),
            _ => None,
        }
    }

    fn stored_refresh_token(&self) -> String {
        let bytes = self.stored_session().expect("session stored");
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        value["refresh_token"].as_str().expect("token").to_owned()
    }
}

/// Makes the stored access token look expired, so the next use refreshes.
fn expire_stored_tokens(fixture: &Fixture) {
    let bytes = fixture.stored_session().expect("session");
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    value["access_expires_at"] = 0.into();
    let bytes = serde_json::to_vec(&value).expect("json");
    fixture.secrets.set(SESSION_KEY, &bytes).expect("set");
}

#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<SessionEvent>>,
}

impl SessionObserver for Recorder {
    fn session_changed(&self, event: SessionEvent) {
        self.events.lock().expect("lock").push(event);
    }
}

#[test]
fn concurrent_callers_share_one_refresh() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    expire_stored_tokens(&fixture);
    let core = Arc::new(fixture.core());

    let threads: Vec<_> = (0..20)
        .map(|_| {
            let core = Arc::clone(&core);
            std::thread::spawn(move || core.access_token())
        })
        .collect();
    let tokens: Vec<String> = threads
        .into_iter()
        .map(|thread| thread.join().expect("thread").expect("token"))
        .collect();

    assert_eq!(fixture.fake.calls("GetTokensFromRefreshToken"), 1);
    assert!(
        tokens.iter().all(|token| token == &tokens[0]),
        "one token for all"
    );
    assert_eq!(
        fixture.fake.live_refresh_tokens(),
        1,
        "rotated token stored"
    );
}

#[test]
fn network_failure_keeps_the_session() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    expire_stored_tokens(&fixture);
    let core = fixture.core();
    fixture
        .fake
        .inject("GetTokensFromRefreshToken", Injected::DropConnection, 3);

    let error = core.access_token().expect_err("offline");
    assert_eq!(
        error,
        WalkoutError::Offline {
            retry_after_seconds: None
        }
    );
    assert!(
        core.current_user().expect("read").is_some(),
        "still signed in"
    );
    assert!(core.access_token().is_ok(), "works once back online");
}

#[test]
fn throttled_refresh_is_retried() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    expire_stored_tokens(&fixture);
    let core = fixture.core();
    fixture
        .fake
        .inject("GetTokensFromRefreshToken", Injected::Throttle, 1);

    assert!(core.access_token().is_ok());
    assert_eq!(fixture.fake.calls("GetTokensFromRefreshToken"), 2);
}

#[test]
fn revoked_refresh_token_ends_the_session() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    let refresh_token = fixture.stored_refresh_token();
    fixture
        .fake
        .lock()
        .refresh_tokens
        .get_mut(&refresh_token)
        .expect("known")
        .revoked = true;
    expire_stored_tokens(&fixture);
    let core = fixture.core();
    let recorder = Arc::new(Recorder::default());
    core.add_session_observer(recorder.clone());

    assert_eq!(core.access_token(), Err(WalkoutError::Unauthorized));
    assert_eq!(core.current_user().expect("read"), None);
    assert_eq!(fixture.stored_session(), None);
    assert_eq!(
        *recorder.events.lock().expect("lock"),
        vec![SessionEvent::NeedsSignIn]
    );
}

#[test]
fn reused_refresh_token_ends_the_session() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    expire_stored_tokens(&fixture);
    let stale = fixture.stored_session().expect("session");
    fixture
        .core()
        .access_token()
        .expect("first refresh rotates");

    fixture
        .secrets
        .set(SESSION_KEY, &stale)
        .expect("restore stale copy");
    let core = fixture.core();
    assert_eq!(core.access_token(), Err(WalkoutError::Unauthorized));
    assert_eq!(core.current_user().expect("read"), None);
}

#[test]
fn rotated_token_of_another_instance_is_adopted() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    expire_stored_tokens(&fixture);
    let first = fixture.core();
    let second = fixture.core();
    assert!(
        first.current_user().expect("read").is_some(),
        "first caches the old token"
    );

    second.access_token().expect("second refreshes and rotates");
    let adopted = first
        .access_token()
        .expect("first adopts the stored successor");
    assert_eq!(adopted, second.access_token().expect("token"));
}

#[test]
fn device_clock_two_hours_off_refreshes_on_time() {
    for offset_hours in [-2i64, 2] {
        let fixture = Fixture::new(FakeOptions::default());
        let device_now = SystemClock.now_unix_millis() + offset_hours * 3_600_000;
        let clock = Arc::new(ManualClock::new(device_now));
        let core = fixture.core_with_clock(clock.clone());
        core.sign_in_start(EMAIL, PASSWORD).expect("sign-in");

        core.access_token().expect("token");
        clock.advance_millis(30 * 60 * 1000);
        core.access_token().expect("token");
        assert_eq!(
            fixture.fake.calls("GetTokensFromRefreshToken"),
            0,
            "no refresh within the lifetime, device {offset_hours:+} h"
        );

        clock.advance_millis(29 * 60 * 1000);
        core.access_token().expect("token");
        assert_eq!(
            fixture.fake.calls("GetTokensFromRefreshToken"),
            1,
            "refresh within the leeway, device {offset_hours:+} h"
        );
    }
}

#[test]
fn locked_secret_store_does_not_sign_out() {
    let fixture = Fixture::new(FakeOptions::default());
    fixture.signed_in_core();
    let core = fixture.core();
    fixture.secrets.set_locked(true);

    assert_eq!(
        core.access_token(),
        Err(WalkoutError::SecretStoreUnavailable)
    );
    assert_eq!(
        core.current_user(),
        Err(WalkoutError::SecretStoreUnavailable)
    );

    fixture.secrets.set_locked(false);
    assert!(core.current_user().expect("read").is_some());
    assert!(fixture.stored_session().is_some());
}

#[test]
fn sign_out_revokes_the_refresh_token() {
    let fixture = Fixture::new(FakeOptions::default());
    let core = fixture.signed_in_core();
    let refresh_token = fixture.stored_refresh_token();
    let access_token = core.access_token().expect("token");
    let recorder = Arc::new(Recorder::default());
    core.add_session_observer(recorder.clone());

    let outcome = core.sign_out().expect("sign-out");
    assert!(outcome.global_sign_out);
    assert!(outcome.refresh_token_revoked);
    assert_eq!(outcome.revocations_pending, 0);
    assert_eq!(core.current_user().expect("read"), None);
    assert_eq!(
        *recorder.events.lock().expect("lock"),
        vec![SessionEvent::SignedOut]
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let cognito = fixture.cognito();
    let reuse = runtime.block_on(cognito.get_tokens_from_refresh_token(&refresh_token, None));
    assert_eq!(
        reuse.expect_err("revoked").code(),
        Some("NotAuthorizedException")
    );
    let old_access = runtime.block_on(cognito.get_user(&access_token));
    assert_eq!(
        old_access.expect_err("signed out").code(),
        Some("NotAuthorizedException")
    );
}

#[test]
fn offline_sign_out_queues_the_revocation() {
    let fixture = Fixture::new(FakeOptions::default());
    let core = fixture.signed_in_core();
    fixture
        .fake
        .inject("GlobalSignOut", Injected::DropConnection, 3);
    fixture
        .fake
        .inject("RevokeToken", Injected::DropConnection, 3);

    let outcome = core.sign_out().expect("sign-out succeeds locally");
    assert!(!outcome.refresh_token_revoked);
    assert_eq!(outcome.revocations_pending, 1);
    assert_eq!(core.current_user().expect("read"), None);
    assert_eq!(fixture.fake.live_refresh_tokens(), 1);

    assert_eq!(core.retry_pending_revocations().expect("retry"), 0);
    assert_eq!(fixture.fake.live_refresh_tokens(), 0);
}

#[test]
fn sign_out_wipes_shopper_data() {
    let fixture = Fixture::new(FakeOptions::default());
    let core = fixture.signed_in_core();
    core.store().kv_put("shopper.profile", "{}").expect("put");
    core.store().kv_put("app.theme", "{}").expect("put");
    let wiped = Arc::new(Mutex::new(false));
    let flag = wiped.clone();
    core.register_sign_out_cleanup(
        "receipts",
        Arc::new(move |_store| {
            *flag.lock().expect("lock") = true;
            Ok(())
        }),
    );

    core.sign_out().expect("sign-out");
    assert_eq!(core.store().kv_get("shopper.profile").expect("get"), None);
    assert!(core.store().kv_get("app.theme").expect("get").is_some());
    assert!(*wiped.lock().expect("lock"));
}

#[test]
fn change_password_then_sign_in_with_it() {
    let fixture = Fixture::new(FakeOptions::default());
    let core = fixture.signed_in_core();
    assert_eq!(
        core.change_password("wrong", "New-Password-9"),
        Err(WalkoutError::Denied {
            reason_slug: "not-authorized".to_owned()
        })
    );
    core.change_password(PASSWORD, "New-Password-9")
        .expect("change");
    assert!(matches!(
        core.sign_in_start(EMAIL, "New-Password-9"),
        Ok(SignInStep::SignedIn { .. })
    ));
}
