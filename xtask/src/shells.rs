//! The Android shell's checks. `cargo xtask test` compiles the plain-Kotlin part of
//! `android/core-android` (view models, the Keystore secret store's file logic) with the
//! generated bindings and its JVM tests. It runs them on the machine's Java against the real
//! `walkout-ffi` library, a connectors service and the moto user pool.
//!
//! It builds no Android code: the Compose app, the Keystore key provider and the Gradle build
//! need the Android SDK, which these machines do not have. It uses `kotlinc` and JNA from the
//! tool cache, where the Kotlin binding stage installs them earlier in the same run.
//!
//! Besides the shared moto (which checks TOTP codes, so the MFA tests can fail on a wrong one),
//! the stage starts the oidc-provider emulator on loopback, so a test signs in through its login
//! page end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::stage::{self, StageRecord};
use crate::{oidc, tools, workspace_root};

/// The `kotlin-compiler` npm version and the Debian JNA version that the Kotlin binding stage
/// installs into the tool cache.
// NOTE: these repeat the pins in `bindings/kotlin.rs`, whose installer is private to that
// module; call it from here once it is visible to the crate.
const KOTLIN_VERSION: &str = "2.4.20";
const JNA_VERSION: &str = "5.13.0-2";

/// The test runner's main class, from `android/core-android/src/jvmTest/kotlin`.
const RUNNER_CLASS: &str = "com.walkout.android.test.TestRunnerKt";

/// The compiler and runtime pieces found in the tool cache.
struct KotlinTools {
    kotlinc: PathBuf,
    stdlib: PathBuf,
    jna_jar: PathBuf,
    jni_dir: PathBuf,
}

impl KotlinTools {
    /// Finds the cached kotlinc and JNA; fails with the command that installs them.
    fn find() -> anyhow::Result<Self> {
        let cache = tools::cache_root()?;
        let kotlin = cache.join(format!("kotlin-{KOTLIN_VERSION}"));
        let jna = cache.join(format!("jna-{JNA_VERSION}"));
        for dir in [&kotlin, &jna] {
            if !dir.join(".walkout-complete").exists() {
                bail!(
                    "{} is missing; run `cargo xtask bindings --test` once to install kotlinc and JNA",
                    dir.display()
                );
            }
        }
        let jna_version = JNA_VERSION.split('-').next().unwrap_or(JNA_VERSION);
        Ok(Self {
            kotlinc: kotlin.join("package").join("bin").join("kotlinc-jvm"),
            stdlib: kotlin.join("package").join("lib").join("kotlin-stdlib.jar"),
            jna_jar: jna
                .join("usr")
                .join("share")
                .join("java")
                .join(format!("jna-{jna_version}.jar")),
            jni_dir: find_jni_dir(&jna.join("usr").join("lib"))?,
        })
    }
}

/// Returns the multiarch folder (such as `x86_64-linux-gnu/jni`) that contains
/// `libjnidispatch.system.so` under `lib_dir`.
fn find_jni_dir(lib_dir: &Path) -> anyhow::Result<PathBuf> {
    let entries =
        std::fs::read_dir(lib_dir).with_context(|| format!("cannot list {}", lib_dir.display()))?;
    for entry in entries {
        let jni = entry?.path().join("jni");
        if jni.join("libjnidispatch.system.so").is_file() {
            return Ok(jni);
        }
    }
    bail!(
        "libjnidispatch.system.so is missing under {}",
        lib_dir.display()
    )
}

/// `cargo xtask android`: builds and generates what the Android stages need, starts moto, and
/// runs them alone.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(unknown) = args.first() {
        bail!("cargo xtask android takes no options, found {unknown:?}");
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    crate::bindings::run(&[])?;

    let mut records = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        stage::run(&mut records, "build walkout-connectors", || {
            tools::run(
                Command::new(&cargo).current_dir(&root).args([
                    "build",
                    "--quiet",
                    "-p",
                    "walkout-connectors",
                ]),
                "cargo build -p walkout-connectors",
            )
        })?;
        let python = stage::run(&mut records, "install Python test tools", || {
            tools::python_venv(tools::PYTHON_PACKAGES)
        })?;
        let moto = stage::run(&mut records, "start moto (Cognito stand-in)", || {
            crate::services::start_moto(&python, &root.join("target").join("test-services"))
        })?;
        android_stages(&mut records, &moto.url)
    })();
    stage::print_summary(&records);
    result
}

