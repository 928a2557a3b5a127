//! The core against cognito-local (started by `cargo xtask test`, which sets
//! `WALKOUT_COGNITO_LOCAL_URL` and `WALKOUT_COGNITO_LOCAL_DIR`), for what moto does not check:
//! real confirmation codes, `RevokeToken` and `DeleteUser`.
//!
//! cognito-local keeps each user's confirmation code in its pool file, where the tests read it. It has no SRP and no
//! `GlobalSignOut`, so the core uses `USER_PASSWORD_AUTH`, `REFRESH_TOKEN_AUTH` and a local
//! sign-out that revokes the refresh token.

mod hosted_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use walkout_core::auth::{AuthOptions, PasswordAuthFlow, RefreshMethod, SignInStep};
use walkout_core::clock::SystemClock;
use walkout_core::config::CognitoConfig;
use walkout_core::secrets::{MemorySecretStore, SecretLookup, SecretStore};
use walkout_core::{BrandId, Config, Walkout, WalkoutError};

use hosted_support::emulator_url;

const PASSWORD: &str = "Correct-Horse-7";

struct Emulator {
    url: String,
    /// cognito-local's working folder, which contains `.cognito/db/`.
    dir: String,
}

fn emulator() -> Option<Emulator> {
    let url = emulator_url("WALKOUT_COGNITO_LOCAL_URL")?;
    let dir = emulator_url("WALKOUT_COGNITO_LOCAL_DIR")?;
    Some(Emulator { url, dir })
}

/// Calls an operation directly and returns the HTTP status and JSON body.
fn call(url: &str, operation: &str, body: Value) -> (u16, Value) {
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
            .expect("cognito-local reachable");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    })
}

fn error_type(body: &Value) -> String {
    let raw = body["__type"]
        .as_str()
        .or(body["code"].as_str())
        .unwrap_or_default();
    raw.rsplit('#').next().unwrap_or_default().to_owned()
}

struct Pool {
    pool_id: String,
    client_id: String,
}

fn create_pool(url: &str) -> Pool {
    let name = format!("walkout-{}", uuid::Uuid::new_v4().simple());
    let (status, pool) = call(
        url,
        "CreateUserPool",
        json!({"PoolName": name, "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"]}),
    );
    assert_eq!(status, 200, "CreateUserPool: {pool}");
    let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    let (status, client) = call(
        url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "app"}),
    );
    assert_eq!(status, 200, "CreateUserPoolClient: {client}");
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();
    Pool { pool_id, client_id }
}

fn core(url: &str, pool: &Pool) -> (Walkout, Arc<MemorySecretStore>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        brand: BrandId::new("acme").expect("brand"),
        backend_url: "http://127.0.0.1:9".to_owned(),
        storage_dir: dir.path().to_owned(),
        cognito: CognitoConfig {
            region: "local".to_owned(),
            endpoint_url: Some(url.to_owned()),
            user_pool_id: pool.pool_id.clone(),
            client_id: pool.client_id.clone(),
            client_secret: None,
        },
        openid: None,
        psp: Default::default(),
    };
    let secrets = Arc::new(MemorySecretStore::new(&config.brand));
    let core = Walkout::with_clock(
        config,
        Arc::clone(&secrets) as Arc<dyn SecretStore>,
        Arc::new(SystemClock),
    )
    .expect("core");
    core.set_auth_options(AuthOptions {
        password_flow: PasswordAuthFlow::UserPassword,
        refresh_method: RefreshMethod::RefreshTokenAuth,
        global_sign_out: false,
        ..AuthOptions::default()
    });
    (core, secrets, dir)
}

