//! Core configuration: the backend, the brand, the Cognito and OpenID settings, the card
//! tokenization endpoint and the storage folder, read from TOML or built in code.
//!
//! Every value is checked before the core uses it, and each error names the key and the form it
//! expects, because a white-label app is configured by people who did not write it. The brand id
//! is part of every file name, keychain service and preference key, so it is restricted to a form
//! that is safe in all three. Errors never repeat the value of `cognito.client_secret`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Maximum length of a brand id, in characters.
pub const BRAND_ID_MAX_LEN: usize = 40;

const BRAND_ID_FORM: &str = "1 to 40 characters: lower-case ASCII letters, digits or '-'";
const URL_FORM: &str = "an absolute http:// or https:// URL";

/// A checked brand id: 1 to 40 lower-case ASCII letters, digits or '-'.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BrandId(String);

impl BrandId {
    /// Checks `value` and wraps it; the error names the `brand` key.
    pub fn new(value: &str) -> Result<Self, ConfigError> {
        let well_formed = !value.is_empty()
            && value.len() <= BRAND_ID_MAX_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !well_formed {
            return Err(ConfigError::invalid("brand", Some(value), BRAND_ID_FORM));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BrandId {
    type Error = ConfigError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<BrandId> for String {
    fn from(brand: BrandId) -> String {
        brand.0
    }
}

impl fmt::Display for BrandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Amazon Cognito user pool settings used for shopper sign-in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CognitoConfig {
    /// AWS region of the user pool, such as `eu-west-2`.
    pub region: String,
    /// Cognito Identity Provider endpoint; `None` means `https://cognito-idp.<region>.amazonaws.com/`.
    /// Tests point it at a local emulator.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// User pool id, such as `eu-west-2_AbCdEf123`.
    pub user_pool_id: String,
    /// App client id.
    pub client_id: String,
    /// App client secret, for clients created with one; never printed or serialized.
    #[serde(default, skip_serializing)]
    pub client_secret: Option<String>,
}

impl CognitoConfig {
    /// Returns the endpoint that Cognito Identity Provider calls go to.
    pub fn effective_endpoint(&self) -> String {
        match &self.endpoint_url {
            Some(url) => url.clone(),
            None => format!("https://cognito-idp.{}.amazonaws.com/", self.region),
        }
    }
}

impl fmt::Debug for CognitoConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self.client_secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("CognitoConfig")
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &secret)
            .finish()
    }
}

/// A third-party OpenID Connect provider, used through authorization code + PKCE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenIdConfig {
    /// Issuer URL; its `/.well-known/openid-configuration` describes the provider.
    pub issuer: String,
    /// Client id registered with the provider.
    pub client_id: String,
    /// Redirect URI registered with the provider, exactly as it is sent.
    pub redirect_uri: String,
    /// Requested scopes; `openid` is required.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Cognito's `identity_provider` authorize parameter (such as `Google`), which skips the
    /// managed login page and goes straight to that provider; `None` shows the page.
    #[serde(default)]
    pub identity_provider: Option<String>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".to_owned(), "email".to_owned()]
}

/// The configuration of one branded app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Brand id; namespaces every file name, keychain service and preference key.
    pub brand: BrandId,
    /// Base URL of the Walkout backend (the connectors service).
    pub backend_url: String,
    /// Folder for the local database and other per-brand files.
    pub storage_dir: PathBuf,
    /// Cognito user pool settings.
    pub cognito: CognitoConfig,
    /// Optional third-party OpenID Connect provider.
    #[serde(default)]
    pub openid: Option<OpenIdConfig>,
    /// The payment service provider that tokenizes cards; the backend's sandbox by default.
    #[serde(default)]
    pub psp: PspConfig,
}

/// Publishable key of the backend's embedded sandbox PSP.
pub const SANDBOX_PUBLISHABLE_KEY: &str = "pk_test_walkout_sandbox";

