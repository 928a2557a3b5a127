//! Reading the redirect the browser landed on: the authorization response.
//!
//! The order of checks matters. The URL must be the registered redirect URI (scheme, host, port
//! and path), so a page elsewhere cannot feed a response in. `state` must match before anything
//! else is trusted, so a forged response cannot even show its own error text. An `iss`
//! parameter, when the provider sends one (RFC 9207), must name the expected issuer.

use subtle::ConstantTimeEq;
use url::Url;

use super::error::HostedError;

/// Maximum length kept of a provider's `error_description`.
const MAX_DESCRIPTION_CHARS: usize = 300;

/// The parameters of one authorization response.
#[derive(Default)]
struct ResponseParameters {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    issuer: Option<String>,
}

/// Checks the landed URL and returns the authorization code.
pub fn authorization_code(
    landed: &str,
    redirect_uri: &str,
    expected_state: &str,
    expected_issuer: &str,
) -> Result<String, HostedError> {
    let wrong_redirect = || HostedError::WrongRedirect {
        expected: redirect_uri.to_owned(),
    };
    let landed = Url::parse(landed).map_err(|_| wrong_redirect())?;
    let registered = Url::parse(redirect_uri).map_err(|error| HostedError::NotConfigured {
        reason: format!("invalid redirect URI {redirect_uri:?}: {error}"),
    })?;
    if !same_endpoint(&landed, &registered) {
        return Err(wrong_redirect());
    }

    let parameters = read_parameters(&landed);
    let state_matches = parameters
        .state
        .as_deref()
        .is_some_and(|state| bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())));
    if !state_matches {
        return Err(HostedError::StateMismatch);
    }
    if let Some(issuer) = &parameters.issuer
        && issuer != expected_issuer
    {
        return Err(HostedError::InvalidResponse {
            reason: format!("the redirect names issuer {issuer:?}, expected {expected_issuer:?}"),
        });
    }
    if let Some(code) = parameters.error {
        return Err(HostedError::Provider {
            code: clean_text(&code, 64),
            description: parameters
                .error_description
                .map(|text| clean_text(&text, MAX_DESCRIPTION_CHARS)),
        });
    }
    parameters
        .code
        .filter(|code| !code.is_empty())
        .ok_or(HostedError::MissingCode)
}

fn same_endpoint(landed: &Url, registered: &Url) -> bool {
    landed.scheme() == registered.scheme()
        && landed.host_str() == registered.host_str()
        && landed.port_or_known_default() == registered.port_or_known_default()
        && landed.path() == registered.path()
}

fn read_parameters(url: &Url) -> ResponseParameters {
    let mut parameters = ResponseParameters::default();
    for (name, value) in url.query_pairs() {
        let slot = match name.as_ref() {
            "code" => &mut parameters.code,
            "state" => &mut parameters.state,
            "error" => &mut parameters.error,
            "error_description" => &mut parameters.error_description,
            "iss" => &mut parameters.issuer,
            _ => continue,
        };
        // A repeated parameter makes the response ambiguous; the first one wins only if all agree.
        match slot {
            Some(existing) if *existing != value => *existing = String::new(),
            Some(_) => {}
            None => *slot = Some(value.into_owned()),
        }
    }
    parameters
}

/// Replaces control characters with spaces and caps the length, since provider text reaches the
/// screen and the logs.
fn clean_text(text: &str, max_chars: usize) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIRECT: &str = "http://127.0.0.1:8123/callback";
    const ISSUER: &str = "http://127.0.0.1:9000";

    fn read(landed: &str) -> Result<String, HostedError> {
        authorization_code(landed, REDIRECT, "s-1", ISSUER)
    }

    #[test]
    fn code_is_returned_for_matching_state() {
        let code = read("http://127.0.0.1:8123/callback?code=c-1&state=s-1");
        assert_eq!(code, Ok("c-1".to_owned()));
    }

    #[test]
    fn responses_are_rejected() {
        let cases = [
            (
                "http://127.0.0.1:8123/callback?code=c-1&state=s-2",
                HostedError::StateMismatch,
            ),
            (
                "http://127.0.0.1:8123/callback?code=c-1",
                HostedError::StateMismatch,
            ),
            (
                "http://127.0.0.1:8123/callback?code=c&state=s-1&state=s-2",
                HostedError::StateMismatch,
            ),
            (
                "http://127.0.0.1:8123/callback?error=x&state=other",
                HostedError::StateMismatch,
            ),
            (
                "http://127.0.0.1:8123/callback?state=s-1",
                HostedError::MissingCode,
            ),
            (
                "http://127.0.0.1:8123/callback?code=&state=s-1",
                HostedError::MissingCode,
            ),
            ("http://127.0.0.1:8124/callback?code=c&state=s-1", wrong()),
            ("http://localhost:8123/callback?code=c&state=s-1", wrong()),
            ("http://127.0.0.1:8123/other?code=c&state=s-1", wrong()),
            ("https://127.0.0.1:8123/callback?code=c&state=s-1", wrong()),
            ("not a url", wrong()),
        ];
        for (landed, expected) in cases {
            assert_eq!(read(landed), Err(expected), "{landed}");
        }
    }

    fn wrong() -> HostedError {
        HostedError::WrongRedirect {
            expected: REDIRECT.to_owned(),
        }
    }

    #[test]
    fn provider_error_is_reported() {
        let landed = "http://127.0.0.1:8123/callback?error=access_denied\
                      &error_description=User%20cancelled%0Alogin&state=s-1";
        let expected = HostedError::Provider {
            code: "access_denied".to_owned(),
            description: Some("User cancelled login".to_owned()),
        };
        assert_eq!(read(landed), Err(expected));
    }

    #[test]
    fn foreign_issuer_is_rejected() {
        let landed = "http://127.0.0.1:8123/callback?code=c&state=s-1&iss=http%3A%2F%2Fevil";
        assert!(matches!(
            read(landed),
            Err(HostedError::InvalidResponse { .. })
        ));
    }

    #[test]
    fn custom_scheme_redirect_is_accepted() {
        let code = authorization_code(
            "com.example.app:/callback?code=c-9&state=s-1",
            "com.example.app:/callback",
            "s-1",
            ISSUER,
        );
        assert_eq!(code, Ok("c-9".to_owned()));
    }
}