/// Waits for the confirmation code cognito-local stored for `email` in its pool file
/// (`.cognito/db/<pool id>.json` under its working folder, the user's `ConfirmationCode`).
///
/// NOTE: cognito-local 5.3.0 also prints each code in a "Confirmation Code Delivery" box on its
/// console, but its asynchronous pino-pretty writer stalled mid-line when the console was a
/// file, so the boxes are not a reliable source for tests.
fn stored_code(emulator: &Emulator, pool: &Pool, email: &str) -> String {
    let path = format!("{}/.cognito/db/{}.json", emulator.dir, pool.pool_id);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(code) = code_in_pool(&text, email) {
            return code;
        }
        assert!(Instant::now() < deadline, "no code for {email} in {path}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Returns the `ConfirmationCode` of the user whose `email` attribute is `email`.
fn code_in_pool(pool_json: &str, email: &str) -> Option<String> {
    let pool: Value = serde_json::from_str(pool_json).ok()?;
    let users = pool["Users"].as_object()?;
    users.values().find_map(|user| {
        let has_email = user["Attributes"]
            .as_array()?
            .iter()
            .any(|attribute| attribute["Name"] == "email" && attribute["Value"] == email);
        if !has_email {
            return None;
        }
        user["ConfirmationCode"].as_str().map(str::to_owned)
    })
}

fn unique_email() -> String {
    format!("shopper-{}@example.com", uuid::Uuid::new_v4().simple())
}

fn signed_up_and_confirmed(emulator: &Emulator, pool: &Pool, core: &Walkout) -> String {
    let email = unique_email();
    core.sign_up(&email, PASSWORD).expect("sign-up");
    let code = stored_code(emulator, pool, &email);
    core.confirm_sign_up(&email, &code).expect("confirmed");
    email
}

fn sign_in(core: &Walkout, email: &str) {
    let step = core.sign_in_start(email, PASSWORD).expect("sign-in");
    assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
}

fn stored_refresh_token(secrets: &MemorySecretStore) -> String {
    let SecretLookup::Found(bytes) = secrets.get("cognito.session").expect("store") else {
        panic!("no stored session");
    };
    let session: Value = serde_json::from_slice(&bytes).expect("session JSON");
    session["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned()
}

fn refresh_directly(url: &str, pool: &Pool, refresh_token: &str) -> (u16, Value) {
    call(
        url,
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": pool.client_id,
            "AuthParameters": {"REFRESH_TOKEN": refresh_token}}),
    )
}

#[test]
fn sign_up_confirms_with_stored_code() {
    let Some(emulator) = emulator() else { return };
    let pool = create_pool(&emulator.url);
    let (core, _secrets, _dir) = core(&emulator.url, &pool);
    let email = unique_email();
    core.sign_up(&email, PASSWORD).expect("sign-up");
    let code = stored_code(&emulator, &pool, &email);
    let wrong = if code == "000000" { "111111" } else { "000000" };

    let mismatch = core.confirm_sign_up(&email, wrong);
    let confirmed = core.confirm_sign_up(&email, &code);

    let expected = WalkoutError::Denied {
        reason_slug: "code-mismatch".to_owned(),
    };
    assert_eq!(mismatch, Err(expected));
    assert_eq!(confirmed, Ok(()));
    sign_in(&core, &email);
}

#[test]
fn unconfirmed_user_cannot_sign_in() {
    let Some(emulator) = emulator() else { return };
    let pool = create_pool(&emulator.url);
    let (core, _secrets, _dir) = core(&emulator.url, &pool);
    let email = unique_email();
    core.sign_up(&email, PASSWORD).expect("sign-up");

    let result = core.sign_in_start(&email, PASSWORD);

    let expected = WalkoutError::Denied {
        reason_slug: "user-not-confirmed".to_owned(),
    };
    assert_eq!(result.map(|_| ()), Err(expected));
}

#[test]
fn revoked_refresh_token_stops_refresh() {
    let Some(emulator) = emulator() else { return };
    let pool = create_pool(&emulator.url);
    let (core, secrets, _dir) = core(&emulator.url, &pool);
    let email = signed_up_and_confirmed(&emulator, &pool, &core);
    sign_in(&core, &email);
    let refresh_token = stored_refresh_token(&secrets);
    let (before, body) = refresh_directly(&emulator.url, &pool, &refresh_token);
    assert_eq!(before, 200, "refresh before revoking: {body}");

    let outcome = core.sign_out().expect("signed out");

    assert!(outcome.refresh_token_revoked, "{outcome:?}");
    let (after, body) = refresh_directly(&emulator.url, &pool, &refresh_token);
    assert_eq!(after, 400, "refresh after revoking: {body}");
    assert_eq!(error_type(&body), "NotAuthorizedException");
}

#[test]
fn delete_user_removes_user() {
    let Some(emulator) = emulator() else { return };
    let pool = create_pool(&emulator.url);
    let (core, _secrets, _dir) = core(&emulator.url, &pool);
    let email = signed_up_and_confirmed(&emulator, &pool, &core);
    sign_in(&core, &email);

    core.delete_account().expect("deleted");

    assert_eq!(core.current_user(), Ok(None));
    let (status, body) = call(
        &emulator.url,
        "AdminGetUser",
        json!({"UserPoolId": pool.pool_id, "Username": email}),
    );
    assert_eq!(status, 400, "AdminGetUser after delete: {body}");
    assert_eq!(error_type(&body), "UserNotFoundException");
    assert!(core.sign_in_start(&email, PASSWORD).is_err());
}
