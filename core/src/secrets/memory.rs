//! An in-memory secret store for tests.
//!
//! Stores made with [`MemorySecretStore::for_brand`] share one map, like brands on one device,
//! and [`MemorySecretStore::set_locked`] simulates a locked device, so tests can reach every
//! outcome of [`SecretStore::get`]. Nothing is persisted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use zeroize::Zeroizing;

use super::{SecretLookup, SecretStore, SecretStoreError, check_key, service_name};
use crate::config::BrandId;

type Entries = HashMap<(String, String), Zeroizing<Vec<u8>>>;

/// A brand's view of an in-memory map of secrets.
#[derive(Debug, Clone)]
pub struct MemorySecretStore {
    service: String,
    entries: Arc<Mutex<Entries>>,
    locked: Arc<AtomicBool>,
}

impl MemorySecretStore {
    /// Creates an empty store for `brand`.
    pub fn new(brand: &BrandId) -> Self {
        Self {
            service: service_name(brand),
            entries: Arc::default(),
            locked: Arc::default(),
        }
    }

    /// Returns a store for another brand that shares this store's map and lock state.
    pub fn for_brand(&self, brand: &BrandId) -> Self {
        Self {
            service: service_name(brand),
            entries: Arc::clone(&self.entries),
            locked: Arc::clone(&self.locked),
        }
    }

    /// Simulates a locked device: while locked, reads return `Unavailable` and writes fail.
    pub fn set_locked(&self, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
    }

    fn check_unlocked(&self) -> Result<(), SecretStoreError> {
        if self.locked.load(Ordering::SeqCst) {
            return Err(SecretStoreError::Unavailable {
                reason: "the device is locked".to_owned(),
            });
        }
        Ok(())
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self, key: &str) -> Result<SecretLookup, SecretStoreError> {
        check_key(key)?;
        if let Err(SecretStoreError::Unavailable { reason }) = self.check_unlocked() {
            return Ok(SecretLookup::Unavailable { reason });
        }
        let entries = self.entries();
        Ok(match entries.get(&(self.service.clone(), key.to_owned())) {
            Some(value) => SecretLookup::Found(value.clone()),
            None => SecretLookup::Absent,
        })
    }

    fn set(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        check_key(key)?;
        self.check_unlocked()?;
        let entry_key = (self.service.clone(), key.to_owned());
        self.entries()
            .insert(entry_key, Zeroizing::new(value.to_vec()));
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        check_key(key)?;
        self.check_unlocked()?;
        self.entries()
            .remove(&(self.service.clone(), key.to_owned()));
        Ok(())
    }
}
