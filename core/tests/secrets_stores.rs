//! Secret stores: brand namespacing, absent versus unavailable, file permissions, and secrets
//! that outlive the process that wrote them.
//!
//! Two tests re-run this test binary as a child process, selecting a helper with the
//! `WALKOUT_SECRETS_HELPER` environment variable; the helper test does nothing without it.

use std::path::Path;
use std::process::Command;

use walkout_core::BrandId;
use walkout_core::secrets::{
    FileSecretStore, KeyringSecretStore, MemorySecretStore, SecretLookup, SecretStore,
    SecretStoreError,
};

const HELPER_ENV: &str = "WALKOUT_SECRETS_HELPER";
const ROOT_ENV: &str = "WALKOUT_SECRETS_ROOT";

fn brand(id: &str) -> BrandId {
    BrandId::new(id).expect("valid brand")
}

fn found(lookup: SecretLookup) -> Vec<u8> {
    match lookup {
        SecretLookup::Found(bytes) => bytes.to_vec(),
        other => panic!("expected a secret, got {other:?}"),
    }
}

fn is_absent(lookup: &SecretLookup) -> bool {
    matches!(lookup, SecretLookup::Absent)
}

#[test]
fn memory_store_separates_brands() {
    let acme = MemorySecretStore::new(&brand("acme"));
    let other = acme.for_brand(&brand("other"));
    acme.set("refresh_token", b"acme-token").expect("set");

    assert_eq!(
        found(acme.get("refresh_token").expect("get")),
        b"acme-token"
    );
    assert!(is_absent(&other.get("refresh_token").expect("get")));
}

#[test]
fn locked_memory_store_is_unavailable_not_absent() {
    let store = MemorySecretStore::new(&brand("acme"));
    store.set("refresh_token", b"t").expect("set");
    store.set_locked(true);

    let lookup = store.get("refresh_token").expect("get");
    assert!(
        matches!(lookup, SecretLookup::Unavailable { .. }),
        "{lookup:?}"
    );
    let write = store.set("refresh_token", b"u");
    assert!(
        matches!(write, Err(SecretStoreError::Unavailable { .. })),
        "{write:?}"
    );

    store.set_locked(false);
    assert_eq!(found(store.get("refresh_token").expect("get")), b"t");
    assert!(is_absent(&store.get("never_set").expect("get")));
}

#[test]
fn file_store_separates_brands() {
    let root = tempfile::tempdir().expect("tempdir");
    let acme = FileSecretStore::open(root.path(), &brand("acme")).expect("open acme");
    let other = FileSecretStore::open(root.path(), &brand("other")).expect("open other");
    acme.set("refresh_token", b"acme-token").expect("set");

    assert_eq!(
        found(acme.get("refresh_token").expect("get")),
        b"acme-token"
    );
    assert!(is_absent(&other.get("refresh_token").expect("get")));
    assert_eq!(acme.folder(), root.path().join("walkout-acme"));
}

#[test]
fn file_store_replaces_and_deletes() {
    let root = tempfile::tempdir().expect("tempdir");
    let store = FileSecretStore::open(root.path(), &brand("acme")).expect("open");
    store.set("entry.secret", &[0u8, 1, 2, 255]).expect("set");
    store.set("entry.secret", &[9u8; 32]).expect("replace");

    assert_eq!(
        found(store.get("entry.secret").expect("get")),
        vec![9u8; 32]
    );
    store.delete("entry.secret").expect("delete");
    assert!(is_absent(&store.get("entry.secret").expect("get")));
    store
        .delete("entry.secret")
        .expect("deleting an absent key succeeds");

    let leftovers: Vec<_> = std::fs::read_dir(store.folder()).expect("list").collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn file_store_rejects_path_like_keys() {
    let root = tempfile::tempdir().expect("tempdir");
    let store = FileSecretStore::open(root.path(), &brand("acme")).expect("open");
    for key in ["../outside", "a/b", ".hidden", ""] {
        let result = store.set(key, b"x");
        assert!(
            matches!(result, Err(SecretStoreError::InvalidKey { .. })),
            "key {key:?}"
        );
    }
    assert!(!root.path().join("outside").exists());
}

#[cfg(unix)]
#[test]
fn file_store_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let root = tempfile::tempdir().expect("tempdir");
    let folder = root.path().join("walkout-acme");
    std::fs::create_dir(&folder).expect("pre-existing folder");
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let store = FileSecretStore::open(root.path(), &brand("acme")).expect("open");
    store.set("refresh_token", b"t").expect("set");

    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(store.folder()), 0o700);
    assert_eq!(mode(&store.folder().join("refresh_token")), 0o600);
}

/// Runs one helper of this test binary in a child process and returns its standard output.
fn run_helper(helper: &str, envs: &[(&str, &str)], removed: &[&str]) -> String {
    let exe = std::env::current_exe().expect("test binary path");
    let mut command = Command::new(exe);
    command
        .args([
            "helper_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, helper);
    for (name, value) in envs {
        command.env(name, value);
    }
    for name in removed {
        command.env_remove(name);
    }
    let output = command.output().expect("run helper");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "helper {helper} failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn file_secrets_survive_process_exit() {
    let root = tempfile::tempdir().expect("tempdir");
    let root_text = root.path().to_str().expect("UTF-8 temp path");

    run_helper("file-write", &[(ROOT_ENV, root_text)], &[]);

    let store = FileSecretStore::open(root.path(), &brand("acme")).expect("open");
    assert_eq!(
        found(store.get("refresh_token").expect("get")),
        b"refresh-from-child"
    );
    assert_eq!(
        found(store.get("entry.secret").expect("get")),
        vec![7u8; 32]
    );
}

#[test]
fn keyring_without_dbus_is_unavailable_not_absent() {
    // The child has no session bus, so the Secret Service cannot be reached; the socket path
    // below does not exist.
    let output = run_helper(
        "keyring-get",
        &[(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/walkout-test-bus",
        )],
        &["XDG_RUNTIME_DIR"],
    );
    if cfg!(target_os = "linux") {
        assert!(output.contains("lookup=unavailable"), "{output}");
    } else {
        assert!(output.contains("lookup="), "{output}");
    }
}

/// Helper body, run only in a child process started by the tests above.
#[test]
fn helper_process() {
    let Ok(helper) = std::env::var(HELPER_ENV) else {
        return;
    };
    match helper.as_str() {
        "file-write" => {
            let root = std::env::var(ROOT_ENV).expect("root folder");
            let store = FileSecretStore::open(Path::new(&root), &brand("acme")).expect("open");
            store
                .set("refresh_token", b"refresh-from-child")
                .expect("set");
            store.set("entry.secret", &[7u8; 32]).expect("set");
        }
        "keyring-get" => {
            let store = KeyringSecretStore::new(&brand("acme"));
            let outcome = match store.get("refresh_token") {
                Ok(SecretLookup::Found(_)) => "found",
                Ok(SecretLookup::Absent) => "absent",
                Ok(SecretLookup::Unavailable { .. }) => "unavailable",
                Err(_) => "error",
            };
            println!("lookup={outcome}");
        }
        other => panic!("unknown helper {other}"),
    }
}
