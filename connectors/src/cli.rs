//! The `walkout-connectors` command line: `serve`, and the administrative commands that work on
//! the same data folder and configuration.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};
use crate::credentials::{self, Origin};
use crate::db::Database;
use crate::server::{self, AppState};
use crate::{auth, telemetry};

#[derive(Debug, Parser)]
#[command(
    name = "walkout-connectors",
    version,
    about = "Walkout backend connectors"
)]
pub struct Cli {
    /// TOML configuration file (see walkout-connectors.example.toml).
    #[arg(long, global = true, env = "WALKOUT_CONFIG")]
    pub config: Option<PathBuf>,
    /// Folder of the embedded database and credentials.toml [default: ./walkout-data].
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://…) [default: the embedded SQLite file].
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve {
        /// Address and port to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
    },
    /// Manage administrator API keys.
    #[command(subcommand)]
    AdminKey(AdminKeyCommand),
    /// Import catalog files and convert the UCI demo data.
    #[command(subcommand)]
    Catalog(crate::catalog::command::CatalogCommand),
    /// Write reports from the service database.
    #[command(subcommand)]
    Report(crate::kpi::ReportCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminKeyCommand {
    /// Create a key and print it once; only its hash is stored.
    Create {
        /// Comma-separated scopes: catalog:write, keys:write, refunds:write, offers:write,
        /// reports:read, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Free text to tell keys apart.
        #[arg(long, default_value = "")]
        label: String,
    },
}

/// Runs the command line and returns the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve { listen } => *listen,
        Command::AdminKey(_) | Command::Catalog(_) | Command::Report(_) => None,
    };
    let overrides = Overrides {
        listen,
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    let config = match Config::load(cli.config.as_deref(), std::env::vars(), &overrides) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("walkout-connectors: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format, &config.log_level);

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("walkout-connectors: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { .. } => serve(config)
                .await
                .map(|()| std::process::ExitCode::SUCCESS),
            Command::AdminKey(AdminKeyCommand::Create { scopes, label }) => {
                create_admin_key(config, &scopes, &label)
                    .await
                    .map(|()| std::process::ExitCode::SUCCESS)
            }
            Command::Catalog(command) => crate::catalog::command::run(config, command).await,
            Command::Report(command) => crate::kpi::run_command(config, command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "walkout-connectors stopped with an error"
            );
            eprintln!("walkout-connectors: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Opens the data folder: creates it, loads or generates the credentials, and opens the
/// database with its migrations applied.
pub async fn open_data(config: &Config) -> anyhow::Result<(credentials::Credentials, Database)> {
    create_data_dir(&config.data_dir)?;
    let (credentials, origin) = credentials::load_or_create(&config.data_dir)?;
    let path = config.data_dir.join(credentials::FILE_NAME);
    match origin {
        Origin::Created => tracing::info!(path = %path.display(), "generated service secrets"),
        Origin::Existing => tracing::debug!(path = %path.display(), "loaded service secrets"),
    }
    let db = Database::open_with(&config.effective_database_url(), &config.database).await?;
    auth::admin::ensure_initial_key(&db, &credentials.admin_api_key).await?;
    Ok((credentials, db))
}

fn create_data_dir(path: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|error| {
        anyhow::anyhow!("cannot create the data folder {}: {error}", path.display())
    })
}

async fn serve(mut config: Config) -> anyhow::Result<()> {
    let (credentials, db) = open_data(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| anyhow::anyhow!("cannot listen on {}: {error}", config.listen))?;
    let address = listener.local_addr()?;
    // With port 0 the system picks the port; the service's own URL (used to reach the
    // embedded sandbox PSP) needs the real one.
    config.listen = address;
    let data_dir = config.data_dir.clone();
    let state = AppState::new(config, db, credentials).await?;

    tracing::info!(
        %address,
        data_dir = %data_dir.display(),
        credentials = %data_dir.join(credentials::FILE_NAME).display(),
        "walkout-connectors listening"
    );
    server::serve(listener, state).await?;
    tracing::info!("walkout-connectors stopped");
    Ok(())
}

async fn create_admin_key(config: Config, scopes: &[String], label: &str) -> anyhow::Result<()> {
    let (_credentials, db) = open_data(&config).await?;
    let scopes = auth::admin::parse_scopes(scopes)?;
    let key = auth::admin::create_key(&db, &scopes, label).await?;
    println!("{key}");
    eprintln!("Store this key now: it is not shown again, and only its hash is kept.");
    Ok(())
}
