//! The local SQLite store: one file per brand, `<storage>/walkout-<brand>.sqlite3`.
//!
//! A [`Store`] owns the only connection, in WAL mode, behind a mutex; callers run closures
//! against it with [`Store::read`] and [`Store::write`], and a raw connection never leaves it,
//! so there is exactly one writer and no transaction outlives a call. The schema moves forward
//! through `PRAGMA user_version` migrations (see [`migrations`]). The store is a cache of server
//! state plus small app state: it must never hold secrets, tokens or card numbers.
//!
//! Tables (every column is documented in [`migrations::MIGRATIONS`]):
//! - `kv` (v1): small app state such as the cached profile and the clock offset, as JSON.

mod kv;
pub mod migrations;
mod open;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::config::BrandId;

/// A failure of the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file cannot be opened or created.
    #[error("cannot open the local store {}: {reason}", .path.display())]
    Open { path: PathBuf, reason: String },
    /// The database was written by a newer app; it is left untouched.
    #[error(
        "the local store {} has schema version {found}, newer than the {supported} this app \
         supports; update the app",
        .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// A migration step failed; the database stays at the previous version.
    #[error("migrating the local store to schema version {version} failed: {source}")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    /// A stored value cannot be encoded or decoded.
    #[error("the stored value {key:?} cannot be encoded or decoded: {reason}")]
    Value { key: String, reason: String },
    #[error("local store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The brand's local database.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    connection: Mutex<Connection>,
    moved_aside: Option<PathBuf>,
}

impl Store {
    /// Returns the database path of a brand: `<storage_dir>/walkout-<brand>.sqlite3`.
    pub fn path_for(storage_dir: &Path, brand: &BrandId) -> PathBuf {
        storage_dir.join(format!("walkout-{brand}.sqlite3"))
    }

    /// Opens (creating the folder and file if needed) the brand's database.
    pub fn open_for_brand(storage_dir: &Path, brand: &BrandId) -> Result<Self, StoreError> {
        std::fs::create_dir_all(storage_dir).map_err(|error| StoreError::Open {
            path: storage_dir.to_owned(),
            reason: format!("cannot create the storage folder: {error}"),
        })?;
        Self::open(&Self::path_for(storage_dir, brand))
    }

    /// Opens the database at `path` and brings its schema up to date.
    ///
    /// A corrupt file is moved aside and rebuilt; a file from a newer app is an error.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let opened = open::open_or_rebuild(path)?;
        Ok(Self {
            path: path.to_owned(),
            connection: Mutex::new(opened.connection),
            moved_aside: opened.moved_aside,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns where a corrupt database was moved when this store was opened, if it was.
    pub fn moved_aside(&self) -> Option<&Path> {
        self.moved_aside.as_deref()
    }

    /// Returns the schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|connection| {
            let version = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
            Ok(version)
        })
    }

    /// Runs `f` with the connection, for queries that only read.
    pub fn read<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        f(&self.lock())
    }

    /// Runs `f` in an immediate transaction, committed when `f` returns `Ok` and rolled back
    /// otherwise.
    pub fn write<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut connection = self.lock();
        let transaction = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let value = f(&transaction)?;
        transaction.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a closure drops its transaction, which rolls back, so the connection
        // behind a poisoned lock is still consistent.
        self.connection
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
