//! The `walkout-connectors` binary as an operator runs it: start, signals, exit codes, logs.

use std::io::{Read, Write};
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

/// The service binary serving on a loopback port with JSON logs on a pipe.
struct Serving {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Serving {
    fn start() -> Serving {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new(BINARY)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(dir.path())
            .env("WALKOUT_LOG_FORMAT", "json")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_until_ready(port);
        Serving { child, port, dir }
    }

    /// Sends `signal` (`TERM`, `INT`), waits for the exit, and returns the exit code and the log.
    fn stop_with(mut self, signal: &str) -> (Option<i32>, String, tempfile::TempDir) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut log)
            .unwrap();
        (exit.code(), log, self.dir)
    }
}

/// Sends one HTTP/1.1 GET and returns the raw response head and body.
fn get(port: u16, path: &str, request_id: Option<&str>) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let id_header = request_id.map_or(String::new(), |id| format!("X-Request-Id: {id}\r\n"));
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{id_header}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

fn header<'a>(response: &'a str, name: &str) -> Option<&'a str> {
    response.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn json_lines(log: &str) -> Vec<serde_json::Value> {
    log.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect()
}

/// Selects the end-of-request log lines of one request id.
fn request_lines<'a>(
    lines: &'a [serde_json::Value],
    request_id: &str,
) -> Vec<&'a serde_json::Value> {
    lines
        .iter()
        .filter(|line| line["span"]["request_id"] == request_id)
        .filter(|line| line["fields"]["status"].is_u64())
        .collect()
}

#[test]
fn sigterm_stops_cleanly_and_logs_no_secret() {
    let serving = Serving::start();
    let (code, log, dir) = serving.stop_with("TERM");
    assert_eq!(code, Some(0));
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
    for line in json_lines(&log) {
        assert!(line["level"].is_string());
    }
}

#[test]
fn sigint_stops_cleanly() {
    let serving = Serving::start();
    let (code, log, _dir) = serving.stop_with("INT");
    assert_eq!(code, Some(0), "{log}");
    let messages: Vec<String> = json_lines(&log)
        .iter()
        .filter_map(|line| line["fields"]["message"].as_str().map(str::to_owned))
        .collect();
    assert!(
        messages.iter().any(|m| m.starts_with("shutdown requested")),
        "no shutdown line in {messages:?}"
    );
}

#[test]
fn request_log_lines_carry_the_request_id() {
    let serving = Serving::start();
    let port = serving.port;
    let with_id = get(port, "/healthz", Some("req-log-check-0042"));
    assert_eq!(header(&with_id, "x-request-id"), Some("req-log-check-0042"));
    let missing = get(port, "/no/such/route", None);
    let generated = header(&missing, "x-request-id")
        .expect("a generated request id is echoed")
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let (_, log, _dir) = serving.stop_with("TERM");
    let lines = json_lines(&log);

    let finished = request_lines(&lines, "req-log-check-0042");
    assert_eq!(finished.len(), 1, "one end line for the given id in {log}");
    assert_eq!(finished[0]["fields"]["status"], 200);
    assert_eq!(finished[0]["span"]["path"], "/healthz");

    let rejected = request_lines(&lines, &generated);
    assert_eq!(
        rejected.len(),
        1,
        "one end line for the generated id in {log}"
    );
    assert_eq!(rejected[0]["fields"]["status"], 404);
    assert_eq!(rejected[0]["fields"]["problem"], "not-found");
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
