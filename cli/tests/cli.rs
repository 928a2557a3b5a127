//! The built `walkout` binary: configuration errors, exit codes and `--json` output, against a
//! backend started on 127.0.0.1 by the test.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::Value;

const CONFIG: &str = r#"
brand = "acme"
backend_url = "BACKEND"
storage_dir = "STORAGE"

[cognito]
region = "eu-west-2"
user_pool_id = "eu-west-2_test"
client_id = "app-client"
client_secret = "do-not-print-me"
"#;

fn write_config(dir: &Path, backend: &str) -> std::path::PathBuf {
    let storage = dir.join("data");
    let text = CONFIG
        .replace("BACKEND", backend)
        .replace("STORAGE", storage.to_str().expect("UTF-8 path"));
    let path = dir.join("walkout.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// Runs `walkout` with `args`, without the caller's WALKOUT_CONFIG and with no session bus, so
/// the platform keyring is unreachable.
fn walkout(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_walkout"))
        .args(args)
        .env_remove("WALKOUT_CONFIG")
        .env_remove("XDG_RUNTIME_DIR")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/walkout-test-bus",
        )
        .output()
        .expect("run walkout")
}

fn stdout_json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    assert_eq!(lines.next(), None, "more than one line on stdout: {text}");
    serde_json::from_str(first).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Starts a backend serving /healthz and /readyz on its own thread; it lives until the test
/// process exits.
fn start_backend() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let app = Router::new()
                .route(
                    "/healthz",
                    get(|| async { axum::Json(serde_json::json!({"status": "ok"})) }),
                )
                .route(
                    "/readyz",
                    get(|| async {
                        axum::Json(serde_json::json!({"status": "ready", "schema_version": 3}))
                    }),
                );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            sender
                .send(listener.local_addr().expect("address"))
                .expect("send");
            axum::serve(listener, app).await.expect("serve");
        });
    });
    let address = receiver
        .recv_timeout(Duration::from_secs(10))
        .expect("server started");
    format!("http://{address}")
}

#[test]
fn missing_config_file_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("absent.toml");
    let output = walkout(&["--config", path.to_str().expect("path"), "status"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("absent.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn no_config_exits_2() {
    let output = walkout(&["status"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--config"), "{}", stderr(&output));
}

#[test]
fn invalid_value_names_file_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "not a url");
    let output = walkout(&["--config", path.to_str().expect("path"), "config", "show"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(message.contains("walkout.toml"), "{message}");
    assert!(message.contains("backend_url"), "{message}");
    assert!(message.contains("http://"), "{message}");
}

#[test]
fn missing_key_is_named_in_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("walkout.toml");
    std::fs::write(&path, "brand = \"acme\"\n").expect("write");
    let output = walkout(&["--json", "--config", path.to_str().expect("path"), "status"]);
    assert_eq!(output.status.code(), Some(2));
    let value = stdout_json(&output);
    assert_eq!(value["error"]["kind"], "config");
    let message = value["error"]["message"].as_str().expect("message");
    assert!(message.contains("backend_url"), "{message}");
}

#[test]
fn bad_brand_flag_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "http://127.0.0.1:9");
    let output = walkout(&[
        "--config",
        path.to_str().expect("path"),
        "--brand",
        "Acme Foods",
        "config",
        "show",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--brand"), "{}", stderr(&output));
}

#[test]
fn config_show_json_applies_overrides_and_hides_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "http://127.0.0.1:9");
    let output = walkout(&[
        "--json",
        "--config",
        path.to_str().expect("path"),
        "--brand",
        "other-shop",
        "--storage",
        "/srv/walkout",
        "config",
        "show",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value = stdout_json(&output);
    assert_eq!(value["brand"], "other-shop");
    assert_eq!(value["storage_dir"], "/srv/walkout");
    assert_eq!(value["cognito"]["client_secret_set"], true);
    assert!(!String::from_utf8_lossy(&output.stdout).contains("do-not-print-me"));
}

#[test]
fn config_show_text_hides_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), "http://127.0.0.1:9");
    let output = walkout(&["--config", path.to_str().expect("path"), "config", "show"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(text.contains("brand = \"acme\""), "{text}");
    assert!(!text.contains("do-not-print-me"), "{text}");
}

#[test]
fn status_json_reports_healthy_backend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), &start_backend());
    let output = walkout(&[
        "--json",
        "--config",
        path.to_str().expect("path"),
        "--secret-store",
        "file",
        "status",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value = stdout_json(&output);
    assert_eq!(value["brand"], "acme");
    assert_eq!(value["live"], true);
    assert_eq!(value["ready"], true);
    assert_eq!(value["schema_version"], 3);
    assert!(value["clock_offset_millis"].is_i64(), "{value}");
    let database = dir.path().join("data").join("walkout-acme.sqlite3");
    assert_eq!(value["database"], database.to_str().expect("path"));
    assert_eq!(value["secret_store"]["kind"], "file");
}

#[cfg(target_os = "linux")]
#[test]
fn status_without_keyring_warns_and_uses_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), &start_backend());
    let output = walkout(&["--json", "--config", path.to_str().expect("path"), "status"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value = stdout_json(&output);
    assert_eq!(value["secret_store"]["kind"], "file");
    let warnings = stderr(&output);
    assert_eq!(
        warnings
            .lines()
            .filter(|line| line.starts_with("warning:"))
            .count(),
        1,
        "{warnings}"
    );
    assert!(warnings.contains("weaker"), "{warnings}");
}

#[test]
fn unreachable_backend_exits_1() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_config(dir.path(), &format!("http://{address}"));
    let output = walkout(&[
        "--json",
        "--config",
        path.to_str().expect("path"),
        "--secret-store",
        "file",
        "status",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let value = stdout_json(&output);
    assert_eq!(value["error"]["kind"], "offline");
}
