//! Secrets the service generates on its first start: `<data-dir>/credentials.toml`.
//!
//! The file is created once, with mode 0600, and never rewritten. Its path is printed at start;
//! its contents never are. `Debug` on [`Credentials`] hides every value.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

pub const FILE_NAME: &str = "credentials.toml";
/// Prefix of every administrator API key.
pub const ADMIN_KEY_PREFIX: &str = "wk_admin_";

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// The first administrator key; it has the `admin` scope.
    pub admin_api_key: String,
    /// Bearer token the JWO caller sends.
    pub jwo_caller_token: String,
    /// Shared secret of the `X-Walkout-Signature` HMAC.
    pub jwo_hmac_secret: String,
    /// Base64 of the 32-byte AES-256-GCM key that encrypts secrets at rest.
    pub data_key: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.admin_api_key.zeroize();
        self.jwo_caller_token.zeroize();
        self.jwo_hmac_secret.zeroize();
        self.data_key.zeroize();
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not valid: {reason}. Restore it from a backup, or move it away to generate new secrets"
    )]
    Invalid { path: PathBuf, reason: String },
    #[error("the system random number generator failed")]
    Random,
}

/// Whether [`load_or_create`] found the file or made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Existing,
    Created,
}

/// Reads `<data_dir>/credentials.toml`, creating it with fresh secrets when absent.
pub fn load_or_create(data_dir: &Path) -> Result<(Credentials, Origin), CredentialsError> {
    let path = data_dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_permissions(&path)?;
            let credentials =
                toml::from_str::<Credentials>(&text).map_err(|e| CredentialsError::Invalid {
                    path: path.clone(),
                    reason: e.message().to_owned(),
                })?;
            credentials.validate(&path)?;
            Ok((credentials, Origin::Existing))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let credentials = Credentials::generate()?;
            write_new(&path, &credentials)?;
            Ok((credentials, Origin::Created))
        }
        Err(source) => Err(CredentialsError::Read { path, source }),
    }
}

impl Credentials {
    fn generate() -> Result<Credentials, CredentialsError> {
        let rng = SystemRandom::new();
        Ok(Credentials {
            admin_api_key: new_admin_key(&rng)?,
            jwo_caller_token: random_base64url(&rng)?,
            jwo_hmac_secret: random_base64url(&rng)?,
            data_key: base64::engine::general_purpose::STANDARD.encode(random_bytes(&rng)?),
        })
    }

    fn validate(&self, path: &Path) -> Result<(), CredentialsError> {
        let invalid = |reason: &str| CredentialsError::Invalid {
            path: path.to_owned(),
            reason: reason.to_owned(),
        };
        if !self.admin_api_key.starts_with(ADMIN_KEY_PREFIX) {
            return Err(invalid("admin_api_key must start with wk_admin_"));
        }
        if self.jwo_caller_token.len() < 32 || self.jwo_hmac_secret.len() < 32 {
            return Err(invalid(
                "jwo_caller_token and jwo_hmac_secret must have at least 32 characters",
            ));
        }
        if self.data_key_bytes().is_none() {
            return Err(invalid("data_key must be the Base64 of exactly 32 bytes"));
        }
        Ok(())
    }

    /// The AES-256 key decoded from `data_key`.
    pub fn data_key_bytes(&self) -> Option<[u8; 32]> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.data_key)
            .ok()?;
        bytes.try_into().ok()
    }
}

/// Makes a new administrator key: the prefix and 256 random bits in Base64url.
pub fn new_admin_key(rng: &SystemRandom) -> Result<String, CredentialsError> {
    Ok(format!("{ADMIN_KEY_PREFIX}{}", random_base64url(rng)?))
}

fn random_bytes(rng: &SystemRandom) -> Result<[u8; 32], CredentialsError> {
    let mut bytes = [0u8; 32];
    rng.fill(&mut bytes).map_err(|_| CredentialsError::Random)?;
    Ok(bytes)
}

fn random_base64url(rng: &SystemRandom) -> Result<String, CredentialsError> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(rng)?))
}

fn write_new(path: &Path, credentials: &Credentials) -> Result<(), CredentialsError> {
    let create_error = |source| CredentialsError::Create {
        path: path.to_owned(),
        source,
    };
    let text = toml::to_string(credentials).map_err(|e| CredentialsError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let header =
        "# Generated by walkout-connectors on first start. Keep this file secret (mode 0600).\n";

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(create_error)?;
    file.write_all(header.as_bytes()).map_err(create_error)?;
    file.write_all(text.as_bytes()).map_err(create_error)?;
    file.sync_all().map_err(create_error)
}

#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), CredentialsError> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).map_err(|source| CredentialsError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "credentials file is readable by other users; run chmod 600 on it");
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), CredentialsError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_start_creates_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let (created, origin) = load_or_create(dir.path()).unwrap();
        assert_eq!(origin, Origin::Created);
        assert!(created.admin_api_key.starts_with(ADMIN_KEY_PREFIX));
        assert_eq!(created.data_key_bytes().map(|k| k.len()), Some(32));

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let (loaded, origin) = load_or_create(dir.path()).unwrap();
        assert_eq!(origin, Origin::Existing);
        assert_eq!(loaded.admin_api_key, created.admin_api_key);
        assert_eq!(loaded.data_key, created.data_key);
    }

    #[test]
    fn debug_hides_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let (credentials, _) = load_or_create(dir.path()).unwrap();
        let shown = format!("{credentials:?}");
        assert!(!shown.contains(&credentials.admin_api_key));
        assert!(!shown.contains(&credentials.jwo_caller_token));
    }

    #[test]
    fn damaged_file_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "admin_api_key = 3\n").unwrap();
        let error = load_or_create(dir.path()).unwrap_err().to_string();
        assert!(error.contains("credentials.toml"), "{error}");
        assert!(error.contains("not valid"), "{error}");
    }
}
