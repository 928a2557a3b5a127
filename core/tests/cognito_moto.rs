//! Sign-in against moto's Cognito emulator, for the wire shape of every call.
//!
//! moto accepts any SRP signature, so these tests check parsing, the lenient `SECRET_BLOCK`
//! (a dashed UUID there), the `USERNAME` choice and Session-less challenges, not the SRP math:
//! the in-process fake checks that. `cargo xtask test` starts moto and sets `WALKOUT_MOTO_URL`;
//! without it the tests skip, except under CI, where they fail.

use std::sync::Arc;

use serde_json::{Value, json};
use walkout_core::auth::{
    AuthOptions, PasswordAuthFlow, RefreshMethod, SignInResponse, SignInStep,
};
use walkout_core::clock::{Clock, ManualClock, SystemClock};
use walkout_core::config::CognitoConfig;
use walkout_core::secrets::MemorySecretStore;
use walkout_core::{BrandId, Config, Walkout, WalkoutError};

const PASSWORD: &str = "Correct-Horse-7";

fn moto_url() -> Option<String> {
    match std::env::var("WALKOUT_MOTO_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("WALKOUT_MOTO_URL must be set under CI")
        }
        _ => {
            eprintln!("skipped: WALKOUT_MOTO_URL not set");
            None
        }
    }
}

/// Calls a Cognito operation on moto directly, for pool setup.
fn admin(url: &str, operation: &str, body: Value) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(url)
            .header(
                "X-Amz-Target",
                format!("AWSCognitoIdentityProviderService.{operation}"),
            )
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .expect("moto reachable");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status.is_success(), "{operation}: {status} {text}");
        serde_json::from_str(&text).expect("json")
    })
}

struct Pool {
    url: String,
    pool_id: String,
    client_id: String,
}

fn create_pool(url: &str, test: &str) -> Pool {
    let name = format!("walkout-{test}-{}", uuid::Uuid::new_v4().simple());
    let pool = admin(url, "CreateUserPool", json!({"PoolName": name}));
    let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    let client = admin(
        url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app", "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    Pool {
        url: url.to_owned(),
        pool_id,
        client_id,
    }
}

fn core(pool: &Pool, dir: &tempfile::TempDir, clock: Arc<dyn Clock>) -> Walkout {
    let region = pool
        .pool_id
        .split('_')
        .next()
        .unwrap_or("us-east-1")
        .to_owned();
    let config = Config {
        brand: BrandId::new("acme").expect("brand"),
        backend_url: "http://127.0.0.1:9".to_owned(),
        storage_dir: dir.path().to_owned(),
        cognito: CognitoConfig {
            region,
            endpoint_url: Some(pool.url.clone()),
            user_pool_id: pool.pool_id.clone(),
            client_id: pool.client_id.clone(),
            client_secret: None,
        },
        openid: None,
        psp: Default::default(),
    };
    let secrets = MemorySecretStore::new(&config.brand);
    let core = Walkout::with_clock(config, Arc::new(secrets), clock).expect("core");
    core.set_auth_options(AuthOptions {
        refresh_method: RefreshMethod::RefreshTokenAuth,
        ..AuthOptions::default()
    });
    core
}

fn signed_up(pool: &Pool, dir: &tempfile::TempDir, email: &str) -> Walkout {
    let core = core(pool, dir, Arc::new(SystemClock));
    core.sign_up(email, PASSWORD).expect("sign-up");
    core.confirm_sign_up(email, "000000")
        .expect("moto accepts any code");
    core
}

#[test]
fn sign_up_confirm_and_srp_sign_in() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "srp");
    let dir = tempfile::tempdir().expect("tempdir");
    let core = signed_up(&pool, &dir, "Jane@Example.com");

    let step = core
        .sign_in_start(" jane@example.COM", PASSWORD)
        .expect("SRP sign-in");
    let SignInStep::SignedIn { user } = step else {
        panic!("expected SignedIn, got {step:?}");
    };
    assert_eq!(
        user.username, "jane@example.com",
        "stored lower-cased and trimmed"
    );
    assert_eq!(core.current_user().expect("read"), Some(user));
}

