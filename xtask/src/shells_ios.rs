//! The iOS package stage of `cargo xtask test`, also run alone by `cargo xtask ios`. It builds
//! `ios/` (the `WalkoutKit` Swift package) with Debian's Swift toolchain in a chroot. Its tests
//! run against the real core, a connectors service, a moto user pool and the oidc-provider
//! emulator on loopback.
//!
//! Nothing here needs Xcode, so nothing here proves the Apple-only parts (Keychain calls,
//! SwiftUI, AuthenticationServices), which compile only where those frameworks exist. The
//! package is copied into the chroot on each run, together with Swift and the C header
//! generated from the freshly built `libwalkout_ffi.so`. The generated files are never
//! committed. The chroot keeps its `.build` folder between runs, so a second build is
//! incremental. The Apple-only files are checked for syntax with `swiftc -parse` before the
//! build (see `apple_only`).

mod apple_only;
mod chroot;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::bindings::TestServices;
use crate::stage::{self, StageRecord};
use crate::{oidc, services, tools, workspace_root};

use chroot::{ProcMount, Toolchain};

/// The package's folder inside the chroot.
const PACKAGE_IN_CHROOT: &str = "/walkout/ios";
/// The library's folder inside the chroot. The test binary finds the library through
/// `LD_LIBRARY_PATH`, and the linker through `-L`.
const LIBRARY_DIR_IN_CHROOT: &str = "/walkout/lib";
const LIBRARY_FILE: &str = "libwalkout_ffi.so";

/// `cargo xtask ios`: starts moto, then runs the iOS package stages alone.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    if let Some(unknown) = args.first() {
        anyhow::bail!("cargo xtask ios takes no options, found {unknown:?}");
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut records = Vec::new();
    let result = (|| -> anyhow::Result<()> {
        let python = stage::run(&mut records, "install Python test tools", || {
            tools::python_venv(tools::PYTHON_PACKAGES)
        })?;
        let moto = stage::run(&mut records, "start moto (Cognito stand-in)", || {
            services::start_moto(&python, &root.join("target").join("test-services"))
        })?;
        test_stages(&mut records, &cargo, &moto.url)
    })();
    stage::print_summary(&records);
    result
}

/// Runs the iOS stages of `cargo xtask test`: the Swift chroot (built once, then cached), the
/// library with its generated Swift, a connectors service trusting a new pool in the moto
/// server at `moto_url`, and `swift build` plus `swift test` in the chroot.
pub fn test_stages(
    records: &mut Vec<StageRecord>,
    cargo: &str,
    moto_url: &str,
) -> anyhow::Result<()> {
    let root = workspace_root();
    let toolchain = stage::run(
        records,
        "Swift toolchain (debootstrap chroot, cached)",
        chroot::ensure,
    )?;
    let generated = stage::run(records, "build walkout-ffi and generate Swift", || {
        build_and_generate(cargo, &root)
    })?;
    let services = stage::run(records, "start walkout-connectors for iOS", || {
        TestServices::start_named(&root, moto_url, "ios")
    })?;
    eprintln!("    {}", services.backend_url);
    // A provider of its own, so that its log does not replace the log of the one that
    // `cargo xtask test` runs for the Rust tests.
    let oidc_dir = stage::run(
        records,
        "install oidc-provider (npm)",
        oidc::install_oidc_provider,
    )?;
    let oidc = stage::run(records, "start oidc-provider for iOS", || {
        oidc::start_oidc_provider(
            &oidc_dir,
            &root.join("target").join("test-services").join("ios"),
        )
    })?;
    eprintln!("    {} on {}", oidc.name, oidc.url);
    stage::run(records, "iOS package (swift test in chroot)", || {
        copy_package(&root, &toolchain, &generated)?;
        let apple_only = apple_only::swift_files(&root.join("ios"))?;
        swift_build_and_test(&toolchain, &apple_only, &swift_env(&services, &oidc.url))
    })
}

