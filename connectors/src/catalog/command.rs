//! The `catalog` commands of `walkout-connectors`: `import` a catalog file into the service
//! database, and `convert-uci` the UCI "Online Retail" data into a catalog file.
//!
//! `import` exits with 0 when every row was accepted (superseded rows count as accepted), 3
//! when some rows were rejected and the rest imported, and 1 when the file could not be read
//! as a whole or the database failed. Progress goes to stderr, the summary to stdout.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

use crate::catalog::import::{self, FileFormat, ImportError, ImportReport};
use crate::catalog::uci::{self, ConversionReport, RowRule, TextEncoding};
use crate::cli::open_data;
use crate::clock::Clock;
use crate::config::Config;

/// Exit code of an import that rejected some rows and imported the others.
pub const EXIT_ROWS_REJECTED: u8 = 3;

/// Largest decompressed catalog file the command reads, in bytes (1 GiB).
const MAX_FILE_BYTES: usize = 1 << 30;

/// Rows between two progress lines on stderr.
const PROGRESS_LINE_EVERY: u64 = 10_000;

/// Rejected rows listed in the summary; the rest are counted.
const REJECTIONS_SHOWN: usize = 20;

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Import a catalog file (the JWO catalog template as CSV or JSON, optionally gzip).
    /// Exit code 0: every row accepted; 3: some rows rejected; 1: the file was not imported.
    Import {
        /// The catalog file.
        file: PathBuf,
        /// File format, csv or json [default: json for *.json and *.json.gz, else csv].
        #[arg(long, value_parser = ["csv", "json"])]
        format: Option<String>,
        /// Import only rows of this store; rows of other stores are rejected, and rows without
        /// a currency take this store's currency.
        #[arg(long)]
        store_id: Option<String>,
    },
    /// Convert the UCI "Online Retail" data (CSV, plain or gzip) to a catalog template CSV for
    /// the demo store UK-LON-001, and print what happened to every row.
    ConvertUci {
        /// The UCI data file, such as data/online-retail-head30000.csv.gz.
        input: PathBuf,
        /// The catalog CSV to write.
        output: PathBuf,
    },
    /// Print real sale baskets from the UCI data as JSON, one invoice per array element, with
    /// SKUs normalised as in the converted catalog. The demo and the load drivers replay them.
    Baskets {
        /// The UCI data file, such as data/online-retail-head30000.csv.gz.
        input: PathBuf,
        /// Number of baskets to print, in order of first appearance.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Skip baskets with more lines than this.
        #[arg(long, default_value_t = 50)]
        max_lines: usize,
    },
}

/// Runs a catalog command and returns the process exit code.
pub async fn run(config: Config, command: CatalogCommand) -> anyhow::Result<ExitCode> {
    match command {
        CatalogCommand::Import {
            file,
            format,
            store_id,
        } => {
            let format = match format.as_deref().and_then(FileFormat::parse) {
                Some(format) => format,
                None => FileFormat::from_file_name(&file.to_string_lossy()),
            };
            import_file(config, &file, format, store_id.as_deref()).await
        }
        CatalogCommand::ConvertUci { input, output } => Ok(convert(&input, &output)),
        CatalogCommand::Baskets {
            input,
            limit,
            max_lines,
        } => print_baskets(&input, limit, max_lines),
    }
}

fn print_baskets(input: &Path, limit: usize, max_lines: usize) -> anyhow::Result<ExitCode> {
    let data = uci::load(input, &mut |_| {})?;
    let extract = uci::baskets(&data);
    let baskets: Vec<serde_json::Value> = extract
        .baskets
        .iter()
        .filter(|basket| basket.lines.len() <= max_lines)
        .take(limit)
        .map(|basket| {
            let lines: Vec<serde_json::Value> = basket
                .lines
                .iter()
                .map(|line| serde_json::json!({"sku": line.sku, "quantity": line.quantity}))
                .collect();
            serde_json::json!({
                "invoice_no": basket.invoice_no,
                "customer_id": basket.customer_id,
                "lines": lines,
            })
        })
        .collect();
    println!("{}", serde_json::Value::Array(baskets));
    Ok(ExitCode::SUCCESS)
}

/// Returns a progress callback that prints a line every [`PROGRESS_LINE_EVERY`] rows. The
/// readers repeat their last count when they finish, so a count is printed once at most.
fn progress_printer(label: &'static str) -> impl FnMut(u64) {
    let mut printed = 0;
    move |rows| {
        if rows > printed && rows.is_multiple_of(PROGRESS_LINE_EVERY) {
            eprintln!("{label}: {rows} rows read");
            printed = rows;
        }
    }
}

