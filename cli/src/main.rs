//! `walkout`: a headless shopper app over `walkout-core`, for QA, support and the demo.
//!
//! Every command prints either text or, with `--json`, exactly one JSON object on stdout;
//! warnings and logs go to stderr. Exit codes: 0 on success, 2 for usage and configuration
//! errors, 1 for failures while running.

mod account;
mod account_profile;
mod args;
mod commands;
mod entry_code;
mod failure;
mod federated;
mod load;
mod offers;
mod receipts;
mod secret_choice;
mod wallet;

use std::io::IsTerminal;

use clap::Parser;
use serde_json::json;
use tracing_subscriber::EnvFilter;

use args::{Args, Command, ConfigCommand};
use failure::Failure;

fn main() {
    // Logs go to stderr at `warn` unless WALKOUT_LOG says otherwise (for example `debug`).
    let filter = EnvFilter::try_from_env("WALKOUT_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let args = Args::parse();
    let code = match run(&args) {
        Ok((value, text)) => {
            print_output(args.json, &value, &text);
            0
        }
        Err(failure) => {
            report_failure(args.json, &failure);
            failure.exit_code
        }
    };
    std::process::exit(code);
}

fn run(args: &Args) -> Result<(serde_json::Value, String), Failure> {
    let config = load::load_config(args)?;
    match &args.command {
        Command::Status => commands::status(args, config),
        Command::Config(ConfigCommand::Show) => commands::config_show(&config),
        Command::Account(command) => commands::account(args, config, command),
        Command::Receipts(command) => receipts::receipts(args, config, command),
        Command::Trip => receipts::trip(args, config),
        Command::Cards(command) => wallet::cards(args, config, command),
        Command::Balance { action } => wallet::balance(args, config, action.as_ref()),
        Command::Enroll => entry_code::enroll(args, config),
        Command::Code(code_args) => entry_code::code(args, config, code_args),
        Command::Offers(command) => offers::offers(args, config, command),
        Command::Consent { choice } => offers::consent(args, config, *choice),
        Command::Profile(command) => account_profile::profile(args, config, command),
        Command::Devices(command) => account_profile::devices(args, config, command),
        Command::AccountData(command) => account_profile::account_data(args, config, command),
    }
}

fn print_output(as_json: bool, value: &serde_json::Value, text: &str) {
    if as_json {
        println!("{value}");
    } else {
        print!("{text}");
    }
}

fn report_failure(as_json: bool, failure: &Failure) {
    if as_json {
        let value = json!({"error": {"kind": failure.kind, "message": failure.message}});
        println!("{value}");
    } else {
        eprintln!("error: {}", failure.message);
    }
}
