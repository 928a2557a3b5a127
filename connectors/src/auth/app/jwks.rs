//! The user pool's signing keys: fetched from the JWKS URL, cached in memory, refetched on an
//! unknown key id.
//!
//! A token names its key with `kid`. A key id missing from the cache may mean the pool rotated
//! its keys, so the cache fetches the set again. Such fetches happen at most once per
//! [`REFETCH_INTERVAL`], because otherwise every forged `kid` would make the service call the
//! JWKS URL. The fetches at start (see [`JwksCache::spawn_initial_fetch`]) are not counted. Requests that miss at
//! the same time wait for one shared fetch instead of starting their own. Only RSA signing keys
//! usable with RS256 are kept; the set never holds private key material.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jsonwebtoken::DecodingKey;
use serde::Deserialize;

/// Shortest time between two fetches caused by unknown key ids.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(10);
/// Largest JWKS document accepted. A Cognito pool publishes two keys, about 1 KiB.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// First and longest wait between retries of the initial fetch.
const FIRST_RETRY_WAIT: Duration = Duration::from_secs(1);
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// Reason the signing key of a token could not be found.
#[derive(Debug, thiserror::Error)]
pub enum KeyLookupError {
    /// The key set was fetched, and it has no key with this id.
    #[error("the user pool publishes no signing key with this kid")]
    UnknownKid,
    /// No key set is available: the fetch failed or has not succeeded yet.
    #[error("the user pool's signing keys could not be fetched")]
    Unavailable,
}

/// Failure of one fetch of the key set. The messages name the URL but never a key.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("request to {url} failed: {source}")]
    Request { url: String, source: reqwest::Error },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} sent more than {MAX_JWKS_BYTES} bytes")]
    TooLarge { url: String },
    #[error("{url} did not send a JSON Web Key Set: {reason}")]
    Invalid { url: String, reason: String },
}

/// The cached key set of one user pool.
pub struct JwksCache {
    url: String,
    client: reqwest::Client,
    keys: RwLock<HashMap<String, Arc<DecodingKey>>>,
    fetched_once: AtomicBool,
    /// Time of the last fetch caused by an unknown key id. The lock also makes concurrent
    /// misses share one fetch.
    last_refetch: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksCache")
            .field("url", &self.url)
            .field("fetched_once", &self.fetched_once())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK that an RS256 verifier reads.
#[derive(Deserialize)]
struct RsaJwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    key_use: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwksCache {
    pub fn new(url: String, client: reqwest::Client) -> JwksCache {
        JwksCache {
            url,
            client,
            keys: RwLock::new(HashMap::new()),
            fetched_once: AtomicBool::new(false),
            last_refetch: tokio::sync::Mutex::new(None),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Returns whether a fetch has succeeded since the start.
    pub fn fetched_once(&self) -> bool {
        self.fetched_once.load(Ordering::Acquire)
    }

    /// Finds the key with this id, refetching the set once per [`REFETCH_INTERVAL`] on a miss.
    pub async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, KeyLookupError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }

        // Waiting here is what makes concurrent misses share one fetch: the first caller
        // fetches while holding the lock, the others then find the key in the cache.
        let mut last_refetch = self.last_refetch.lock().await;
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let recently = last_refetch.is_some_and(|at| at.elapsed() < REFETCH_INTERVAL);
        if !recently {
            *last_refetch = Some(Instant::now());
            tracing::info!(url = %self.url, kid, "unknown kid; fetching the user pool's keys again");
            if let Err(error) = self.refresh().await {
                tracing::warn!(%error, "fetching the user pool's keys failed");
            }
        }
        drop(last_refetch);

        match self.cached(kid) {
            Some(key) => Ok(key),
            None if self.fetched_once() => Err(KeyLookupError::UnknownKid),
            None => Err(KeyLookupError::Unavailable),
        }
    }

    fn cached(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        let keys = self
            .keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.get(kid).cloned()
    }

