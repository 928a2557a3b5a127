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
    #[command(flatten)]
    Account(AccountCommand),
    /// Sync, list and show receipts.
    #[command(subcommand)]
    Receipts(ReceiptsCommand),
    /// Show the current trip, fetched from the backend.
    Trip,
    /// Add, list, choose and remove saved cards.
    #[command(subcommand)]
    Cards(CardsCommand),
    /// Show the outstanding balance, or pay it with `balance pay`.
    Balance {
        #[command(subcommand)]
        action: Option<BalanceCommand>,
    },
    /// Enroll this device for entry codes (replaces and revokes an earlier credential).
    Enroll,
    /// Show the current entry code, renewing the credential first when it can.
    Code(CodeArgs),
    /// List offers and activate one for the next purchase.
    #[command(subcommand)]
    Offers(OffersCommand),
    /// Show the consent to targeted offers, or turn it on or off.
    Consent {
        #[arg(value_enum)]
        choice: Option<ConsentChoice>,
    },
    /// Show or change the shopper's profile.
    #[command(subcommand)]
    Profile(crate::account_profile::ProfileCommand),
    /// List, register and remove devices and their push tokens.
    #[command(subcommand)]
    Devices(crate::account_profile::DevicesCommand),
    /// Delete the shopper's account with `account delete --yes`.
    #[command(name = "account", subcommand)]
    AccountData(crate::account_profile::AccountDataCommand),
}

/// The offer commands.
#[derive(Debug, Subcommand)]
pub enum OffersCommand {
    /// List the general offers and the offers picked for this shopper.
    List {
        /// Read the last fetched list instead, without a network call.
        #[arg(long)]
        cached: bool,
    },
    /// Activate an offer; it applies once, at the next purchase.
    Activate { id: String },
}

/// What `consent` does: `show` (the default), `on` to opt in, `off` to opt out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConsentChoice {
    Show,
    On,
    Off,
}

/// The saved card commands.
#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// Save a card: the number, expiry and CVC are read from a hidden prompt or with --stdin.
    Add {
        /// Read three lines from standard input: the number, the expiry (MM/YY) and the CVC.
        #[arg(long, conflicts_with = "token")]
        stdin: bool,
        /// Register a token that a PSP SDK already created (such as pm_…) instead of a card.
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
    },
    /// List saved cards from the backend.
    List {
        /// Read the local copy instead, without a network call.
        #[arg(long)]
        cached: bool,
    },
    /// Make a saved card the one that trips are charged to.
    Default { id: String },
    /// Remove a saved card.
    Remove { id: String },
}

/// The balance subcommands.
#[derive(Debug, Subcommand)]
pub enum BalanceCommand {
    /// Charge the outstanding balance to the default card.
    Pay,
}

#[derive(Debug, clap::Args)]
pub struct CodeArgs {
    /// Write the QR symbol as a PNG file.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write the QR symbol as an SVG file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Draw the QR symbol in the terminal.
    #[arg(long)]
    pub terminal: bool,
    /// With --terminal: the terminal has a light background.
    #[arg(long)]
    pub light_background: bool,
    /// Pixels per QR module in PNG and SVG output, 1 to 64.
    #[arg(long, default_value_t = 8)]
    pub pixels_per_module: u32,
}

/// The receipt commands.
#[derive(Debug, Subcommand)]
pub enum ReceiptsCommand {
    /// Fetch new and changed receipts from the backend into the local store.
    Sync,
    /// List stored receipts, newest first, without a network call.
    List {
        /// Receipts to list, at most 500.
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// List the receipts after this receipt id (the last id of the previous page).
        #[arg(long, value_name = "ID")]
        before: Option<String>,
    },
    /// Show one stored receipt, without a network call.
    Show {
        /// Receipt id.
        id: String,
    },
}

/// The shopper account commands.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create a shopper account; Cognito sends a confirmation code to EMAIL.
    SignUp {
        email: String,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Confirm a new account with the code Cognito sent.
    Confirm { email: String, code: String },
    /// Sign in, answering any challenge (new password, MFA code) at the prompt.
    SignIn(SignInArgs),
    /// Sign out: revoke the session and delete the shopper's tokens and local data.
    SignOut,
    /// Show the signed-in shopper (from the stored ID token, without a network call).
    Whoami,
}

#[derive(Debug, clap::Args)]
pub struct SignInArgs {
    /// Email address; not used with --federated.
    #[arg(required_unless_present = "federated", default_value = "")]
    pub email: String,
    /// Sign in through the provider's page in a browser ([openid] in the configuration), with
    /// the redirect caught on a 127.0.0.1 port.
    #[arg(long, conflicts_with_all = ["password_stdin", "user_password_auth"])]
    pub federated: bool,
    /// Go straight to this identity provider (Cognito's identity_provider, such as Google).
    #[arg(long, value_name = "NAME", requires = "federated")]
    pub provider: Option<String>,
    /// Print the sign-in URL without trying to open a browser.
    #[arg(long, requires = "federated")]
    pub print_url_only: bool,
    /// Seconds to wait for the browser to return to the CLI.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 300,
        requires = "federated"
    )]
    pub timeout_seconds: u64,
    /// Read the password (and any new password) from standard input, one per line.
    #[arg(long)]
    pub password_stdin: bool,
    /// Send the password with USER_PASSWORD_AUTH instead of SRP (for emulators without SRP).
    #[arg(long)]
    pub user_password_auth: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, secrets left out.
    Show,
}
