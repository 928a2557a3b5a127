//! A throw-away PostgreSQL cluster for the connector tests and the PostgreSQL load benchmark.
//!
//! `initdb` creates a fresh cluster under `target/test-services/`. `pg_ctl` starts it on a free
//! loopback port with trust authentication and its unix socket inside the cluster folder, so
//! only this machine's test run can reach it. Dropping the value stops
//! the server and removes the folder, also when a stage fails. `initdb` refuses to run as root,
//! so when xtask runs as root both tools run as the unprivileged `postgres` user through
//! `runuser`, on a folder that user owns.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::service::free_port;

/// The unprivileged account that runs the server when xtask runs as root.
const SERVER_USER: &str = "postgres";

/// A running test cluster, stopped and removed on drop.
pub struct Cluster {
    bin_dir: PathBuf,
    folder: PathBuf,
    as_root: bool,
    pub port: u16,
    /// `postgres://postgres@127.0.0.1:PORT/postgres`, the administrative database.
    pub url: String,
}

impl Cluster {
    /// Creates and starts a cluster in a new folder under `services_dir`.
    pub fn start(services_dir: &Path) -> anyhow::Result<Cluster> {
        let bin_dir = find_or_install_tools()?;
        let as_root = running_as_root()?;
        let folder = services_dir.join(format!("postgres-{}", std::process::id()));
        if folder.exists() {
            std::fs::remove_dir_all(&folder)
                .with_context(|| format!("cannot remove the old cluster {}", folder.display()))?;
        }
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create {}", folder.display()))?;
        let port = free_port()?;
        // From here on, dropping the value cleans up whatever has been created.
        let cluster = Cluster {
            bin_dir,
            folder,
            as_root,
            port,
            url: format!("postgres://{SERVER_USER}@127.0.0.1:{port}/postgres"),
        };
        if as_root {
            crate::tools::run(
                Command::new("chown")
                    .arg(format!("{SERVER_USER}:{SERVER_USER}"))
                    .arg(&cluster.folder),
                "chown of the PostgreSQL test folder",
            )?;
        }
        cluster.init()?;
        cluster.start_server()?;
        Ok(cluster)
    }

    /// Creates the empty database `name` and returns its URL.
    pub fn create_database(&self, name: &str) -> anyhow::Result<String> {
        self.client_tool("createdb", &[name])?;
        Ok(format!(
            "postgres://{SERVER_USER}@127.0.0.1:{}/{name}",
            self.port
        ))
    }

    /// Drops the database `name`, closing the sessions still connected to it.
    pub fn drop_database(&self, name: &str) -> anyhow::Result<()> {
        self.client_tool("dropdb", &["--force", "--if-exists", name])
    }

    /// Runs a client tool of the server's version against this cluster over loopback TCP.
    ///
    /// PATH may hold only links to `initdb` and `pg_ctl`, so the tool is taken from the folder
    /// that the link to `initdb` resolves to when `bin_dir` lacks it.
    fn client_tool(&self, name: &str, args: &[&str]) -> anyhow::Result<()> {
        let mut program = self.bin_dir.join(name);
        if !program.is_file()
            && let Ok(initdb) = std::fs::canonicalize(self.bin_dir.join("initdb"))
            && let Some(folder) = initdb.parent()
        {
            program = folder.join(name);
        }
        let port = self.port.to_string();
        let output = self
            .command(&program)
            .args(["-h", "127.0.0.1", "-p", &port, "-U", SERVER_USER])
            .args(args)
            .output()
            .with_context(|| format!("cannot start {name}"))?;
        if !output.status.success() {
            bail!(
                "{name} {} failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    fn data_dir(&self) -> PathBuf {
        self.folder.join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.folder.join("postgres.log")
    }

    /// Builds a command for one of the server tools, run as the server user when xtask is root.
    fn tool(&self, name: &str) -> Command {
        self.command(&self.bin_dir.join(name))
    }

    /// Builds a command for `program`, run as the server user when xtask is root.
    fn command(&self, program: &Path) -> Command {
        let mut command = if self.as_root {
            let mut command = Command::new("runuser");
            command.args(["-u", SERVER_USER, "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.current_dir(&self.folder).stdin(Stdio::null());
        command
    }

    fn init(&self) -> anyhow::Result<()> {
        let output = self
            .tool("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-U",
                SERVER_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-instructions",
            ])
            .output()
            .context("cannot start initdb")?;
        if !output.status.success() {
            bail!(
                "initdb failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }

    fn start_server(&self) -> anyhow::Result<()> {
        // The cluster is thrown away after the run, so durability settings are off for speed.
        // Each test service opens its own pool, hence the higher connection limit.
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{socket_dir}' \
             -c max_connections=400 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            port = self.port,
            socket_dir = self.folder.display(),
        );
        let status = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_path())
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .stdout(Stdio::null())
            .status()
            .context("cannot start pg_ctl")?;
        if !status.success() {
            let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
            bail!(
                "pg_ctl start failed ({status}); server log {}:\n{}",
                self.log_path().display(),
                log.trim()
            );
        }
        Ok(())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let _ = self
                .tool("pg_ctl")
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "-t", "30", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Finds the folder with `initdb` and `pg_ctl`; installs Debian's `postgresql` package when
/// neither PATH nor `/usr/lib/postgresql/*/bin` has them.
fn find_or_install_tools() -> anyhow::Result<PathBuf> {
    if let Some(bin_dir) = find_tools() {
        return Ok(bin_dir);
    }
    if !running_as_root()? {
        bail!(
            "initdb and pg_ctl were not found on PATH or in /usr/lib/postgresql/*/bin; \
             install PostgreSQL (Debian: apt-get install postgresql)"
        );
    }
    eprintln!("    initdb not found: installing Debian's postgresql package with apt-get");
    crate::tools::run(Command::new("apt-get").arg("update"), "apt-get update")?;
    crate::tools::run(
        Command::new("apt-get").args(["install", "-y", "--no-install-recommends", "postgresql"]),
        "apt-get install postgresql",
    )?;
    find_tools().context("initdb and pg_ctl are still missing after installing postgresql")
}

fn find_tools() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    if let Some(folder) = on_path.into_iter().find(|folder| has_tools(folder)) {
        return Some(folder);
    }
    // Debian installs each major version in its own folder; the newest one wins.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, folder)| has_tools(folder))
        .collect();
    versions.sort();
    versions.pop().map(|(_, folder)| folder)
}

fn has_tools(folder: &Path) -> bool {
    folder.join("initdb").is_file() && folder.join("pg_ctl").is_file()
}

fn running_as_root() -> anyhow::Result<bool> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("cannot run id -u")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Ignored by default because it needs PostgreSQL's server tools (or root to install them).
    // Run with `cargo test -p xtask -- --ignored postgres`.
    #[test]
    #[ignore]
    fn cluster_listens_and_is_removed_on_drop() {
        let services_dir = crate::workspace_root().join("target").join("test-services");
        let cluster = Cluster::start(&services_dir).expect("cluster starts");
        let folder = cluster.folder.clone();
        let address = std::net::SocketAddr::from(([127, 0, 0, 1], cluster.port));

        let connected =
            std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(5));
        drop(cluster);

        assert!(connected.is_ok(), "no listener on {address}");
        assert!(!folder.exists(), "{} was not removed", folder.display());
        assert!(
            std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(1))
                .is_err(),
            "the server still listens after drop"
        );
    }
}
