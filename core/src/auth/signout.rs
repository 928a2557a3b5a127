//! Sign-out: revoke, end the sessions everywhere, clear the tokens, wipe the shopper's data.
//!
//! The refresh token is revoked through a queue, so a shopper who signs out offline still gets
//! it revoked later. The token itself moves to its own secret store entry; the local store's
//! `kv` table lists the queued entries (their secret key, age and attempts), because SQLite
//! never holds tokens. Wiping runs the cleanups other modules register plus the built-in rule
//! that every `kv` key starting with `shopper.` belongs to the shopper.

use std::sync::{Arc, Mutex, RwLock};

use serde::{Deserialize, Serialize};

use super::cognito::CognitoClient;
use super::secrets::read_secret;
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::secrets::SecretStore;
use crate::store::{Store, StoreError};

/// `kv` key of the revocation queue.
const QUEUE_KEY: &str = "auth.pending_revocations";

/// Prefix of the `kv` keys that hold the shopper's own data; sign-out deletes them.
pub const SHOPPER_KV_PREFIX: &str = "shopper.";

/// Queued revocations are dropped after this many failed attempts, since a server that keeps
/// failing (or an emulator without `RevokeToken`) would otherwise keep them forever.
const MAX_ATTEMPTS: u32 = 20;

/// Queued revocations older than the default refresh-token lifetime (30 days) are dropped:
/// the token has expired by then.
const MAX_AGE_MILLIS: i64 = 30 * 24 * 3600 * 1000;

/// A cleanup that deletes one module's shopper data from the local store.
pub type LocalDataCleanup = Arc<dyn Fn(&Store) -> Result<(), StoreError> + Send + Sync>;

/// What sign-out achieved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignOutOutcome {
    /// `GlobalSignOut` succeeded.
    pub global_sign_out: bool,
    /// The refresh token was revoked now.
    pub refresh_token_revoked: bool,
    /// Revocations still queued for a later attempt (this one included when offline).
    pub revocations_pending: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct QueuedRevocation {
    /// Secret store key holding the refresh token.
    secret_key: String,
    queued_at_millis: i64,
    attempts: u32,
}

/// The registered cleanups and the lock over the revocation queue.
#[derive(Default)]
pub struct SignOutHooks {
    cleanups: RwLock<Vec<(String, LocalDataCleanup)>>,
    queue_lock: Mutex<()>,
}

impl SignOutHooks {
    /// Registers `cleanup` under `name` (replacing one of the same name).
    pub fn register(&self, name: &str, cleanup: LocalDataCleanup) {
        let mut cleanups = self
            .cleanups
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cleanups.retain(|(existing, _)| existing != name);
        cleanups.push((name.to_owned(), cleanup));
    }

    /// Deletes the shopper's local data: every registered cleanup, then the `shopper.` keys.
    /// Runs every step even when one fails, and returns the first failure.
    pub fn wipe_local_data(&self, store: &Store) -> Result<(), Error> {
        let cleanups = self
            .cleanups
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut first_error = None;
        for (name, cleanup) in cleanups {
            if let Err(error) = cleanup(store) {
                tracing::error!(cleanup = %name, error = %error, "cannot wipe shopper data");
                first_error.get_or_insert(Error::Store(error));
            }
        }
        let pattern = format!("{SHOPPER_KV_PREFIX}%");
        let deleted = store.write(|transaction| {
            transaction
                .execute("DELETE FROM kv WHERE key LIKE ?1", [&pattern])
                .map_err(StoreError::from)
        });
        if let Err(error) = deleted {
            tracing::error!(error = %error, "cannot wipe shopper data from kv");
            first_error.get_or_insert(Error::Store(error));
        }
        first_error.map_or(Ok(()), Err)
    }

    fn edit_queue<T>(
        &self,
        store: &Store,
        edit: impl FnOnce(&mut Vec<QueuedRevocation>) -> T,
    ) -> Result<T, Error> {
        let _guard = self
            .queue_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut queue: Vec<QueuedRevocation> = store.kv_get_json(QUEUE_KEY)?.unwrap_or_default();
        let value = edit(&mut queue);
        store.kv_put_json(QUEUE_KEY, &queue)?;
        Ok(value)
    }

    /// Moves `refresh_token` into its own secret entry and queues its revocation. The entry is
    /// written before the queue row, so a crash in between leaves no row without a token.
    pub fn queue_revocation(
        &self,
        store: &Store,
        secrets: &dyn SecretStore,
        refresh_token: &str,
    ) -> Result<(), Error> {
        let secret_key = format!("cognito.revoke.{}", uuid::Uuid::now_v7().simple());
        secrets.set(&secret_key, refresh_token.as_bytes())?;
        let entry = QueuedRevocation {
            secret_key,
            queued_at_millis: SystemClock.now_unix_millis(),
            attempts: 0,
        };
        self.edit_queue(store, |queue| queue.push(entry))
    }

    /// Tries every queued revocation once. Returns how many were revoked now and how many are
    /// still queued.
    pub async fn retry_revocations(
        &self,
        store: &Store,
        secrets: &dyn SecretStore,
        cognito: &CognitoClient,
    ) -> Result<(usize, usize), Error> {
        let queue: Vec<QueuedRevocation> = store.kv_get_json(QUEUE_KEY)?.unwrap_or_default();
        let mut done = Vec::new();
        let mut failed = Vec::new();
        let mut revoked = 0;
        for entry in &queue {
            let Some(token) = read_secret(secrets, &entry.secret_key)? else {
                done.push(entry.secret_key.clone());
                continue;
            };
            let token = String::from_utf8_lossy(&token).into_owned();
            match cognito.revoke_token(&token).await {
                Ok(()) => {
                    revoked += 1;
                    done.push(entry.secret_key.clone());
                }
                Err(error) if error.is_retryable() => {
                    tracing::info!(error = %error, "refresh token revocation failed; kept queued");
                    failed.push(entry.secret_key.clone());
                }
                Err(error) => {
                    // Already revoked, expired or unknown: nothing is left to revoke.
                    tracing::info!(error = %error, "refresh token revocation rejected; dropped");
                    done.push(entry.secret_key.clone());
                }
            }
        }

        let now = SystemClock.now_unix_millis();
        let (dropped, remaining) = self.edit_queue(store, |queue| {
            for entry in queue.iter_mut() {
                if failed.contains(&entry.secret_key) {
                    entry.attempts += 1;
                }
            }
            let (dropped, kept): (Vec<_>, Vec<_>) = queue.drain(..).partition(|entry| {
                done.contains(&entry.secret_key)
                    || entry.attempts >= MAX_ATTEMPTS
                    || now - entry.queued_at_millis > MAX_AGE_MILLIS
            });
            *queue = kept;
            (dropped, queue.len())
        })?;
        for entry in dropped {
            if let Err(error) = secrets.delete(&entry.secret_key) {
                tracing::warn!(error = %error, "cannot delete a queued refresh token");
            }
        }
        Ok((revoked, remaining))
    }
}
