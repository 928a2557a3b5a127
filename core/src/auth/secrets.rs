//! Small helpers over the secret store that keep "unavailable now" apart from "absent".

use zeroize::Zeroizing;

use crate::error::Error;
use crate::secrets::{SecretLookup, SecretStore, SecretStoreError};

/// Reads `key`: `Some` when found, `None` when absent, and an `Unavailable` error when the store
/// cannot be read now, so no caller mistakes a locked device for a signed-out shopper.
pub fn read_secret(
    secrets: &dyn SecretStore,
    key: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
    match secrets.get(key)? {
        SecretLookup::Found(bytes) => Ok(Some(bytes)),
        SecretLookup::Absent => Ok(None),
        SecretLookup::Unavailable { reason } => {
            Err(Error::SecretStore(SecretStoreError::Unavailable { reason }))
        }
    }
}

/// Writes `value` under `key`.
pub fn write_secret(secrets: &dyn SecretStore, key: &str, value: &[u8]) -> Result<(), Error> {
    secrets.set(key, value).map_err(Error::from)
}

/// Checks whether an error means the secret store cannot be used now.
pub fn is_unavailable(error: &Error) -> bool {
    matches!(
        error,
        Error::SecretStore(SecretStoreError::Unavailable { .. })
    )
}
