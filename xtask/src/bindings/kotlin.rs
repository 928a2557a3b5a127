//! The Kotlin side of the binding tests, on the machine's Java 17 without Gradle: `kotlinc`
//! from the npm package `kotlin-compiler`, and JNA from Debian's `libjna-java` and
//! `libjna-jni`, both unpacked without root into the tool cache and keyed by version.
//!
//! Debian's JNA jar lacks the native dispatch library: `libjna-jni` ships it as
//! `libjnidispatch.system.so`, which JNA loads from `java.library.path` when started with
//! `-Djna.nosys=false`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use super::generated_dir;
use crate::tools;

/// The pinned `kotlin-compiler` npm package version.
const KOTLIN_VERSION: &str = "2.4.20";
/// The pinned Debian version of `libjna-java` and `libjna-jni` (Debian 12).
const JNA_VERSION: &str = "5.13.0-2";

/// The installed compiler and runtime pieces.
pub struct KotlinTools {
    kotlinc: PathBuf,
    stdlib: PathBuf,
    jna_jar: PathBuf,
    jni_dir: PathBuf,
}

/// Installs kotlinc and JNA into the cache on first use; returns their paths.
pub fn install() -> anyhow::Result<KotlinTools> {
    let cache = tools::cache_root()?;
    let kotlin_dir = cached(&cache.join(format!("kotlin-{KOTLIN_VERSION}")), |dir| {
        install_kotlin(dir)
    })?;
    let jna_dir = cached(&cache.join(format!("jna-{JNA_VERSION}")), |dir| {
        install_jna(dir)
    })?;

    let jna_jar = find_file(&jna_dir, &|name| {
        name.starts_with("jna-") && name.ends_with(".jar")
    })?;
    let dispatch = find_file(&jna_dir, &|name| name == "libjnidispatch.system.so")?;
    Ok(KotlinTools {
        kotlinc: kotlin_dir.join("package").join("bin").join("kotlinc-jvm"),
        stdlib: kotlin_dir
            .join("package")
            .join("lib")
            .join("kotlin-stdlib.jar"),
        jna_jar,
        jni_dir: dispatch
            .parent()
            .context("libjnidispatch.system.so has no folder")?
            .to_owned(),
    })
}

/// Returns `dir`, filling it with `fill` first unless an earlier fill completed. A fill works
/// in a sibling folder that is renamed into place, so an interrupted one is never used.
fn cached(dir: &Path, fill: impl FnOnce(&Path) -> anyhow::Result<()>) -> anyhow::Result<PathBuf> {
    if dir.join(".walkout-complete").exists() {
        return Ok(dir.to_owned());
    }
    let name = dir.file_name().context("the cache folder has no name")?;
    let partial = dir.with_file_name(format!("{}.partial", name.to_string_lossy()));
    for stale in [dir, partial.as_path()] {
        if stale.exists() {
            std::fs::remove_dir_all(stale)
                .with_context(|| format!("cannot remove {}", stale.display()))?;
        }
    }
    std::fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    fill(&partial)?;
    std::fs::write(partial.join(".walkout-complete"), "")
        .context("cannot write the completion marker")?;
    std::fs::rename(&partial, dir)
        .with_context(|| format!("cannot move {} into place", partial.display()))?;
    Ok(dir.to_owned())
}

fn install_kotlin(dir: &Path) -> anyhow::Result<()> {
    eprintln!("    downloading kotlin-compiler@{KOTLIN_VERSION} with npm pack");
    tools::run(
        Command::new("npm").current_dir(dir).args([
            "pack",
            "--silent",
            &format!("kotlin-compiler@{KOTLIN_VERSION}"),
        ]),
        "npm pack kotlin-compiler",
    )?;
    let tarball = format!("kotlin-compiler-{KOTLIN_VERSION}.tgz");
    tools::run(
        Command::new("tar").current_dir(dir).args(["xzf", &tarball]),
        "tar xzf kotlin-compiler",
    )?;
    std::fs::remove_file(dir.join(&tarball)).context("cannot remove the npm tarball")?;
    Ok(())
}

