//! Storage of the device's entry credential: the secret in the secret store, the rest in the
//! local store.
//!
//! The secret never touches SQLite. It is stored under one brand-namespaced key,
//! `<brand>.entry-credential`, as `credential_id ‖ secret` (8 + 32 bytes), so the secret store
//! names the credential that its secret belongs to. The id, period and expiry go to the `kv`
//! table as JSON. A reader accepts the pair only when both name the same credential id: after a
//! crash between the two writes, the app enrolls again instead of deriving wrong codes.

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::code::{CREDENTIAL_ID_LEN, EntryCredential, SECRET_LEN};
use crate::config::BrandId;
use crate::error::Error;
use crate::secrets::{SecretLookup, SecretStore};
use crate::store::Store;

/// `kv` key of the credential's public part.
const INFO_KEY: &str = "entry.credential";
/// `kv` key of the Idempotency-Key of an enrollment whose response was not stored yet.
const PENDING_ENROLLMENT_KEY: &str = "entry.pending_enrollment_key";

/// The public part of the device's entry credential, as the local store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryCredentialInfo {
    /// The credential id in lower-case hex (16 characters).
    pub credential_id: String,
    /// Rotation period of the codes, in seconds.
    pub period_secs: u32,
    /// End of validity, Unix seconds in server time.
    pub expires_at_unix: i64,
    /// From this instant on (Unix seconds, server time) the app enrolls a new credential.
    pub renew_after_unix: i64,
}

/// Returns the secret store key of a brand's entry credential.
pub fn secret_key(brand: &BrandId) -> String {
    format!("{brand}.entry-credential")
}

/// Stores a newly enrolled credential: first the secret, then the public part, so a crash in
/// between leaves a pair that [`load`] rejects.
pub(crate) fn save(
    store: &Store,
    secrets: &dyn SecretStore,
    brand: &BrandId,
    info: &EntryCredentialInfo,
    credential: &EntryCredential,
) -> Result<(), Error> {
    let mut value = Zeroizing::new(Vec::with_capacity(CREDENTIAL_ID_LEN + SECRET_LEN));
    value.extend_from_slice(&credential.credential_id);
    value.extend_from_slice(credential.secret.as_ref());
    secrets.set(&secret_key(brand), &value)?;
    store.kv_put_json(INFO_KEY, info)?;
    Ok(())
}

/// Reads the public part only; it needs no secret store access.
pub(crate) fn load_info(store: &Store) -> Result<Option<EntryCredentialInfo>, Error> {
    Ok(store.kv_get_json(INFO_KEY)?)
}

/// Reads the whole credential. Returns `None` when there is none, or when the two halves do not
/// belong together (an interrupted enrollment or a secret lost with a reinstall).
pub(crate) fn load(
    store: &Store,
    secrets: &dyn SecretStore,
    brand: &BrandId,
) -> Result<Option<(EntryCredentialInfo, EntryCredential)>, Error> {
    let Some(info) = load_info(store)? else {
        return Ok(None);
    };
    let value = match secrets.get(&secret_key(brand))? {
        SecretLookup::Found(value) => value,
        SecretLookup::Absent => return Ok(None),
        SecretLookup::Unavailable { reason } => {
            return Err(crate::secrets::SecretStoreError::Unavailable { reason }.into());
        }
    };
    let Some(credential) = split_secret(&value, &info) else {
        tracing::warn!(
            credential_id = %info.credential_id,
            "the stored entry secret belongs to another credential; enrollment is needed"
        );
        return Ok(None);
    };
    Ok(Some((info, credential)))
}

/// Deletes the credential: the public part first, so no code is derived from here on, then
/// the secret.
pub(crate) fn delete(
    store: &Store,
    secrets: &dyn SecretStore,
    brand: &BrandId,
) -> Result<(), Error> {
    store.kv_delete(INFO_KEY)?;
    store.kv_delete(PENDING_ENROLLMENT_KEY)?;
    secrets.delete(&secret_key(brand))?;
    Ok(())
}

/// Returns the Idempotency-Key of an unfinished enrollment, or stores and returns a new one.
/// Reusing it after a crash or a lost response gets the same credential back from the backend.
pub(crate) fn pending_enrollment_key(store: &Store) -> Result<String, Error> {
    if let Some(key) = store.kv_get_json::<String>(PENDING_ENROLLMENT_KEY)? {
        return Ok(key);
    }
    let key = uuid::Uuid::now_v7().to_string();
    store.kv_put_json(PENDING_ENROLLMENT_KEY, &key)?;
    Ok(key)
}

/// Forgets the Idempotency-Key once its enrollment is stored or was definitely rejected.
pub(crate) fn clear_pending_enrollment(store: &Store) -> Result<(), Error> {
    Ok(store.kv_delete(PENDING_ENROLLMENT_KEY)?)
}

fn split_secret(value: &[u8], info: &EntryCredentialInfo) -> Option<EntryCredential> {
    if value.len() != CREDENTIAL_ID_LEN + SECRET_LEN {
        return None;
    }
    let (id, secret) = value.split_at(CREDENTIAL_ID_LEN);
    if hex::encode(id) != info.credential_id {
        return None;
    }
    let credential_id: [u8; CREDENTIAL_ID_LEN] = id.try_into().ok()?;
    let mut secret_bytes = Zeroizing::new([0u8; SECRET_LEN]);
    secret_bytes.copy_from_slice(secret);
    Some(EntryCredential {
        credential_id,
        secret: secret_bytes,
        period_secs: info.period_secs,
        expires_at_unix: info.expires_at_unix,
    })
}
