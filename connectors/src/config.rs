//! Service configuration.
//!
//! Precedence, highest first: command-line flags, `WALKOUT_*` environment variables (nested keys
//! joined by a double underscore, as in `WALKOUT_AUTH__JWKS_URL`), the TOML file given with
//! `--config`, then the defaults below. Unknown keys are errors, so a typo in a file or a
//! variable name is reported instead of silently ignored. `walkout-connectors.example.toml`
//! at the crate root documents every key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address and port of the HTTP listener.
    pub listen: SocketAddr,
    /// Folder of the embedded database and of `credentials.toml`.
    pub data_dir: PathBuf,
    /// Database URL; empty means the embedded SQLite file `<data_dir>/walkout.sqlite3`.
    pub database_url: Option<String>,
    /// Pool size and timeouts of the database.
    pub database: crate::db::DatabaseSettings,
    /// `system`, or `test` to let `POST /admin/v1/test-clock` move the service's clock.
    pub clock: ClockMode,
    /// `auto` (human-readable on a terminal, JSON otherwise), `json` or `text`.
    pub log_format: LogFormat,
    /// Default tracing filter when `RUST_LOG` is unset.
    pub log_level: String,
    /// Seconds to finish in-flight requests after SIGTERM or SIGINT.
    pub shutdown_grace_secs: u64,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    pub auth: AppAuthConfig,
    pub jwo: JwoAuthConfig,
    pub gate: crate::gate::GateConfig,
    pub payments: crate::payments::PaymentsConfig,
    pub ordering: crate::ordering::OrderingConfig,
    /// Association rules and targeted offers.
    pub offers: crate::offers::RecomputeSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    System,
    Test,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Auto,
    Json,
    Text,
}

/// Shopper app authentication: Cognito user pool access tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppAuthConfig {
    /// Expected `iss`, e.g. `https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf`.
    pub issuer: Option<String>,
    /// Where the pool's JSON Web Key Set is fetched from. Separate from the issuer, because a
    /// local emulator or a proxy may serve the keys at another address.
    pub jwks_url: Option<String>,
    /// App client ids whose tokens are accepted.
    pub client_ids: Vec<String>,
    /// Tolerance for `exp`, `nbf` and `iat`, in seconds.
    pub leeway_secs: Option<u64>,
    /// The user pool's Cognito Identity Provider API endpoint, e.g.
    /// `https://cognito-idp.eu-west-2.amazonaws.com/`. When set, sensitive app routes check
    /// each token online with `GetUser`, so a signed-out session is refused there at once.
    pub user_pool_endpoint: Option<String>,
}

/// Authentication of the JWO caller (Amazon's gateway, or a self-hosted stand-in).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JwoAuthConfig {
    /// Accept `Authorization: Bearer <jwo_caller_token>`.
    pub bearer: bool,
    /// Accept the `X-Walkout-Signature` HMAC signature.
    pub hmac: bool,
    /// Trust every request: only for deployments behind an API gateway that checks Amazon's
    /// IAM (SigV4) signature before forwarding. Disables the two checks above.
    pub trusted_gateway: bool,
    /// Overrides `jwo_caller_token` from `credentials.toml`.
    pub caller_token: Option<String>,
    /// Overrides `jwo_hmac_secret` from `credentials.toml`.
    pub hmac_secret: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./walkout-data"),
            database_url: None,
            database: crate::db::DatabaseSettings::default(),
            clock: ClockMode::System,
            log_format: LogFormat::Auto,
            log_level: "info".to_owned(),
            shutdown_grace_secs: 20,
            max_body_bytes: 8 * 1024 * 1024,
            auth: AppAuthConfig::default(),
            jwo: JwoAuthConfig::default(),
            gate: crate::gate::GateConfig::default(),
            payments: crate::payments::PaymentsConfig::default(),
            ordering: crate::ordering::OrderingConfig::default(),
            offers: crate::offers::RecomputeSettings::default(),
        }
    }
}

impl Default for JwoAuthConfig {
    fn default() -> Self {
        JwoAuthConfig {
            bearer: true,
            hmac: false,
            trusted_gateway: false,
            caller_token: None,
            hmac_secret: None,
        }
    }
}

/// Command-line values that override every other source when present.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

