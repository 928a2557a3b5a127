//! `cargo xtask bindings`: builds the `walkout-ffi` library and generates its Kotlin, Python
//! and Swift bindings with the workspace's own `uniffi-bindgen` (library mode), into
//! `bindings/generated/<language>/`. With `--test` it runs only the binding tests, and with
//! `--bench` it measures the overhead of trivial and representative exported calls from
//! Python and from Kotlin.
//!
//! For `cargo xtask test` it runs the headless binding tests: pytest over the generated Python
//! module, and a main-based runner over the generated Kotlin on the JVM. Both run against a
//! connectors service and a moto user pool started on loopback. It also checks the size of the
//! mobile library. Generated code is never committed, because it is rebuilt from the library on
//! every run.

mod kotlin;
mod messages;
mod python;
mod size;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::cognito::{self, UserPool};
use crate::service::Service;
use crate::stage::{self, StageRecord};
use crate::{services, tools, workspace_root};

pub use size::size_stage;

/// The languages generated, each into its own folder under `bindings/generated/`.
const LANGUAGES: [&str; 3] = ["kotlin", "python", "swift"];

/// The library's base name: `libwalkout_ffi.so` on Linux.
const LIBRARY_NAME: &str = "walkout_ffi";

/// The optional step of `cargo xtask bindings` after generating.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Extra {
    Nothing,
    Test,
    Bench,
}

/// `cargo xtask bindings [--test | --bench]`.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    let extra = match args {
        [] => Extra::Nothing,
        [flag] if flag == "--test" => Extra::Test,
        [flag] if flag == "--bench" => Extra::Bench,
        [other, ..] => bail!("unknown bindings option {other:?}; expected --test or --bench"),
    };
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut records = Vec::new();

    let result = (|| -> anyhow::Result<()> {
        if extra == Extra::Test {
            return run_tests_alone(&mut records, &cargo, &root);
        }
        let library = stage::run(&mut records, "build walkout-ffi", || {
            build_library(&cargo, &root, &[])
        })?;
        stage::run(&mut records, "generate Kotlin, Python and Swift", || {
            generate_all(&root, &library)
        })?;
        for language in LANGUAGES {
            eprintln!("    {}", generated_dir(&root, language).display());
        }
        if extra == Extra::Bench {
            run_bench(&mut records, &cargo, &root)?;
        }
        Ok(())
    })();

    stage::print_summary(&records);
    result
}

/// Builds `walkout-ffi` (library and `uniffi-bindgen`) plus the packages in `extra` with the
/// dev profile; returns the shared library's path.
fn build_library(cargo: &str, root: &Path, extra: &[&str]) -> anyhow::Result<PathBuf> {
    let mut command = Command::new(cargo);
    command
        .current_dir(root)
        .args(["build", "--quiet", "-p", "walkout-ffi"]);
    for package in extra {
        command.args(["-p", package]);
    }
    tools::run(&mut command, "cargo build -p walkout-ffi")?;
    Ok(library_path(root, "debug"))
}

