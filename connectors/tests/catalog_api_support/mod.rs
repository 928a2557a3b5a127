//! Shared setup of the catalog API tests: the real service on a loopback port with a fresh
//! data folder, an HTTP client that sends the admin key, and the demo catalog converted once
//! from the real UCI data.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use walkout_connectors::catalog::uci::{self, ConversionReport};
use walkout_connectors::config::{ClockMode, Config};
use walkout_connectors::server::{self, AppState};

// Each test crate that uses several support modules loads this shared builder once per module.
#[allow(clippy::duplicate_mod)]
#[path = "../common/mod.rs"]
mod common;

use common::database::TestDatabase;
use common::launch::Launch;

pub const UCI_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);

/// Header of the catalog template with Walkout's extra columns.
pub const HEADER: &str = "item_sku,external_product_id,external_product_id_type,item_name,store_id,standard_price,brand_name,product_tax_code,product_category,product_subcategory,unit,additional_external_product_information,currency";

/// A running service. The data folder lives as long as this value.
pub struct TestService {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    pub admin_key: String,
    _data_dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
    _database: Option<TestDatabase>,
}

impl Drop for TestService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An HTTP answer: status, the body as text and, when it is JSON, parsed.
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.text))
    }
}

impl TestService {
    /// Starts the service on 127.0.0.1 with a temporary data folder and the test clock;
    /// `configure` changes the rest.
    pub async fn start(configure: impl FnOnce(&mut Config)) -> TestService {
        let launch = Launch::prepare(|config| {
            config.clock = ClockMode::Test;
            configure(config);
        })
        .await;
        let address = launch.address;
        let state = launch.state;
        let admin_key = state.credentials.admin_api_key.clone();
        let app = server::router(state.clone());
        let listener = launch.listener;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("HTTP client");
        TestService {
            base: format!("http://{address}"),
            state,
            http,
            admin_key,
            _data_dir: launch.data_dir,
            task,
            _database: launch.database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("service answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        Answer { status, text }
    }

    /// Sends `body` to `POST path` with the admin key and the given Content-Type.
    pub async fn post_with_key(
        &self,
        path: &str,
        key: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(key)
            .header("content-type", content_type)
            .body(body);
        self.send(request).await
    }

    /// Uploads a catalog CSV with the initial admin key.
    pub async fn import_csv(&self, csv: &str) -> Answer {
        self.post_with_key(
            "/admin/v1/catalog",
            &self.admin_key,
            "text/csv",
            csv.to_owned(),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Answer {
        let request = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.admin_key)
            .json(body);
        self.send(request).await
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Answer {
        let request = self
            .http
            .put(self.url(path))
            .bearer_auth(&self.admin_key)
            .json(body);
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        let request = self.http.get(self.url(path)).bearer_auth(&self.admin_key);
        self.send(request).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        let request = self
            .http
            .delete(self.url(path))
            .bearer_auth(&self.admin_key);
        self.send(request).await
    }
}

/// The demo catalog converted from the real UCI data into a temporary CSV: the file's text and
/// the conversion report. Converted once per test process.
pub fn real_catalog() -> &'static (String, ConversionReport) {
    static CATALOG: OnceLock<(String, ConversionReport)> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let folder = tempfile::tempdir().expect("temporary folder");
        let output: PathBuf = folder.path().join("catalog.csv");
        let report = uci::convert_uci_to_template(UCI_FILE.as_ref(), &output, &mut |_| {})
            .expect("real data converts");
        let text = std::fs::read_to_string(&output).expect("converted catalog reads");
        (text, report)
    })
}

/// Builds a catalog CSV from rows written after the header.
pub fn csv(rows: &[&str]) -> String {
    let mut text = String::from(HEADER);
    for row in rows {
        text.push('\n');
        text.push_str(row);
    }
    text.push('\n');
    text
}