/// A configuration source that could not be read or has a wrong value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration from the defaults, the optional TOML file, the `WALKOUT_*`
    /// variables of `env` and the command-line overrides.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));

        if let Some(path) = file {
            // Read the file ourselves: figment treats a missing file as empty, and a named
            // file that does not exist must be an error.
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
                path: path.to_owned(),
                source,
            })?;
            let toml_source = Toml::string(&text).profile(figment::Profile::Default);
            figment = figment.merge(toml_source);
        }

        figment = figment.merge(NamedSource::env(env));
        figment = figment.merge(NamedSource::flags(overrides));

        let config: Config = figment
            .extract()
            .map_err(|error| ConfigError::Invalid(describe_figment_error(error, file)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let auth = &self.auth;
        let any_auth =
            auth.issuer.is_some() || auth.jwks_url.is_some() || !auth.client_ids.is_empty();
        let all_auth =
            auth.issuer.is_some() && auth.jwks_url.is_some() && !auth.client_ids.is_empty();
        if any_auth && !all_auth {
            return Err(ConfigError::Invalid(
                "auth: issuer, jwks_url and client_ids must be set together (or none of them, which disables the app routes)".to_owned(),
            ));
        }
        if let Some(url) = &auth.jwks_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err(ConfigError::Invalid(format!(
                "auth.jwks_url: expected an http:// or https:// URL, found {url:?}"
            )));
        }
        if !self.jwo.bearer && !self.jwo.hmac && !self.jwo.trusted_gateway {
            return Err(ConfigError::Invalid(
                "jwo: enable at least one of bearer, hmac or trusted_gateway".to_owned(),
            ));
        }
        self.ordering.validate().map_err(ConfigError::Invalid)?;
        Ok(())
    }

    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn effective_database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("walkout.sqlite3").display()
            ),
        }
    }
}

/// A figment provider with a name that error messages use to say where a bad value came from.
struct NamedSource {
    name: &'static str,
    dict: figment::value::Dict,
}

impl NamedSource {
    /// The `WALKOUT_*` variables. It takes an explicit list of variables, so tests need not
    /// touch the process environment.
    fn env(env: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut dict = figment::value::Dict::new();
        let sections = top_level_keys();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("WALKOUT_") else {
                continue;
            };
            let key = rest.to_ascii_lowercase().replace("__", ".");
            // Only variables naming a setting of this service are read: the same prefix also
            // names the configuration file (WALKOUT_CONFIG) and the tools of other programs,
            // such as the test suite's WALKOUT_PYTHON. Unknown keys inside a section are still
            // errors, through `deny_unknown_fields`.
            let section = key.split('.').next().unwrap_or_default();
            if !sections.iter().any(|known| known == section) {
                continue;
            }
            if let figment::value::Value::Dict(_, nested) =
                figment::util::nest(&key, parse_env_value(&value))
            {
                dict = merge_dicts(dict, nested);
            }
        }
        NamedSource {
            name: ENV_SOURCE,
            dict,
        }
    }

    fn flags(overrides: &Overrides) -> Self {
        let dict = match figment::value::Value::serialize(overrides) {
            Ok(figment::value::Value::Dict(_, dict)) => dict,
            _ => figment::value::Dict::new(),
        };
        NamedSource {
            name: FLAGS_SOURCE,
            dict,
        }
    }
}

fn merge_dicts(mut into: figment::value::Dict, from: figment::value::Dict) -> figment::value::Dict {
    use figment::value::Value;
    for (key, value) in from {
        let merged = match (into.remove(&key), value) {
            (Some(Value::Dict(_, old)), Value::Dict(tag, new)) => {
                Value::Dict(tag, merge_dicts(old, new))
            }
            (_, new) => new,
        };
        into.insert(key, merged);
    }
    into
}

impl figment::Provider for NamedSource {
    fn metadata(&self) -> figment::Metadata {
        figment::Metadata::named(self.name)
    }

    fn data(
        &self,
    ) -> Result<figment::value::Map<figment::Profile, figment::value::Dict>, figment::Error> {
        Ok(figment::Profile::Default.collect(self.dict.clone()))
    }
}

const ENV_SOURCE: &str = "environment variables";
const FLAGS_SOURCE: &str = "command-line flags";

/// The names of the top-level settings (`listen`, `auth`, …), read from the defaults.
fn top_level_keys() -> Vec<String> {
    match figment::value::Value::serialize(Config::default()) {
        Ok(figment::value::Value::Dict(_, dict)) => dict.into_keys().collect(),
        _ => Vec::new(),
    }
}

/// Parses an environment value like figment's own `Env` provider: TOML-like scalars and arrays
/// (`true`, `60`, `["a", "b"]`), anything else as a string.
fn parse_env_value(raw: &str) -> figment::value::Value {
    raw.parse::<figment::value::Value>()
        .unwrap_or_else(|_| figment::value::Value::from(raw.to_owned()))
}

fn describe_figment_error(error: figment::Error, file: Option<&Path>) -> String {
    let mut parts = Vec::new();
    for e in error {
        let key = if e.path.is_empty() {
            String::from("(top level)")
        } else {
            e.path.join(".")
        };
        let source = e.metadata.as_ref().map(|meta| meta.name.as_ref());
        let origin = match (source, file) {
            (Some(ENV_SOURCE), _) => format!(
                "environment variable WALKOUT_{}",
                key.to_ascii_uppercase().replace('.', "__")
            ),
            (Some(FLAGS_SOURCE), _) => "command-line flag".to_owned(),
            (_, Some(path)) => format!("file {}", path.display()),
            (_, None) => "configuration".to_owned(),
        };
        parts.push(format!("{origin}, key {key}: {}", e.kind));
    }
    parts.join("; ")
}
