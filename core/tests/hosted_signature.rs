//! ID token verification against a provider the test controls: a tiny token endpoint on
//! 127.0.0.1 that signs ID tokens with the key the JWKS publishes, or with another one, and
//! with claims each case bends (issuer, audience, expiry, algorithm). A token signed with the
//! published key is the control that shows the fake itself is accepted.

mod hosted_support;

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{Value, json};
use walkout_core::auth::hosted::{BrowserOutcome, BrowserStep, HostedError, HostedSignInRequest};
use walkout_core::clock::{Clock, SystemClock};

use hosted_support::{CLIENT_ID, core_for, query_value};

const KEY_ID: &str = "fake-ed25519";

/// How the fake token endpoint signs the next ID token.
#[derive(Clone)]
struct Minting {
    /// PKCS#8 of the signing key.
    key: Vec<u8>,
    algorithm: Algorithm,
    /// Claims merged over the correct ones (`null` removes one).
    overrides: Value,
}

struct Fake {
    issuer: String,
    published_x: String,
    minting: Mutex<Minting>,
    /// The nonce of the authorization request, read by the browser step.
    nonce: Mutex<String>,
}

fn new_key() -> Vec<u8> {
    let random = ring::rand::SystemRandom::new();
    Ed25519KeyPair::generate_pkcs8(&random)
        .expect("key")
        .as_ref()
        .to_vec()
}

fn public_x(pkcs8: &[u8]) -> String {
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8).expect("key");
    URL_SAFE_NO_PAD.encode(pair.public_key().as_ref())
}

async fn discovery(State(fake): State<Arc<Fake>>) -> Json<Value> {
    Json(json!({
        "issuer": fake.issuer,
        "authorization_endpoint": format!("{}/authorize", fake.issuer),
        "token_endpoint": format!("{}/token", fake.issuer),
        "jwks_uri": format!("{}/jwks", fake.issuer),
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(fake): State<Arc<Fake>>) -> Json<Value> {
    Json(json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "x": fake.published_x, "kid": KEY_ID,
        "use": "sig", "alg": "EdDSA",
    }]}))
}

async fn token(State(fake): State<Arc<Fake>>) -> Json<Value> {
    let minting = fake.minting.lock().expect("lock").clone();
    let now = SystemClock.now_unix_seconds();
    let mut claims = json!({
        "iss": fake.issuer, "sub": "fake-user", "aud": CLIENT_ID, "exp": now + 600,
        "iat": now, "nonce": *fake.nonce.lock().expect("lock"), "email": "fake@example.com",
    });
    if let (Some(target), Some(changes)) = (claims.as_object_mut(), minting.overrides.as_object()) {
        for (name, value) in changes {
            if value.is_null() {
                target.remove(name);
            } else {
                target.insert(name.clone(), value.clone());
            }
        }
    }
    let id_token = sign(&minting, &claims);
    Json(json!({
        "access_token": "fake-access", "token_type": "Bearer", "expires_in": 600,
        "refresh_token": "fake-refresh", "id_token": id_token,
    }))
}

fn sign(minting: &Minting, claims: &Value) -> String {
    let mut header = Header::new(minting.algorithm);
    header.kid = Some(KEY_ID.to_owned());
    let key = match minting.algorithm {
        Algorithm::EdDSA => EncodingKey::from_ed_der(&minting.key),
        _ => EncodingKey::from_secret(&minting.key),
    };
    jsonwebtoken::encode(&header, claims, &key).expect("signed")
}

/// Starts the fake on a free loopback port and returns it with its published key.
fn start_fake(runtime: &tokio::runtime::Runtime) -> (Arc<Fake>, Vec<u8>) {
    let published = new_key();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let fake = Arc::new(Fake {
        issuer: format!("http://{address}"),
        published_x: public_x(&published),
        minting: Mutex::new(Minting {
            key: published.clone(),
            algorithm: Algorithm::EdDSA,
            overrides: json!({}),
        }),
        nonce: Mutex::new(String::new()),
    });
    let router = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/token", post(token))
        .with_state(Arc::clone(&fake));
    runtime.spawn(async move { axum::serve(listener, router).await });
    (fake, published)
}

/// A browser step that skips the login page and returns a code with the request's state.
struct InstantRedirect(Arc<Fake>);

impl BrowserStep for InstantRedirect {
    fn authorize(&self, authorize_url: &str, redirect_uri: &str) -> BrowserOutcome {
        let nonce = query_value(authorize_url, "nonce").unwrap_or_default();
        *self.0.nonce.lock().expect("lock") = nonce;
        let state = query_value(authorize_url, "state").unwrap_or_default();
        BrowserOutcome::Redirected {
            url: format!("{redirect_uri}?code=fake-code&state={state}"),
        }
    }
}

fn sign_in_with(fake: &Arc<Fake>, minting: Minting) -> Result<String, HostedError> {
    *fake.minting.lock().expect("lock") = minting;
    let (core, _dir) = core_for(&fake.issuer, Arc::new(SystemClock));
    core.sign_in_hosted_detailed(
        &InstantRedirect(Arc::clone(fake)),
        &HostedSignInRequest::default(),
    )
    .map(|user| user.sub)
}

#[test]
fn published_key_signature_is_accepted() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (fake, published) = start_fake(&runtime);
    let minting = Minting {
        key: published,
        algorithm: Algorithm::EdDSA,
        overrides: json!({}),
    };

    assert_eq!(sign_in_with(&fake, minting).as_deref(), Ok("fake-user"));
}

#[test]
fn bad_id_tokens_are_refused() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (fake, published) = start_fake(&runtime);
    let now = SystemClock.now_unix_seconds();
    let with = |overrides: Value| Minting {
        key: published.clone(),
        algorithm: Algorithm::EdDSA,
        overrides,
    };
    let cases = [
        (
            "signed with another key",
            Minting {
                key: new_key(),
                ..with(json!({}))
            },
            "signature",
        ),
        (
            "HS256 with a guessable secret",
            Minting {
                key: fake.published_x.clone().into_bytes(),
                algorithm: Algorithm::HS256,
                overrides: json!({}),
            },
            "not accepted",
        ),
        (
            "wrong issuer",
            with(json!({"iss": "http://127.0.0.1:1"})),
            "iss",
        ),
        (
            "wrong audience",
            with(json!({"aud": "another-client"})),
            "aud",
        ),
        (
            "several audiences without azp",
            with(json!({"aud": [CLIENT_ID, "other"]})),
            "azp",
        ),
        (
            "expired beyond leeway",
            with(json!({"exp": now - 120})),
            "expired",
        ),
        (
            "issued in the future",
            with(json!({"iat": now + 3600})),
            "future",
        ),
        ("missing nonce", with(json!({"nonce": null})), "nonce"),
        ("missing exp", with(json!({"exp": null})), "exp"),
    ];
    for (case, minting, expected) in cases {
        let error = sign_in_with(&fake, minting).expect_err(case);
        let HostedError::InvalidIdToken { reason } = &error else {
            panic!("{case}: expected InvalidIdToken, got {error:?}");
        };
        assert!(reason.contains(expected), "{case}: {reason}");
    }
}

#[test]
fn expiry_within_leeway_is_accepted() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (fake, published) = start_fake(&runtime);
    let now = SystemClock.now_unix_seconds();
    let minting = Minting {
        key: published,
        algorithm: Algorithm::EdDSA,
        overrides: json!({"exp": now - 20}),
    };

    assert_eq!(sign_in_with(&fake, minting).as_deref(), Ok("fake-user"));
}
