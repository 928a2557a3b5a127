//! The token endpoint: exchanging the authorization code (with the PKCE verifier) and
//! refreshing with the `refresh_token` grant, through the `oauth2` crate.
//!
//! Every ID token that comes back is verified before its tokens become a session. Error texts
//! carry the OAuth `error` code and description only, never a code, verifier or token.

use oauth2::basic::BasicErrorResponse;
use oauth2::{
    AuthorizationCode, HttpRequest, PkceCodeVerifier, RefreshToken, RequestTokenError,
    TokenResponse,
};

use super::authorize::{OidcClient, OidcTokenResponse};
use super::error::HostedError;
use super::transport::{ProviderHttp, TransportError};

/// Lifetime assumed for an access token whose response has no `expires_in`, in seconds.
const DEFAULT_ACCESS_LIFETIME_SECONDS: i64 = 300;

/// The raw tokens of one token endpoint response.
pub struct TokenSet {
    pub access_token: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
    /// Access token expiry, Unix seconds (server time).
    pub access_expires_at: i64,
}

/// Exchanges `code` for tokens.
pub async fn exchange_code(
    http: &ProviderHttp,
    client: &OidcClient,
    code: String,
    verifier: PkceCodeVerifier,
) -> Result<TokenSet, HostedError> {
    let send = |request: HttpRequest| http.send(request);
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&send)
        .await
        .map_err(token_error)?;
    Ok(token_set(http, &response))
}

/// Redeems `refresh_token` for new tokens.
pub async fn refresh(
    http: &ProviderHttp,
    client: &OidcClient,
    refresh_token: &str,
) -> Result<TokenSet, HostedError> {
    let send = |request: HttpRequest| http.send(request);
    let token = RefreshToken::new(refresh_token.to_owned());
    let response = client
        .exchange_refresh_token(&token)
        .request_async(&send)
        .await
        .map_err(token_error)?;
    Ok(token_set(http, &response))
}

fn token_set(http: &ProviderHttp, response: &OidcTokenResponse) -> TokenSet {
    use crate::clock::Clock as _;
    let lifetime = response
        .expires_in()
        .and_then(|duration| i64::try_from(duration.as_secs()).ok())
        .unwrap_or(DEFAULT_ACCESS_LIFETIME_SECONDS);
    TokenSet {
        access_token: response.access_token().secret().clone(),
        id_token: response.extra_fields().id_token.clone(),
        refresh_token: response.refresh_token().map(|token| token.secret().clone()),
        access_expires_at: http.clock().now_unix_seconds().saturating_add(lifetime),
    }
}

fn token_error(error: RequestTokenError<TransportError, BasicErrorResponse>) -> HostedError {
    match error {
        RequestTokenError::ServerResponse(response) => HostedError::TokenEndpoint {
            code: response.error().as_ref().to_owned(),
            description: response.error_description().cloned(),
        },
        RequestTokenError::Request(error) => HostedError::Network {
            reason: error.to_string(),
        },
        RequestTokenError::Parse(error, _body) => HostedError::InvalidResponse {
            // The serde message can quote a token, so only the field path is reported.
            reason: format!("unreadable token response at field {}", error.path()),
        },
        RequestTokenError::Other(reason) => HostedError::InvalidResponse {
            reason: format!("token endpoint: {reason}"),
        },
    }
}