/// Runs the Android stages of `cargo xtask test`, after the binding stages have built
/// `walkout-ffi` and `walkout-connectors` and generated the Kotlin bindings.
pub fn android_stages(records: &mut Vec<StageRecord>, moto_url: &str) -> anyhow::Result<()> {
    let root = workspace_root();
    let services = stage::run(records, "start walkout-connectors for Android", || {
        crate::bindings::TestServices::start_named(&root, moto_url, "android")
    })?;
    eprintln!(
        "    {} with pool {}",
        services.backend_url, services.pool.pool_id
    );
    let mut env = services.env();

    let log_dir = root.join("target").join("test-services").join("android");
    let oidc_dir = stage::run(
        records,
        "install oidc-provider (npm)",
        oidc::install_oidc_provider,
    )?;
    let provider = stage::run(records, "start oidc-provider for Android", || {
        oidc::start_oidc_provider(&oidc_dir, &log_dir)
    })?;
    eprintln!("    {} on {}", provider.name, provider.url);
    env.extend(hosted_env(&provider.url, moto_url));

    stage::run(records, "Android view models (JVM)", || {
        let tools = KotlinTools::find()?;
        let jar = compile(&tools, &root)?;
        run_tests(&tools, &jar, &root, &env)
    })
}

/// Returns the variables that the JVM tests read for hosted sign-in and the MFA tests, besides
/// the service's: the provider's issuer, its client and test shopper, and the moto that checks TOTP codes.
fn hosted_env(oidc_issuer: &str, totp_moto_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("WALKOUT_OIDC_ISSUER", oidc_issuer.to_owned()),
        ("WALKOUT_OIDC_CLIENT_ID", oidc::OIDC_CLIENT_ID.to_owned()),
        ("WALKOUT_OIDC_USER_EMAIL", oidc::OIDC_USER_EMAIL.to_owned()),
        (
            "WALKOUT_OIDC_USER_PASSWORD",
            oidc::OIDC_USER_PASSWORD.to_owned(),
        ),
        ("WALKOUT_MOTO_TOTP_URL", totp_moto_url.to_owned()),
    ]
}

/// Collects the `.kt` files under `dir`, sorted so the compiler gets them in a stable order.
fn kotlin_sources(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "kt") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Compiles the generated bindings, core-android's plain-Kotlin sources and its JVM tests
/// into one jar; returns its path.
fn compile(tools: &KotlinTools, root: &Path) -> anyhow::Result<PathBuf> {
    let module = root.join("android").join("core-android").join("src");
    let generated = root
        .join("bindings")
        .join("generated")
        .join("kotlin")
        .join("uniffi")
        .join("walkout_ffi")
        .join("walkout_ffi.kt");
    if !generated.is_file() {
        bail!(
            "{} is missing; run `cargo xtask bindings` to generate it",
            generated.display()
        );
    }
    let mut sources = vec![generated];
    sources.extend(kotlin_sources(&module.join("main").join("kotlin"))?);
    sources.extend(kotlin_sources(&module.join("jvmTest").join("kotlin"))?);

    let out = root.join("target").join("android-jvm");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let jar = out.join("walkout-android-tests.jar");
    let mut command = Command::new(&tools.kotlinc);
    command
        .args(["-nowarn", "-jvm-target", "17", "-classpath"])
        .arg(&tools.jna_jar)
        .arg("-d")
        .arg(&jar)
        .args(&sources);
    tools::run(&mut command, "kotlinc-jvm (android/core-android)")?;
    Ok(jar)
}

/// Runs the test runner from `jar` with `env`, loading the debug `walkout-ffi` through JNA.
fn run_tests(
    tools: &KotlinTools,
    jar: &Path,
    root: &Path,
    env: &[(&str, String)],
) -> anyhow::Result<()> {
    let library_dir = root.join("target").join("debug");
    let classpath = std::env::join_paths([jar, &tools.stdlib, &tools.jna_jar])
        .context("a classpath entry contains the path separator")?;
    let mut command = Command::new("java");
    command
        .arg("-Djna.nosys=false")
        .arg(format!("-Djava.library.path={}", tools.jni_dir.display()))
        .arg(format!("-Djna.library.path={}", library_dir.display()))
        .arg("-classpath")
        .arg(classpath)
        .arg(RUNNER_CLASS);
    for (name, value) in env {
        command.env(name, value);
    }
    tools::run(&mut command, "java (Android view model tests)")
}
