//! The browser step of hosted sign-in, which only the app shell can perform.
//!
//! The core cannot open a browser: iOS uses `ASWebAuthenticationSession`, Android Custom Tabs,
//! and the CLI a loopback listener. The shell implements [`BrowserStep`]; the core builds the
//! authorize URL before the call and checks everything about the result after it.

/// The result of the browser step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserOutcome {
    /// The browser reached the redirect URI; `url` is the full URL it landed on, with its query.
    Redirected { url: String },
    /// The shopper closed the browser or pressed cancel.
    Cancelled,
    /// The browser could not be opened or the redirect could not be caught.
    Failed { reason: String },
}

/// Opens the provider's sign-in page and waits for the redirect back to the app.
///
/// Implementations block until the browser returns or the shopper gives up, so the core calls
/// this outside its async runtime. They must not follow the redirect URI themselves: they hand
/// back the URL they were sent to, and the core validates it.
pub trait BrowserStep: Send + Sync {
    /// Shows `authorize_url` and returns the URL the browser landed on under `redirect_uri`.
    fn authorize(&self, authorize_url: &str, redirect_uri: &str) -> BrowserOutcome;
}
