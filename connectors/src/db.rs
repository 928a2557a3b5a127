//! The service database: connection pool, embedded migrations and the few helpers whose SQL
//! differs between engines.
//!
//! Queries go through sqlx's `Any` driver with `$n` placeholders, which both SQLite and
//! PostgreSQL accept, so one query text serves both engines. Each engine has its own migration
//! folder, because column types differ slightly (BLOB and BYTEA, for instance).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engine behind a pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Pool and timeout settings, the `[database]` section of the configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// Maximum open connections per service instance; unset means 8 on SQLite (one writer and
    /// a few WAL readers) and 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// Milliseconds a request waits for a free pooled connection before it fails.
    pub acquire_timeout_ms: u64,
    /// PostgreSQL only: milliseconds after which the server cancels one statement
    /// (`statement_timeout`, set on each new connection); 0 disables the limit.
    pub statement_timeout_ms: u64,
    /// SQLite only: milliseconds a writer waits for the file lock (`busy_timeout`).
    pub busy_timeout_ms: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            max_connections: None,
            acquire_timeout_ms: 5_000,
            statement_timeout_ms: 30_000,
            busy_timeout_ms: 5_000,
        }
    }
}

impl DatabaseSettings {
    fn max_connections_for(&self, engine: Engine) -> u32 {
        let default = match engine {
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        };
        self.max_connections.unwrap_or(default).max(1)
    }
}

#[derive(Debug, Clone)]
pub struct Database {
    pub pool: AnyPool,
    /// Pool for the write transactions of the request paths (gate scans, stored purchases).
    /// On SQLite it holds one connection, so those writers queue in the process instead of
    /// sleeping in SQLite's busy handler (1 ms to 100 ms per retry) while another connection
    /// holds the file's write lock. On PostgreSQL it is the same pool as `pool`.
    pub writer: AnyPool,
    pub engine: Engine,
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("unsupported database URL {0:?}: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot open the database at {location}: {source}")]
    Open {
        location: String,
        source: sqlx::Error,
    },
    #[error(
        "the database at {location} is not a SQLite database (or is damaged); it was left untouched. \
         Point --data-dir at another folder, or move the file away to start afresh"
    )]
    NotSqlite { location: String },
    #[error(
        "the database at {location} was written by a newer version of walkout-connectors \
         (migration {version} is unknown to this one); it was left untouched. Run the newer version"
    )]
    NewerSchema { location: String, version: i64 },
    #[error("migrating the database at {location} failed: {source}")]
    Migrate {
        location: String,
        source: MigrateError,
    },
}

impl Database {
    /// Opens the pool with the default settings and applies the embedded migrations.
    pub async fn open(url: &str) -> Result<Database, DatabaseError> {
        Database::open_with(url, &DatabaseSettings::default()).await
    }

    /// Opens the pool with `settings` and applies the embedded migrations.
    pub async fn open_with(
        url: &str,
        settings: &DatabaseSettings,
    ) -> Result<Database, DatabaseError> {
        sqlx::any::install_default_drivers();
        let engine = engine_of(url)?;
        let location = redact_url(url);
        if engine == Engine::Sqlite {
            check_sqlite_header(url, &location)?;
        }
        let options = AnyConnectOptions::from_str(url).map_err(|source| DatabaseError::Open {
            location: location.clone(),
            source,
        })?;

        let pool = pool_options(engine, settings, settings.max_connections_for(engine))
            .connect_with(options.clone())
            .await
            .map_err(|source| classify_open_error(&location, source))?;

        if engine == Engine::Sqlite {
            // WAL is a property of the file, so setting it once per open is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|source| classify_open_error(&location, source))?;
        }

        let writer = match engine {
            Engine::Sqlite => pool_options(engine, settings, 1).connect_lazy_with(options),
            Engine::Postgres => pool.clone(),
        };
        let database = Database {
            pool,
            writer,
            engine,
        };
        database.migrate(&location).await?;
        Ok(database)
    }