fn install_jna(dir: &Path) -> anyhow::Result<()> {
    eprintln!("    downloading libjna-java and libjna-jni {JNA_VERSION} with apt-get download");
    let status = Command::new("apt-get")
        .current_dir(dir)
        .args(["download", "--quiet"])
        .arg(format!("libjna-java={JNA_VERSION}"))
        .arg(format!("libjna-jni={JNA_VERSION}"))
        .status()
        .context("cannot start apt-get")?;
    if !status.success() {
        bail!(
            "apt-get download libjna-java libjna-jni ={JNA_VERSION} failed ({status}); \
             run `apt-get update` first, or update JNA_VERSION to the version Debian offers"
        );
    }
    for entry in std::fs::read_dir(dir).context("cannot list the JNA download folder")? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "deb") {
            tools::run(
                Command::new("dpkg").arg("-x").arg(&path).arg(dir),
                "dpkg -x",
            )?;
            std::fs::remove_file(&path).context("cannot remove a downloaded .deb")?;
        }
    }
    Ok(())
}

/// Finds the one regular file under `dir` whose name passes `wanted` (symbolic links skipped).
fn find_file(dir: &Path, wanted: &dyn Fn(&str) -> bool) -> anyhow::Result<PathBuf> {
    let mut pending = vec![dir.to_owned()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
        {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = entry.file_name();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() && wanted(&name.to_string_lossy()) {
                return Ok(entry.path());
            }
        }
    }
    bail!("the expected file is missing under {}", dir.display())
}

/// Compiles the generated bindings and `tests/kotlin/*.kt` into one jar; returns its path. A
/// jar built from the same sources with the same compiler is reused, because compiling the
/// generated code takes most of the Kotlin stage.
pub fn compile(kotlin: &KotlinTools, root: &Path) -> anyhow::Result<PathBuf> {
    let out = root.join("target").join("bindings-test").join("kotlin");
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let jar = out.join("walkout-kotlin-tests.jar");

    let generated = generated_dir(root, "kotlin")
        .join("uniffi")
        .join("walkout_ffi")
        .join("walkout_ffi.kt");
    let mut sources = vec![generated];
    for entry in
        std::fs::read_dir(root.join("tests").join("kotlin")).context("cannot list tests/kotlin")?
    {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "kt") {
            sources.push(path);
        }
    }

    sources.sort();
    let stamp_path = out.join("walkout-kotlin-tests.sources");
    let stamp = sources_fingerprint(&sources)?;
    let previous = std::fs::read_to_string(&stamp_path).unwrap_or_default();
    if jar.exists() && previous == stamp {
        eprintln!("    reusing {}: its sources are unchanged", jar.display());
        return Ok(jar);
    }

    let mut command = Command::new(&kotlin.kotlinc);
    command
        .args(["-nowarn", "-jvm-target", "17", "-classpath"])
        .arg(&kotlin.jna_jar)
        .arg("-d")
        .arg(&jar)
        .args(&sources);
    tools::run(&mut command, "kotlinc-jvm")?;
    std::fs::write(&stamp_path, stamp)
        .with_context(|| format!("cannot write {}", stamp_path.display()))?;
    Ok(jar)
}

/// Returns a fingerprint of the compiler version and of the paths and contents of `sources`.
fn sources_fingerprint(sources: &[PathBuf]) -> anyhow::Result<String> {
    let mut parts = vec![KOTLIN_VERSION.to_owned(), JNA_VERSION.to_owned()];
    for source in sources {
        parts.push(source.display().to_string());
        parts.push(
            std::fs::read_to_string(source)
                .with_context(|| format!("cannot read {}", source.display()))?,
        );
    }
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Ok(tools::fingerprint(&parts))
}

/// Runs the test runner's `main` from `jar` with `args`, loading `library` through JNA.
pub fn run_main(
    kotlin: &KotlinTools,
    jar: &Path,
    library: &Path,
    args: &[&str],
    env: &[(&str, String)],
) -> anyhow::Result<()> {
    let library_dir = library.parent().context("the library has no folder")?;
    let classpath = std::env::join_paths([jar, &kotlin.stdlib, &kotlin.jna_jar])
        .context("a classpath entry contains the path separator")?;

    let mut command = Command::new("java");
    command
        .arg("-Djna.nosys=false")
        .arg(format!("-Djava.library.path={}", kotlin.jni_dir.display()))
        .arg(format!("-Djna.library.path={}", library_dir.display()))
        .arg("-classpath")
        .arg(classpath)
        .arg("RunnerKt")
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    tools::run(&mut command, "java RunnerKt")
}