/// The freshly built library and the Swift generated from it.
struct Generated {
    library: PathBuf,
    dir: PathBuf,
}

/// Builds the library, `uniffi-bindgen` and the service, then generates the Swift bindings
/// into `target/ios-test/generated/`.
fn build_and_generate(cargo: &str, root: &Path) -> anyhow::Result<Generated> {
    tools::run(
        Command::new(cargo).current_dir(root).args([
            "build",
            "--quiet",
            "-p",
            "walkout-ffi",
            "-p",
            "walkout-connectors",
        ]),
        "cargo build -p walkout-ffi -p walkout-connectors",
    )?;
    let debug = root.join("target").join("debug");
    let library = debug.join(LIBRARY_FILE);
    let dir = root.join("target").join("ios-test").join("generated");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    let mut command = Command::new(debug.join("uniffi-bindgen"));
    command
        .current_dir(root)
        .args(["generate", "--library"])
        .arg(&library)
        .args(["--language", "swift", "--no-format", "--out-dir"])
        .arg(&dir)
        .stdout(std::process::Stdio::null());
    tools::run(&mut command, "uniffi-bindgen generate (swift)")?;
    Ok(Generated { library, dir })
}

/// Copies the package sources, the app target's folder (for the syntax check only), the
/// generated Swift and header, and the library into the chroot. Earlier sources are replaced;
/// the `.build` folder is kept.
fn copy_package(root: &Path, toolchain: &Toolchain, generated: &Generated) -> anyhow::Result<()> {
    let source = root.join("ios");
    let package = chroot_path(toolchain, PACKAGE_IN_CHROOT);
    for folder in ["Sources", "Tests", "App"] {
        let target = package.join(folder);
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot empty {}", target.display()))?;
        }
        copy_tree(&source.join(folder), &target)?;
    }
    copy_file(
        &source.join("Package.swift"),
        &package.join("Package.swift"),
    )?;
    copy_file(
        &generated.dir.join("walkout_ffi.swift"),
        &package.join("Sources/WalkoutKit/Generated/walkout_ffi.swift"),
    )?;
    copy_file(
        &generated.dir.join("walkout_ffiFFI.h"),
        &package.join("Sources/walkout_ffiFFI/walkout_ffiFFI.h"),
    )?;
    copy_file(
        &generated.library,
        &chroot_path(toolchain, LIBRARY_DIR_IN_CHROOT).join(LIBRARY_FILE),
    )
}

/// Parses the Apple-only files (`apple_only`, paths relative to the package), then builds the
/// package and its tests and runs them. `swift test` exits non-zero on any failing test, which
/// fails the stage.
fn swift_build_and_test(
    toolchain: &Toolchain,
    apple_only: &[String],
    env: &[(&str, String)],
) -> anyhow::Result<()> {
    let _proc = ProcMount::mount(&toolchain.root)?;
    let paths: Vec<String> = apple_only
        .iter()
        .map(|file| format!("{PACKAGE_IN_CHROOT}/{file}"))
        .collect();
    let mut parse = vec!["swiftc", "-parse"];
    parse.extend(paths.iter().map(String::as_str));
    tools::run(
        &mut toolchain.command(&parse, env),
        "swiftc -parse (Apple-only Swift files)",
    )?;

    let linker = [
        "-Xlinker",
        "-L",
        "-Xlinker",
        LIBRARY_DIR_IN_CHROOT,
        "-Xlinker",
        "-rpath",
        "-Xlinker",
        LIBRARY_DIR_IN_CHROOT,
    ];
    let mut build = vec![
        "swift",
        "build",
        "--build-tests",
        "--package-path",
        PACKAGE_IN_CHROOT,
    ];
    build.extend(linker);
    tools::run(&mut toolchain.command(&build, env), "swift build")?;

    // The tests are XCTest; without this flag Swift Testing runs too and ends the output with
    // "0 tests passed", which reads as if nothing ran.
    let mut test = vec![
        "swift",
        "test",
        "--skip-build",
        "--disable-swift-testing",
        "--package-path",
        PACKAGE_IN_CHROOT,
    ];
    test.extend(linker);
    tools::run(&mut toolchain.command(&test, env), "swift test")
}

