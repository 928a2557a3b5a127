//! Authentication of the JWO caller on `/v1/identity/*` and `/v1/order/*`.
//!
//! Three modes, chosen in the `jwo` configuration section:
//!
//! - **bearer** (the default): `Authorization: Bearer <token>`, where the token is
//!   `jwo.caller_token` or else `jwo_caller_token` from `credentials.toml`.
//! - **hmac**: the request carries two headers,
//!   `X-Walkout-Timestamp: <Unix seconds>` and
//!   `X-Walkout-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>`.
//!   The secret is `jwo.hmac_secret` or else `jwo_hmac_secret`, used as its UTF-8 bytes; the
//!   timestamp in the message is the header's text exactly as sent. The timestamp must be
//!   within [`MAX_CLOCK_SKEW_SECS`] of the service clock either way, which bounds how long a
//!   captured request can be replayed. A sender rotating its secret may send several
//!   comma-separated `v1=` entries; one matching entry is enough. [`sign`] produces the header
//!   value, and outgoing webhooks sign the same way with their own secrets.
//! - **trusted_gateway**: every request is accepted, for deployments where an API gateway
//!   has already checked Amazon's IAM signature.
//!
//! Bearer and HMAC may be enabled together: a request passes when either check passes.
//! Comparisons are constant-time, and rejections name the header at fault but never echo a
//! token, signature or secret.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use super::{AuthSetupError, bearer_token};
use crate::config::JwoAuthConfig;
use crate::credentials::Credentials;
use crate::problem::{self, Problem};
use crate::server::AppState;

pub const TIMESTAMP_HEADER: &str = "x-walkout-timestamp";
pub const SIGNATURE_HEADER: &str = "x-walkout-signature";
/// Largest accepted difference between `X-Walkout-Timestamp` and the service clock, in seconds.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;
/// Shortest configured bearer token or HMAC secret, in characters.
pub const MIN_SECRET_LEN: usize = 32;

const SIGNATURE_VERSION: &str = "v1=";

/// Returns the `X-Walkout-Signature` value for a body sent at `timestamp` (Unix seconds):
/// `v1=` and the lower-case hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(
        &key,
        &signed_message(timestamp.to_string().as_bytes(), body),
    );
    format!("{SIGNATURE_VERSION}{}", hex::encode(tag.as_ref()))
}

fn signed_message(timestamp: &[u8], body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
    message.extend_from_slice(timestamp);
    message.push(b'.');
    message.extend_from_slice(body);
    message
}

/// The JWO caller checks in effect, resolved once at start.
pub struct JwoAuth {
    trusted_gateway: bool,
    bearer: Option<BearerCheck>,
    hmac_key: Option<hmac::Key>,
}

/// The bearer token kept as an HMAC tag under a random key of this process, so a request's
/// token is compared in constant time whatever its length, and this check keeps no copy of it.
struct BearerCheck {
    key: hmac::Key,
    tag: hmac::Tag,
}

impl std::fmt::Debug for JwoAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwoAuth")
            .field("trusted_gateway", &self.trusted_gateway)
            .field("bearer", &self.bearer.is_some())
            .field("hmac", &self.hmac_key.is_some())
            .finish()
    }
}

impl JwoAuth {
    /// Resolves the modes and secrets of `config`, the configured values winning over the
    /// generated ones. Logs once which modes are on, and warns when trusted_gateway is.
    pub fn new(
        config: &JwoAuthConfig,
        credentials: &Credentials,
    ) -> Result<JwoAuth, AuthSetupError> {
        let mut auth = JwoAuth {
            trusted_gateway: config.trusted_gateway,
            bearer: None,
            hmac_key: None,
        };
        if config.bearer {
            let token = configured_secret(
                "jwo.caller_token",
                &config.caller_token,
                &credentials.jwo_caller_token,
            )?;
            auth.bearer = Some(BearerCheck::new(token.as_bytes())?);
        }
        if config.hmac {
            let secret = configured_secret(
                "jwo.hmac_secret",
                &config.hmac_secret,
                &credentials.jwo_hmac_secret,
            )?;
            auth.hmac_key = Some(hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()));
        }

