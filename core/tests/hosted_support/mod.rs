//! Shared pieces of the hosted sign-in tests: emulator URLs, a core configured for a provider,
//! and a headless browser that signs in through the provider's HTML pages with a cookie jar.

#![allow(dead_code)]

pub mod browser;

use std::sync::Arc;

use walkout_core::clock::Clock;
use walkout_core::config::{CognitoConfig, OpenIdConfig};
use walkout_core::secrets::MemorySecretStore;
use walkout_core::{BrandId, Config, Walkout};

/// The client and shopper that `xtask/oidc/server.mjs` registers.
pub const CLIENT_ID: &str = "walkout-test";
pub const USER_EMAIL: &str = "shopper@example.com";
pub const USER_PASSWORD: &str = "correct horse battery staple";
pub const USER_SUB: &str = "test-shopper-1";
/// Loopback redirect registered for the client; the provider accepts any port on it.
pub const REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// Returns the URL in `variable`. Under `CI=true` a missing URL fails the test; elsewhere the
/// test prints that it was skipped and why.
pub fn emulator_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{variable} must be set under CI (cargo xtask test sets it)")
        }
        _ => {
            eprintln!("skipped: {variable} is not set; run through `cargo xtask test`");
            None
        }
    }
}

/// Returns oidc-provider's issuer URL, or `None` when the test must be skipped.
pub fn oidc_url() -> Option<String> {
    emulator_url("WALKOUT_OIDC_URL")
}

/// Creates a core whose `[openid]` section points at `issuer`, with tokens in memory.
pub fn core_for(issuer: &str, clock: Arc<dyn Clock>) -> (Walkout, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        brand: BrandId::new("acme").expect("brand"),
        backend_url: "http://127.0.0.1:9".to_owned(),
        storage_dir: dir.path().to_owned(),
        cognito: CognitoConfig {
            region: "eu-west-2".to_owned(),
            endpoint_url: Some("http://127.0.0.1:9".to_owned()),
            user_pool_id: "eu-west-2_Hosted1".to_owned(),
            client_id: CLIENT_ID.to_owned(),
            client_secret: None,
        },
        openid: Some(OpenIdConfig {
            issuer: issuer.to_owned(),
            client_id: CLIENT_ID.to_owned(),
            redirect_uri: REDIRECT_URI.to_owned(),
            scopes: vec![
                "openid".to_owned(),
                "email".to_owned(),
                "profile".to_owned(),
            ],
            identity_provider: None,
        }),
        psp: Default::default(),
    };
    let secrets = MemorySecretStore::new(&config.brand);
    let core = Walkout::with_clock(config, Arc::new(secrets), clock).expect("core");
    (core, dir)
}

/// Returns the value of query parameter `name` in `url`.
pub fn query_value(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Returns `url` with query parameter `name` set to `value` (added when absent).
pub fn with_query_value(url: &str, name: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).expect("URL");
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(key, _)| key != name)
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = parsed.query_pairs_mut();
        query.clear();
        for (key, existing) in &pairs {
            query.append_pair(key, existing);
        }
        query.append_pair(name, value);
    }
    parsed.to_string()
}
