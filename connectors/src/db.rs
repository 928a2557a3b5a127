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

#[derive(Debug, Clone)]
pub struct Database {
    pub pool: AnyPool,
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
    /// Opens the pool and applies the embedded migrations.
    pub async fn open(url: &str) -> Result<Database, DatabaseError> {
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

        let pool = AnyPoolOptions::new()
            .max_connections(match engine {
                // SQLite has one writer; a few readers run beside it in WAL mode.
                Engine::Sqlite => 8,
                Engine::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|source| classify_open_error(&location, source))?;

        if engine == Engine::Sqlite {
            // WAL is a property of the file, so setting it once per open is enough.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await
                .map_err(|source| classify_open_error(&location, source))?;
        }

        let database = Database { pool, engine };
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
/// The row lock taken by the UPDATE serializes writers on both engines, so values are gap-free
/// and commit in order.
pub async fn next_counter_value(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    name: &str,
) -> Result<i64, sqlx::Error> {
    let updated: Option<i64> =
        sqlx::query_scalar("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind(name)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(value) = updated {
        return Ok(value);
    }
    sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 1)")
        .bind(name)
        .execute(&mut **tx)
        .await?;
    Ok(1)
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