        if auth.trusted_gateway {
            tracing::warn!(
                "JWO caller authentication is off (jwo.trusted_gateway = true): every request to the JWO routes is accepted, \
                 so only run this behind a gateway that checks Amazon's IAM signature"
            );
        } else {
            tracing::info!(
                bearer = config.bearer,
                hmac = config.hmac,
                "JWO caller authentication enabled"
            );
        }
        Ok(auth)
    }

    fn challenge(&self) -> &'static str {
        match (self.bearer.is_some(), self.hmac_key.is_some()) {
            (true, true) => "Bearer realm=\"walkout-jwo\", Walkout-Signature realm=\"walkout-jwo\"",
            (true, false) => "Bearer realm=\"walkout-jwo\"",
            _ => "Walkout-Signature realm=\"walkout-jwo\"",
        }
    }

    fn expected_credentials(&self) -> &'static str {
        match (self.bearer.is_some(), self.hmac_key.is_some()) {
            (true, true) => {
                "Authorization: Bearer <JWO caller token>, or X-Walkout-Timestamp and X-Walkout-Signature"
            }
            (true, false) => "Authorization: Bearer <JWO caller token>",
            _ => "X-Walkout-Timestamp and X-Walkout-Signature",
        }
    }
}

fn configured_secret<'a>(
    key: &str,
    configured: &'a Option<String>,
    generated: &'a str,
) -> Result<&'a str, AuthSetupError> {
    let secret = configured.as_deref().unwrap_or(generated);
    if secret.chars().count() < MIN_SECRET_LEN {
        return Err(AuthSetupError::Invalid(format!(
            "{key} must have at least {MIN_SECRET_LEN} characters; remove it to use the value generated in credentials.toml"
        )));
    }
    Ok(secret)
}

impl BearerCheck {
    fn new(token: &[u8]) -> Result<BearerCheck, AuthSetupError> {
        let mut key_bytes = [0u8; 32];
        SystemRandom::new().fill(&mut key_bytes).map_err(|_| {
            AuthSetupError::Invalid("the system random number generator failed".to_owned())
        })?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, &key_bytes);
        let tag = hmac::sign(&key, token);
        Ok(BearerCheck { key, tag })
    }

    fn matches(&self, presented: &str) -> bool {
        hmac::verify(&self.key, presented.as_bytes(), self.tag.as_ref()).is_ok()
    }
}

/// Middleware for the JWO routes: passes the request on when the caller is authenticated,
/// and responds with 401 otherwise. Layer it with `axum::middleware::from_fn_with_state`.
pub async fn require_jwo_caller(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let auth = &state.auth.jwo;
    if auth.trusted_gateway {
        return next.run(request).await;
    }

    let presented_bearer = bearer_token(request.headers()).map(str::to_owned);
    if let (Some(check), Some(token)) = (&auth.bearer, presented_bearer.as_deref())
        && check.matches(token)
    {
        return next.run(request).await;
    }

    let signed = request.headers().contains_key(TIMESTAMP_HEADER)
        || request.headers().contains_key(SIGNATURE_HEADER);
    if let (Some(key), true) = (&auth.hmac_key, signed) {
        let limit = state.config.max_body_bytes;
        return match verify_signed_request(key, request, state.clock.now_secs(), limit).await {
            Ok(request) => next.run(request).await,
            Err(problem) => problem.with_authenticate(auth.challenge()).into_response(),
        };
    }

    let detail = if presented_bearer.is_some() && auth.bearer.is_some() {
        tracing::info!(reason = "bearer-mismatch", "JWO caller rejected");
        "the bearer token is not the JWO caller token".to_owned()
    } else {
        tracing::info!(reason = "missing", "JWO caller rejected");
        format!("JWO routes need {}", auth.expected_credentials())
    };
    Problem::new(problem::UNAUTHENTICATED, detail)
        .with_authenticate(auth.challenge())
        .into_response()
}

/// Checks the HMAC headers against the raw body, and returns the request rebuilt with the
/// buffered body for the handler.
async fn verify_signed_request(
    key: &hmac::Key,
    request: Request,
    now_secs: i64,
    limit: usize,
) -> Result<Request, Problem> {
    let (parts, body) = request.into_parts();
    let (timestamp, signatures) = signature_headers(&parts.headers)?;
    check_timestamp(timestamp, now_secs)?;
    let body = read_body(body, &parts.headers, limit).await?;

    let message = signed_message(timestamp.as_bytes(), &body);
    let matched = signatures
        .iter()
        .any(|tag| hmac::verify(key, &message, tag).is_ok());
    if !matched {
        tracing::info!(reason = "signature-mismatch", "JWO caller rejected");
        return Err(invalid_signature(
            "X-Walkout-Signature does not match the body; sign timestamp + \".\" + raw body with HMAC-SHA256 and the shared secret",
        ));
    }
    Ok(Request::from_parts(parts, Body::from(body)))
}

fn invalid_signature(detail: impl Into<String>) -> Problem {
    Problem::new(problem::INVALID_SIGNATURE, detail)
}

