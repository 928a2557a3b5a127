//! Sign-in through `Walkout` against the in-process Cognito fake, which verifies every SRP
//! password claim for real.

mod cognito_fake;

use std::sync::Arc;

use cognito_fake::{CONFIRMATION_CODE, FakeCognito, FakeOptions, TOTP_CODE, config_for};
use num_bigint::BigInt;
use walkout_core::auth::{SignInResponse, SignInStep};
use walkout_core::secrets::MemorySecretStore;
use walkout_core::{Walkout, WalkoutError};

const PASSWORD: &str = "Correct-Horse-7";

fn core(fake: &FakeCognito, dir: &tempfile::TempDir) -> Walkout {
    let config = config_for(fake, dir.path());
    let secrets = MemorySecretStore::new(&config.brand);
    Walkout::new(config, Arc::new(secrets)).expect("core")
}

fn not_authorized() -> WalkoutError {
    WalkoutError::Denied {
        reason_slug: "not-authorized".to_owned(),
    }
}

#[test]
fn srp_sign_in_stores_the_session() {
    let fake = FakeCognito::start(FakeOptions::default());
    let sub = fake.add_user("jane@example.com", PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let step = core
        .sign_in_start("jane@example.com", PASSWORD)
        .expect("sign-in");
    let SignInStep::SignedIn { user } = step else {
        panic!("expected SignedIn, got {step:?}");
    };
    assert_eq!(user.sub, sub);
    assert_eq!(user.email.as_deref(), Some("jane@example.com"));
    let current = core.current_user().expect("read").expect("signed in");
    assert_eq!(current.sub, sub);
    assert_eq!(fake.calls("RespondToAuthChallenge"), 1);
}

#[test]
fn wrong_password_is_rejected() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let error = core
        .sign_in_start("jane@example.com", "Correct-Horse-8")
        .expect_err("wrong password");
    assert_eq!(error, not_authorized());
    assert_eq!(core.current_user().expect("read"), None);
}

#[test]
fn passwords_of_every_kind_sign_in() {
    let passwords = [
        "P@ss w0rd with spaces ",
        "!#$%^&*()_+-=[]{}|;':\",./<>?`~\\",
        "Grüße-Ñandú-Łódź-9",
        "密码-パスワード-пароль-1",
        "emoji-🔐🛒-Aa1",
        " leading and trailing ",
    ];
    let fake = FakeCognito::start(FakeOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);
    for (index, password) in passwords.iter().enumerate() {
        let email = format!("user{index}@example.com");
        fake.add_user(&email, password);
        let step = core.sign_in_start(&email, password);
        assert!(
            matches!(step, Ok(SignInStep::SignedIn { .. })),
            "password {password:?}: {step:?}"
        );
    }
}

#[test]
fn nfd_password_does_not_match_its_nfc_twin() {
    let nfc = "Caf\u{e9}-Cr\u{e8}me-1";
    let nfd = "Cafe\u{301}-Cre\u{300}me-1";
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", nfc);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let error = core
        .sign_in_start("jane@example.com", nfd)
        .expect_err("NFD twin");
    assert_eq!(error, not_authorized());
    assert!(matches!(
        core.sign_in_start("jane@example.com", nfc),
        Ok(SignInStep::SignedIn { .. })
    ));
}

#[test]
fn email_in_other_case_with_spaces_signs_in() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane.doe@example.com", PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let step = core
        .sign_in_start("  Jane.Doe@EXAMPLE.com \t", PASSWORD)
        .expect("sign-in");
    assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
}

