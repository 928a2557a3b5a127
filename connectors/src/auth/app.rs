//! Shopper app authentication: Cognito user pool access tokens on the `/app/v1/` routes.
//!
//! A token is accepted only when all of these hold: it is a JWT signed with RS256; its `kid`
//! names a key of the pool's JWKS; `iss` equals the configured issuer exactly; `token_use` is `access`; `client_id` is
//! one of the configured app clients; and `exp`, `nbf` and `iat` hold against the service
//! clock with the configured leeway. The algorithm is checked before any key is used, so `none`,
//! the HMAC algorithms (including an HS256 token "signed" with the RSA public key) and every
//! other algorithm are rejected. The time checks use [`crate::clock::Clock`] rather than
//! the JWT library's, so the test clock applies to tokens too.
//!
//! Rejections tell the client what to fix (expired, wrong client, wrong token type…) but never
//! echo the token or name key material, and the token is never logged.

mod jwks;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

pub use jwks::{FetchError, JwksCache, KeyLookupError, REFETCH_INTERVAL};

use super::bearer_token;
use crate::config::AppAuthConfig;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// Leeway for `exp`, `nbf` and `iat` when `auth.leeway_secs` is not set.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;
/// Largest accepted leeway: a larger one would keep expired tokens usable for long.
pub const MAX_LEEWAY_SECS: u64 = 300;

const MISSING_CHALLENGE: &str = "Bearer realm=\"walkout-app\"";
const INVALID_CHALLENGE: &str = "Bearer realm=\"walkout-app\", error=\"invalid_token\"";

/// A shopper authenticated by a Cognito access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shopper {
    /// The user's stable id in the pool. Key shopper records by this, not by `username`.
    pub sub: String,
    pub username: Option<String>,
    /// The app client the token was issued to.
    pub client_id: String,
    /// The space-separated `scope` claim, split.
    pub scopes: Vec<String>,
    /// `cognito:groups`, empty when the user is in no group.
    pub groups: Vec<String>,
    /// Expiry, Unix seconds.
    pub exp: i64,
    pub jti: Option<String>,
    /// Id shared by every token of one sign-in, for deny lists that survive token refresh.
    pub origin_jti: Option<String>,
    /// `iat`, Unix seconds; `None` when the token has no issue time.
    pub issued_at: Option<i64>,
}

/// Reason a token was rejected. `Display` is the detail sent to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the bearer token is not a well-formed JWT")]
    Malformed,
    #[error("the token must be signed with RS256")]
    Algorithm,
    #[error("the token header has no kid (key id)")]
    MissingKid,
    #[error("the token names a signing key that the user pool does not publish")]
    UnknownKey,
    #[error("the token's signature is not valid")]
    Signature,
    #[error(
        "the token's claims are malformed or incomplete (sub, iss, token_use, client_id and exp are required)"
    )]
    Claims,
    #[error("the token was issued by another user pool (iss does not match)")]
    Issuer,
    #[error("the token is an ID token; send the access token")]
    IdToken,
    #[error("the token is not an access token (token_use must be access)")]
    TokenUse,
    #[error("the token was issued to an app client that this service does not accept (client_id)")]
    Client,
    #[error("the token has expired; refresh the session or sign in again")]
    Expired,
    #[error(
        "the token is not valid yet (nbf is in the future); check the clock of the issuing system"
    )]
    NotYetValid,
    #[error("the token's issue time (iat) is in the future; check the clock of the issuing system")]
    IssuedInFuture,
}

impl TokenError {
    /// Short reason for the log line.
    pub fn reason(&self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed",
            TokenError::Algorithm => "algorithm",
            TokenError::MissingKid => "missing-kid",
            TokenError::UnknownKey => "unknown-kid",
            TokenError::Signature => "signature",
            TokenError::Claims => "claims",
            TokenError::Issuer => "issuer",
            TokenError::IdToken | TokenError::TokenUse => "token-use",
            TokenError::Client => "client-id",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not-yet-valid",
            TokenError::IssuedInFuture => "issued-in-future",
        }
    }
}

/// Failure to check a token: a rejection, or no keys to check it with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Rejected(#[from] TokenError),
    #[error("the user pool's signing keys are not available yet; retry later")]
    KeysUnavailable,
}

