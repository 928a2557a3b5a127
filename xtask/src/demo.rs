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

use std::time::Instant;

use crate::cognito::{self, UserPool};
use crate::journey::{Jwo, decode_png, pos_files, scan};
use crate::receiver::Receiver;
use crate::service::Service;
use crate::services::{self, Background};
use crate::shopper::Shopper;
use crate::stage::{self, StageRecord};
use crate::{tools, workspace_root};

struct Options {
    data_dir: Option<PathBuf>,
    json: bool,
    /// Number of shoppers, each replaying one real basket.
    baskets: usize,
}

fn parse_options(args: &[String]) -> anyhow::Result<Options> {
    let mut options = Options {
        data_dir: None,
        json: false,
        baskets: 1,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--data-dir" => {
                let value = iter.next().context("--data-dir needs a folder")?;
                options.data_dir = Some(PathBuf::from(value));
            }
            "--json" => options.json = true,
            "--baskets" => {
                let value = iter.next().context("--baskets needs a number")?;
                options.baskets = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=200).contains(n))
                    .with_context(|| {
                        format!("--baskets expects a number from 1 to 200, found {value:?}")
                    })?;
            }
            other => bail!(
                "unknown demo option {other:?}; expected --data-dir DIR, --baskets N or --json"
            ),
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

    let receiver = Receiver::start()?;
    let service = stage::run(
        records,
        "start walkout-connectors (SQLite, sandbox PSP)",
        || {
            let env = [
                (
                    "WALKOUT_ORDERING__RETAILER_WEBHOOK_URL",
                    format!("{}/retailer/receipts", receiver.url),
                ),
                // A fresh secret per run: the receiver only checks that deliveries are signed.
                (
                    "WALKOUT_ORDERING__RETAILER_WEBHOOK_SECRET",
                    format!(
                        "{}{}",
                        uuid::Uuid::new_v4().simple(),
                        uuid::Uuid::new_v4().simple()
                    ),
                ),
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

    let service_url = run
        .service
        .as_ref()
        .context("the service is not running")?
        .base_url
        .clone();
    let admin_key = read_credential(&run.data_dir, "admin_api_key")?;

    let imported = stage::run(
        records,
        "import the real catalog (data/online-retail-head30000.csv.gz)",
        || import_catalog(root, &binary, &run.data_dir, &service_url, &admin_key),
    )?;
    eprintln!("    {imported}");
    outcome
        .artifacts
        .push(json!({"kind": "catalog", "path": run.data_dir.join("catalog.csv")}));

    let baskets = stage::run(records, "pick real baskets", || {
        real_baskets(root, &binary, options.baskets)
    })?;
    let jwo = Jwo::new(&service_url, &run.data_dir)?;
    let cli = root.join("target").join("debug").join("walkout");

    for (index, basket) in baskets.iter().enumerate() {
        let number = index + 1;
        let email = format!("shopper{number}@example.com");
        let shopper = Shopper::new(
            &cli,
            &run.data_dir.join(format!("shopper-{number}")),
            &service_url,
            &run.pool,
            &email,
        )?;
        shop(&shopper, number, basket, &jwo, &run.data_dir, outcome)?;
    }

    let records = &mut outcome.records;
    stage::run(records, "a shopper whose card declines is refused", || {
        let shopper = Shopper::new(
            &cli,
            &run.data_dir.join("shopper-declined"),
            &service_url,
            &run.pool,
            "declined@example.com",
        )?;
        shopper.sign_up_and_in()?;
        // Stripe's test card that attaches but declines every charge, so the gate's hold fails.
        shopper.add_card("4000000000000341")?;
        shopper.run(&["enroll"], None)?;
        let png = run.data_dir.join("shopper-declined").join("entry-code.png");
        shopper.run(&["code", "--png", &png.to_string_lossy()], None)?;
        let decision = scan(&jwo, &decode_png(&png)?)?;
        eprintln!(
            "    gate: {} ({})",
            if decision.admitted {
                "admitted"
            } else {
                "refused"
            },
            decision.reason.as_deref().unwrap_or("-")
        );
        outcome.gate.push(json!({"shopper": shopper.email, "admitted": decision.admitted, "reason": decision.reason}));
        if decision.admitted {
            bail!("the shopper with a declining card was admitted; expected hold-declined");
        }
        Ok(())
    })?;

    let records = &mut outcome.records;
    stage::run(records, "list POS exports and retailer webhooks", || {
        let deadline = Instant::now() + Duration::from_secs(20);
        while pos_files(&run.data_dir).len() < 2 * baskets.len() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(250));
        }
        for file in pos_files(&run.data_dir) {
            eprintln!("    POS file {}", file.display());
            outcome
                .artifacts
                .push(json!({"kind": "pos-export", "path": file}));
        }
        for delivery in receiver.deliveries() {
            eprintln!(
                "    webhook {} ({} bytes, signed: {})",
                delivery.path,
                delivery.body.len(),
                delivery.signed
            );
            outcome.artifacts.push(json!({"kind": "retailer-webhook", "path": delivery.path, "signed": delivery.signed}));
        }
        Ok(())
    })?;

    let records = &mut outcome.records;
    let kpis = stage::run(records, "write the KPI report", || {
        crate::report::write_kpi_report(
            &service_url,
            &admin_key,
            crate::journey::STORE_ID,
            &run.data_dir,
        )
    })?;
    eprintln!("    {}", kpis.summary);
    eprintln!(
        "    KPI report {} and {}",
        kpis.html.display(),
        kpis.json.display()
    );
    outcome
        .artifacts
        .push(json!({"kind": "kpi-report-html", "path": kpis.html}));
    outcome
        .artifacts
        .push(json!({"kind": "kpi-report-json", "path": kpis.json}));

    let records = &mut outcome.records;
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

fn read_credential(data_dir: &Path, key: &str) -> anyhow::Result<String> {
    let path = data_dir.join("credentials.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not TOML", path.display()))?;
    table
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no {key}", path.display()))
}