#[test]
fn user_password_auth_signs_in() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "password");
    let dir = tempfile::tempdir().expect("tempdir");
    let core = signed_up(&pool, &dir, "jane@example.com");
    core.set_auth_options(AuthOptions {
        password_flow: PasswordAuthFlow::UserPassword,
        ..core.auth_options()
    });

    let step = core.sign_in_start("jane@example.com", PASSWORD);
    assert!(matches!(step, Ok(SignInStep::SignedIn { .. })), "{step:?}");
}

#[test]
fn wrong_password_is_rejected() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "wrong");
    let dir = tempfile::tempdir().expect("tempdir");
    let core = signed_up(&pool, &dir, "jane@example.com");
    core.set_auth_options(AuthOptions {
        password_flow: PasswordAuthFlow::UserPassword,
        ..core.auth_options()
    });

    assert_eq!(
        core.sign_in_start("jane@example.com", "Correct-Horse-8"),
        Err(WalkoutError::Denied {
            reason_slug: "not-authorized".to_owned()
        })
    );
}

#[test]
fn refresh_token_auth_refreshes() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "refresh");
    let dir = tempfile::tempdir().expect("tempdir");
    signed_up(&pool, &dir, "jane@example.com");
    let clock = Arc::new(ManualClock::new(SystemClock.now_unix_millis()));
    let core = core(&pool, &dir, clock.clone());
    core.sign_in_start("jane@example.com", PASSWORD)
        .expect("sign-in");
    let first = core.access_token().expect("token");

    // moto's tokens live one hour; 59 minutes later the leeway calls for a refresh.
    clock.advance_millis(59 * 60 * 1000);
    let second = core.access_token().expect("refreshed token");
    assert_ne!(first, second);
    assert!(core.current_user().expect("read").is_some());
}

#[test]
fn global_sign_out_rejects_the_old_access_token() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "signout");
    let dir = tempfile::tempdir().expect("tempdir");
    let core = signed_up(&pool, &dir, "jane@example.com");
    core.sign_in_start("jane@example.com", PASSWORD)
        .expect("sign-in");
    let access_token = core.access_token().expect("token");

    let outcome = core.sign_out().expect("sign-out");
    assert!(outcome.global_sign_out);
    assert_eq!(core.current_user().expect("read"), None);

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let config = core.config().cognito.clone();
    let client = walkout_core::auth::cognito::CognitoClient::new(&config, &Default::default())
        .expect("client");
    let error = runtime
        .block_on(client.get_user(&access_token))
        .expect_err("revoked");
    assert_eq!(error.code(), Some("NotAuthorizedException"));
}

#[test]
fn new_password_required_after_admin_create_user() {
    let Some(url) = moto_url() else { return };
    let pool = create_pool(&url, "newpw");
    admin(
        &url,
        "AdminCreateUser",
        json!({"UserPoolId": pool.pool_id, "Username": "jane@example.com",
            "TemporaryPassword": "Temp-Pass-1", "MessageAction": "SUPPRESS"}),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let core = core(&pool, &dir, Arc::new(SystemClock));

    let step = core
        .sign_in_start("jane@example.com", "Temp-Pass-1")
        .expect("start");
    assert!(
        matches!(step, SignInStep::NewPasswordRequired { .. }),
        "{step:?}"
    );
    let done = core.sign_in_respond(SignInResponse::NewPassword {
        password: "Brand-New-Pass-2".to_owned(),
        attributes: Default::default(),
    });
    assert!(matches!(done, Ok(SignInStep::SignedIn { .. })), "{done:?}");
    assert!(matches!(
        core.sign_in_start("jane@example.com", "Brand-New-Pass-2"),
        Ok(SignInStep::SignedIn { .. })
    ));
}
