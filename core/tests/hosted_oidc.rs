//! Hosted sign-in against a real OpenID provider (oidc-provider, started by `cargo xtask test`
//! with `WALKOUT_OIDC_URL`): authorization code with PKCE, `state`, `nonce`, ID token checks,
//! provider errors, a cancelled browser, a phone clock hours off, and refresh at the token
//! endpoint. Without the URL the tests skip, except under CI, where they fail.

mod hosted_support;

use std::sync::Arc;

use hosted_support::browser::HeadlessBrowser;
use hosted_support::*;
use walkout_core::WalkoutError;
use walkout_core::auth::hosted::{BrowserOutcome, BrowserStep, HostedError, HostedSignInRequest};
use walkout_core::clock::{Clock, ManualClock, SystemClock};

fn shopper() -> HeadlessBrowser {
    HeadlessBrowser::new(USER_EMAIL, USER_PASSWORD)
}

struct Cancelling;

impl BrowserStep for Cancelling {
    fn authorize(&self, _authorize_url: &str, _redirect_uri: &str) -> BrowserOutcome {
        BrowserOutcome::Cancelled
    }
}

#[test]
fn full_flow_yields_verified_tokens() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let browser = shopper();

    let user = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect("signed in");

    assert_eq!(user.sub, USER_SUB);
    assert_eq!(user.email.as_deref(), Some(USER_EMAIL));
    assert_eq!(user.email_verified, Some(true));
    let stored = core.current_user().expect("session readable");
    assert_eq!(stored.map(|user| user.sub).as_deref(), Some(USER_SUB));
    assert!(!core.access_token().expect("access token").is_empty());
}

#[test]
fn authorize_url_carries_pkce_state_nonce() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let browser = shopper();
    core.sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect("signed in");

    let url = browser.last_opened();
    assert!(url.starts_with(&format!("{issuer}/auth?")), "{url}");
    assert_eq!(query_value(&url, "response_type").as_deref(), Some("code"));
    assert_eq!(
        query_value(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let challenge = query_value(&url, "code_challenge").expect("code_challenge");
    assert_eq!(challenge.len(), 43, "SHA-256 in unpadded base64url");
    assert!(query_value(&url, "state").is_some_and(|state| state.len() >= 16));
    assert!(query_value(&url, "nonce").is_some_and(|nonce| nonce.len() >= 16));
    assert_eq!(
        query_value(&url, "scope").as_deref(),
        Some("openid email profile")
    );
    assert_eq!(
        query_value(&url, "redirect_uri").as_deref(),
        Some(REDIRECT_URI)
    );
    assert_eq!(query_value(&url, "identity_provider"), None);
}

#[test]
fn each_attempt_uses_fresh_secrets() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let request = HostedSignInRequest::default();
    let (_, first) = core.begin_hosted_sign_in(&request).expect("first");
    let (_, second) = core.begin_hosted_sign_in(&request).expect("second");

    for parameter in ["state", "nonce", "code_challenge"] {
        assert_ne!(
            query_value(first.authorize_url(), parameter),
            query_value(second.authorize_url(), parameter),
            "{parameter}"
        );
    }
}

#[test]
fn identity_provider_reaches_authorize_url() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let browser = shopper();
    let request = HostedSignInRequest {
        identity_provider: Some("TestOIDC".to_owned()),
        ..HostedSignInRequest::default()
    };

    core.sign_in_hosted_detailed(&browser, &request)
        .expect("signed in");

    let url = browser.last_opened();
    assert_eq!(
        query_value(&url, "identity_provider").as_deref(),
        Some("TestOIDC")
    );
}

#[test]
fn tampered_state_is_refused() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let mut browser = shopper();
    browser.rewrite_landed = Some(Box::new(|landed| {
        with_query_value(landed, "state", "forged-state-value")
    }));

    let error = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect_err("refused");

    assert_eq!(error, HostedError::StateMismatch);
    assert_eq!(core.current_user().expect("readable"), None);
}

#[test]
fn wrong_nonce_is_refused() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let mut browser = shopper();
    browser.rewrite_authorize = Some(Box::new(|url| {
        with_query_value(url, "nonce", "nonce-of-another-sign-in")
    }));

    let error = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect_err("refused");

    let HostedError::InvalidIdToken { reason } = &error else {
        panic!("expected InvalidIdToken, got {error:?}");
    };
    assert!(reason.contains("nonce"), "{reason}");
    assert_eq!(core.current_user().expect("readable"), None);
}