impl From<VerifyError> for Problem {
    fn from(error: VerifyError) -> Problem {
        match error {
            VerifyError::Rejected(reason) => {
                Problem::new(problem::INVALID_TOKEN, reason.to_string())
                    .with_authenticate(INVALID_CHALLENGE)
            }
            VerifyError::KeysUnavailable => {
                Problem::new(problem::AUTH_KEYS_UNAVAILABLE, error.to_string())
            }
        }
    }
}

/// The claims of a Cognito access token that the service reads. Every member is optional
/// here, so a missing one is reported as [`TokenError::Claims`] by the checks below.
#[derive(Debug, Deserialize)]
struct AccessClaims {
    sub: Option<String>,
    iss: Option<String>,
    token_use: Option<String>,
    client_id: Option<String>,
    exp: Option<serde_json::Number>,
    nbf: Option<serde_json::Number>,
    iat: Option<serde_json::Number>,
    scope: Option<String>,
    username: Option<String>,
    jti: Option<String>,
    origin_jti: Option<String>,
    #[serde(rename = "cognito:groups", default)]
    groups: Vec<String>,
}

/// Checks Cognito access tokens against one user pool.
#[derive(Debug)]
pub struct JwtVerifier {
    issuer: String,
    client_ids: HashSet<String>,
    leeway_secs: i64,
    keys: Arc<JwksCache>,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifierSetupError {
    #[error("auth.leeway_secs is {0}; the largest accepted value is {MAX_LEEWAY_SECS}")]
    Leeway(u64),
    #[error("cannot build the HTTP client for the JWKS URL: {0}")]
    HttpClient(reqwest::Error),
}

impl JwtVerifier {
    /// Builds a verifier from the configuration; `Ok(None)` when app authentication is not
    /// configured. Fetches no keys: call [`JwtVerifier::spawn_initial_fetch`] for that.
    pub fn from_config(config: &AppAuthConfig) -> Result<Option<JwtVerifier>, VerifierSetupError> {
        let (Some(issuer), Some(jwks_url)) = (&config.issuer, &config.jwks_url) else {
            return Ok(None);
        };
        if config.client_ids.is_empty() {
            return Ok(None);
        }
        let leeway = config.leeway_secs.unwrap_or(DEFAULT_LEEWAY_SECS);
        if leeway > MAX_LEEWAY_SECS {
            return Err(VerifierSetupError::Leeway(leeway));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .user_agent(concat!("walkout-connectors/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(VerifierSetupError::HttpClient)?;
        let verifier = JwtVerifier {
            issuer: issuer.clone(),
            client_ids: config.client_ids.iter().cloned().collect(),
            leeway_secs: i64::try_from(leeway).unwrap_or(i64::MAX),
            keys: Arc::new(JwksCache::new(jwks_url.clone(), client)),
        };
        Ok(Some(verifier))
    }

    /// Returns the key cache, for readiness checks.
    pub fn keys(&self) -> &JwksCache {
        &self.keys
    }

    /// Starts fetching the pool's keys in the background, retrying until the first success.
    pub fn spawn_initial_fetch(&self) {
        self.keys.spawn_initial_fetch();
    }

    /// Verifies a token at `now_secs` (Unix seconds of the service clock).
    pub async fn verify(&self, token: &str, now_secs: i64) -> Result<Shopper, VerifyError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| header_error(token))?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::Algorithm.into());
        }
        let kid = header.kid.ok_or(TokenError::MissingKid)?;
        let key = self.keys.key(&kid).await.map_err(|error| match error {
            KeyLookupError::UnknownKid => VerifyError::Rejected(TokenError::UnknownKey),
            KeyLookupError::Unavailable => VerifyError::KeysUnavailable,
        })?;

        let claims = decode_claims(token, &key)?;
        Ok(self.check_claims(claims, now_secs)?)
    }

