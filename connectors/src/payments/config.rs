//! Settings of payments (`[payments]` in the configuration file).
//!
//! The defaults run the embedded sandbox PSP on the service's own listener with sandbox keys, so
//! a fresh service takes payments without any account. Production sets `stripe_api_base` to
//! `https://api.stripe.com/v1`, the real keys, and `sandbox = false`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A secret setting: hidden from `Debug`, so a dumped configuration never shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(pub String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"***\"")
    }
}

/// Secret key of the sandbox PSP; it protects nothing outside this service.
pub const SANDBOX_SECRET_KEY: &str = "sk_test_walkout_sandbox";
/// Publishable key of the sandbox PSP, used by apps to tokenize cards.
pub const SANDBOX_PUBLISHABLE_KEY: &str = "pk_test_walkout_sandbox";
/// Webhook signing secret used when none is configured.
pub const SANDBOX_WEBHOOK_SECRET: &str = "whsec_walkout_sandbox";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsConfig {
    /// Serve the sandbox PSP under `/psp/v1/`.
    pub sandbox: bool,
    /// Base URL of the Stripe API. Unset means the sandbox at `http://{listen}/psp/v1`.
    pub stripe_api_base: Option<String>,
    /// Secret key (`sk_test_…` or `sk_live_…`) for server calls.
    pub secret_key: SecretString,
    /// Publishable key (`pk_…`) that apps use to tokenize cards; the sandbox accepts it.
    pub publishable_key: String,
    /// Secret of `Stripe-Signature` on webhooks (`whsec_…`).
    pub webhook_secret: SecretString,
    /// Time budget of the gate's hold, in milliseconds.
    pub hold_timeout_ms: u64,
    /// Hold amount in minor units for stores without their own setting.
    pub hold_amount_minor: i64,
    /// Currency of stores without their own setting (ISO 4217).
    pub default_currency: String,
    /// Per-store hold settings, keyed by store id.
    pub stores: BTreeMap<String, StorePayments>,
    /// Timeout of one HTTP attempt to the PSP, in milliseconds.
    pub request_timeout_ms: u64,
    /// Retries after a network error, a 5xx or a 429, each with the same idempotency key.
    pub max_retries: u32,
    /// Delay before the first retry, in milliseconds; it doubles for each further retry.
    pub retry_backoff_ms: u64,
    /// The reconciler acts on holds that lapse within this many hours.
    pub reconcile_within_hours: u64,
    /// Seconds between two runs of the reconciler in the background; 0 turns it off.
    pub reconcile_interval_secs: u64,
    /// How long a sandbox hold lasts before it is canceled automatically, in hours (Stripe: 7 days).
    pub sandbox_hold_hours: u64,
}

/// Hold settings of one store.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorePayments {
    /// ISO 4217 code of the store's currency.
    pub currency: String,
    /// Hold amount in minor units; the global `hold_amount_minor` when unset.
    pub hold_amount_minor: Option<i64>,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        PaymentsConfig {
            sandbox: true,
            stripe_api_base: None,
            secret_key: SecretString(SANDBOX_SECRET_KEY.to_owned()),
            publishable_key: SANDBOX_PUBLISHABLE_KEY.to_owned(),
            webhook_secret: SecretString(SANDBOX_WEBHOOK_SECRET.to_owned()),
            hold_timeout_ms: 1500,
            hold_amount_minor: 5000,
            default_currency: "GBP".to_owned(),
            stores: BTreeMap::new(),
            request_timeout_ms: 10_000,
            max_retries: 2,
            retry_backoff_ms: 100,
            reconcile_within_hours: 24,
            reconcile_interval_secs: 900,
            sandbox_hold_hours: 7 * 24,
        }
    }
}

impl PaymentsConfig {
    /// The hold amount and currency of `store_id`, as (amount in minor units, currency).
    pub fn hold_for_store(&self, store_id: &str) -> (i64, String) {
        match self.stores.get(store_id) {
            Some(store) => (
                store.hold_amount_minor.unwrap_or(self.hold_amount_minor),
                store.currency.to_ascii_uppercase(),
            ),
            None => (
                self.hold_amount_minor,
                self.default_currency.to_ascii_uppercase(),
            ),
        }
    }

    /// The Stripe API base in effect, without a trailing slash.
    pub fn api_base(&self, listen: std::net::SocketAddr) -> String {
        match &self.stripe_api_base {
            Some(base) if !base.is_empty() => base.trim_end_matches('/').to_owned(),
            _ => {
                // A wildcard listen address is reached through loopback.
                let mut address = listen;
                if address.ip().is_unspecified() {
                    address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
                }
                format!("http://{address}/psp/v1")
            }
        }
    }
}
