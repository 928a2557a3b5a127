//! Hosted and federated sign-in: OAuth 2.0 authorization code with PKCE (S256) and OpenID
//! Connect ID token verification, for Cognito's managed login or any OpenID provider.
//!
//! The core builds the authorize URL and checks everything that comes back (`state`, the
//! provider's `error`, the ID token's signature, `iss`, `aud`, `exp` and `nonce`); the shell
//! only shows the page, through [`BrowserStep`]. Tokens end up in the secret store under the
//! same key and format as an SRP sign-in, so the rest of the core does not care how the shopper
//! signed in. No code, verifier, `state`, `nonce` or token is ever logged or put in an error.

mod api;
pub mod authorize;
pub mod browser;
pub mod discovery;
pub mod error;
pub mod exchange;
pub mod id_token;
pub mod redirect;
pub mod signin;
pub mod transport;

pub use api::HostedSignInRequest;
pub use authorize::{HostedSettings, PendingAuthorization};
pub use browser::{BrowserOutcome, BrowserStep};
pub use error::HostedError;
pub use signin::HostedSignIn;
