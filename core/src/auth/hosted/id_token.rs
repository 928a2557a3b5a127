//! ID token verification (OpenID Connect Core 1.0, section 3.1.3.7).
//!
//! Checks, in order: an asymmetric `alg` (never `none` or an HMAC algorithm, which would let
//! anyone holding the public JWKS forge tokens), a key from the provider's JWKS, the signature,
//! `iss`, `aud` (and `azp` when there are several audiences), `exp` and `iat` in server time
//! with a bounded leeway, and `nonce`. Time comes from the caller, who reads it from the core's
//! server clock, so a phone whose clock is hours off still judges `exp` correctly.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::error::HostedError;

/// Clock leeway for `exp` and `iat`, in seconds.
pub const LEEWAY_SECONDS: i64 = 60;

/// Signature algorithms accepted for ID tokens.
const ACCEPTED_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// `aud`, which may be one string or a list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn len(&self) -> usize {
        match self {
            Self::One(_) => 1,
            Self::Many(values) => values.len(),
        }
    }
}

/// The verified claims the core reads from an ID token.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Audience,
    /// Expiry, Unix seconds (server time).
    pub exp: i64,
    /// Issue time, Unix seconds (server time).
    #[serde(default)]
    pub iat: Option<i64>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, rename = "cognito:username")]
    pub cognito_username: Option<String>,
}

/// The values the ID token must match.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// The `nonce` sent with the authorization request. `None` for an ID token from a refresh,
    /// which carries no new nonce.
    pub nonce: Option<&'a str>,
    /// Current server time, Unix seconds.
    pub now_seconds: i64,
}

fn invalid(reason: impl Into<String>) -> HostedError {
    HostedError::InvalidIdToken {
        reason: reason.into(),
    }
}

/// Verifies `token` against `jwks` and `expected`, and returns its claims.
pub fn verify(
    token: &str,
    jwks: &JwkSet,
    expected: &Expected<'_>,
) -> Result<IdTokenClaims, HostedError> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|error| invalid(format!("malformed header: {error}")))?;
    if !ACCEPTED_ALGORITHMS.contains(&header.alg) {
        return Err(invalid(format!(
            "algorithm {:?} is not accepted",
            header.alg
        )));
    }
    let jwk = signing_key(jwks, header.kid.as_deref())?;
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|error| invalid(format!("unusable key in the JWKS: {error}")))?;

    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    validation.set_issuer(&[expected.issuer]);
    validation.set_audience(&[expected.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<IdTokenClaims>(token, &key, &validation)
        .map_err(|error| invalid(describe(&error)))?
        .claims;

    check_times(&claims, expected.now_seconds)?;
    check_authorized_party(&claims, expected.client_id)?;
    if let Some(nonce) = expected.nonce {
        check_nonce(&claims, nonce)?;
    }
    Ok(claims)
}

/// Picks the key named by `kid`, or the only signing key when the token names none.
fn signing_key<'a>(jwks: &'a JwkSet, kid: Option<&str>) -> Result<&'a Jwk, HostedError> {
    let usable: Vec<&Jwk> = jwks
        .keys
        .iter()
        .filter(|jwk| !matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)))
        .collect();
    let found = match kid {
        Some(kid) => usable
            .iter()
            .find(|jwk| jwk.common.key_id.as_deref() == Some(kid)),
        None if usable.len() == 1 => usable.first(),
        None => None,
    };
    found
        .copied()
        .ok_or_else(|| invalid(format!("no key in the JWKS matches kid {kid:?}")))
}

fn describe(error: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match error.kind() {
        ErrorKind::InvalidSignature => "the signature does not verify".to_owned(),
        ErrorKind::InvalidIssuer => "iss does not name the expected issuer".to_owned(),
        ErrorKind::InvalidAudience => "aud does not contain the client id".to_owned(),
        ErrorKind::MissingRequiredClaim(claim) => format!("the {claim} claim is missing"),
        ErrorKind::InvalidAlgorithm => "the algorithm does not match the key".to_owned(),
        other => format!("{other:?}"),
    }
}

fn check_times(claims: &IdTokenClaims, now: i64) -> Result<(), HostedError> {
    if now.saturating_sub(LEEWAY_SECONDS) >= claims.exp {
        return Err(invalid(format!(
            "expired at {} (server time is {now})",
            claims.exp
        )));
    }
    if let Some(iat) = claims.iat
        && iat > now.saturating_add(LEEWAY_SECONDS)
    {
        return Err(invalid(format!(
            "issued in the future at {iat} (server time is {now})"
        )));
    }
    Ok(())
}

fn check_authorized_party(claims: &IdTokenClaims, client_id: &str) -> Result<(), HostedError> {
    let needs_azp = claims.aud.len() > 1 || claims.azp.is_some();
    if needs_azp && claims.azp.as_deref() != Some(client_id) {
        return Err(invalid("azp does not name the client id"));
    }
    Ok(())
}

fn check_nonce(claims: &IdTokenClaims, expected: &str) -> Result<(), HostedError> {
    let matches = claims
        .nonce
        .as_deref()
        .is_some_and(|nonce| bool::from(nonce.as_bytes().ct_eq(expected.as_bytes())));
    if !matches {
        return Err(invalid("nonce does not match this sign-in"));
    }
    Ok(())
}
