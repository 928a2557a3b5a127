//! The secret store that an app implements over the iOS Keychain or the Android Keystore.
//!
//! [`SecretStore`] is the foreign trait; [`ForeignSecretStore`] adapts it to the core's
//! [`walkout_core::SecretStore`]. The adapter turns the app's answers into the core's three
//! outcomes and must keep "unavailable now" (a locked device) apart from "absent", because the
//! core deletes the session on the second and waits on the first.

use std::sync::Arc;

use walkout_core::secrets::{
    SecretLookup as CoreLookup, SecretStore as CoreSecretStore, SecretStoreError,
};
use zeroize::Zeroizing;

use crate::error::{FfiResult, WalkoutFfiError};

/// The outcome of reading one secret.
#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SecretLookup {
    /// The secret exists.
    Found {
        /// The secret's bytes, exactly as they were stored.
        value: Vec<u8>,
    },
    /// No secret is stored under this key.
    Absent,
    /// The store cannot be read now (for example, the device is locked); the secret may still
    /// exist.
    Unavailable {
        /// Why, for logs; it must not contain a secret.
        reason: String,
    },
}

/// Leaves out the secret's bytes.
impl std::fmt::Debug for SecretLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Found { value } => write!(f, "Found({} bytes)", value.len()),
            Self::Absent => f.write_str("Absent"),
            Self::Unavailable { reason } => write!(f, "Unavailable({reason:?})"),
        }
    }
}

/// Secure storage for the brand's tokens and entry secret, implemented by the app (Keychain,
/// Android Keystore). Calls are synchronous and may come from any thread.
///
/// Keys are 1 to 100 ASCII letters, digits, '.', '_' or '-' and already include the brand id.
/// To report that the store is locked now, `set` and `delete` throw
/// `WalkoutFfiError.SecretStoreUnavailable`; any other exception counts as a storage failure.
#[uniffi::export(foreign)]
pub trait SecretStore: Send + Sync {
    /// Reads the secret stored under `key`.
    fn get(&self, key: String) -> FfiResult<SecretLookup>;
    /// Stores `value` under `key`, replacing any previous value.
    fn set(&self, key: String, value: Vec<u8>) -> FfiResult<()>;
    /// Removes the secret stored under `key`; removing a missing key succeeds.
    fn delete(&self, key: String) -> FfiResult<()>;
}

/// The core's view of an app's [`SecretStore`].
pub(crate) struct ForeignSecretStore {
    inner: Arc<dyn SecretStore>,
}

impl ForeignSecretStore {
    pub(crate) fn new(inner: Arc<dyn SecretStore>) -> Self {
        Self { inner }
    }
}

fn store_error(error: WalkoutFfiError) -> SecretStoreError {
    match error {
        WalkoutFfiError::SecretStoreUnavailable => SecretStoreError::Unavailable {
            reason: "the app's secret store reported that it is unavailable".to_owned(),
        },
        other => SecretStoreError::Failed {
            reason: format!("the app's secret store failed: {other}"),
        },
    }
}

impl CoreSecretStore for ForeignSecretStore {
    fn get(&self, key: &str) -> Result<CoreLookup, SecretStoreError> {
        walkout_core::secrets::check_key(key)?;
        match self.inner.get(key.to_owned()).map_err(store_error)? {
            SecretLookup::Found { value } => Ok(CoreLookup::Found(Zeroizing::new(value))),
            SecretLookup::Absent => Ok(CoreLookup::Absent),
            SecretLookup::Unavailable { reason } => Ok(CoreLookup::Unavailable { reason }),
        }
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        walkout_core::secrets::check_key(key)?;
        self.inner
            .set(key.to_owned(), value.to_vec())
            .map_err(store_error)
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        walkout_core::secrets::check_key(key)?;
        self.inner.delete(key.to_owned()).map_err(store_error)
    }
}
