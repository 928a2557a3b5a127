//! Shared set-up for the service tests: a real service on a loopback port with a fresh data
//! folder.

#![allow(dead_code)]

use std::path::PathBuf;

use walkout_connectors::config::Config;
use walkout_connectors::server::{self, AppState};

pub struct TestService {
    pub base_url: String,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl TestService {
    /// Starts the service with the defaults, changed by `configure`.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> TestService {
        let data_dir = tempfile::tempdir().expect("temp dir");
        // Bind first: the service reaches its embedded sandbox PSP at its own listen address.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let mut config = Config {
            data_dir: data_dir.path().to_path_buf(),
            listen: address,
            ..Config::default()
        };
        configure(&mut config);

        let (credentials, db) = walkout_connectors::cli::open_data(&config)
            .await
            .expect("open data");
        let state = AppState::new(config, db, credentials).await.expect("state");
        let base_url = format!("http://{address}");
        let app = server::router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestService {
            base_url,
            state,
            data_dir,
            task,
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