/// Converts the real data to the catalog template and uploads it through the admin API, as a
/// retailer's operator would.
fn import_catalog(
    root: &Path,
    binary: &Path,
    data_dir: &Path,
    service_url: &str,
    admin_key: &str,
) -> anyhow::Result<String> {
    let source = root.join("data").join("online-retail-head30000.csv.gz");
    let catalog = data_dir.join("catalog.csv");
    let output = Command::new(binary)
        .args(["catalog", "convert-uci"])
        .arg(&source)
        .arg(&catalog)
        .output()
        .context("cannot run walkout-connectors catalog convert-uci")?;
    if !output.status.success() {
        bail!(
            "catalog conversion failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let body =
        std::fs::read(&catalog).with_context(|| format!("cannot read {}", catalog.display()))?;
    let mut response = ureq::post(&format!("{service_url}/admin/v1/catalog"))
        .header("Authorization", &format!("Bearer {admin_key}"))
        .header("Content-Type", "text/csv")
        .send(&body[..])
        .context("POST /admin/v1/catalog failed")?;
    let report: Value = response
        .body_mut()
        .read_json()
        .context("the catalog import returned no JSON")?;
    Ok(format!(
        "catalog import: {}",
        report.get("counts").unwrap_or(&report)
    ))
}

/// Reads the first `count` real baskets of the data set.
fn real_baskets(root: &Path, binary: &Path, count: usize) -> anyhow::Result<Vec<Value>> {
    let source = root.join("data").join("online-retail-head30000.csv.gz");
    let output = Command::new(binary)
        .args(["catalog", "baskets"])
        .arg(&source)
        .args(["--limit", &count.to_string(), "--max-lines", "30"])
        .output()
        .context("cannot run walkout-connectors catalog baskets")?;
    if !output.status.success() {
        bail!(
            "reading baskets failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let baskets: Vec<Value> =
        serde_json::from_slice(&output.stdout).context("the basket list is not JSON")?;
    if baskets.len() < count {
        bail!(
            "the data has only {} baskets of at most 30 lines; asked for {count}",
            baskets.len()
        );
    }
    Ok(baskets)
}

/// One shopper's journey: account, card, entry code, gate, cart, receipt.
fn shop(
    shopper: &Shopper,
    number: usize,
    basket: &Value,
    jwo: &Jwo,
    data_dir: &Path,
    outcome: &mut Outcome,
) -> anyhow::Result<()> {
    let records = &mut outcome.records;
    let label = |what: &str| format!("shopper {number}: {what}");

    stage::run(
        records,
        &label("sign up and sign in (SRP against moto)"),
        || shopper.sign_up_and_in(),
    )?;
    stage::run(
        records,
        &label("save a test card through PSP tokenization"),
        || shopper.add_card("4242424242424242"),
    )?;
    stage::run(records, &label("enroll the device for entry codes"), || {
        shopper.run(&["enroll"], None)
    })?;

    let png = shopper.storage.join("entry-code.png");
    stage::run(records, &label("render the entry code"), || {
        let code = shopper.run(&["code", "--png", &png.to_string_lossy()], None)?;
        if number == 1 {
            let terminal = shopper.run_text(&["code", "--terminal"])?;
            eprintln!("{terminal}");
        }
        eprintln!(
            "    entry code PNG: {} (rotates in {} s)",
            png.display(),
            code["seconds_until_rotation"]
        );
        Ok(())
    })?;
    outcome
        .artifacts
        .push(json!({"kind": "entry-code-png", "path": png}));

    let entered_at = crate::journey::now_rfc3339();
    let decision = stage::run(
        records,
        &label("gate: decode the PNG and call VerifyIdentityKeys"),
        || {
            let text = decode_png(&png)?;
            let decision = scan(jwo, &text)?;
            if !decision.admitted {
                bail!(
                    "the gate refused the shopper: {}",
                    decision.reason.as_deref().unwrap_or("no reason given")
                );
            }
            eprintln!(
                "    gate: admitted as visitor {}",
                decision.visitor_id.as_deref().unwrap_or("?")
            );
            Ok(decision)
        },
    )?;
    outcome
        .gate
        .push(json!({"shopper": shopper.email, "admitted": true, "reason": null}));

    let invoice = basket["invoice_no"].as_str().unwrap_or("?").to_owned();
    stage::run(
        records,
        &label(&format!("cart: CreatePurchases for real invoice {invoice}")),
        || {
            let purchase_id = crate::journey::purchase(jwo, &decision, basket, &entered_at)?;
            eprintln!("    purchase {purchase_id}");
            Ok(())
        },
    )?;

    let detail = stage::run(records, &label("sync the receipt into the app"), || {
        let receipt_id = crate::journey::wait_for_receipt(shopper, Duration::from_secs(30))?;
        let detail = shopper.run(&["receipts", "show", &receipt_id], None)?;
        let text = shopper.run_text(&["receipts", "show", &receipt_id])?;
        eprintln!("{text}");
        Ok(detail)
    })?;
    let summary = crate::journey::receipt_summary(&detail);
    if summary["total_minor"] != summary["captured_minor"] {
        bail!(
            "receipt total {} differs from the captured amount {}",
            summary["total_minor"],
            summary["captured_minor"]
        );
    }
    outcome.receipts.push(summary);
    let _ = data_dir;
    Ok(())
}
