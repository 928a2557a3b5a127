//! The two migration folders stay twins: the same file names, and each PostgreSQL file equal to
//! its SQLite file once the deliberate differences below are normalized. Also checks that the
//! pool settings reach each new connection on both engines.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use walkout_connectors::db::{Database, DatabaseSettings, Engine};

use common::database::{TestDatabase, postgres_available};

const SQLITE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
const POSTGRES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");

/// The deliberate differences, as (PostgreSQL text, SQLite text): binary columns are BYTEA on
/// PostgreSQL and BLOB on SQLite. Every other difference between twins is a mistake.
const DELIBERATE_DIFFERENCES: &[(&str, &str)] = &[("BYTEA", "BLOB")];

/// Statements that only one engine accepts; none may appear in a PostgreSQL migration.
const SQLITE_ONLY: &[&str] = &[
    "INSERT OR IGNORE",
    "INSERT OR REPLACE",
    "AUTOINCREMENT",
    "PRAGMA",
];

fn read_folder(folder: &str) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(folder).expect("migration folder") {
        let path = entry.expect("folder entry").path();
        if path.extension().is_some_and(|extension| extension == "sql") {
            let name = file_name(&path);
            let text = std::fs::read_to_string(&path).expect("migration text");
            files.insert(name, text);
        }
    }
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default()
        .to_owned()
}

fn normalize_postgres(text: &str) -> String {
    let mut normalized = text.to_owned();
    for (postgres, sqlite) in DELIBERATE_DIFFERENCES {
        normalized = normalized.replace(postgres, sqlite);
    }
    normalized
}

#[test]
fn folders_hold_the_same_files() {
    let sqlite: Vec<String> = read_folder(SQLITE_DIR).into_keys().collect();
    let postgres: Vec<String> = read_folder(POSTGRES_DIR).into_keys().collect();

    assert!(!sqlite.is_empty(), "no migrations in {SQLITE_DIR}");
    assert_eq!(sqlite, postgres);
}

#[test]
fn versions_are_numbered_without_gaps() {
    let names: Vec<String> = read_folder(SQLITE_DIR).into_keys().collect();
    for (index, name) in names.iter().enumerate() {
        let version: usize = name
            .split('_')
            .next()
            .and_then(|number| number.parse().ok())
            .unwrap_or_else(|| panic!("{name} does not start with a version number"));
        assert_eq!(version, index + 1, "{name} is out of sequence");
    }
}

#[test]
fn postgres_files_match_their_sqlite_twins() {
    let sqlite = read_folder(SQLITE_DIR);
    let postgres = read_folder(POSTGRES_DIR);
    for (name, postgres_text) in &postgres {
        let Some(sqlite_text) = sqlite.get(name) else {
            continue;
        };
        assert_eq!(
            &normalize_postgres(postgres_text),
            sqlite_text,
            "{name} differs between the folders beyond BYTEA/BLOB"
        );
    }
}

#[test]
fn postgres_files_use_no_sqlite_only_syntax() {
    for (name, text) in read_folder(POSTGRES_DIR) {
        let upper = text.to_ascii_uppercase();
        for syntax in SQLITE_ONLY {
            assert!(!upper.contains(syntax), "{name} uses {syntax}");
        }
    }
}

#[test]
fn normalization_maps_bytea_to_blob() {
    let cases = [
        ("payload BYTEA NOT NULL", "payload BLOB NOT NULL"),
        ("name TEXT NOT NULL", "name TEXT NOT NULL"),
    ];
    for (postgres, sqlite) in cases {
        assert_eq!(normalize_postgres(postgres), sqlite, "input {postgres:?}");
    }
}

#[tokio::test]
async fn sqlite_connections_get_the_busy_timeout() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let url = format!(
        "sqlite://{}?mode=rwc",
        folder.path().join("db.sqlite3").display()
    );
    let settings = DatabaseSettings {
        busy_timeout_ms: 1_234,
        max_connections: Some(2),
        ..DatabaseSettings::default()
    };
    let database = Database::open_with(&url, &settings).await.expect("open");

    let busy: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&database.pool)
        .await
        .expect("busy_timeout");

    assert_eq!(database.engine, Engine::Sqlite);
    assert_eq!(busy, 1_234);
}

#[tokio::test]
async fn postgres_applies_migrations_and_statement_timeout() {
    if !postgres_available("postgres_applies_migrations_and_statement_timeout") {
        return;
    }
    let Some(test_database) = TestDatabase::from_environment().await else {
        return;
    };
    let settings = DatabaseSettings {
        statement_timeout_ms: 1_500,
        ..DatabaseSettings::default()
    };
    let database = Database::open_with(&test_database.url, &settings)
        .await
        .expect("open");

    let timeout: String = sqlx::query_scalar("SELECT current_setting('statement_timeout')")
        .fetch_one(&database.pool)
        .await
        .expect("statement_timeout");
    let current = database.schema_is_current().await.expect("schema version");
    let slow = sqlx::query("SELECT pg_sleep(3)")
        .execute(&database.pool)
        .await;
    database.pool.close().await;

    assert_eq!(database.engine, Engine::Postgres);
    assert!(current, "migrations are not all applied");
    assert_eq!(timeout, "1500ms");
    assert!(slow.is_err(), "a 3 s statement outlived the 1.5 s timeout");
}
