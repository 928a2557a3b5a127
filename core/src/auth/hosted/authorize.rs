//! The authorization request: PKCE (S256), random `state` and `nonce`, scopes and the
//! `identity_provider` hint, built with the `oauth2` crate.
//!
//! A [`PendingAuthorization`] keeps the secrets of one sign-in attempt in memory until the
//! redirect comes back. It is never stored or printed, because the PKCE verifier and `nonce`
//! are what make a stolen authorization code useless.

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, Client, ClientId, CsrfToken, EndpointNotSet, EndpointSet, ExtraTokenFields,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardRevocableToken,
    StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::discovery::ProviderMetadata;
use super::error::HostedError;

/// The token response fields OpenID Connect adds to OAuth 2.0.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct IdTokenFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

impl ExtraTokenFields for IdTokenFields {}

/// A token endpoint response with an optional `id_token`.
pub type OidcTokenResponse = StandardTokenResponse<IdTokenFields, BasicTokenType>;

/// An `oauth2` client with the authorize and token endpoints set.
pub type OidcClient = Client<
    BasicErrorResponse,
    OidcTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The provider, client and scopes of hosted sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedSettings {
    pub issuer: String,
    pub client_id: String,
    /// Registered redirect URI, sent exactly as registered. A CLI may pass a loopback URI with
    /// the port it listens on instead.
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    /// Cognito's `identity_provider` parameter, which skips the hosted page and goes straight to
    /// that third-party provider (such as `Google` or a SAML provider name).
    pub identity_provider: Option<String>,
}

/// One sign-in attempt waiting for the browser.
pub struct PendingAuthorization {
    pub(crate) authorize_url: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: CsrfToken,
    pub(crate) nonce: String,
    pub(crate) verifier: PkceCodeVerifier,
    pub(crate) metadata: ProviderMetadata,
}

impl PendingAuthorization {
    /// Returns the URL the browser must open.
    pub fn authorize_url(&self) -> &str {
        &self.authorize_url
    }

    /// Returns the redirect URI the browser comes back to.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.redirect_uri)
            .field("issuer", &self.metadata.issuer)
            .finish_non_exhaustive()
    }
}

/// Builds the `oauth2` client for `metadata` and `redirect_uri`.
pub fn oidc_client(
    client_id: &str,
    metadata: &ProviderMetadata,
    redirect_uri: &str,
) -> Result<OidcClient, HostedError> {
    let auth_url = AuthUrl::new(metadata.authorization_endpoint.clone()).map_err(|error| {
        invalid_metadata(
            "authorization_endpoint",
            &metadata.authorization_endpoint,
            error,
        )
    })?;
    let token_url = TokenUrl::new(metadata.token_endpoint.clone())
        .map_err(|error| invalid_metadata("token_endpoint", &metadata.token_endpoint, error))?;
    let redirect_url =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|error| HostedError::NotConfigured {
            reason: format!("invalid redirect URI {redirect_uri:?}: {error}"),
        })?;
    Ok(Client::new(ClientId::new(client_id.to_owned()))
        .set_auth_uri(auth_url)
        .set_token_uri(token_url)
        .set_redirect_uri(redirect_url))
}

fn invalid_metadata(field: &str, value: &str, error: impl std::fmt::Display) -> HostedError {
    HostedError::InvalidResponse {
        reason: format!("invalid {field} {value:?} in the discovery document: {error}"),
    }
}

/// Starts one attempt: fresh PKCE verifier, `state` and `nonce`, and the authorize URL.
pub fn begin(
    settings: &HostedSettings,
    metadata: ProviderMetadata,
) -> Result<PendingAuthorization, HostedError> {
    let client = oidc_client(&settings.client_id, &metadata, &settings.redirect_uri)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = CsrfToken::new_random().secret().clone();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .add_scopes(settings.scopes.iter().cloned().map(Scope::new))
        .add_extra_param("nonce", nonce.clone())
        .set_pkce_challenge(challenge);
    if let Some(provider) = &settings.identity_provider {
        request = request.add_extra_param("identity_provider", provider.clone());
    }
    let (url, state) = request.url();
    Ok(PendingAuthorization {
        authorize_url: url.to_string(),
        redirect_uri: settings.redirect_uri.clone(),
        state,
        nonce,
        verifier,
        metadata,
    })
}
