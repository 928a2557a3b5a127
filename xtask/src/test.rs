//! `cargo xtask test`: every check and test the project has, as stages with durations.

use std::process::Command;

use anyhow::Context;

use crate::stage::{self, StageRecord};
use crate::{bindings, profiles, services, shells_ios, tools, workspace_root};

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

        let oidc_dir = stage::run(&mut records, "install oidc-provider (npm)", || {
            crate::oidc::install_oidc_provider()
        })?;
        let oidc = stage::run(&mut records, "start oidc-provider", || {
            crate::oidc::start_oidc_provider(&oidc_dir, &root.join("target").join("test-services"))
        })?;
        eprintln!("    {} on {}", oidc.name, oidc.url);
        let cognito_local_dir = stage::run(&mut records, "install cognito-local (npm)", || {
            crate::cognito_local::install()
        })?;
        let cognito_local_run_dir = root
            .join("target")
            .join("test-services")
            .join("cognito-local");
        let cognito_local = stage::run(&mut records, "start cognito-local", || {
            crate::cognito_local::start(&cognito_local_dir, &cognito_local_run_dir)
        })?;
        eprintln!("    {} on {}", cognito_local.name, cognito_local.url);

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
                    // Tests that need PostgreSQL skip in this pass; the next stage runs them.
                    .env("WALKOUT_TEST_ENGINE", "sqlite")
                    .env("WALKOUT_PYTHON", &python)
                    .env("WALKOUT_MOTO_URL", &moto.url)
                    .env("WALKOUT_OIDC_URL", &oidc.url)
                    .env("WALKOUT_COGNITO_LOCAL_URL", &cognito_local.url)
                    .env("WALKOUT_COGNITO_LOCAL_DIR", &cognito_local_run_dir),
                "cargo test",
            )
        })?;

        // The connectors again, with every service test on its own database in a throw-away
        // PostgreSQL cluster. The cluster is stopped and removed when this block ends or fails.
        {
            let postgres = stage::run(
                &mut records,
                "start PostgreSQL (throw-away cluster)",
                || crate::postgres::Cluster::start(&root.join("target").join("test-services")),
            )?;
            eprintln!("    PostgreSQL on {}", postgres.url);
            stage::run(&mut records, "cargo test connectors on PostgreSQL", || {
                tools::run(
                    Command::new(&cargo)
                        .current_dir(&root)
                        .args(["test", "-p", "walkout-connectors", "--no-fail-fast"])
                        .env("WALKOUT_TEST_POSTGRES_URL", &postgres.url)
                        .env("WALKOUT_PYTHON", &python)
                        .env("WALKOUT_MOTO_URL", &moto.url),
                    "cargo test -p walkout-connectors on PostgreSQL",
                )
            })?;
        }

        // The binding stages: generated Python and Kotlin over the FFI library, the size check
        // of the release-mobile build, then the Android view models on the JVM and the iOS
        // package in a Swift chroot. WALKOUT_SKIP_BINDINGS=1 skips them outside CI.
        if bindings::stages_enabled() {
            bindings::test_stages(&mut records, &cargo, &python, &moto.url)?;
            bindings::size_stage(&mut records, &cargo, &root)?;
            crate::shells::android_stages(&mut records, &moto.url)?;
            shells_ios::test_stages(&mut records, &cargo, &moto.url)?;
        }
        Ok(())
    })();

    stage::print_summary(&records);
    result
}
