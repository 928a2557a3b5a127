//! Hosted sign-in: the provider's sign-in pages, shown by the app in a browser it controls
//! (`ASWebAuthenticationSession` on iOS, Custom Tabs on Android), with authorization code and
//! PKCE.
//!
//! The core builds the authorize URL and checks the redirect. The app's [`BrowserStep`] only
//! shows the page and hands back the URL the browser landed on. The core calls it on the
//! thread that called `sign_in_hosted`, outside its async runtime and without holding a lock,
//! because the shopper may take minutes to type a password.

use std::sync::Arc;

use walkout_core::auth::hosted::{self, HostedSignInRequest};

use crate::app::WalkoutApp;
use crate::error::FfiResult;
use crate::types::auth::CurrentUser;

/// The result of the browser step.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum BrowserOutcome {
    /// The browser reached the redirect URI; `url` is the full URL it landed on, with its
    /// query.
    Redirected {
        /// The URL the browser was sent to, exactly as received.
        url: String,
    },
    /// The shopper closed the browser or pressed cancel.
    Cancelled,
    /// The browser could not be opened or the redirect could not be caught.
    Failed {
        /// Why, for logs; it must not contain a token or a code.
        reason: String,
    },
}

/// Shows the provider's sign-in page; implemented by the app. The call blocks until the
/// browser returns or the shopper gives up.
#[uniffi::export(foreign)]
pub trait BrowserStep: Send + Sync {
    /// Shows `authorize_url` and returns the URL the browser landed on under `redirect_uri`.
    /// Do not open the redirect URL: return it, and the core checks it.
    fn authorize(&self, authorize_url: String, redirect_uri: String) -> FfiResult<BrowserOutcome>;
}

/// The core's view of an app's [`BrowserStep`].
struct ForeignBrowserStep {
    inner: Arc<dyn BrowserStep>,
}

impl hosted::BrowserStep for ForeignBrowserStep {
    fn authorize(&self, authorize_url: &str, redirect_uri: &str) -> hosted::BrowserOutcome {
        let outcome = self
            .inner
            .authorize(authorize_url.to_owned(), redirect_uri.to_owned());
        match outcome {
            Ok(BrowserOutcome::Redirected { url }) => hosted::BrowserOutcome::Redirected { url },
            Ok(BrowserOutcome::Cancelled) => hosted::BrowserOutcome::Cancelled,
            Ok(BrowserOutcome::Failed { reason }) => hosted::BrowserOutcome::Failed { reason },
            // The exception's text is the app's and may hold anything, so only the fact is kept.
            Err(_) => hosted::BrowserOutcome::Failed {
                reason: "the app's browser step threw an exception".to_owned(),
            },
        }
    }
}

#[uniffi::export]
impl WalkoutApp {
    /// Signs the shopper in through the provider's pages, shown by `browser`, and returns the
    /// signed-in shopper. Needs `openid` in the app's configuration, or it is an
    /// `InvalidInput` error naming `openid`. `identity_provider` (such as `Google`) and
    /// `redirect_uri` override the configured ones for this attempt when not `null`. A
    /// cancelled browser step is a `Denied` error with the slug `sign-in-cancelled`.
    pub fn sign_in_hosted(
        &self,
        browser: Arc<dyn BrowserStep>,
        identity_provider: Option<String>,
        redirect_uri: Option<String>,
    ) -> FfiResult<CurrentUser> {
        let browser = ForeignBrowserStep { inner: browser };
        let request = HostedSignInRequest {
            identity_provider,
            redirect_uri,
        };
        Ok(self.core.sign_in_hosted(&browser, request)?.into())
    }
}