/// Returns the variables the Swift tests read; `oidc_issuer` is the oidc-provider emulator's
/// issuer. The chroot shares the host's network, so the loopback addresses work inside it.
/// `CI` is passed on, because under `CI=true` a missing service fails a test instead of
/// skipping it.
fn swift_env(services: &TestServices, oidc_issuer: &str) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("WALKOUT_BACKEND_URL", services.backend_url.clone()),
        ("WALKOUT_OIDC_ISSUER", oidc_issuer.to_owned()),
        ("WALKOUT_OIDC_CLIENT_ID", oidc::OIDC_CLIENT_ID.to_owned()),
        ("WALKOUT_COGNITO_ENDPOINT", services.pool.endpoint.clone()),
        ("WALKOUT_COGNITO_REGION", services.pool.region.clone()),
        ("WALKOUT_COGNITO_POOL_ID", services.pool.pool_id.clone()),
        ("WALKOUT_COGNITO_CLIENT_ID", services.pool.client_id.clone()),
        ("LD_LIBRARY_PATH", LIBRARY_DIR_IN_CHROOT.to_owned()),
    ];
    if let Ok(ci) = std::env::var("CI") {
        env.push(("CI", ci));
    }
    env
}

/// Returns the host path of `path_in_chroot` (an absolute path inside the chroot).
fn chroot_path(toolchain: &Toolchain, path_in_chroot: &str) -> PathBuf {
    toolchain.root.join(path_in_chroot.trim_start_matches('/'))
}

fn copy_file(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Copies the regular files under `from` into `to`, skipping the generated files that an
/// earlier local build may have left in the source tree (they are replaced afterwards).
fn copy_tree(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    let entries =
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read {}", from.display()))?;
        let kind = entry.file_type()?;
        let name = entry.file_name();
        let target = to.join(&name);
        if kind.is_dir() {
            if name != "Generated" {
                copy_tree(&entry.path(), &target)?;
            }
        } else if kind.is_file() && name != "walkout_ffiFFI.h" {
            copy_file(&entry.path(), &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chroot_path_joins_under_root() {
        let toolchain = Toolchain {
            root: PathBuf::from("/cache/swift/root"),
        };
        assert_eq!(
            chroot_path(&toolchain, "/walkout/lib"),
            PathBuf::from("/cache/swift/root/walkout/lib")
        );
    }

    #[test]
    fn copy_tree_skips_generated_files() -> anyhow::Result<()> {
        let scratch =
            std::env::temp_dir().join(format!("walkout-copy-tree-{}", std::process::id()));
        let source = scratch.join("source");
        std::fs::create_dir_all(source.join("WalkoutKit/Generated"))?;
        std::fs::create_dir_all(source.join("walkout_ffiFFI"))?;
        std::fs::write(source.join("WalkoutKit/Model.swift"), "model")?;
        std::fs::write(source.join("WalkoutKit/Generated/walkout_ffi.swift"), "old")?;
        std::fs::write(source.join("walkout_ffiFFI/module.modulemap"), "map")?;
        std::fs::write(source.join("walkout_ffiFFI/walkout_ffiFFI.h"), "old")?;

        let target = scratch.join("target");
        copy_tree(&source, &target)?;

        assert!(target.join("WalkoutKit/Model.swift").is_file());
        assert!(target.join("walkout_ffiFFI/module.modulemap").is_file());
        assert!(!target.join("WalkoutKit/Generated").exists());
        assert!(!target.join("walkout_ffiFFI/walkout_ffiFFI.h").exists());
        std::fs::remove_dir_all(&scratch)?;
        Ok(())
    }
}
