//! `walkout-brand`: validate a brand pack, or write its iOS and Android resources.
//!
//! Exit status: 0 when the pack is valid (and, for `apply`, written), 1 when it is invalid or
//! writing failed, 2 for a usage error (bad arguments, unknown brand, no workspace found).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use walkout_branding::{ApplyError, PackError, apply, list_brands, validate_pack};

const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "walkout-brand",
    version,
    about = "Validate brand packs and write their iOS and Android resources"
)]
struct Cli {
    /// Folder of brand packs [default: branding/brands in the nearest workspace above the current folder]
    #[arg(long, global = true, value_name = "DIR")]
    brands: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a brand pack and print every problem with its file, key and fix
    Validate {
        /// Brand id: the pack's folder name, such as `walkout`
        id: String,
    },
    /// Validate a brand pack, then write its resources into ios/ and android/
    Apply {
        /// Brand id: the pack's folder name, such as `walkout`
        id: String,
        /// Root to write ios/Resources and android/app under [default: the workspace root]
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List the brand packs in the brands folder
    List,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version print to stdout and exit 0; argument errors exit 2.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };

    let workspace = find_workspace();
    let Some(brands_dir) = cli
        .brands
        .clone()
        .or_else(|| workspace.as_ref().map(|root| root.join("branding/brands")))
    else {
        eprintln!(
            "error: no branding/brands folder above the current folder; run inside the workspace or pass --brands DIR"
        );
        return ExitCode::from(EXIT_USAGE);
    };

    match cli.command {
        Command::Validate { id } => run_validate(&brands_dir, &id),
        Command::Apply { id, out } => {
            let Some(out_root) = out.or(workspace) else {
                eprintln!("error: no workspace root above the current folder; pass --out DIR");
                return ExitCode::from(EXIT_USAGE);
            };
            run_apply(&brands_dir, &id, &out_root)
        }
        Command::List => {
            for id in list_brands(&brands_dir) {
                println!("{id}");
            }
            ExitCode::SUCCESS
        }
    }
}

/// Finds the nearest folder at or above the current one that contains `branding/brands`.
fn find_workspace() -> Option<PathBuf> {
    let current = std::env::current_dir().ok()?;
    current
        .ancestors()
        .find(|folder| folder.join("branding/brands").is_dir())
        .map(Path::to_path_buf)
}

fn run_validate(brands_dir: &Path, id: &str) -> ExitCode {
    match validate_pack(brands_dir, id) {
        Ok(pack) => {
            println!("brand pack {} is valid", pack.id());
            ExitCode::SUCCESS
        }
        Err(error) => report_pack_error(&error),
    }
}

fn run_apply(brands_dir: &Path, id: &str, out_root: &Path) -> ExitCode {
    match apply(brands_dir, id, out_root) {
        Ok(report) => {
            println!(
                "applied brand pack {id} under {}: {} files written, {} unchanged, {} stale files removed",
                out_root.display(),
                report.written,
                report.unchanged,
                report.removed
            );
            ExitCode::SUCCESS
        }
        Err(ApplyError::Pack(error)) => {
            let code = report_pack_error(&error);
            eprintln!("nothing was written");
            code
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_INVALID)
        }
    }
}

fn report_pack_error(error: &PackError) -> ExitCode {
    match error {
        PackError::Invalid { problems } => {
            for problem in problems {
                eprintln!("{problem}");
            }
            eprintln!("{} problems found", problems.len());
            ExitCode::from(EXIT_INVALID)
        }
        PackError::BadId { .. } | PackError::NotFound { .. } => {
            eprintln!("error: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
