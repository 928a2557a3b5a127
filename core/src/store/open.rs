//! Opening the database file: version check, corruption recovery, pragmas and migrations.
//!
//! The order matters. The schema version is read before anything writes to the file, so a
//! database from a newer app is left byte-for-byte untouched. A file that is not SQLite, or fails
//! SQLite's quick check, is renamed to `<name>.corrupt-<unix seconds>` for support to inspect,
//! and an empty database is built in its place. That loses nothing for good, because the file
//! contains only cached server state and app state, never secrets.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::StoreError;
use super::migrations::{latest_version, migrate};
use crate::clock::{Clock, SystemClock};

/// How long a statement waits for a lock held by another connection to the same file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The reason an open attempt failed.
enum OpenFailure {
    /// The file is not a usable SQLite database; it may be moved aside and rebuilt.
    Corrupt(String),
    /// Any other failure; the file must be left as it is.
    Fatal(StoreError),
}

impl From<StoreError> for OpenFailure {
    fn from(error: StoreError) -> Self {
        OpenFailure::Fatal(error)
    }
}

/// An open connection, and where a corrupt file was moved if one was.
pub(super) struct Opened {
    pub connection: Connection,
    pub moved_aside: Option<PathBuf>,
}

/// Opens `path`, rebuilding it once if it is corrupt.
pub(super) fn open_or_rebuild(path: &Path) -> Result<Opened, StoreError> {
    let reason = match try_open(path) {
        Ok(connection) => {
            return Ok(Opened {
                connection,
                moved_aside: None,
            });
        }
        Err(OpenFailure::Fatal(error)) => return Err(error),
        Err(OpenFailure::Corrupt(reason)) => reason,
    };

    let moved_to = move_aside(path)?;
    tracing::warn!(
        path = %path.display(),
        moved_to = %moved_to.display(),
        reason = %reason,
        "local store was corrupt; moved it aside and rebuilt an empty one"
    );
    match try_open(path) {
        Ok(connection) => Ok(Opened {
            connection,
            moved_aside: Some(moved_to),
        }),
        Err(OpenFailure::Fatal(error)) => Err(error),
        Err(OpenFailure::Corrupt(reason)) => Err(StoreError::Open {
            path: path.to_owned(),
            reason: format!("the rebuilt database is unusable: {reason}"),
        }),
    }
}

fn try_open(path: &Path) -> Result<Connection, OpenFailure> {
    let version = if path.exists() {
        read_version(path)?
    } else {
        0
    };
    if version > latest_version() {
        return Err(OpenFailure::Fatal(StoreError::TooNew {
            path: path.to_owned(),
            found: version,
            supported: latest_version(),
        }));
    }

    let mut connection = Connection::open(path).map_err(|error| open_error(path, &error))?;
    let check: String = connection
        .pragma_query_value(None, "quick_check", |row| row.get(0))
        .map_err(|error| classify(path, error))?;
    if check != "ok" {
        return Err(OpenFailure::Corrupt(format!(
            "quick_check reported: {check}"
        )));
    }

    configure(&connection).map_err(|error| classify(path, error))?;
    migrate(&mut connection, version)?;
    Ok(connection)
}

/// Reads `user_version` through a read-only connection, which never checkpoints or rewrites
/// the file, so a database from a newer app stays exactly as it was.
fn read_version(path: &Path) -> Result<i64, OpenFailure> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection =
        Connection::open_with_flags(path, flags).map_err(|error| open_error(path, &error))?;
    connection
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|error| classify(path, error))
}

fn open_error(path: &Path, error: &rusqlite::Error) -> OpenFailure {
    OpenFailure::Fatal(StoreError::Open {
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // `journal_mode` returns the mode in force as a row, so it is read rather than executed.
    let mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode = %mode, "local store could not switch to WAL");
    }
    // NORMAL is durable across application crashes in WAL mode; a power loss may drop the
    // last transactions, which the next sync fetches again.
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

fn classify(path: &Path, error: rusqlite::Error) -> OpenFailure {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            OpenFailure::Corrupt(error.to_string())
        }
        _ => open_error(path, &error),
    }
}

/// Renames the database and its `-wal` and `-shm` files to `<name>.corrupt-<unix seconds>`,
/// so a stale write-ahead log is never replayed into the rebuilt database.
fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let seconds = SystemClock.now_unix_seconds();
    let mut target = suffixed(path, &format!(".corrupt-{seconds}"));
    let mut attempt = 1;
    while target.exists() {
        attempt += 1;
        target = suffixed(path, &format!(".corrupt-{seconds}-{attempt}"));
    }

    let rename = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|error| StoreError::Open {
            path: from.to_owned(),
            reason: format!(
                "cannot move the corrupt file aside to {}: {error}",
                to.display()
            ),
        })
    };
    rename(path, &target)?;
    for sibling in ["-wal", "-shm"] {
        let from = suffixed(path, sibling);
        if from.exists() {
            rename(&from, &suffixed(&target, sibling))?;
        }
    }
    Ok(target)
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
