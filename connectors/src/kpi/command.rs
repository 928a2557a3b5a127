//! `walkout-connectors report kpis`: the KPI report from the service database, with the same
//! `--data-dir`, `--config` and `--database-url` as `serve`. The report goes to `--out` or to
//! stdout; a one-line summary goes to stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use super::{Format, build_report, parse_date, render};
use crate::cli::open_data;
use crate::clock::Clock;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Write the KPI report of a store: baskets, basket value and size, visits, offers and
    /// items bought together.
    Kpis {
        /// The store, such as UK-LON-001.
        #[arg(long = "store")]
        store: String,
        /// First local date of the period, YYYY-MM-DD [default: 29 days before --to].
        #[arg(long)]
        from: Option<String>,
        /// Last local date of the period, included, YYYY-MM-DD [default: today in the store's
        /// time zone].
        #[arg(long)]
        to: Option<String>,
        /// Output format.
        #[arg(long, default_value = "json", value_parser = ["json", "csv", "html"])]
        format: String,
        /// File to write [default: stdout].
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a `report` command.
pub async fn run(config: Config, command: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Kpis {
        store,
        from,
        to,
        format,
        out,
    } = command;
    let format = Format::parse(&format).context("invalid --format: expected json, csv or html")?;
    let from = parse_date("--from", from.as_deref())?;
    let to = parse_date("--to", to.as_deref())?;

    let (_credentials, db) = open_data(&config).await?;
    let report = build_report(&db, &store, from, to, Clock::system().now_ms()).await?;
    let text = render(&report, format);
    match &out {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => println!("{text}"),
    }

    let averages: Vec<String> = report
        .figures
        .average_basket
        .iter()
        .map(|a| format!("{} {} minor units", a.average_minor, a.currency))
        .collect();
    eprintln!(
        "KPIs of {} from {} to {}: {} baskets, average basket {}",
        report.store_id,
        report.from,
        report.to,
        report.figures.baskets,
        if averages.is_empty() {
            "n/a".to_owned()
        } else {
            averages.join(", ")
        },
    );
    Ok(ExitCode::SUCCESS)
}
