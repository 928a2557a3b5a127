//! Opening the local store: fresh files, migrations, newer schemas and corrupt files.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use walkout_core::BrandId;
use walkout_core::store::migrations::latest_version;
use walkout_core::store::{Store, StoreError};

fn brand(id: &str) -> BrandId {
    BrandId::new(id).expect("valid brand")
}

fn files_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .expect("list folder")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn fresh_store_is_named_by_brand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_for_brand(&dir.path().join("data"), &brand("acme")).expect("open");
    assert_eq!(
        store.path(),
        dir.path().join("data").join("walkout-acme.sqlite3")
    );
    assert!(store.path().exists());
}

#[test]
fn fresh_store_has_latest_schema_in_wal_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_for_brand(dir.path(), &brand("acme")).expect("open");
    assert_eq!(store.schema_version().expect("version"), latest_version());
    let mode: String = store
        .read(|c| c.pragma_query_value(None, "journal_mode", |row| row.get(0)))
        .expect("journal mode");
    assert_eq!(mode, "wal");
    assert_eq!(store.moved_aside(), None);
}

#[test]
fn kv_values_survive_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let profile = serde_json::json!({"given_name": "Ada", "consent": false});
    {
        let store = Store::open_for_brand(dir.path(), &brand("acme")).expect("open");
        store.kv_put_json("profile", &profile).expect("put");
        store.kv_put("scratch", "1").expect("put");
        store.kv_delete("scratch").expect("delete");
    }
    let store = Store::open_for_brand(dir.path(), &brand("acme")).expect("reopen");
    let read: Option<serde_json::Value> = store.kv_get_json("profile").expect("get");
    assert_eq!(read, Some(profile));
    assert_eq!(store.kv_get("scratch").expect("get"), None);
}

#[test]
fn brands_have_separate_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let acme = Store::open_for_brand(dir.path(), &brand("acme")).expect("open acme");
    let other = Store::open_for_brand(dir.path(), &brand("other-shop")).expect("open other");
    acme.kv_put("profile", "\"acme\"").expect("put");
    assert_eq!(other.kv_get("profile").expect("get"), None);
    assert_ne!(acme.path(), other.path());
}

#[test]
fn failed_write_rolls_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open_for_brand(dir.path(), &brand("acme")).expect("open");
    let result: Result<(), StoreError> = store.write(|transaction| {
        transaction.execute(
            "INSERT INTO kv (key, value, updated_at) VALUES ('a', '1', 0)",
            [],
        )?;
        Err(StoreError::Value {
            key: "a".to_owned(),
            reason: "abandoned".to_owned(),
        })
    });
    assert!(result.is_err());
    assert_eq!(store.kv_get("a").expect("get"), None);
}

#[test]
fn newer_schema_is_rejected_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = Store::path_for(dir.path(), &brand("acme"));
    let newer = latest_version() + 3;
    {
        let connection = Connection::open(&path).expect("create");
        connection
            .execute_batch("CREATE TABLE future (x INTEGER); INSERT INTO future VALUES (1);")
            .expect("schema");
        connection
            .pragma_update(None, "user_version", newer)
            .expect("version");
    }
    let before = std::fs::read(&path).expect("read before");
    let names_before = files_in(dir.path());

    let error = Store::open(&path).expect_err("newer schema");

    match &error {
        StoreError::TooNew {
            found, supported, ..
        } => {
            assert_eq!(*found, newer);
            assert_eq!(*supported, latest_version());
        }
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert!(error.to_string().contains("update the app"), "{error}");
    assert_eq!(std::fs::read(&path).expect("read after"), before);
    assert_eq!(files_in(dir.path()), names_before);
}

fn corrupt_copy_of(folder: &Path) -> Option<PathBuf> {
    std::fs::read_dir(folder)
        .expect("list folder")
        .map(|entry| entry.expect("entry").path())
        .find(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            name.starts_with("walkout-acme.sqlite3.corrupt-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
}

#[test]
fn non_sqlite_file_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = Store::path_for(dir.path(), &brand("acme"));
    let garbage = b"this is a text file, not a database\n".repeat(64);
    std::fs::write(&path, &garbage).expect("write garbage");

    let store = Store::open(&path).expect("rebuilt");

    let moved = corrupt_copy_of(dir.path()).expect("corrupt copy kept");
    assert_eq!(store.moved_aside(), Some(moved.as_path()));
    assert_eq!(std::fs::read(&moved).expect("read copy"), garbage);
    assert_eq!(store.schema_version().expect("version"), latest_version());
    store.kv_put("profile", "{}").expect("usable after rebuild");
}

#[test]
fn corrupt_database_is_moved_aside_and_rebuilt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = Store::path_for(dir.path(), &brand("acme"));
    {
        let store = Store::open(&path).expect("open");
        let big = "x".repeat(3000);
        for index in 0..40 {
            store
                .kv_put(&format!("key-{index}"), &format!("\"{big}\""))
                .expect("put");
        }
        store
            .read(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);"))
            .expect("checkpoint");
    }
    // Keep the header page valid and overwrite every page after it.
    let mut bytes = std::fs::read(&path).expect("read");
    assert!(
        bytes.len() > 8192,
        "database too small to corrupt: {} bytes",
        bytes.len()
    );
    for byte in &mut bytes[4096..] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("write corrupt");

    let store = Store::open(&path).expect("rebuilt");

    assert!(store.moved_aside().is_some());
    assert!(corrupt_copy_of(dir.path()).is_some());
    assert_eq!(store.kv_get("key-1").expect("get"), None);
    assert_eq!(store.schema_version().expect("version"), latest_version());
}