#[test]
fn unusual_server_values_are_parsed() {
    // A negative salt (a device salt sent without its 00 byte comes back so) and a positive
    // salt with the top bit set; then B with its top bit set.
    let salts = [
        BigInt::from_signed_bytes_be(&[0x9c; 16]),
        BigInt::from_signed_bytes_be(&[0x00, 0xf1, 0x22, 0x33]),
    ];
    let fake = FakeCognito::start(FakeOptions {
        srp_b_high_bit: true,
        ..FakeOptions::default()
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);
    for (index, salt) in salts.into_iter().enumerate() {
        let email = format!("salt{index}@example.com");
        fake.set_next_salt(salt.clone());
        fake.add_user(&email, PASSWORD);
        let step = core.sign_in_start(&email, PASSWORD);
        assert!(
            matches!(step, Ok(SignInStep::SignedIn { .. })),
            "salt {salt:x}: {step:?}"
        );
    }
}

#[test]
fn sign_up_confirm_then_sign_in() {
    let fake = FakeCognito::start(FakeOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let outcome = core.sign_up(" New@Example.com", PASSWORD).expect("sign-up");
    assert!(!outcome.user_confirmed);
    assert!(outcome.user_sub.is_some());

    let unconfirmed = core.sign_in_start("new@example.com", PASSWORD);
    assert_eq!(
        unconfirmed,
        Err(WalkoutError::Denied {
            reason_slug: "user-not-confirmed".to_owned()
        })
    );

    let wrong_code = core.confirm_sign_up("new@example.com", "000000");
    assert_eq!(
        wrong_code,
        Err(WalkoutError::Denied {
            reason_slug: "code-mismatch".to_owned()
        })
    );
    core.confirm_sign_up("new@example.com", CONFIRMATION_CODE)
        .expect("confirm");
    assert!(matches!(
        core.sign_in_start("NEW@example.com", PASSWORD),
        Ok(SignInStep::SignedIn { .. })
    ));
}

#[test]
fn taken_email_is_reported() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", PASSWORD);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let error = core
        .sign_up("Jane@example.com", PASSWORD)
        .expect_err("taken");
    assert_eq!(
        error,
        WalkoutError::Denied {
            reason_slug: "username-exists".to_owned()
        }
    );
}

#[test]
fn mistyped_mfa_code_can_be_entered_again() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", PASSWORD);
    fake.enable_mfa("jane@example.com");
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let step = core
        .sign_in_start("jane@example.com", PASSWORD)
        .expect("start");
    assert_eq!(step, SignInStep::SoftwareTokenMfaCode);

    let wrong = core.sign_in_respond(SignInResponse::MfaCode {
        code: "111111".to_owned(),
    });
    assert_eq!(
        wrong,
        Err(WalkoutError::Denied {
            reason_slug: "code-mismatch".to_owned()
        })
    );
    let right = core.sign_in_respond(SignInResponse::MfaCode {
        code: format!(" {TOTP_CODE} "),
    });
    assert!(
        matches!(right, Ok(SignInStep::SignedIn { .. })),
        "{right:?}"
    );
}

#[test]
fn respond_without_a_waiting_step_is_invalid() {
    let fake = FakeCognito::start(FakeOptions::default());
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let error = core
        .sign_in_respond(SignInResponse::MfaCode {
            code: "1".to_owned(),
        })
        .expect_err("nothing waiting");
    assert!(
        matches!(error, WalkoutError::InvalidInput { .. }),
        "{error:?}"
    );
}

#[test]
fn throttled_initiate_auth_is_retried() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", PASSWORD);
    fake.inject("InitiateAuth", cognito_fake::Injected::Throttle, 2);
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let step = core.sign_in_start("jane@example.com", PASSWORD);
    assert!(matches!(step, Ok(SignInStep::SignedIn { .. })), "{step:?}");
    assert_eq!(fake.calls("InitiateAuth"), 3);
}

#[test]
fn dropped_password_verifier_restarts_srp() {
    let fake = FakeCognito::start(FakeOptions::default());
    fake.add_user("jane@example.com", PASSWORD);
    fake.inject(
        "RespondToAuthChallenge",
        cognito_fake::Injected::DropConnection,
        1,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&fake, &dir);

    let step = core.sign_in_start("jane@example.com", PASSWORD);
    assert!(matches!(step, Ok(SignInStep::SignedIn { .. })), "{step:?}");
    assert_eq!(fake.calls("InitiateAuth"), 2, "a fresh SRP_A per attempt");
}
