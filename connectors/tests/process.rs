//! The `walkout-connectors` binary as an operator runs it: start, signals, exit codes, logs.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_walkout-connectors");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_until_ready(port: u16) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("service on port {port} did not start within 30 s");
}

#[test]
fn sigterm_stops_cleanly_and_logs_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .env("WALKOUT_LOG_FORMAT", "json")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_ready(port);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));

    let mut log = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(
        log.contains("credentials.toml"),
        "the log names the credentials file: {log}"
    );
    let credentials = std::fs::read_to_string(dir.path().join("credentials.toml")).unwrap();
    let table: toml::Table = credentials.parse().unwrap();
    for (name, value) in &table {
        let secret = value.as_str().unwrap();
        assert!(!log.contains(secret), "the log contains {name}");
    }
    for line in log.lines() {
        let parsed: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(parsed["level"].is_string());
    }
}

#[test]
fn missing_config_file_exits_2_naming_it() {
    let output = Command::new(BINARY)
        .args(["serve", "--config", "/no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/no/such/file.toml"), "{stderr}");
}

#[test]
fn bad_variable_exits_2_naming_it() {
    let output = Command::new(BINARY)
        .args(["serve"])
        .env("WALKOUT_SHUTDOWN_GRACE_SECS", "soon")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("WALKOUT_SHUTDOWN_GRACE_SECS"), "{stderr}");
}

#[test]
fn database_that_is_not_sqlite_stops_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("walkout.sqlite3");
    std::fs::write(
        &path,
        "not a database, just some text that is long enough to be checked".repeat(100),
    )
    .unwrap();
    let before = std::fs::read(&path).unwrap();
    let output = Command::new(BINARY)
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a SQLite database"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn admin_key_create_prints_a_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BINARY)
        .args([
            "admin-key",
            "create",
            "--scopes",
            "catalog:write,reports:read",
        ])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let key = String::from_utf8(output.stdout).unwrap();
    assert!(key.trim().starts_with("wk_admin_"), "{key}");
    assert_eq!(key.trim().len(), "wk_admin_".len() + 43);
}

#[test]
fn admin_key_create_rejects_unknown_scope() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(BINARY)
        .args(["admin-key", "create", "--scopes", "everything"])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown scope \"everything\""), "{stderr}");
}