    async fn migrate(&self, location: &str) -> Result<(), DatabaseError> {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        match migrator.run(&self.pool).await {
            Ok(()) => Ok(()),
            Err(MigrateError::VersionMissing(version)) => Err(DatabaseError::NewerSchema {
                location: location.to_owned(),
                version,
            }),
            Err(MigrateError::Execute(source)) if is_not_a_database(&source) => {
                Err(DatabaseError::NotSqlite {
                    location: location.to_owned(),
                })
            }
            Err(source) => Err(DatabaseError::Migrate {
                location: location.to_owned(),
                source,
            }),
        }
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The latest migration version this build embeds.
    pub fn expected_schema_version(&self) -> i64 {
        let migrator = match self.engine {
            Engine::Sqlite => &SQLITE_MIGRATIONS,
            Engine::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Checks that every embedded migration has been applied.
    pub async fn schema_is_current(&self) -> Result<bool, sqlx::Error> {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied == Some(self.expected_schema_version()))
    }
}

/// Increments the named counter inside `tx` and returns its new value (1 for a new counter).
///
/// One upsert both creates and increments the row, because two transactions that both found no
/// row and both inserted one would collide on PostgreSQL. The row lock the upsert takes lasts
/// until commit and serializes writers on both engines, so values are gap-free and commit in
/// order.
pub async fn next_counter_value(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    name: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO counters (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
    )
    .bind(name)
    .fetch_one(&mut **tx)
    .await
}

/// Builds the options of a pool of at most `max_connections`, whose connections run the
/// engine's session statements when they open.
fn pool_options(
    engine: Engine,
    settings: &DatabaseSettings,
    max_connections: u32,
) -> AnyPoolOptions {
    let session_setup = session_statements(engine, settings);
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
        .after_connect(move |conn, _meta| {
            let statements = session_setup.clone();
            Box::pin(async move {
                for statement in statements.iter() {
                    conn.execute(statement.as_str()).await?;
                }
                Ok(())
            })
        })
}

/// Lists the statements that set up each new connection: pragmas on SQLite, the statement
/// timeout on PostgreSQL.
fn session_statements(engine: Engine, settings: &DatabaseSettings) -> std::sync::Arc<Vec<String>> {
    let statements = match engine {
        Engine::Sqlite => vec![
            format!("PRAGMA busy_timeout = {}", settings.busy_timeout_ms),
            "PRAGMA foreign_keys = ON".to_owned(),
            "PRAGMA synchronous = NORMAL".to_owned(),
        ],
        Engine::Postgres => vec![format!(
            "SET statement_timeout = {}",
            settings.statement_timeout_ms
        )],
    };
    std::sync::Arc::new(statements)
}

fn engine_of(url: &str) -> Result<Engine, DatabaseError> {
    if url.starts_with("sqlite:") {
        Ok(Engine::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Engine::Postgres)
    } else {
        Err(DatabaseError::UnsupportedUrl(redact_url(url)))
    }
}

/// Removes a password from a database URL before it reaches a message or a log line.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

/// Rejects an existing, non-empty file that does not start with SQLite's header, before any
/// connection touches it: a connection would retry until the pool times out.
fn check_sqlite_header(url: &str, location: &str) -> Result<(), DatabaseError> {
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(());
    };
    let mut start = Vec::with_capacity(HEADER.len());
    use std::io::Read as _;
    if (&mut file)
        .take(HEADER.len() as u64)
        .read_to_end(&mut start)
        .is_err()
    {
        return Ok(());
    }
    if start.is_empty() || start == HEADER {
        return Ok(());
    }
    Err(DatabaseError::NotSqlite {
        location: location.to_owned(),
    })
}

fn is_not_a_database(error: &sqlx::Error) -> bool {
    let text = error.to_string();
    text.contains("file is not a database") || text.contains("database disk image is malformed")
}

fn classify_open_error(location: &str, source: sqlx::Error) -> DatabaseError {
    if is_not_a_database(&source) {
        DatabaseError::NotSqlite {
            location: location.to_owned(),
        }
    } else {
        DatabaseError::Open {
            location: location.to_owned(),
            source,
        }
    }
}

/// Returns whether `error` is a write conflict that a new attempt of the whole transaction can
/// get past. That is SQLite's `SQLITE_BUSY` family, or a unique-key race on either engine. A
/// SQLite transaction that read before another writer committed cannot upgrade to a write, and
/// the busy timeout does not retry that case.
pub fn is_retryable_conflict(error: &sqlx::Error) -> bool {
    let Some(database) = error.as_database_error() else {
        return false;
    };
    // SQLite's primary result code is the low byte of its extended code: 5 is SQLITE_BUSY
    // (517 is SQLITE_BUSY_SNAPSHOT). PostgreSQL's 23505 is unique_violation.
    let busy = database
        .code()
        .and_then(|code| code.parse::<i64>().ok())
        .is_some_and(|code| code & 0xff == 5);
    busy || database.is_unique_violation()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn open_sqlite() -> (tempfile::TempDir, Database) {
        let folder = tempfile::tempdir().expect("temporary folder");
        let url = format!(
            "sqlite://{}?mode=rwc",
            folder.path().join("walkout.sqlite").display()
        );
        let db = Database::open(&url).await.expect("open the database");
        (folder, db)
    }

    #[tokio::test]
    async fn sqlite_writer_has_one_connection() {
        let (_folder, db) = open_sqlite().await;
        let first = db.writer.acquire().await.expect("first writer connection");
        let second = tokio::time::timeout(Duration::from_millis(200), db.writer.acquire()).await;
        assert!(second.is_err(), "a second writer connection was handed out");
        drop(first);
    }

    #[tokio::test]
    async fn concurrent_writer_transactions_all_commit() {
        let (_folder, db) = open_sqlite().await;
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                let mut tx = db.writer.begin().await?;
                next_counter_value(&mut tx, "writer-test").await?;
                tx.commit().await
            }));
        }
        for task in tasks {
            task.await.expect("task").expect("transaction");
        }
        let value: i64 = sqlx::query_scalar("SELECT value FROM counters WHERE name = $1")
            .bind("writer-test")
            .fetch_one(&db.pool)
            .await
            .expect("counter");
        assert_eq!(value, 32);
    }
}
