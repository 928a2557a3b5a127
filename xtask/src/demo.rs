//! `cargo xtask demo`: the shopper journey against local services, stage by stage.
//!
//! Every part runs for real on this machine: moto stands in for the Cognito user pool, the
//! connectors service runs with its embedded defaults (SQLite, the sandbox PSP), and the shopper
//! side is the `walkout` CLI over the app core. Each stage prints one line with its duration; a
//! failure names the stage and its cause, and every process the demo started is stopped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::cognito::{self, UserPool};
use crate::service::Service;
use crate::services::{self, Background};
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

/// What the journey produced, for the closing summary and `--json`.
#[derive(Default)]
struct Outcome {
    records: Vec<StageRecord>,
    gate: Vec<Value>,
    receipts: Vec<Value>,
    artifacts: Vec<Value>,
}

pub fn run(args: &[String]) -> anyhow::Result<()> {
    let options = parse_options(args)?;
    let root = workspace_root();
    let mut outcome = Outcome::default();

    let result = journey(&root, &options, &mut outcome);

    if options.json {
        let stages: Vec<Value> = outcome
            .records
            .iter()
            .map(|r| json!({"name": r.name, "ok": r.ok, "duration_ms": r.duration.as_millis() as u64}))
            .collect();
        let mut summary = json!({
            "ok": result.is_ok(),
            "stages": stages,
            "gate": outcome.gate,
            "receipts": outcome.receipts,
            "artifacts": outcome.artifacts,
        });
        if let Err(error) = &result {
            summary["error"] = Value::String(format!("{error:#}"));
        }
        println!("{summary}");
    } else {
        stage::print_summary(&outcome.records);
    }
    result
}

/// The processes and folders of one demo run.
struct Run {
    data_dir: PathBuf,
    _moto: Background,
    pool: UserPool,
    service: Option<Service>,
}

fn journey(root: &Path, options: &Options, outcome: &mut Outcome) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let records = &mut outcome.records;

    let python = stage::run(records, "install tools (Python venv with moto)", || {
        tools::python_venv(tools::PYTHON_PACKAGES)
    })?;

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

    let (data_dir, _temp_guard) = prepare_data_dir(root, options)?;

    let moto = stage::run(records, "start moto (Cognito user pool stand-in)", || {
        services::start_moto(&python, &data_dir)
    })?;
    let pool = stage::run(records, "create the user pool and app client", || {
        cognito::create_user_pool(&moto.url, "walkout-demo")
    })?;
    eprintln!(
        "    pool {} with client {} on {}",
        pool.pool_id, pool.client_id, moto.url
    );

    let mut run = Run {
        data_dir,
        _moto: moto,
        pool,
        service: None,
    };

    let service = stage::run(
        records,
        "start walkout-connectors (SQLite, sandbox PSP)",
        || {
            let env = [
                ("WALKOUT_AUTH__ISSUER", run.pool.issuer()),
                ("WALKOUT_AUTH__JWKS_URL", run.pool.jwks_url()),
                (
                    "WALKOUT_AUTH__CLIENT_IDS",
                    format!("[\"{}\"]", run.pool.client_id),
                ),
            ];
            let mut service = Service::start(&binary, &run.data_dir, &env)?;
            service.wait_ready(Duration::from_secs(30))?;
            Ok(service)
        },
    )?;
    eprintln!(
        "    listening on {} (data in {})",
        service.base_url,
        run.data_dir.display()
    );
    eprintln!(
        "    secrets in {}",
        run.data_dir.join("credentials.toml").display()
    );
    run.service = Some(service);

    stage::run(records, "check readiness", || check_ready(&run))?;

    stage::run(records, "stop the service (SIGTERM)", || {
        let service = run.service.take().context("the service is not running")?;
        let code = service.stop(Duration::from_secs(30))?;
        if code != 0 {
            bail!("the service exited with code {code} after SIGTERM; expected 0");
        }
        Ok(())
    })?;
    outcome
        .artifacts
        .push(json!({"kind": "service-log", "path": run.data_dir.join("walkout-connectors.log")}));
    Ok(())
}

fn prepare_data_dir(
    root: &Path,
    options: &Options,
) -> anyhow::Result<(PathBuf, Option<RemoveOnDrop>)> {
    match &options.data_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok((dir.clone(), None))
        }
        None => {
            let dir = root
                .join("target")
                .join("demo")
                .join(format!("run-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Ok((dir.clone(), Some(RemoveOnDrop(dir))))
        }
    }
}

fn check_ready(run: &Run) -> anyhow::Result<()> {
    let service = run.service.as_ref().context("the service is not running")?;
    let body: Value = ureq::get(&format!("{}/readyz", service.base_url))
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
