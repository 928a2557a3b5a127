//! Project automation: `cargo xtask demo` runs the shopper journey against local services, and
//! `cargo xtask test` runs every check and test. Both install what they need on first use and
//! cache it under `~/.cache/walkout/` (see `tools`).

mod bench;
mod bindings;
mod cognito;
mod cognito_local;
mod demo;
mod journey;
mod oidc;
mod postgres;
mod profiles;
mod receiver;
mod report;
mod service;
mod services;
mod shells;
mod shells_ios;
mod shopper;
mod stage;
mod test;
mod tools;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  demo     run the shopper journey against local services
           (options: --data-dir DIR, --baskets N, --json)
  test     run formatting and lint checks and every test of the workspace
  bench    run every benchmark beside its ceiling or peer
           (options: --quick, --only entry|srp|pricing|receipts|sync|load|postgres|peers)
  ios      build the iOS Swift package in a Debian Swift chroot and run its tests (root)
  android  run the Android view model and secret store tests on the JVM
  emulators  start oidc-provider and cognito-local on loopback and print their env vars
           (options: --for-seconds N, default 3600)
  help     show this text";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "demo" => demo::run(rest),
        "test" => test::run(rest),
        "bench" => bench::run(rest),
        "bindings" => bindings::run(rest),
        "android" => shells::run(rest),
        "ios" => shells_ios::run(rest),
        "emulators" => oidc::run_emulators(rest),
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => {
            eprintln!("unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nerror: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