/// Returns the path of the shared library built with `profile_dir` (`debug`, `release-mobile`).
fn library_path(root: &Path, profile_dir: &str) -> PathBuf {
    let file = format!(
        "{}{LIBRARY_NAME}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    root.join("target").join(profile_dir).join(file)
}

fn generated_dir(root: &Path, language: &str) -> PathBuf {
    root.join("bindings").join("generated").join(language)
}

/// Generates every language from `library`, replacing earlier output, then makes the Kotlin and
/// Python error messages the Rust `Display` sentences.
fn generate_all(root: &Path, library: &Path) -> anyhow::Result<()> {
    let bindgen = root.join("target").join("debug").join("uniffi-bindgen");
    for language in LANGUAGES {
        let out_dir = generated_dir(root, language);
        if out_dir.exists() {
            std::fs::remove_dir_all(&out_dir)
                .with_context(|| format!("cannot remove {}", out_dir.display()))?;
        }
        let mut command = Command::new(&bindgen);
        command
            .current_dir(root)
            .args(["generate", "--library"])
            .arg(library)
            .args(["--language", language, "--no-format", "--out-dir"])
            .arg(&out_dir)
            .stdout(std::process::Stdio::null());
        tools::run(
            &mut command,
            &format!("uniffi-bindgen generate ({language})"),
        )?;
    }
    let kotlin = generated_dir(root, "kotlin")
        .join("uniffi")
        .join("walkout_ffi");
    patch_file(&kotlin.join("walkout_ffi.kt"), messages::patch_kotlin)?;
    let python = generated_dir(root, "python").join("walkout_ffi.py");
    patch_file(&python, messages::patch_python)
}

/// Rewrites the generated file at `path` with `patch`.
fn patch_file(path: &Path, patch: fn(&str) -> anyhow::Result<String>) -> anyhow::Result<()> {
    let source =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let patched = patch(&source).with_context(|| format!("cannot patch {}", path.display()))?;
    std::fs::write(path, patched).with_context(|| format!("cannot write {}", path.display()))
}

/// The connectors service and the user pool that the binding and shell tests run against.
pub(crate) struct TestServices {
    _service: Service,
    pub(crate) pool: UserPool,
    pub(crate) backend_url: String,
    /// The bearer token that the service accepts on its JWO endpoints.
    pub(crate) jwo_token: String,
    scratch: PathBuf,
}

impl TestServices {
    /// Creates a pool in moto and starts the service trusting it, with its data in a folder
    /// under `target/` that is emptied first.
    fn start(root: &Path, moto_url: &str) -> anyhow::Result<Self> {
        Self::start_named(root, moto_url, "bindings")
    }

    /// Like [`TestServices::start`], for the suite `name`: the pool is `walkout-<name>` and
    /// the data folder `target/test-services/<name>/`.
    pub(crate) fn start_named(root: &Path, moto_url: &str, name: &str) -> anyhow::Result<Self> {
        let pool = cognito::create_user_pool(moto_url, &format!("walkout-{name}"))?;
        let scratch = root.join("target").join("test-services").join(name);
        if scratch.exists() {
            std::fs::remove_dir_all(&scratch)
                .with_context(|| format!("cannot empty {}", scratch.display()))?;
        }
        let data_dir = scratch.join("service");
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("cannot create {}", data_dir.display()))?;

        let env = [
            ("WALKOUT_AUTH__ISSUER", pool.issuer()),
            ("WALKOUT_AUTH__JWKS_URL", pool.jwks_url()),
            (
                "WALKOUT_AUTH__CLIENT_IDS",
                format!("[\"{}\"]", pool.client_id),
            ),
        ];
        let binary = root.join("target").join("debug").join("walkout-connectors");
        let mut service = Service::start(&binary, &data_dir, &env)?;
        service.wait_ready(Duration::from_secs(60))?;
        let jwo_token = read_jwo_token(&data_dir)?;
        Ok(Self {
            backend_url: service.base_url.clone(),
            jwo_token,
            _service: service,
            pool,
            scratch,
        })
    }

    /// Returns the environment variables that the Python and Kotlin tests read.
    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("WALKOUT_BACKEND_URL", self.backend_url.clone()),
            ("WALKOUT_JWO_TOKEN", self.jwo_token.clone()),
            ("WALKOUT_MOTO_URL", self.pool.endpoint.clone()),
            ("WALKOUT_COGNITO_ENDPOINT", self.pool.endpoint.clone()),
            ("WALKOUT_COGNITO_REGION", self.pool.region.clone()),
            ("WALKOUT_COGNITO_POOL_ID", self.pool.pool_id.clone()),
            ("WALKOUT_COGNITO_CLIENT_ID", self.pool.client_id.clone()),
            (
                "WALKOUT_TEST_DIR",
                self.scratch.join("apps").display().to_string(),
            ),
        ]
    }
}

