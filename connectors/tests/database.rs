//! Opening the database: migrations, WAL, and the files that must be left untouched.

use walkout_connectors::db::{Database, DatabaseError, next_counter_value};

fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

#[tokio::test]
async fn fresh_database_is_migrated_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&sqlite_url(&dir.path().join("w.sqlite3")))
        .await
        .unwrap();
    assert!(db.schema_is_current().await.unwrap());
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(mode.to_ascii_lowercase(), "wal");
}

#[tokio::test]
async fn reopening_applies_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir.path().join("w.sqlite3"));
    let first = Database::open(&url).await.unwrap();
    first.pool.close().await;
    let second = Database::open(&url).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&second.pool)
        .await
        .unwrap();
    assert_eq!(count, second.expected_schema_version());
}

#[tokio::test]
async fn file_that_is_not_sqlite_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    let content = b"this is a text file, not a database\n".repeat(200);
    std::fs::write(&path, &content).unwrap();

    let error = Database::open(&sqlite_url(&path)).await.unwrap_err();
    assert!(matches!(error, DatabaseError::NotSqlite { .. }), "{error}");
    assert!(error.to_string().contains("w.sqlite3"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), content);
}

#[tokio::test]
async fn newer_schema_is_an_error_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.sqlite3");
    let url = sqlite_url(&path);
    let db = Database::open(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', TRUE, X'00', 0)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    // Move the WAL into the main file, so the bytes compared below are the whole database.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let before = std::fs::read(&path).unwrap();

    let error = Database::open(&url).await.unwrap_err();
    assert!(
        matches!(
            error,
            DatabaseError::NewerSchema {
                version: 99990101000000,
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("newer version"), "{error}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[tokio::test]
async fn unsupported_url_is_named() {
    let error = Database::open("mysql://user:secret@host/db")
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("mysql://user:***@host/db"), "{error}");
    assert!(!error.contains("secret"), "{error}");
}

#[tokio::test]
async fn counters_are_gap_free_per_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&sqlite_url(&dir.path().join("w.sqlite3")))
        .await
        .unwrap();
    let mut values = Vec::new();
    for _ in 0..3 {
        let mut tx = db.pool.begin().await.unwrap();
        values.push(next_counter_value(&mut tx, "change_seq").await.unwrap());
        tx.commit().await.unwrap();
    }
    let mut rolled_back = db.pool.begin().await.unwrap();
    next_counter_value(&mut rolled_back, "change_seq")
        .await
        .unwrap();
    rolled_back.rollback().await.unwrap();
    let mut tx = db.pool.begin().await.unwrap();
    values.push(next_counter_value(&mut tx, "change_seq").await.unwrap());
    values.push(next_counter_value(&mut tx, "event_id").await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(values, vec![1, 2, 3, 4, 1]);
}
