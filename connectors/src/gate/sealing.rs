//! Encryption of entry secrets at rest with AES-256-GCM.
//!
//! The gate needs each credential's secret in clear to check a code's tag, so the secret is
//! stored encrypted (never hashed) under a data key that lives outside the database: `gate.data_key`
//! from the configuration, or else `data_key` from `credentials.toml`. A stolen database alone
//! therefore yields no secret. The associated data binds each ciphertext to its credential id,
//! so a ciphertext copied onto another row does not open.
//!
//! Rotation: every ciphertext is stored with the id of the key that sealed it (the first 4 bytes
//! of a SHA-256 over the key, in hex, so no id needs configuring). To rotate, set the new key as
//! `gate.data_key`, list the previous one under `gate.old_data_keys`, and restart. New credentials
//! are sealed with the new key, older ones still open with the old key, and the old key can be
//! removed once every credential sealed with it has expired (`gate.credential_lifetime_secs`,
//! 30 days by default). Secrets are not re-encrypted in place.

use base64::Engine as _;
use ring::aead::{self, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use walkout_core::entry::code::{CREDENTIAL_ID_LEN, SECRET_LEN};
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::gate::GateConfig;

/// Label at the start of the associated data and of the key-id hash.
const AAD_LABEL: &[u8] = b"walkout-entry-secret-v1";
const KEY_ID_LABEL: &[u8] = b"walkout-data-key-id";

/// An entry secret in sealed form, as stored in `entry_credentials`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    /// Base64 of the 12-byte nonce, the ciphertext and the 16-byte tag.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key id stored with the ciphertext (8 hex characters) matches no configured key.
    #[error("no configured data key has id {0:?}; add the key to gate.old_data_keys")]
    UnknownKey(String),
    #[error("a sealed entry secret does not open with its data key (damaged or moved row)")]
    Damaged,
    #[error("the system random number generator failed")]
    Random,
}

struct DataKey {
    id: String,
    key: LessSafeKey,
}

/// The current data key and the older ones that still open existing ciphertexts.
pub struct DataKeys {
    current: DataKey,
    old: Vec<DataKey>,
    rng: SystemRandom,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys")
            .field("current", &self.current.id)
            .field("old", &self.old.iter().map(|k| &k.id).collect::<Vec<_>>())
            .finish()
    }
}

impl DataKeys {
    /// Reads the keys of `[gate]`, falling back to `data_key` of `credentials.toml`. The error
    /// names the configuration key at fault and never contains key material.
    pub fn from_config(gate: &GateConfig, credentials: &Credentials) -> Result<DataKeys, String> {
        let current = match &gate.data_key {
            Some(text) => data_key(text)
                .ok_or_else(|| "gate.data_key must be the Base64 of exactly 32 bytes".to_owned())?,
            None => data_key(&credentials.data_key).ok_or_else(|| {
                "data_key in credentials.toml must be the Base64 of exactly 32 bytes".to_owned()
            })?,
        };
        let mut old = Vec::new();
        for (index, text) in gate.old_data_keys.iter().enumerate() {
            let key = data_key(text).ok_or_else(|| {
                format!("gate.old_data_keys[{index}] must be the Base64 of exactly 32 bytes")
            })?;
            old.push(key);
        }
        Ok(DataKeys {
            current,
            old,
            rng: SystemRandom::new(),
        })
    }

    /// Encrypts `secret` for the credential `credential_id` under the current key.
    pub fn seal(
        &self,
        credential_id: &[u8; CREDENTIAL_ID_LEN],
        secret: &[u8; SECRET_LEN],
    ) -> Result<Sealed, SealError> {
        let mut nonce = [0u8; aead::NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| SealError::Random)?;

        let mut buffer = Zeroizing::new(secret.to_vec());
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(associated_data(credential_id)),
                &mut *buffer,
            )
            .map_err(|_| SealError::Damaged)?;

