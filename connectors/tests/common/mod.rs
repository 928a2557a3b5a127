//! Shared set-up for the service tests: a real service on a loopback port with a fresh data
//! folder, and a fresh PostgreSQL database when `WALKOUT_TEST_POSTGRES_URL` is set.

#![allow(dead_code)]

pub mod database;
pub mod launch;

use std::path::PathBuf;

use walkout_connectors::config::Config;
use walkout_connectors::server::{self, AppState};

use database::TestDatabase;
use launch::Launch;

pub struct TestService {
    pub base_url: String,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    /// Declared last, so the database is dropped after the server task is stopped.
    _database: Option<TestDatabase>,
}

impl TestService {
    /// Starts the service with the defaults, changed by `configure`.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> TestService {
        let launch = Launch::prepare(configure).await;
        let base_url = launch.base_url();
        let app = server::router(launch.state.clone());
        let listener = launch.listener;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestService {
            base_url,
            state: launch.state,
            data_dir: launch.data_dir,
            task,
            _database: launch.database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn data_path(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }
}

impl Drop for TestService {
    fn drop(&mut self) {
        self.task.abort();
    }
}
