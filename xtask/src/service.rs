//! Starting and stopping the connectors service for the demo.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// A running `walkout-connectors serve` child process. Dropping it kills the process, so a
/// failing demo never leaves a service behind.
pub struct Service {
    child: Option<Child>,
    pub base_url: String,
    pub log_path: PathBuf,
}

/// Picks a free loopback port by binding port 0 and releasing it.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind a loopback port")?;
    Ok(listener.local_addr()?.port())
}

impl Service {
    /// Starts the service on a free loopback port with `data_dir`, logging as JSON to a file
    /// in that folder.
    pub fn start(
        binary: &Path,
        data_dir: &Path,
        extra_env: &[(&str, String)],
    ) -> anyhow::Result<Service> {
        let port = free_port()?;
        let log_path = data_dir.join("walkout-connectors.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create the service log {}", log_path.display()))?;

        let mut command = Command::new(binary);
        command
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .env("WALKOUT_LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        for (name, value) in extra_env {
            command.env(name, value);
        }
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Service {
            child: Some(child),
            base_url: format!("http://127.0.0.1:{port}"),
            log_path,
        })
    }

    /// Polls `/readyz` until it answers 200, the process exits, or `timeout` passes.
    pub fn wait_ready(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let started = Instant::now();
        let url = format!("{}/readyz", self.base_url);
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(2)))
            .http_status_as_error(false)
            .build()
            .new_agent();
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                bail!(
                    "the service exited during start-up ({status}); its log is {}",
                    self.log_path.display()
                );
            }
            if let Ok(response) = agent.get(&url).call()
                && response.status() == 200
            {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!(
                    "the service did not become ready within {} s; its log is {}",
                    timeout.as_secs(),
                    self.log_path.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit code.
    pub fn stop(mut self, timeout: Duration) -> anyhow::Result<i32> {
        let Some(mut child) = self.child.take() else {
            bail!("the service was already stopped");
        };
        let pid = child.id().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .context("cannot run kill")?;
        if !status.success() {
            bail!("kill -TERM {pid} failed");
        }
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status.code().unwrap_or(-1));
            }
            if started.elapsed() > timeout {
                let _ = child.kill();
                bail!(
                    "the service did not stop within {} s of SIGTERM",
                    timeout.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
