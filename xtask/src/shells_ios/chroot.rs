//! The Swift toolchain for the iOS package tests: Debian trixie's `swiftlang` in a minimal
//! `debootstrap` chroot, built once and cached under `<cache>/swift-<version>/`.
//!
//! Building it needs root (debootstrap, chroot and mount), the network to the Debian mirror,
//! and a few minutes. The completion marker is written last, so a build that was interrupted is
//! removed and made again on the next run. `/proc` is mounted only while a command runs in the
//! chroot, through [`ProcMount`], which unmounts it when dropped, also on failure.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};

use crate::stage::format_duration;
use crate::tools;

/// The Debian release the chroot is made from.
const SUITE: &str = "trixie";
const MIRROR: &str = "http://deb.debian.org/debian";
/// The pinned `swiftlang` package version.
pub const SWIFTLANG_VERSION: &str = "6.0.3-2";
/// The marker file, written last into the cache folder after `swift --version` succeeded.
const MARKER: &str = ".walkout-complete";
/// `PATH` inside the chroot; the host's may name folders the chroot does not have.
pub const CHROOT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A chroot with the Swift toolchain installed.
pub struct Toolchain {
    /// The chroot's root folder.
    pub root: PathBuf,
}

/// Returns the cached toolchain, building it first when the cache has no complete one.
pub fn ensure() -> anyhow::Result<Toolchain> {
    let dir = tools::cache_root()?.join(format!("swift-{SWIFTLANG_VERSION}"));
    let root = dir.join("root");
    // `usr/bin/swift` is an absolute symbolic link, which only resolves inside the chroot.
    let swift_present = std::fs::symlink_metadata(root.join("usr/bin/swift")).is_ok();
    if dir.join(MARKER).exists() && swift_present {
        eprintln!("    reusing the Swift chroot in {}", root.display());
        return Ok(Toolchain { root });
    }
    require_root()?;
    let started = Instant::now();
    if dir.exists() {
        eprintln!("    removing the incomplete chroot in {}", dir.display());
        unmount_stale(&root.join("proc"))?;
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let log_path = dir.join("build.log");
    eprintln!(
        "    building the Swift chroot; full output in {}",
        log_path.display()
    );

    ensure_debootstrap(&log_path)?;
    eprintln!("    debootstrap --variant=minbase {SUITE} (about a minute)");
    let mut debootstrap = Command::new("debootstrap");
    debootstrap
        .args(["--variant=minbase", SUITE])
        .arg(&root)
        .arg(MIRROR);
    run_logged(&mut debootstrap, "debootstrap", &log_path)?;

    let toolchain = Toolchain { root };
    eprintln!(
        "    apt-get install swiftlang={SWIFTLANG_VERSION} libc6-dev in the chroot (about a minute)"
    );
    toolchain.run_logged(&["apt-get", "update"], &[], "apt-get update", &log_path)?;
    let package = format!("swiftlang={SWIFTLANG_VERSION}");
    // swiftlang depends on gcc, but not on the C library headers and start files (`crti.o`)
    // that linking any Swift program needs; gcc only recommends them.
    let install = [
        "apt-get",
        "install",
        "-y",
        "--no-install-recommends",
        package.as_str(),
        "libc6-dev",
    ];
    toolchain.run_logged(&install, &[], "apt-get install swiftlang", &log_path)?;
    toolchain.run_logged(&["swift", "--version"], &[], "swift --version", &log_path)?;

    std::fs::write(dir.join(MARKER), SWIFTLANG_VERSION)
        .with_context(|| format!("cannot write the marker in {}", dir.display()))?;
    eprintln!(
        "    Swift chroot ready in {}",
        format_duration(started.elapsed())
    );
    Ok(toolchain)
}

impl Toolchain {
    /// Returns a command that runs `args` inside the chroot with a clean environment holding
    /// only `PATH`, `HOME` and `env`. Mount `/proc` (see [`ProcMount`]) before running it.
    pub fn command(&self, args: &[&str], env: &[(&str, String)]) -> Command {
        let mut command = Command::new("chroot");
        command
            .arg(&self.root)
            .args(["/usr/bin/env", "-i"])
            .arg(format!("PATH={CHROOT_PATH}"))
            .arg("HOME=/root")
            .arg("DEBIAN_FRONTEND=noninteractive");
        for (name, value) in env {
            command.arg(format!("{name}={value}"));
        }
        command.args(args);
        command
    }

    /// Runs `args` in the chroot with `/proc` mounted, appending its output to `log_path`.
    fn run_logged(
        &self,
        args: &[&str],
        env: &[(&str, String)],
        what: &str,
        log_path: &Path,
    ) -> anyhow::Result<()> {
        let _proc = ProcMount::mount(&self.root)?;
        run_logged(&mut self.command(args, env), what, log_path)
    }
}

/// `/proc` mounted inside a chroot; unmounted when dropped. The Swift toolchain finds its own
/// libraries through `/proc/self/exe`, so nothing in the chroot works without it.
pub struct ProcMount {
    target: PathBuf,
}

impl ProcMount {
    /// Mounts `/proc` at `<root>/proc`, first unmounting one that an interrupted run left.
    pub fn mount(root: &Path) -> anyhow::Result<Self> {
        let target = root.join("proc");
        unmount_stale(&target)?;
        let mut command = Command::new("mount");
        command.args(["-t", "proc", "proc"]).arg(&target);
        tools::run(&mut command, &format!("mount -t proc {}", target.display()))?;
        Ok(Self { target })
    }
}

impl Drop for ProcMount {
    fn drop(&mut self) {
        let status = Command::new("umount").arg(&self.target).status();
        if !status.is_ok_and(|status| status.success()) {
            // A process that still runs in the chroot keeps the mount busy: detach it instead.
            let lazy = Command::new("umount").arg("-l").arg(&self.target).status();
            if !lazy.is_ok_and(|status| status.success()) {
                eprintln!(
                    "warning: cannot unmount {}; run `umount -l {}`",
                    self.target.display(),
                    self.target.display()
                );
            }
        }
    }
}

/// Unmounts `target` when `/proc/mounts` lists it, as after a run that was killed.
fn unmount_stale(target: &Path) -> anyhow::Result<()> {
    let mounts = std::fs::read_to_string("/proc/mounts").context("cannot read /proc/mounts")?;
    let wanted = target.display().to_string();
    let mounted = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .any(|point| point == wanted);
    if mounted {
        let mut command = Command::new("umount");
        command.arg("-l").arg(target);
        tools::run(&mut command, &format!("umount -l {wanted}"))?;
    }
    Ok(())
}

fn require_root() -> anyhow::Result<()> {
    let status =
        std::fs::read_to_string("/proc/self/status").context("cannot read /proc/self/status")?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next());
    if uid != Some("0") {
        bail!(
            "building the Swift chroot needs root (debootstrap, chroot and mount); \
             run as root or unset WALKOUT_BINDING_TESTS"
        );
    }
    Ok(())
}