/// The payment service provider's card tokenization endpoint (`[psp]`).
///
/// Only the publishable key lives here: it may tokenize cards but not charge them, which is why
/// the app may carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PspConfig {
    /// Base URL of the PSP's Stripe-compatible API; cards are posted to
    /// `<api_base>/payment_methods`. `None` means the backend's sandbox at `<backend_url>/psp/v1`.
    #[serde(default)]
    pub api_base: Option<String>,
    /// Publishable key (`pk_test_…` or `pk_live_…`) sent as the bearer token.
    #[serde(default = "default_publishable_key")]
    pub publishable_key: String,
}

fn default_publishable_key() -> String {
    SANDBOX_PUBLISHABLE_KEY.to_owned()
}

impl Default for PspConfig {
    fn default() -> Self {
        Self {
            api_base: None,
            publishable_key: default_publishable_key(),
        }
    }
}

impl Config {
    /// Parses TOML text and checks every value.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| {
            let span = error.span();
            ConfigError::Parse {
                line: span.as_ref().map(|span| line_of(text, span.start)),
                near: span
                    .and_then(|span| line_containing(text, span))
                    .filter(|line| !line.contains("client_secret")),
                message: error.message().to_owned(),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and checks a TOML file; errors name the file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_owned(),
            reason: error.to_string(),
        })?;
        Self::from_toml_str(&text).map_err(|error| error.in_file(path))
    }

    /// Checks the values that the types alone do not, such as URL forms and required scopes.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_url("backend_url", &self.backend_url)?;
        if self.storage_dir.as_os_str().is_empty() {
            return Err(ConfigError::invalid("storage_dir", None, "a folder path"));
        }
        self.validate_cognito()?;
        if let Some(openid) = &self.openid {
            validate_openid(openid)?;
        }
        self.validate_psp()
    }

    /// Returns the PSP API base in effect, without a trailing slash.
    pub fn psp_api_base(&self) -> String {
        match &self.psp.api_base {
            Some(base) => base.trim_end_matches('/').to_owned(),
            None => format!("{}/psp/v1", self.backend_url.trim_end_matches('/')),
        }
    }

    fn validate_psp(&self) -> Result<(), ConfigError> {
        if let Some(base) = &self.psp.api_base {
            check_url("psp.api_base", base)?;
        }
        let key = &self.psp.publishable_key;
        let key_ok = key.starts_with("pk_")
            && key.len() > 3
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !key_ok {
            let expected =
                "a publishable key such as pk_test_…: 'pk_' then ASCII letters, digits or '_'";
            return Err(ConfigError::invalid(
                "psp.publishable_key",
                Some(key),
                expected,
            ));
        }
        Ok(())
    }

    fn validate_cognito(&self) -> Result<(), ConfigError> {
        let cognito = &self.cognito;
        let region_ok = !cognito.region.is_empty()
            && cognito
                .region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            let expected = "an AWS region such as eu-west-2";
            return Err(ConfigError::invalid(
                "cognito.region",
                Some(&cognito.region),
                expected,
            ));
        }
        if let Some(endpoint) = &cognito.endpoint_url {
            check_url("cognito.endpoint_url", endpoint)?;
        }
        if cognito
            .user_pool_id
            .split_once('_')
            .is_none_or(|(r, id)| r.is_empty() || id.is_empty())
        {
            let expected = "a user pool id of the form <region>_<id>";
            let found = Some(cognito.user_pool_id.as_str());
            return Err(ConfigError::invalid(
                "cognito.user_pool_id",
                found,
                expected,
            ));
        }
        if cognito.client_id.trim().is_empty() {
            return Err(ConfigError::invalid(
                "cognito.client_id",
                None,
                "a non-empty app client id",
            ));
        }
        if cognito.client_secret.as_ref().is_some_and(|s| s.is_empty()) {
            let expected = "a non-empty secret, or no key at all";
            return Err(ConfigError::invalid(
                "cognito.client_secret",
                None,
                expected,
            ));
        }
        Ok(())
    }
}