    fn check_claims(&self, claims: AccessClaims, now: i64) -> Result<Shopper, TokenError> {
        if claims.iss.as_deref() != Some(self.issuer.as_str()) {
            return Err(if claims.iss.is_none() {
                TokenError::Claims
            } else {
                TokenError::Issuer
            });
        }
        match claims.token_use.as_deref() {
            Some("access") => {}
            Some("id") => return Err(TokenError::IdToken),
            Some(_) => return Err(TokenError::TokenUse),
            None => return Err(TokenError::Claims),
        }
        let client_id = claims.client_id.ok_or(TokenError::Claims)?;
        if !self.client_ids.contains(&client_id) {
            return Err(TokenError::Client);
        }

        let exp = numeric_date(claims.exp.as_ref()).ok_or(TokenError::Claims)?;
        if now > exp.saturating_add(self.leeway_secs) {
            return Err(TokenError::Expired);
        }
        if let Some(nbf) = optional_numeric_date(claims.nbf.as_ref())?
            && nbf > now.saturating_add(self.leeway_secs)
        {
            return Err(TokenError::NotYetValid);
        }
        let issued_at = optional_numeric_date(claims.iat.as_ref())?;
        if let Some(iat) = issued_at
            && iat > now.saturating_add(self.leeway_secs)
        {
            return Err(TokenError::IssuedInFuture);
        }

        let sub = claims
            .sub
            .filter(|sub| !sub.is_empty())
            .ok_or(TokenError::Claims)?;
        let scopes = claims
            .scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Ok(Shopper {
            sub,
            username: claims.username,
            client_id,
            scopes,
            groups: claims.groups,
            exp,
            jti: claims.jti,
            origin_jti: claims.origin_jti,
            issued_at,
        })
    }
}

/// Checks the signature with RS256 only and parses the claims. The library's own time, issuer
/// and audience checks are off: [`JwtVerifier::check_claims`] does them with the service clock.
fn decode_claims(token: &str, key: &jsonwebtoken::DecodingKey) -> Result<AccessClaims, TokenError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();

    use jsonwebtoken::errors::ErrorKind;
    match jsonwebtoken::decode::<AccessClaims>(token, key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(error) => Err(match error.kind() {
            ErrorKind::InvalidSignature => TokenError::Signature,
            ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => TokenError::Algorithm,
            ErrorKind::Json(_) | ErrorKind::MissingRequiredClaim(_) => TokenError::Claims,
            _ => TokenError::Malformed,
        }),
    }
}

/// Tells a header that names an algorithm the JWT library does not know (such as `none`) from
/// one that is not a JWT header at all.
fn header_error(token: &str) -> TokenError {
    use base64::Engine as _;
    let Some(encoded) = token.split('.').next() else {
        return TokenError::Malformed;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(encoded) else {
        return TokenError::Malformed;
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(header) if header.get("alg").is_some_and(serde_json::Value::is_string) => {
            TokenError::Algorithm
        }
        _ => TokenError::Malformed,
    }
}

/// Converts a NumericDate (RFC 7519) to whole seconds, dropping any fraction.
fn numeric_date(value: Option<&serde_json::Number>) -> Option<i64> {
    let value = value?;
    if let Some(seconds) = value.as_i64() {
        return Some(seconds);
    }
    let seconds = value.as_f64()?.floor();
    // The range check keeps the cast exact; no real token has dates near these limits.
    (seconds.is_finite() && seconds.abs() < 1e15).then_some(seconds as i64)
}

fn optional_numeric_date(value: Option<&serde_json::Number>) -> Result<Option<i64>, TokenError> {
    match value {
        None => Ok(None),
        Some(_) => numeric_date(value).map(Some).ok_or(TokenError::Claims),
    }
}

impl FromRequestParts<AppState> for Shopper {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(verifier) = state.auth.app.as_deref() else {
            return Err(Problem::new(
                problem::APP_AUTH_NOT_CONFIGURED,
                "app authentication is not configured on this service (auth.issuer, auth.jwks_url, auth.client_ids)",
            ));
        };
        let Some(token) = bearer_token(&parts.headers) else {
            tracing::info!(reason = "missing", "app request without a bearer token");
            return Err(Problem::new(
                problem::UNAUTHENTICATED,
                "app routes need Authorization: Bearer <Cognito access token>",
            )
            .with_authenticate(MISSING_CHALLENGE));
        };

        // The deleted-account middleware has already verified this request's token.
        let verified = match parts.extensions.remove::<Shopper>() {
            Some(shopper) => Ok(shopper),
            None => verifier.verify(token, state.clock.now_secs()).await,
        };
        match verified {
            Ok(shopper) => {
                super::session::check_not_revoked(state, &shopper).await?;
                Ok(shopper)
            }
            Err(VerifyError::Rejected(reason)) => {
                tracing::info!(reason = reason.reason(), "access token rejected");
                Err(VerifyError::Rejected(reason).into())
            }
            Err(VerifyError::KeysUnavailable) => {
                tracing::warn!(
                    url = verifier.keys().url(),
                    "access token not checked: no signing keys fetched yet"
                );
                Err(VerifyError::KeysUnavailable.into())
            }
        }
    }
}
