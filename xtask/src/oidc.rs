//! The Node test emulators: oidc-provider (a generic OpenID provider for hosted sign-in) and,
//! through `cognito_local`, cognito-local.
//!
//! Each is an npm package pinned to an exact version, installed on first use under
//! `~/.cache/walkout/<tool>-<version>/` and never into the repository. Each runs on 127.0.0.1
//! with a free port and is killed when its handle drops.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::{tools, workspace_root};

/// Pinned oidc-provider version; it must match `xtask/oidc/package.json`. 9.x warns that it
/// wants Node 22 but runs on Node 20.19 and later.
pub const OIDC_PROVIDER_VERSION: &str = "9.13.3";

/// The client id and test shopper the provider script registers.
pub const OIDC_CLIENT_ID: &str = "walkout-test";
pub const OIDC_USER_EMAIL: &str = "shopper@example.com";
pub const OIDC_USER_PASSWORD: &str = "correct horse battery staple";

/// A Node process that is killed when dropped.
pub struct NodeService {
    pub name: &'static str,
    child: Child,
    pub url: String,
    pub log_path: PathBuf,
}

impl Drop for NodeService {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl NodeService {
    /// Wraps a started process; `url` may be filled in once the process reports it.
    pub fn new(name: &'static str, child: Child, url: String, log_path: PathBuf) -> Self {
        Self {
            name,
            child,
            url,
            log_path,
        }
    }

    /// Checks whether the process is still running, failing with its log's path when not.
    pub fn ensure_running(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited ({status}); its log is {}",
                self.name,
                self.log_path.display()
            );
        }
        Ok(())
    }
}

/// Installs the npm packages of `package_json` into `dir`, once. A folder without its
/// completion marker (an interrupted install) is installed again.
pub fn npm_install(dir: &Path, package_json: &str) -> anyhow::Result<()> {
    let marker = dir.join(".walkout-complete");
    if marker.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("package.json"), package_json)
        .with_context(|| format!("cannot write package.json in {}", dir.display()))?;
    tools::run(
        Command::new("npm").current_dir(dir).args([
            "install",
            "--no-audit",
            "--no-fund",
            "--omit=dev",
            "--save-exact",
        ]),
        "npm install",
    )?;
    std::fs::write(&marker, b"").context("cannot write the completion marker")?;
    Ok(())
}

/// Installs oidc-provider and returns the folder holding it and the provider script.
pub fn install_oidc_provider() -> anyhow::Result<PathBuf> {
    let source = workspace_root().join("xtask").join("oidc");
    let package_json = std::fs::read_to_string(source.join("package.json"))
        .context("cannot read xtask/oidc/package.json")?;
    if !package_json.contains(&format!("\"oidc-provider\": \"{OIDC_PROVIDER_VERSION}\"")) {
        bail!("xtask/oidc/package.json does not pin oidc-provider {OIDC_PROVIDER_VERSION}");
    }
    let dir = tools::cache_root()?.join(format!("oidc-provider-{OIDC_PROVIDER_VERSION}"));
    npm_install(&dir, &package_json)?;
    // The script is copied on every run, so edits to it take effect without a reinstall.
    std::fs::copy(source.join("server.mjs"), dir.join("server.mjs"))
        .context("cannot copy xtask/oidc/server.mjs")?;
    Ok(dir)
}

/// Starts the provider script from `dir` and waits for its `READY <issuer>` line.
pub fn start_oidc_provider(dir: &Path, log_dir: &Path) -> anyhow::Result<NodeService> {
    std::fs::create_dir_all(log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;
    let log_path = log_dir.join("oidc-provider.log");
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot create {}", log_path.display()))?;
    let child = Command::new("node")
        .current_dir(dir)
        .arg("server.mjs")
        .env("PORT", "0")
        .env("OIDC_CLIENT_ID", OIDC_CLIENT_ID)
        .env("OIDC_USER_EMAIL", OIDC_USER_EMAIL)
        .env("OIDC_USER_PASSWORD", OIDC_USER_PASSWORD)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("cannot start node (is Node.js 20.19 or later installed?)")?;
    let mut service = NodeService::new("oidc-provider", child, String::new(), log_path);
    service.url = wait_for_line(&mut service, "READY ", Duration::from_secs(30))?;
    Ok(service)
}

/// Waits until the service's log has a line starting with `prefix` and returns the rest of it.
pub fn wait_for_line(
    service: &mut NodeService,
    prefix: &str,
    timeout: Duration,
) -> anyhow::Result<String> {
    let started = Instant::now();
    loop {
        service.ensure_running()?;
        let text = std::fs::read_to_string(&service.log_path).unwrap_or_default();
        if let Some(rest) = text.lines().find_map(|line| line.strip_prefix(prefix)) {
            return Ok(rest.trim().to_owned());
        }
        if started.elapsed() > timeout {
            bail!(
                "{} did not start within {} s; its log is {}",
                service.name,
                timeout.as_secs(),
                service.log_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `cargo xtask emulators [--for-seconds N]`: starts oidc-provider and cognito-local, prints
/// the environment variables the tests read, and stops them after N seconds (default 3600) or
/// on Ctrl-C.
pub fn run_emulators(args: &[String]) -> anyhow::Result<()> {
    let seconds = match args {
        [] => 3600,
        [flag, value] if flag == "--for-seconds" => value
            .parse::<u64>()
            .with_context(|| format!("--for-seconds takes a whole number, found {value:?}"))?,
        other => bail!("cargo xtask emulators takes only --for-seconds N, found {other:?}"),
    };
    let log_dir = workspace_root().join("target").join("test-services");

    let started = Instant::now();
    let oidc_dir = install_oidc_provider()?;
    eprintln!(
        "oidc-provider installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let oidc = start_oidc_provider(&oidc_dir, &log_dir)?;
    eprintln!(
        "oidc-provider started in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let cognito_dir = crate::cognito_local::install()?;
    eprintln!(
        "cognito-local installed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let cognito_run_dir = log_dir.join("cognito-local");
    let cognito = crate::cognito_local::start(&cognito_dir, &cognito_run_dir)?;
    eprintln!(
        "cognito-local started in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    println!("export WALKOUT_OIDC_URL={}", oidc.url);
    println!("export WALKOUT_COGNITO_LOCAL_URL={}", cognito.url);
    println!(
        "export WALKOUT_COGNITO_LOCAL_DIR={}",
        cognito_run_dir.display()
    );
    eprintln!("running for {seconds} s; press Ctrl-C to stop earlier");
    std::thread::sleep(Duration::from_secs(seconds));
    Ok(())
}