#[test]
fn cancelled_browser_step_is_reported() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));

    let detailed = core.sign_in_hosted_detailed(&Cancelling, &HostedSignInRequest::default());
    let public = core.sign_in_hosted(&Cancelling, HostedSignInRequest::default());

    assert_eq!(detailed, Err(HostedError::Cancelled));
    let expected = WalkoutError::Denied {
        reason_slug: "sign-in-cancelled".to_owned(),
    };
    assert_eq!(public, Err(expected));
}

#[test]
fn provider_error_in_redirect_is_reported() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let mut browser = shopper();
    // With prompt=none and no provider session, the provider must answer login_required.
    browser.rewrite_authorize = Some(Box::new(|url| with_query_value(url, "prompt", "none")));

    let error = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect_err("refused");

    let HostedError::Provider { code, description } = &error else {
        panic!("expected Provider, got {error:?}");
    };
    assert_eq!(code, "login_required");
    assert!(description.is_some());
}

#[test]
fn wrong_password_never_reaches_redirect() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let browser = HeadlessBrowser::new(USER_EMAIL, "wrong password");

    let error = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect_err("refused");

    assert!(
        matches!(error, HostedError::BrowserFailed { .. }),
        "{error:?}"
    );
}

#[test]
fn device_clock_two_hours_off_still_verifies() {
    let Some(issuer) = oidc_url() else { return };
    let two_hours_millis = 2 * 3600 * 1000;
    for skew in [two_hours_millis, -two_hours_millis] {
        let device = Arc::new(ManualClock::new(SystemClock.now_unix_millis() + skew));
        let (core, _dir) = core_for(&issuer, device);

        let user = core.sign_in_hosted_detailed(&shopper(), &HostedSignInRequest::default());

        assert_eq!(
            user.map(|user| user.sub).as_deref(),
            Ok(USER_SUB),
            "skew {skew}"
        );
        let offset = core.clock_offset().expect("offset measured").offset_millis;
        assert!(
            (offset + skew).abs() < 5_000,
            "skew {skew}, offset {offset}"
        );
    }
}

#[test]
fn hosted_session_refreshes_at_token_endpoint() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    core.sign_in_hosted_detailed(&shopper(), &HostedSignInRequest::default())
        .expect("signed in");
    let before = core.access_token().expect("access token");

    core.refresh_hosted_session().expect("refreshed");

    let after = core.access_token().expect("access token");
    assert_ne!(before, after);
    let user = core.current_user().expect("readable").map(|user| user.sub);
    assert_eq!(user.as_deref(), Some(USER_SUB));
}

#[test]
fn errors_never_show_secrets() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    let mut browser = shopper();
    browser.rewrite_landed = Some(Box::new(|landed| {
        with_query_value(landed, "state", "forged-state-value")
    }));
    let error = core
        .sign_in_hosted_detailed(&browser, &HostedSignInRequest::default())
        .expect_err("refused");
    let opened = browser.last_opened();

    let message = format!("{error} {error:?}");
    for parameter in ["state", "nonce", "code_challenge"] {
        let value = query_value(&opened, parameter).expect("parameter");
        assert!(!message.contains(&value), "{parameter} leaked: {message}");
    }
}

/// Revokes `token` at the provider's revocation endpoint (RFC 7009), as a public client.
fn revoke_at_provider(issuer: &str, token: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let metadata: serde_json::Value = client
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery")
            .json()
            .await
            .expect("discovery JSON");
        let endpoint = metadata["revocation_endpoint"]
            .as_str()
            .expect("revocation");
        let body = format!("token={token}&token_type_hint=refresh_token&client_id={CLIENT_ID}");
        let response = client
            .post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("revocation sent");
        assert!(response.status().is_success(), "{}", response.status());
    });
}

#[test]
fn revoked_refresh_token_ends_session() {
    let Some(issuer) = oidc_url() else { return };
    let (core, _dir) = core_for(&issuer, Arc::new(SystemClock));
    core.sign_in_hosted_detailed(&shopper(), &HostedSignInRequest::default())
        .expect("signed in");
    let walkout_core::secrets::SecretLookup::Found(bytes) =
        core.secrets().get("cognito.session").expect("store")
    else {
        panic!("no stored session");
    };
    let stored: serde_json::Value = serde_json::from_slice(&bytes).expect("session JSON");
    revoke_at_provider(
        &issuer,
        stored["refresh_token"].as_str().expect("refresh token"),
    );

    let error = core.refresh_hosted_session().expect_err("rejected");

    let HostedError::TokenEndpoint { code, .. } = &error else {
        panic!("expected TokenEndpoint, got {error:?}");
    };
    assert_eq!(code, "invalid_grant");
    assert_eq!(core.current_user().expect("readable"), None);
    assert_eq!(core.refresh_hosted_session(), Err(HostedError::NotSignedIn));
}