    /// Fetches the key set and replaces the cache with it, so keys the pool stopped publishing
    /// stop being accepted.
    pub async fn refresh(&self) -> Result<usize, FetchError> {
        let document = self.download().await?;
        let keys = parse_key_set(&document).map_err(|reason| FetchError::Invalid {
            url: self.url.clone(),
            reason,
        })?;
        let count = keys.len();
        *self
            .keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = keys;
        self.fetched_once.store(true, Ordering::Release);
        tracing::info!(url = %self.url, keys = count, "fetched the user pool's signing keys");
        Ok(count)
    }

    async fn download(&self) -> Result<Vec<u8>, FetchError> {
        let request_error = |source| FetchError::Request {
            url: self.url.clone(),
            source,
        };
        let mut response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(request_error)?;
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: self.url.clone(),
                status: response.status().as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: self.url.clone(),
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_JWKS_BYTES as u64)
        {
            return Err(too_large());
        }

        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Starts a task that fetches the key set until the first success, waiting longer after
    /// each failure (1 s, doubling, at most 60 s). The task ends early when a fetch caused by
    /// a request has succeeded in the meantime.
    pub fn spawn_initial_fetch(self: &Arc<Self>) {
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            let mut wait = FIRST_RETRY_WAIT;
            let mut attempt: u32 = 1;
            while !cache.fetched_once() {
                match cache.refresh().await {
                    Ok(_) => break,
                    Err(error) => tracing::warn!(
                        %error,
                        attempt,
                        retry_in_secs = wait.as_secs(),
                        "cannot fetch the user pool's signing keys yet; app routes reject tokens until it succeeds"
                    ),
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(MAX_RETRY_WAIT);
                attempt = attempt.saturating_add(1);
            }
        });
    }
}

/// Parses a JWKS document into RS256 verification keys by key id. Keys of other types, uses
/// or algorithms, and keys without a `kid`, are skipped: a token naming them is rejected.
fn parse_key_set(document: &[u8]) -> Result<HashMap<String, Arc<DecodingKey>>, String> {
    let set: JwkSetDocument =
        serde_json::from_slice(document).map_err(|error| error.to_string())?;
    let mut keys = HashMap::new();
    for value in set.keys {
        let Ok(jwk) = serde_json::from_value::<RsaJwk>(value) else {
            tracing::debug!("skipping a JWK without the members of a key");
            continue;
        };
        let usable = jwk.kty == "RSA"
            && jwk
                .key_use
                .as_deref()
                .is_none_or(|key_use| key_use == "sig")
            && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256");
        let (Some(kid), Some(n), Some(e)) = (jwk.kid, jwk.n, jwk.e) else {
            tracing::debug!("skipping a JWK without kid, n or e");
            continue;
        };
        if !usable {
            tracing::debug!(
                kid,
                kty = jwk.kty,
                "skipping a JWK that is not an RS256 signing key"
            );
            continue;
        }
        match DecodingKey::from_rsa_components(&n, &e) {
            Ok(key) => {
                keys.insert(kid, Arc::new(key));
            }
            Err(error) => {
                tracing::warn!(kid, %error, "skipping a JWK whose n or e is not Base64url")
            }
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rs256_signing_keys_are_kept() {
        let document = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "rsa-sig", "alg": "RS256", "use": "sig", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rsa-plain", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rsa-enc", "use": "enc", "n": "AQAB", "e": "AQAB"},
            {"kty": "RSA", "kid": "rsa-384", "alg": "RS384", "n": "AQAB", "e": "AQAB"},
            {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0"},
            "not an object"
        ]});
        let keys = parse_key_set(document.to_string().as_bytes()).unwrap();
        let mut kids: Vec<&str> = keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        assert_eq!(kids, ["rsa-plain", "rsa-sig"]);
    }

    #[test]
    fn document_without_keys_is_invalid() {
        assert!(parse_key_set(b"{\"key\": []}").is_err());
        assert!(parse_key_set(b"<html>").is_err());
    }
}
