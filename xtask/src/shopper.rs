//! A shopper in the demo: the `walkout` CLI (the headless app over the core) with its own
//! configuration and storage folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::cognito::UserPool;

pub struct Shopper {
    pub email: String,
    pub password: String,
    binary: PathBuf,
    config_path: PathBuf,
    pub storage: PathBuf,
}

impl Shopper {
    /// Writes the shopper's app configuration under `folder`.
    pub fn new(
        binary: &Path,
        folder: &Path,
        backend_url: &str,
        pool: &UserPool,
        email: &str,
    ) -> anyhow::Result<Shopper> {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let config = format!(
            "brand = \"walkout\"\nbackend_url = \"{backend_url}\"\nstorage_dir = \"{storage}\"\n\n\
             [cognito]\nregion = \"{region}\"\nendpoint_url = \"{endpoint}\"\nuser_pool_id = \"{pool_id}\"\nclient_id = \"{client_id}\"\n",
            storage = folder.display(),
            region = pool.region,
            endpoint = pool.endpoint,
            pool_id = pool.pool_id,
            client_id = pool.client_id,
        );
        let config_path = folder.join("walkout.toml");
        std::fs::write(&config_path, config)
            .with_context(|| format!("cannot write {}", config_path.display()))?;
        Ok(Shopper {
            email: email.to_owned(),
            // A demo password that meets moto's default policy (upper, lower, digit, symbol).
            password: "Walk-0ut demo!".to_owned(),
            binary: binary.to_owned(),
            config_path,
            storage: folder.to_owned(),
        })
    }

    /// Runs one `walkout` command with `--json` and returns its JSON output.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<Value> {
        let mut command = Command::new(&self.binary);
        command
            .arg("--config")
            .arg(&self.config_path)
            .args(["--json", "--secret-store", "file"])
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().context("cannot start the walkout CLI")?;
        if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(text.as_bytes())
                .context("cannot write to the walkout CLI")?;
        }
        let output = child
            .wait_with_output()
            .context("the walkout CLI did not finish")?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let parsed: Option<Value> = stdout
            .lines()
            .rev()
            .find_map(|line| serde_json::from_str(line).ok());
        if !output.status.success() {
            let detail = parsed
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| String::from_utf8_lossy(&output.stderr).trim().to_owned());
            bail!(
                "`walkout {}` failed ({}): {detail}",
                args.join(" "),
                output.status
            );
        }
        parsed.with_context(|| format!("`walkout {}` printed no JSON: {stdout}", args.join(" ")))
    }

    /// Runs one `walkout` command without `--json` and returns what it printed for people.
    pub fn run_text(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.binary)
            .arg("--config")
            .arg(&self.config_path)
            .args(["--secret-store", "file"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("cannot start the walkout CLI")?;
        if !output.status.success() {
            bail!(
                "`walkout {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Signs the shopper up, confirms the account (moto accepts any code) and signs in with SRP.
    pub fn sign_up_and_in(&self) -> anyhow::Result<Value> {
        let password_line = format!("{}\n", self.password);
        self.run(
            &["sign-up", &self.email, "--password-stdin"],
            Some(&password_line),
        )?;
        self.run(&["confirm", &self.email, "000000"], None)?;
        self.run(
            &["sign-in", &self.email, "--password-stdin"],
            Some(&password_line),
        )
    }

    /// Saves a card through PSP tokenization: the number never reaches the backend.
    pub fn add_card(&self, number: &str) -> anyhow::Result<Value> {
        self.run(
            &["cards", "add", "--stdin"],
            Some(&format!("{number}\n12/34\n123\n")),
        )
    }
}