        let mut stored = nonce.to_vec();
        stored.extend_from_slice(&buffer);
        Ok(Sealed {
            key_id: self.current.id.clone(),
            text: base64::engine::general_purpose::STANDARD.encode(stored),
        })
    }

    /// Decrypts a sealed secret with the key named by `key_id`.
    pub fn open(
        &self,
        credential_id: &[u8; CREDENTIAL_ID_LEN],
        key_id: &str,
        text: &str,
    ) -> Result<Zeroizing<[u8; SECRET_LEN]>, SealError> {
        let key = std::iter::once(&self.current)
            .chain(self.old.iter())
            .find(|key| key.id == key_id)
            .ok_or_else(|| SealError::UnknownKey(key_id.to_owned()))?;

        let stored = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| SealError::Damaged)?;
        if stored.len() != aead::NONCE_LEN + SECRET_LEN + AES_256_GCM.tag_len() {
            return Err(SealError::Damaged);
        }
        let (nonce, sealed) = stored.split_at(aead::NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Damaged)?;

        let mut buffer = Zeroizing::new(sealed.to_vec());
        let plain = key
            .key
            .open_in_place(
                nonce,
                Aad::from(associated_data(credential_id)),
                &mut buffer,
            )
            .map_err(|_| SealError::Damaged)?;
        let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
        if plain.len() != SECRET_LEN {
            return Err(SealError::Damaged);
        }
        secret.copy_from_slice(plain);
        Ok(secret)
    }

    /// Id of the key that seals new secrets.
    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }
}

fn data_key(text: &str) -> Option<DataKey> {
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()?,
    );
    if bytes.len() != 32 {
        return None;
    }
    let mut hashed = ring::digest::Context::new(&ring::digest::SHA256);
    hashed.update(KEY_ID_LABEL);
    hashed.update(&bytes);
    let id = hex::encode(&hashed.finish().as_ref()[..4]);
    let key = UnboundKey::new(&AES_256_GCM, &bytes).ok()?;
    Some(DataKey {
        id,
        key: LessSafeKey::new(key),
    })
}

fn associated_data(credential_id: &[u8; CREDENTIAL_ID_LEN]) -> Vec<u8> {
    let mut data = AAD_LABEL.to_vec();
    data.extend_from_slice(credential_id);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(current: [u8; 32], old: &[[u8; 32]]) -> DataKeys {
        let encode = |key: &[u8; 32]| base64::engine::general_purpose::STANDARD.encode(key);
        let gate = GateConfig {
            data_key: Some(encode(&current)),
            old_data_keys: old.iter().map(encode).collect(),
            ..GateConfig::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let (credentials, _) = crate::credentials::load_or_create(dir.path()).unwrap();
        DataKeys::from_config(&gate, &credentials).unwrap()
    }

    #[test]
    fn sealed_secret_opens() {
        let keys = keys([1; 32], &[]);
        let sealed = keys.seal(&[7; 8], &[9; 32]).unwrap();
        let opened = keys.open(&[7; 8], &sealed.key_id, &sealed.text).unwrap();
        assert_eq!(*opened, [9; 32]);
    }

    #[test]
    fn other_credential_id_does_not_open() {
        let keys = keys([1; 32], &[]);
        let sealed = keys.seal(&[7; 8], &[9; 32]).unwrap();
        let opened = keys.open(&[8; 8], &sealed.key_id, &sealed.text);
        assert_eq!(opened.err(), Some(SealError::Damaged));
    }

    #[test]
    fn old_key_opens_after_rotation() {
        let before = keys([1; 32], &[]);
        let sealed = before.seal(&[7; 8], &[9; 32]).unwrap();
        let after = keys([2; 32], &[[1; 32]]);
        assert_ne!(after.current_key_id(), sealed.key_id);
        let opened = after.open(&[7; 8], &sealed.key_id, &sealed.text).unwrap();
        assert_eq!(*opened, [9; 32]);
    }

    #[test]
    fn dropped_key_is_reported() {
        let before = keys([1; 32], &[]);
        let sealed = before.seal(&[7; 8], &[9; 32]).unwrap();
        let after = keys([2; 32], &[]);
        let opened = after.open(&[7; 8], &sealed.key_id, &sealed.text);
        assert!(matches!(opened, Err(SealError::UnknownKey(_))));
    }
}
