//! The desktop platform's secret store, through the `keyring` crate (version 4, `v1` mode).
//!
//! Each secret is one credential with service `walkout.<brand>` and the key as its user name.
//! `keyring` picks the platform store once per process: the Secret Service over D-Bus on Linux,
//! Keychain on macOS and Credential Manager on Windows. When that store cannot be reached (no
//! D-Bus session on a headless machine, a locked collection) every call reports unavailable, not
//! absent, so a caller never mistakes it for a signed-out state. The Linux kernel keyutils store
//! is not used because its session keyring loses keys when the process exits.

use keyring::Error as KeyringError;
use zeroize::Zeroizing;

use super::{SecretLookup, SecretStore, SecretStoreError, check_key, service_name};
use crate::config::BrandId;

/// A brand's secrets in the platform store.
#[derive(Debug, Clone)]
pub struct KeyringSecretStore {
    service: String,
}

impl KeyringSecretStore {
    pub fn new(brand: &BrandId) -> Self {
        Self {
            service: service_name(brand),
        }
    }

    /// Checks whether the platform store could be opened in this process.
    ///
    /// The first call connects to the store; `keyring` keeps that result for the life of the
    /// process, so a store that appears later is not picked up until a restart.
    pub fn check_available() -> Result<(), SecretStoreError> {
        match keyring::Entry::store_status() {
            Ok(()) => Ok(()),
            Err(error) => Err(SecretStoreError::Unavailable {
                reason: describe(error),
            }),
        }
    }

    /// Returns the keychain service name, `walkout.<brand>`.
    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: &str) -> Result<keyring::Entry, SecretStoreError> {
        check_key(key)?;
        keyring::Entry::new(&self.service, key).map_err(|error| to_store_error(key, &error))
    }
}

impl SecretStore for KeyringSecretStore {
    fn get(&self, key: &str) -> Result<SecretLookup, SecretStoreError> {
        let entry = match self.entry(key) {
            Ok(entry) => entry,
            Err(SecretStoreError::Unavailable { reason }) => {
                return Ok(SecretLookup::Unavailable { reason });
            }
            Err(error) => return Err(error),
        };
        match entry.get_secret() {
            Ok(bytes) => Ok(SecretLookup::Found(Zeroizing::new(bytes))),
            Err(KeyringError::NoEntry) => Ok(SecretLookup::Absent),
            Err(error) => match to_store_error(key, &error) {
                SecretStoreError::Unavailable { reason } => {
                    Ok(SecretLookup::Unavailable { reason })
                }
                other => Err(other),
            },
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        self.entry(key)?
            .set_secret(value)
            .map_err(|error| to_store_error(key, &error))
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(KeyringError::NoEntry) => Ok(()),
            Err(error) => Err(to_store_error(key, &error)),
        }
    }
}

fn to_store_error(key: &str, error: &KeyringError) -> SecretStoreError {
    let reason = describe(error);
    match error {
        KeyringError::NoDefaultStore
        | KeyringError::NoStorageAccess(_)
        | KeyringError::PlatformFailure(_) => SecretStoreError::Unavailable { reason },
        KeyringError::Invalid(..) | KeyringError::TooLong(..) => SecretStoreError::InvalidKey {
            key: key.to_owned(),
            reason,
        },
        _ => SecretStoreError::Failed { reason },
    }
}

/// Describes a keyring error without the secret bytes that some variants carry.
fn describe(error: &KeyringError) -> String {
    match error {
        KeyringError::BadEncoding(_) => "the stored secret is not valid UTF-8".to_owned(),
        KeyringError::BadDataFormat(_, _) => {
            "the stored secret has an unexpected format".to_owned()
        }
        KeyringError::Ambiguous(entries) => {
            format!("{} credentials match this key", entries.len())
        }
        KeyringError::NoDefaultStore => "no platform secret store could be opened \
             (on Linux, the Secret Service needs a D-Bus session)"
            .to_owned(),
        other => other.to_string(),
    }
}