/// Reads the JWO caller token that the service writes into `credentials.toml` in its data folder.
fn read_jwo_token(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("credentials.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{} is not valid TOML", path.display()))?;
    let token = table
        .get("jwo_caller_token")
        .and_then(toml::Value::as_str)
        .with_context(|| format!("{} has no jwo_caller_token", path.display()))?;
    Ok(token.to_owned())
}

/// Returns whether `cargo xtask test` runs the binding stages. `WALKOUT_SKIP_BINDINGS=1` skips
/// them for a quicker local run, but never under CI (`CI=true`), where they always run.
pub fn stages_enabled() -> bool {
    let skip_requested = std::env::var("WALKOUT_SKIP_BINDINGS").is_ok_and(|value| value == "1");
    let under_ci = std::env::var("CI").is_ok_and(|value| value == "true");
    if skip_requested && under_ci {
        eprintln!("==> binding stages: WALKOUT_SKIP_BINDINGS=1 is ignored under CI=true");
    } else if skip_requested {
        eprintln!("==> binding stages: skipped, because WALKOUT_SKIP_BINDINGS=1 is set");
    }
    !skip_requested || under_ci
}

/// Runs the binding-test stages of `cargo xtask test`: build and generate, start the service,
/// then run the Python and Kotlin suites. `python` is the test virtual environment's
/// interpreter and `moto_url` the running moto server.
pub fn test_stages(
    records: &mut Vec<StageRecord>,
    cargo: &str,
    python: &Path,
    moto_url: &str,
) -> anyhow::Result<()> {
    let root = workspace_root();
    let library = stage::run(records, "build walkout-ffi and generate bindings", || {
        let library = build_library(cargo, &root, &["walkout-connectors"])?;
        generate_all(&root, &library)?;
        Ok(library)
    })?;

    let services = stage::run(records, "start walkout-connectors for bindings", || {
        TestServices::start(&root, moto_url)
    })?;
    eprintln!(
        "    {} with pool {}",
        services.backend_url, services.pool.pool_id
    );
    let env = services.env();

    stage::run(records, "Python binding tests (pytest)", || {
        let module_dir = python::prepare(&root, &library)?;
        python::run_tests(python, &root, &module_dir, &env)
    })?;

    let tools = stage::run(records, "install kotlinc and JNA", kotlin::install)?;
    stage::run(records, "Kotlin binding tests (JVM)", || {
        let jar = kotlin::compile(&tools, &root)?;
        kotlin::run_main(&tools, &jar, &library, &[], &env)
    })?;
    Ok(())
}

/// Runs only the binding tests, starting moto as `cargo xtask test` does.
fn run_tests_alone(records: &mut Vec<StageRecord>, cargo: &str, root: &Path) -> anyhow::Result<()> {
    let python = stage::run(records, "install Python test tools", || {
        tools::python_venv(tools::PYTHON_PACKAGES)
    })?;
    let moto = stage::run(records, "start moto (Cognito stand-in)", || {
        services::start_moto(&python, &root.join("target").join("test-services"))
    })?;
    test_stages(records, cargo, &python, &moto.url)
}

/// Measures the call overhead with the size-optimised library that the apps ship.
fn run_bench(records: &mut Vec<StageRecord>, cargo: &str, root: &Path) -> anyhow::Result<()> {
    let library = stage::run(records, "build the release-mobile library", || {
        let library = size::build_mobile_library(cargo, root)?;
        size::library_size(&library)?;
        Ok(library)
    })?;
    stage::run(records, "benchmark: Python call overhead", || {
        let module_dir = python::prepare(root, &library)?;
        python::run_bench(
            &tools::python_venv(tools::PYTHON_PACKAGES)?,
            root,
            &module_dir,
        )
    })?;
    let tools = stage::run(records, "install kotlinc and JNA", kotlin::install)?;
    stage::run(records, "benchmark: Kotlin call overhead", || {
        let jar = kotlin::compile(&tools, root)?;
        kotlin::run_main(&tools, &jar, &library, &["bench"], &[])
    })
}