/// Reads `X-Walkout-Timestamp` and the decoded `v1=` entries of `X-Walkout-Signature`.
fn signature_headers(headers: &HeaderMap) -> Result<(&str, Vec<Vec<u8>>), Problem> {
    let missing = |name: &str| {
        tracing::info!(
            reason = "missing-header",
            header = name,
            "JWO caller rejected"
        );
        Problem::new(
            problem::UNAUTHENTICATED,
            format!("the {name} header is missing"),
        )
    };
    let timestamp = headers
        .get(TIMESTAMP_HEADER)
        .ok_or_else(|| missing("X-Walkout-Timestamp"))?;
    let signature = headers
        .get(SIGNATURE_HEADER)
        .ok_or_else(|| missing("X-Walkout-Signature"))?;

    let malformed = |detail: &str| {
        tracing::info!(reason = "malformed-header", "JWO caller rejected");
        invalid_signature(detail)
    };
    let timestamp = timestamp
        .to_str()
        .ok()
        .filter(|text| {
            !text.is_empty() && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit())
        })
        .ok_or_else(|| {
            malformed("X-Walkout-Timestamp must be Unix time in whole seconds (digits only)")
        })?;

    let format_error = "X-Walkout-Signature must be v1=<64 hex digits> (several entries separated by commas are allowed)";
    let signature = signature.to_str().map_err(|_| malformed(format_error))?;
    let mut tags = Vec::new();
    for entry in signature.split(',').map(str::trim) {
        let hex_tag = entry
            .strip_prefix(SIGNATURE_VERSION)
            .ok_or_else(|| malformed(format_error))?;
        let tag = hex::decode(hex_tag).map_err(|_| malformed(format_error))?;
        if tag.len() != hmac::HMAC_SHA256.digest_algorithm().output_len() {
            return Err(malformed(format_error));
        }
        tags.push(tag);
    }
    Ok((timestamp, tags))
}

fn check_timestamp(timestamp: &str, now_secs: i64) -> Result<(), Problem> {
    // The header check allows at most 18 digits, so the value fits in an i64.
    let sent: i64 = timestamp
        .parse()
        .map_err(|_| invalid_signature("X-Walkout-Timestamp is out of range"))?;
    let skew = sent.saturating_sub(now_secs);
    if skew.abs() <= MAX_CLOCK_SKEW_SECS {
        return Ok(());
    }
    tracing::info!(
        reason = "timestamp-skew",
        skew_secs = skew,
        "JWO caller rejected"
    );
    let direction = if skew > 0 { "ahead of" } else { "behind" };
    Err(invalid_signature(format!(
        "X-Walkout-Timestamp is {} s {direction} the service clock; the accepted difference is at most {MAX_CLOCK_SKEW_SECS} s. Sign with the current time",
        skew.unsigned_abs()
    )))
}

async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, Problem> {
    let too_large = || {
        Problem::new(
            problem::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes"),
        )
    };
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(error) => {
            let inner = error.into_inner();
            if inner
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                return Err(too_large());
            }
            tracing::info!(error = %inner, "cannot read the body of a signed JWO request");
            Err(Problem::invalid("the request body could not be read"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed independently with
    /// `printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'walkout-test-secret'`.
    #[test]
    fn sign_matches_reference_value() {
        let signature = sign(b"walkout-test-secret", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(signature, REFERENCE_SIGNATURE);
    }

    const REFERENCE_SIGNATURE: &str =
        "v1=72e48d6e8343447c2117eebea078cf8d36dd7aaf214e502faa07e561a7dac6ca";

    #[test]
    fn timestamp_window_is_inclusive() {
        assert!(check_timestamp("1000", 1300).is_ok());
        assert!(check_timestamp("1300", 1000).is_ok());
        assert!(check_timestamp("1000", 1301).is_err());
        assert!(check_timestamp("1301", 1000).is_err());
    }

    #[test]
    fn signature_header_forms() {
        let tag = "ab".repeat(32);
        let cases = [
            (format!("v1={tag}"), true),
            (format!("v1={}", tag.to_uppercase()), true),
            (format!("v1={tag}, v1={tag}"), true),
            (tag.clone(), false),
            (format!("v0={tag}"), false),
            (format!("v1={}", &tag[..62]), false),
            ("v1=zz".to_owned(), false),
            (String::new(), false),
        ];
        for (value, accepted) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(TIMESTAMP_HEADER, "1700000000".parse().unwrap());
            headers.insert(SIGNATURE_HEADER, value.parse().unwrap());
            assert_eq!(signature_headers(&headers).is_ok(), accepted, "{value:?}");
        }
    }
}
