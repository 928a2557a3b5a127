//! Secret stores: where tokens and entry secrets live, outside SQLite and logs.
//!
//! [`SecretStore`] is synchronous and moves bytes, so the iOS Keychain and the Android Keystore
//! can implement it from the shells. A lookup has three outcomes, because "the device is locked
//! now" must not be mistaken for "signed out": a caller that reads `Absent` deletes the session,
//! a caller that reads `Unavailable` waits. Every store is scoped to one brand, so two brands on
//! one device never see each other's secrets.
//!
//! Implementations here: [`MemorySecretStore`] (tests), [`FileSecretStore`] (headless Linux and
//! CI, weaker than a platform store) and, on desktops, [`KeyringSecretStore`] (the `keyring`
//! crate's platform store).

mod file;
#[cfg(not(any(target_os = "ios", target_os = "android")))]
mod keyring_store;
mod memory;

pub use file::FileSecretStore;
#[cfg(not(any(target_os = "ios", target_os = "android")))]
pub use keyring_store::KeyringSecretStore;
pub use memory::MemorySecretStore;

use zeroize::Zeroizing;

use crate::config::BrandId;

/// Maximum length of a secret key, in bytes.
pub const SECRET_KEY_MAX_LEN: usize = 100;

/// The outcome of reading one secret.
#[derive(Debug)]
pub enum SecretLookup {
    /// The secret exists; its bytes are wiped from memory when dropped.
    Found(Zeroizing<Vec<u8>>),
    /// No secret is stored under this key.
    Absent,
    /// The store cannot be read now (for example, the device is locked or the platform
    /// service is not running); the secret may still exist. `reason` never contains a secret.
    Unavailable { reason: String },
}

/// A failure to use a secret store; messages never contain secret values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretStoreError {
    /// The key is not one the stores accept.
    #[error("invalid secret key {key:?}: {reason}")]
    InvalidKey { key: String, reason: String },
    /// The store cannot be written or cleared now (for example, the device is locked).
    #[error("the secret store is unavailable: {reason}")]
    Unavailable { reason: String },
    /// The store failed.
    #[error("the secret store failed: {reason}")]
    Failed { reason: String },
}

/// A brand's secret storage: bytes in and out, synchronous, safe to share between threads.
///
/// Keys are short ASCII names (see [`check_key`]); values are opaque bytes. `delete` of a key
/// that does not exist succeeds.
pub trait SecretStore: Send + Sync {
    /// Reads the secret stored under `key`.
    fn get(&self, key: &str) -> Result<SecretLookup, SecretStoreError>;
    /// Stores `value` under `key`, replacing any previous value.
    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError>;
    /// Removes the secret stored under `key`.
    fn delete(&self, key: &str) -> Result<(), SecretStoreError>;
}

/// Checks a secret key: 1 to 100 ASCII letters, digits, '.', '_' or '-', not starting with '.'.
///
/// The form is safe as a file name and as a keychain account name on every platform.
pub fn check_key(key: &str) -> Result<(), SecretStoreError> {
    let reason = if key.is_empty() || key.len() > SECRET_KEY_MAX_LEN {
        "expected 1 to 100 characters"
    } else if key.starts_with('.') {
        "must not start with '.'"
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        "expected only ASCII letters, digits, '.', '_' or '-'"
    } else {
        return Ok(());
    };
    Err(SecretStoreError::InvalidKey {
        key: key.chars().take(SECRET_KEY_MAX_LEN).collect(),
        reason: reason.to_owned(),
    })
}

/// Returns the keychain service name of a brand: `walkout.<brand>`.
pub fn service_name(brand: &BrandId) -> String {
    format!("walkout.{brand}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_forms() {
        let cases = [
            ("cognito.refresh_token", true),
            ("entry-secret-0123", true),
            ("", false),
            (".hidden", false),
            ("../escape", false),
            ("a/b", false),
            ("space key", false),
            ("é", false),
        ];
        for (key, accepted) in cases {
            assert_eq!(check_key(key).is_ok(), accepted, "key {key:?}");
        }
        assert!(check_key(&"k".repeat(SECRET_KEY_MAX_LEN)).is_ok());
        assert!(check_key(&"k".repeat(SECRET_KEY_MAX_LEN + 1)).is_err());
    }

    #[test]
    fn service_name_includes_brand() {
        let brand = BrandId::new("acme-foods").expect("valid brand");
        assert_eq!(service_name(&brand), "walkout.acme-foods");
    }
}
