//! OpenID Provider metadata from `/.well-known/openid-configuration`, and its JWKS.
//!
//! The issuer in the document must equal the configured issuer exactly (OpenID Connect
//! Discovery 1.0, section 4.3). Without that check, a document from another host could send the
//! token exchange and the key lookup elsewhere.

use jsonwebtoken::jwk::JwkSet;
use serde::Deserialize;

use super::error::HostedError;
use super::transport::ProviderHttp;

/// The parts of the provider metadata that sign-in uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

/// Returns the discovery URL of `issuer`.
pub fn discovery_url(issuer: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    )
}

/// Fetches and checks the metadata of `issuer`.
pub async fn discover(http: &ProviderHttp, issuer: &str) -> Result<ProviderMetadata, HostedError> {
    let metadata: ProviderMetadata = http.get_json(&discovery_url(issuer)).await?;
    if metadata.issuer != issuer {
        return Err(HostedError::InvalidResponse {
            reason: format!(
                "the discovery document names issuer {:?}, expected {issuer:?}",
                metadata.issuer
            ),
        });
    }
    let supports_s256 = metadata
        .code_challenge_methods_supported
        .as_ref()
        .is_none_or(|methods| methods.iter().any(|method| method == "S256"));
    if !supports_s256 {
        return Err(HostedError::InvalidResponse {
            reason: "the provider does not support PKCE with S256".to_owned(),
        });
    }
    Ok(metadata)
}

/// Fetches the provider's signing keys.
pub async fn fetch_jwks(http: &ProviderHttp, jwks_uri: &str) -> Result<JwkSet, HostedError> {
    http.get_json(jwks_uri).await
}
