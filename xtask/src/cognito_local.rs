//! cognito-local, the Node Cognito emulator that checks what moto fakes: confirmation codes,
//! `RevokeToken` and `DeleteUser`.
//!
//! It runs on 127.0.0.1 with a free port and a fresh working folder per run. It keeps each
//! user's confirmation code in `.cognito/db/<pool id>.json` under that folder, where tests read
//! it (`WALKOUT_COGNITO_LOCAL_DIR`). `CODE` is left unset so codes are random and a test cannot
//! pass with a guessed one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::oidc::{NodeService, npm_install};
use crate::service::free_port;
use crate::tools;

/// Pinned cognito-local version.
pub const COGNITO_LOCAL_VERSION: &str = "5.3.0";

/// Installs cognito-local and returns the folder holding its `node_modules`.
pub fn install() -> anyhow::Result<PathBuf> {
    let dir = tools::cache_root()?.join(format!("cognito-local-{COGNITO_LOCAL_VERSION}"));
    let package_json = format!(
        "{{\"name\":\"walkout-cognito-local\",\"private\":true,\
         \"dependencies\":{{\"cognito-local\":\"{COGNITO_LOCAL_VERSION}\"}}}}\n"
    );
    npm_install(&dir, &package_json)?;
    Ok(dir)
}

/// Starts cognito-local from `dir`, with its data under `run_dir`, and waits for `/health`.
pub fn start(dir: &Path, run_dir: &Path) -> anyhow::Result<NodeService> {
    // A fresh `.cognito` folder per run, so pools and users from an earlier run never leak in.
    if run_dir.exists() {
        std::fs::remove_dir_all(run_dir)
            .with_context(|| format!("cannot clear {}", run_dir.display()))?;
    }
    std::fs::create_dir_all(run_dir)
        .with_context(|| format!("cannot create {}", run_dir.display()))?;

    let port = free_port()?;
    let log_path = run_dir.join("cognito-local.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let script = dir
        .join("node_modules")
        .join("cognito-local")
        .join("lib")
        .join("bin")
        .join("start.js");
    let child = Command::new("node")
        .current_dir(run_dir)
        .arg(&script)
        .env("PORT", port.to_string())
        .env("HOST", "127.0.0.1")
        .env_remove("CODE")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start node {}", script.display()))?;

    let url = format!("http://127.0.0.1:{port}");
    let mut service = NodeService::new("cognito-local", child, url, log_path);
    wait_for_health(&mut service, Duration::from_secs(30))?;
    Ok(service)
}

fn wait_for_health(service: &mut NodeService, timeout: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = format!("{}/health", service.url);
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    loop {
        service.ensure_running()?;
        if let Ok(response) = agent.get(&url).call()
            && response.status() == 200
        {
            return Ok(());
        }
        if started.elapsed() > timeout {
            bail!(
                "cognito-local did not respond on {url} within {} s; its log is {}",
                timeout.as_secs(),
                service.log_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
