//! Small app state in the `kv` table, as JSON values under string keys.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Store, StoreError};
use crate::clock::{Clock, SystemClock};

impl Store {
    /// Reads the JSON text stored under `key`.
    pub fn kv_get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.read(|connection| {
            let value = connection
                .query_row("SELECT value FROM kv WHERE key = ?1", [key], |row| {
                    row.get(0)
                })
                .optional()?;
            Ok(value)
        })
    }

    /// Stores JSON text under `key`, replacing any previous value.
    pub fn kv_put(&self, key: &str, json: &str) -> Result<(), StoreError> {
        let now = SystemClock.now_unix_millis();
        self.write(|transaction| {
            transaction.execute(
                "INSERT INTO kv (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                params![key, json, now],
            )?;
            Ok(())
        })
    }

    /// Removes `key`; removing a missing key succeeds.
    pub fn kv_delete(&self, key: &str) -> Result<(), StoreError> {
        self.write(|transaction| {
            transaction.execute("DELETE FROM kv WHERE key = ?1", [key])?;
            Ok(())
        })
    }

    /// Reads and decodes the value stored under `key`.
    pub fn kv_get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let Some(text) = self.kv_get(key)? else {
            return Ok(None);
        };
        let value = serde_json::from_str(&text).map_err(|error| StoreError::Value {
            key: key.to_owned(),
            reason: error.to_string(),
        })?;
        Ok(Some(value))
    }

    /// Encodes `value` as JSON and stores it under `key`.
    pub fn kv_put_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let text = serde_json::to_string(value).map_err(|error| StoreError::Value {
            key: key.to_owned(),
            reason: error.to_string(),
        })?;
        self.kv_put(key, &text)
    }
}
