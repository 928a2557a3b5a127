//! `cargo xtask test`: every check and test the project has, as stages with durations.

use std::process::Command;

use anyhow::Context;

use crate::stage::{self, StageRecord};
use crate::{bindings, profiles, services, tools, workspace_root};

pub fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(unknown) = args.first() {
        anyhow::bail!("cargo xtask test takes no options, found {unknown:?}");
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // A CI checkout builds once, so incremental caches only cost disk space and time there.
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        // SAFETY: set before any thread is started, and read only by the cargo children.
        unsafe { std::env::set_var("CARGO_INCREMENTAL", "0") };
    }
    let mut records: Vec<StageRecord> = Vec::new();

    let result = (|| -> anyhow::Result<()> {
        stage::run(&mut records, "profiles keep panic = \"unwind\"", || {
            let text = std::fs::read_to_string(root.join("Cargo.toml"))
                .context("cannot read Cargo.toml")?;
            profiles::check_unwind(&text)
        })?;

        let python = stage::run(&mut records, "install Python test tools", || {
            tools::python_venv(tools::PYTHON_PACKAGES)
        })?;

        let moto = stage::run(&mut records, "start moto (Cognito stand-in)", || {
            services::start_moto(&python, &root.join("target").join("test-services"))
        })?;
        eprintln!("    {} on {}", moto.name(), moto.url);

        stage::run(&mut records, "rustfmt --check", || {
            tools::run(
                Command::new(&cargo)
                    .current_dir(&root)
                    .args(["fmt", "--all", "--check"]),
                "cargo fmt --check",
            )
        })?;

        stage::run(&mut records, "clippy (warnings denied)", || {
            tools::run(
                Command::new(&cargo).current_dir(&root).args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--quiet",
                    "--",
                    "-D",
                    "warnings",
                ]),
                "cargo clippy",
            )
        })?;

        stage::run(&mut records, "cargo test (workspace)", || {
            tools::run(
                Command::new(&cargo)
                    .current_dir(&root)
                    .args(["test", "--workspace", "--no-fail-fast"])
                    .env("WALKOUT_PYTHON", &python)
                    .env("WALKOUT_MOTO_URL", &moto.url),
                "cargo test",
            )
        })?;

        // NOTE: the binding stages (generated Python and Kotlin over the FFI library, and the
        // size check of the release-mobile build) run only with WALKOUT_BINDING_TESTS=1 until
        // they have passed on a fresh machine within CI's time.
        if std::env::var("WALKOUT_BINDING_TESTS").is_ok_and(|value| value == "1") {
            bindings::test_stages(&mut records, &cargo, &python, &moto.url)?;
            bindings::size_stage(&mut records, &cargo, &root)?;
        }
        Ok(())
    })();

    stage::print_summary(&records);
    result
}