fn validate_openid(openid: &OpenIdConfig) -> Result<(), ConfigError> {
    check_url("openid.issuer", &openid.issuer)?;
    if openid.client_id.trim().is_empty() {
        return Err(ConfigError::invalid(
            "openid.client_id",
            None,
            "a non-empty client id",
        ));
    }
    // Apps use custom schemes (com.example.app:/callback) as well as claimed https links.
    let redirect_ok = openid
        .redirect_uri
        .split_once(':')
        .is_some_and(|(scheme, rest)| !scheme.is_empty() && !rest.is_empty());
    if !redirect_ok {
        let expected = "an absolute URI such as com.example.app:/oauth/callback";
        let found = Some(openid.redirect_uri.as_str());
        return Err(ConfigError::invalid("openid.redirect_uri", found, expected));
    }
    if !openid.scopes.iter().any(|scope| scope == "openid") {
        let expected = "a list of scopes that includes \"openid\"";
        return Err(ConfigError::invalid("openid.scopes", None, expected));
    }
    Ok(())
}

/// Returns the 1-based line number of a byte offset in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Returns the trimmed source line that wholly contains `span`, so a message can show the key;
/// `None` when the span covers several lines, as for a missing key in a table.
fn line_containing(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let end = text
        .get(span.start..)?
        .find('\n')
        .map_or(text.len(), |i| span.start + i);
    if span.end > end {
        return None;
    }
    Some(text.get(start..end)?.trim().to_owned())
}

fn check_url(key: &'static str, value: &str) -> Result<(), ConfigError> {
    match reqwest::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(ConfigError::invalid(key, Some(value), URL_FORM)),
    }
}

/// A configuration that cannot be used; the message names the key and the expected form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A key has a value of the wrong form.
    #[error("invalid {key}{}: expected {expected}", found_suffix(.found))]
    Invalid {
        key: String,
        /// The rejected value, left out for secret keys.
        found: Option<String>,
        expected: String,
    },
    /// The TOML text is malformed, has a missing or unknown key, or a value of the wrong type.
    #[error("invalid configuration{}{}: {message}", line_suffix(*.line), near_suffix(.near))]
    Parse {
        message: String,
        /// 1-based line of the error in the TOML text, when known.
        line: Option<usize>,
        /// The text of that line, when the error lies within it.
        near: Option<String>,
    },
    /// The configuration file cannot be read.
    #[error("cannot read configuration file {}: {reason}", .path.display())]
    Read { path: PathBuf, reason: String },
    /// Another error, found in the named file.
    #[error("{}: {}", .path.display(), .source)]
    InFile {
        path: PathBuf,
        source: Box<ConfigError>,
    },
}

fn line_suffix(line: Option<usize>) -> String {
    line.map_or_else(String::new, |line| format!(" at line {line}"))
}

fn near_suffix(near: &Option<String>) -> String {
    near.as_ref()
        .map_or_else(String::new, |text| format!(" ({text})"))
}

fn found_suffix(found: &Option<String>) -> String {
    match found {
        Some(value) => format!(" {value:?}"),
        None => String::new(),
    }
}

impl ConfigError {
    fn invalid(key: &str, found: Option<&str>, expected: &str) -> Self {
        ConfigError::Invalid {
            key: key.to_owned(),
            found: found.map(str::to_owned),
            expected: expected.to_owned(),
        }
    }

    /// Wraps this error with the file it was found in.
    pub fn in_file(self, path: &Path) -> Self {
        match self {
            ConfigError::Read { .. } | ConfigError::InFile { .. } => self,
            other => ConfigError::InFile {
                path: path.to_owned(),
                source: Box::new(other),
            },
        }
    }

    /// Returns the expected form of the key at fault, when the error is about one key.
    pub fn expected(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { expected, .. } => Some(expected),
            ConfigError::InFile { source, .. } => source.expected(),
            ConfigError::Parse { .. } | ConfigError::Read { .. } => None,
        }
    }

    /// Returns the key at fault, when the error is about one key.
    pub fn key(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { key, .. } => Some(key),
            ConfigError::InFile { source, .. } => source.key(),
            ConfigError::Parse { .. } | ConfigError::Read { .. } => None,
        }
    }
}
