//! Command-line arguments of `walkout`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// A headless Walkout shopper app, for QA, support and the demo.
#[derive(Debug, Parser)]
#[command(name = "walkout", version, about)]
pub struct Args {
    /// TOML file with the core configuration (brand, backend_url, storage_dir, [cognito], [openid]).
    #[arg(long, global = true, env = "WALKOUT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Brand id to use instead of the file's `brand`.
    #[arg(long, global = true, value_name = "ID")]
    pub brand: Option<String>,

    /// Folder for the local database and file secrets, instead of the file's `storage_dir`.
    #[arg(long, global = true, value_name = "DIR")]
    pub storage: Option<PathBuf>,

    /// Print one JSON object per command instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Where to keep tokens: the platform keyring, owner-only files under <storage>/secrets/,
    /// or the keyring when one can be reached and files otherwise.
    #[arg(long, global = true, value_enum, default_value_t = SecretStoreChoice::Auto)]
    pub secret_store: SecretStoreChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecretStoreChoice {
    Auto,
    Keyring,
    File,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the backend's health and show the clock offset, brand and storage path.
    Status,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets left out.
    Show,
}
