//! `cargo xtask demo`: the shopper journey against local services, stage by stage.
//!
//! Today the journey covers the service itself: build, start with embedded defaults (SQLite in
//! a fresh data folder), readiness, and a clean stop on SIGTERM.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::service::Service;
use crate::stage::{self, StageRecord};
use crate::{tools, workspace_root};

struct Options {
    data_dir: Option<PathBuf>,
    json: bool,
}

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        data_dir: None,
        json: false,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--data-dir" => {
                let value = iter.next().context("--data-dir needs a folder")?;
                options.data_dir = Some(PathBuf::from(value));
            }
            "--json" => options.json = true,
            other => bail!("unknown demo option {other:?}; expected --data-dir DIR or --json"),
        }
    }
    Ok(options)
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse_options(args)?;
    let root = workspace_root();
    let mut records: Vec<StageRecord> = Vec::new();

    let result = journey(&root, &options, &mut records);

    if options.json {
        let stages: Vec<serde_json::Value> = records
            .iter()
            .map(|r| serde_json::json!({"name": r.name, "ok": r.ok, "duration_ms": r.duration.as_millis() as u64}))
            .collect();
        let mut summary = serde_json::json!({ "stages": stages, "ok": result.is_ok() });
        if let Err(error) = &result {
            summary["error"] = serde_json::Value::String(format!("{error:#}"));
        }
        println!("{summary}");
    } else {
        stage::print_summary(&records);
    }
    result
}

fn journey(
    root: &std::path::Path,
    options: &Options,
    records: &mut Vec<StageRecord>,
) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    stage::run(records, "build the service and the CLI", || {
        tools::run(
            Command::new(&cargo).current_dir(root).args([
                "build",
                "--quiet",
                "-p",
                "walkout-connectors",
                "-p",
                "walkout-cli",
            ]),
            "cargo build",
        )
    })?;
    let binary = root.join("target").join("debug").join("walkout-connectors");

    let (data_dir, _temp_guard) = match &options.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (dir.clone(), None)
        }
        None => {
            let dir = root
                .join("target")
                .join("demo")
                .join(format!("run-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (dir.clone(), Some(RemoveOnDrop(dir)))
        }
    };

    let mut service = stage::run(
        records,
        "start walkout-connectors (embedded SQLite)",
        || {
            let mut service = Service::start(&binary, &data_dir, &[])?;
            service.wait_ready(Duration::from_secs(30))?;
            Ok(service)
        },
    )?;
    eprintln!(
        "    listening on {} (data in {})",
        service.base_url,
        data_dir.display()
    );
    eprintln!(
        "    secrets in {}",
        data_dir.join("credentials.toml").display()
    );

    stage::run(records, "check readiness", || check_ready(&mut service))?;

    stage::run(records, "stop the service (SIGTERM)", || {
        let code = service.stop(Duration::from_secs(30))?;
        if code != 0 {
            bail!("the service exited with code {code} after SIGTERM; expected 0");
        }
        Ok(())
    })?;
    Ok(())
}

fn check_ready(service: &mut Service) -> anyhow::Result<()> {
    let body: serde_json::Value = ureq::get(&format!("{}/readyz", service.base_url))
        .call()
        .context("GET /readyz failed")?
        .body_mut()
        .read_json()
        .context("GET /readyz did not return JSON")?;
    eprintln!("    /readyz: {body}");
    Ok(())
}

/// Removes a temporary demo folder when the demo ends, whatever the outcome.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