/// Installs Debian's `debootstrap` on the host when it is missing.
fn ensure_debootstrap(log_path: &Path) -> anyhow::Result<()> {
    let found = Command::new("debootstrap")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if found {
        return Ok(());
    }
    eprintln!("    apt-get install debootstrap on the host");
    run_logged(
        Command::new("apt-get").arg("update"),
        "apt-get update",
        log_path,
    )?;
    run_logged(
        Command::new("apt-get")
            .args(["install", "-y", "debootstrap"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
        "apt-get install debootstrap",
        log_path,
    )
}

/// Runs a command with its output appended to `log_path`; on failure, prints the log's last
/// lines, because they name the step or package that failed.
fn run_logged(command: &mut Command, what: &str, log_path: &Path) -> anyhow::Result<()> {
    let log = File::options()
        .create(true)
        .append(true)
        .open(log_path)
        .with_context(|| format!("cannot open {}", log_path.display()))?;
    let log_err = log.try_clone().context("cannot duplicate the log file")?;
    let status = command
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .status()
        .with_context(|| format!("cannot start {what}"))?;
    if !status.success() {
        print_tail(log_path, 30);
        bail!(
            "{what} failed ({status}); see {} for its full output",
            log_path.display()
        );
    }
    Ok(())
}

fn print_tail(log_path: &Path, lines: usize) {
    let Ok(file) = File::open(log_path) else {
        return;
    };
    let all: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    for line in &all[all.len().saturating_sub(lines)..] {
        eprintln!("    | {line}");
    }
}
