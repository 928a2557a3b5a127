//! Several `walkout-connectors serve` processes on one database, as a deployment behind a load
//! balancer runs them.
//!
//! Each instance has its own data folder and loopback port. The folders hold copies of one
//! `credentials.toml`, so the JWO caller token, the HMAC secret and the data key that seals
//! entry secrets are equal on every instance: a code enrolled through one instance verifies on
//! another. Every instance also gets the same `WALKOUT_*` settings, and each one runs the
//! background workers (ordering jobs, payment reconciler, offers). The embedded SQLite file
//! belongs to one process, so more than one instance needs a database URL.

use std::path::Path;

use super::service::{self, ChildProcess};

/// Running service instances, stopped when dropped (before their data folders are removed).
pub struct Instances {
    processes: Vec<ChildProcess>,
    _folders: Vec<tempfile::TempDir>,
}

impl Instances {
    /// Starts `count` instances, one after the other, and waits for `/readyz` on each.
    ///
    /// `prepared_dir` is the data folder of the first instance. It already contains
    /// `credentials.toml`, and each other instance's folder receives a copy of it. `env` is
    /// passed to every instance, and `label` names their log files
    /// (`walkout-connectors-<label>-<n>.log`).
    pub async fn start(
        binary: &Path,
        prepared_dir: &Path,
        count: usize,
        env: &[(&str, String)],
        label: &str,
    ) -> Instances {
        let credentials = prepared_dir.join(walkout_connectors::credentials::FILE_NAME);
        let mut folders = Vec::new();
        let mut processes = Vec::new();
        for index in 0..count.max(1) {
            let data_dir = if index == 0 {
                prepared_dir.to_path_buf()
            } else {
                let folder = tempfile::tempdir().expect("temporary data folder");
                let copy = folder
                    .path()
                    .join(walkout_connectors::credentials::FILE_NAME);
                // std::fs::copy keeps the permission bits, so the copy stays mode 0600.
                std::fs::copy(&credentials, &copy).unwrap_or_else(|error| {
                    panic!("cannot copy {}: {error}", credentials.display())
                });
                let path = folder.path().to_path_buf();
                folders.push(folder);
                path
            };
            let log_name = if count == 1 && label.is_empty() {
                "walkout-connectors.log".to_owned()
            } else {
                format!("walkout-connectors-{label}-{index}.log")
            };
            processes.push(service::start_service(binary, &data_dir, env, &log_name).await);
        }
        Instances {
            processes,
            _folders: folders,
        }
    }

    /// Base URLs (`http://127.0.0.1:PORT`), in instance order.
    pub fn base_urls(&self) -> Vec<String> {
        self.processes
            .iter()
            .map(|process| process.base_url.clone())
            .collect()
    }

    /// Process ids, in instance order.
    pub fn pids(&self) -> Vec<u32> {
        self.processes.iter().map(ChildProcess::pid).collect()
    }

    /// Peak resident set size of each instance so far, in KiB; `None` off Linux.
    pub fn peak_rss_kib(&self) -> Option<Vec<u64>> {
        self.processes
            .iter()
            .map(ChildProcess::peak_rss_kib)
            .collect()
    }
}
