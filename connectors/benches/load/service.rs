//! The processes under load: the release `walkout-connectors serve` binary on a loopback port
//! with a temporary data folder, and the empty-handler server that gives the HTTP stack's
//! ceiling. Each runs in its own process so the driver never shares their runtime or cores'
//! scheduling queue; both are killed when their handle is dropped.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use walkout_connectors::config::Config;

/// Environment variable that turns this benchmark binary into the empty-handler server.
pub const EMPTY_HANDLER_ROLE: &str = "WALKOUT_BENCH_EMPTY_HANDLER";

/// A child process that is killed when dropped.
pub struct ChildProcess {
    child: Child,
    pub base_url: String,
}

impl ChildProcess {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size so far (`VmHWM`), in KiB; `None` off Linux.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        peak_rss_kib(&self.pid().to_string())
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `VmHWM` (peak resident set size, KiB) of `/proc/<pid>/status`.
pub fn peak_rss_kib(pid: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|error| panic!("cannot bind a loopback port: {error}"));
    listener
        .local_addr()
        .unwrap_or_else(|error| panic!("no local address: {error}"))
        .port()
}

/// Creates `credentials.toml` in `data_dir` and the database (the SQLite file in `data_dir`
/// unless `database_url` names another), and imports the demo catalog from the real data,
/// before the service starts. Returns the JWO caller token.
pub async fn prepare_data_dir(
    data_dir: &Path,
    database_url: Option<&str>,
    data_file: &Path,
) -> String {
    let config = Config {
        data_dir: data_dir.to_owned(),
        database_url: database_url.map(str::to_owned),
        ..Config::default()
    };
    let (credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .unwrap_or_else(|error| panic!("cannot create the data folder: {error}"));
    let data = walkout_connectors::catalog::uci::load(data_file, &mut |_| {})
        .unwrap_or_else(|error| panic!("cannot load {}: {error}", data_file.display()));
    let catalog = walkout_connectors::catalog::uci::build_catalog(&data);
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(i64::MAX);
    walkout_connectors::catalog::store::upsert_items(&db, &catalog.items, now_ms)
        .await
        .unwrap_or_else(|error| panic!("catalog import failed: {error}"));
    db.pool.close().await;
    credentials.jwo_caller_token.clone()
}

/// Returns the folder of the results file named by `WALKOUT_BENCH_OUT`, so the service log
/// outlives the temporary data folder, or else `data_dir`.
fn log_dir(data_dir: &Path) -> PathBuf {
    std::env::var_os("WALKOUT_BENCH_OUT")
        .map(PathBuf::from)
        .and_then(|out| out.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| data_dir.to_path_buf())
}

/// Starts `binary serve` on a free loopback port with `data_dir` and the `WALKOUT_*`
/// variables in `env`, and waits until `/readyz` returns 200. The service's log goes to the
/// file `log_name` beside the results file.
pub async fn start_service(
    binary: &Path,
    data_dir: &Path,
    env: &[(&str, String)],
    log_name: &str,
) -> ChildProcess {
    let port = free_port();
    let log_path = log_dir(data_dir).join(log_name);
    let log = std::fs::File::create(&log_path)
        .unwrap_or_else(|error| panic!("cannot create {}: {error}", log_path.display()));
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    let process = ChildProcess {
        child,
        base_url: format!("http://127.0.0.1:{port}"),
    };
    wait_ready(&process, &log_path).await;
    process
}

async fn wait_ready(process: &ChildProcess, log_path: &Path) {
    let client = reqwest::Client::new();
    let url = format!("{}/readyz", process.base_url);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        let response = client.get(&url).send().await;
        if response.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the service did not become ready within 30 s; see {}",
        log_path.display()
    );
}

/// Starts this same binary as the empty-handler server and reads the port it prints.
pub fn start_empty_handler() -> ChildProcess {
    let exe: PathBuf = std::env::current_exe()
        .unwrap_or_else(|error| panic!("cannot find this executable: {error}"));
    let mut child = Command::new(exe)
        .env(EMPTY_HANDLER_ROLE, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start the empty-handler server: {error}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap_or_else(|error| panic!("the empty-handler server printed no port: {error}"));
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("the empty-handler server printed {line:?}, not a port"));
    ChildProcess {
        child,
        base_url: format!("http://127.0.0.1:{port}"),
    }
}

/// Serves `POST /v1/identity/identity-keys` with a fixed admission body, on the HTTP stack of
/// the service (axum on hyper and tokio's multi-threaded runtime), and prints the port.
pub fn serve_empty_handler() {
    let runtime = tokio::runtime::Runtime::new()
        .unwrap_or_else(|error| panic!("cannot build the runtime: {error}"));
    runtime.block_on(async {
        let app = axum::Router::new().route(
            "/v1/identity/identity-keys",
            axum::routing::post(|| async {
                (
                    [("content-type", "application/json")],
                    r#"{"visitorDetails":{"id":"0190a000-0000-7000-8000-000000000001","type":"SHOPPER"}}"#,
                )
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|error| panic!("cannot bind a loopback port: {error}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|error| panic!("no local address: {error}"))
            .port();
        println!("{port}");
        let _ = axum::serve(listener, app).await;
    });
}
