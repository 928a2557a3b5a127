//! Local stand-ins for cloud services, started on loopback ports for the tests and the demo.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::service::free_port;

/// A background process that is killed when dropped.
pub struct Background {
    name: &'static str,
    child: Child,
    pub url: String,
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Background {
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// Starts moto's server mode (the Cognito user pool stand-in) and waits until it answers.
pub fn start_moto(python: &Path, log_dir: &Path) -> anyhow::Result<Background> {
    let port = free_port()?;
    std::fs::create_dir_all(log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;
    let log_path = log_dir.join("moto.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let child = Command::new(python)
        .args([
            "-m",
            "moto.server",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .env("MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY", "HASH")
        .env("MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY", "HASH")
        // Without this moto accepts any TOTP code, and an MFA test could not fail.
        .env("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start moto (python -m moto.server)")?;
    let mut background = Background {
        name: "moto",
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    wait_for_http(
        &mut background,
        "/moto-api/data.json",
        Duration::from_secs(60),
        &log_path,
    )?;
    Ok(background)
}

fn wait_for_http(
    background: &mut Background,
    path: &str,
    timeout: Duration,
    log_path: &Path,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let url = format!("{}{path}", background.url);
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(2)))
        .http_status_as_error(false)
        .build()
        .new_agent();
    loop {
        if let Some(status) = background.child.try_wait()? {
            bail!(
                "{} exited during start-up ({status}); its log is {}",
                background.name,
                log_path.display()
            );
        }
        if let Ok(response) = agent.get(&url).call()
            && response.status() == 200
        {
            return Ok(());
        }
        if started.elapsed() > timeout {
            bail!(
                "{} did not answer within {} s; its log is {}",
                background.name,
                timeout.as_secs(),
                log_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