async fn import_file(
    config: Config,
    file: &Path,
    format: FileFormat,
    only_store: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let fail = |message: String| {
        eprintln!(
            "walkout-connectors: catalog import of {} failed: {message}",
            file.display()
        );
        ExitCode::FAILURE
    };
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(error) => return Ok(fail(format!("cannot read the file: {error}"))),
    };
    let bytes = match import::decompress(bytes, MAX_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(error) => return Ok(fail(error.to_string())),
    };

    let (_credentials, db) = open_data(&config).await?;
    let currency = import::default_currency(&db, only_store).await?;
    let mut progress = progress_printer("catalog import");
    let parsed = match import::parse_file(&bytes, format, currency, &mut progress) {
        Ok(parsed) => parsed,
        Err(error) => return Ok(fail(error.to_string())),
    };
    let report = match import::store_parsed(&db, parsed, only_store, Clock::system().now_ms()).await
    {
        Ok(report) => report,
        Err(ImportError::Store(error)) => return Err(error.into()),
        Err(error) => return Ok(fail(error.to_string())),
    };

    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    print!("{}", import_summary(&file.display().to_string(), &report));
    if report.counts.rejected > 0 {
        Ok(ExitCode::from(EXIT_ROWS_REJECTED))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// Formats the summary of an import: the counts, then the first rejected rows with their
/// location and reason.
pub fn import_summary(file: &str, report: &ImportReport) -> String {
    let counts = report.counts;
    let mut text = format!(
        "Imported {file}: {} rows, {} accepted ({} created, {} updated), {} superseded, {} rejected\n",
        counts.rows,
        counts.accepted,
        counts.created,
        counts.updated,
        counts.superseded,
        counts.rejected
    );
    if counts.rejected == 0 {
        return text;
    }
    let _ = writeln!(text, "Rejected rows:");
    for row in report.rejected().take(REJECTIONS_SHOWN) {
        let reason = row.reason.as_deref().unwrap_or("no reason recorded");
        let _ = writeln!(text, "  {}: {reason}", row.location());
    }
    let hidden = (counts.rejected as usize).saturating_sub(REJECTIONS_SHOWN);
    if hidden > 0 {
        let _ = writeln!(text, "  … and {hidden} more rejected rows");
    }
    text
}

fn convert(input: &Path, output: &Path) -> ExitCode {
    let mut progress = progress_printer("catalog convert-uci");
    match uci::convert_uci_to_template(input, output, &mut progress) {
        Ok(report) => {
            print!("{}", conversion_summary(input, output, &report));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("walkout-connectors: catalog convert-uci failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn rule_label(rule: RowRule) -> &'static str {
    match rule {
        RowRule::Cancellation => "cancellation (excluded)",
        RowRule::StockAdjustment => "stock adjustment (excluded)",
        RowRule::NegativePrice => "negative price (excluded)",
        RowRule::NonProduct => "non-product code (excluded)",
        RowRule::ZeroPrice => "zero price (excluded)",
        RowRule::Duplicate => "exact duplicate (excluded)",
        RowRule::SaleWithoutCustomer => "sale without CustomerID",
        RowRule::SaleWithCustomer => "sale with CustomerID",
    }
}

/// Formats a conversion report: rows per rule, the folding and pricing counts, and items per
/// category.
pub fn conversion_summary(input: &Path, output: &Path, report: &ConversionReport) -> String {
    let encoding = match report.encoding {
        TextEncoding::Utf8 => "UTF-8",
        TextEncoding::Latin1 => "Latin-1 (Windows-1252)",
    };
    let mut text = format!(
        "Converted {} ({encoding}, {} rows) to {}: {} catalog items\n",
        input.display(),
        report.stats.rows,
        output.display(),
        report.items
    );

    write_rule_rows(&mut text, report);
    write_sku_counts(&mut text, report);

    let categories: Vec<String> = report
        .categories
        .iter()
        .map(|(category, items)| format!("{category} {items}"))
        .collect();
    let _ = writeln!(text, "Items per category: {}", categories.join(", "));
    text
}

/// Writes the rows under each rule, then the malformed rows with their line and reason.
fn write_rule_rows(text: &mut String, report: &ConversionReport) {
    let _ = writeln!(text, "Rows per rule:");
    for (rule, rows) in &report.rule_rows {
        let _ = writeln!(text, "  {:<32} {rows:>8}", rule_label(*rule));
    }
    let malformed = report.malformed.len();
    let _ = writeln!(text, "  {:<32} {malformed:>8}", "malformed (excluded)");
    for row in report.malformed.iter().take(REJECTIONS_SHOWN) {
        let _ = writeln!(text, "    line {}: {}", row.line, row.reason);
    }

    let non_product: Vec<String> = report
        .non_product_rows
        .iter()
        .map(|(code, rows)| format!("{code} {rows}"))
        .collect();
    let _ = writeln!(text, "Non-product rows by code: {}", non_product.join(", "));
}

/// Writes how StockCodes were folded, rounded and priced.
fn write_sku_counts(text: &mut String, report: &ConversionReport) {
    let _ = writeln!(
        text,
        "Lower-case StockCodes folded: {} codes on {} rows",
        report.lowercase_codes_folded, report.lowercase_rows_folded
    );
    let _ = writeln!(
        text,
        "Prices rounded to pence: {} rows",
        report.prices_rounded
    );
    let _ = writeln!(
        text,
        "SKUs with several prices: {}. With description variants: {}. Priced from rows without CustomerID: {}. Left out without a description: {}",
        report.codes_with_several_prices,
        report.codes_with_description_variants,
        report.codes_priced_without_customer,
        report.codes_without_description.len()
    );
}
