//! The POS sinks of this service and the queue that delivers to them, built from
//! `[ordering]`: the CSV and POSLog drop folders always, the JSON webhook when configured.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::pos::csv::CsvFolderSink;
use crate::pos::delivery::{Delivery, RetryPolicy};
use crate::pos::poslog::{PoslogFolderSink, PoslogOptions};
use crate::pos::webhook::{WebhookConfig, WebhookSink};
use crate::pos::{PosError, PosSink};
use crate::server::AppState;

/// Time allowed for one POS webhook call; the delivery lease is longer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claimed POS export job stays leased.
const EXPORT_LEASE: Duration = Duration::from_secs(60);

/// Returns the folder that contains the `csv/` and `poslog/` drop folders.
pub fn pos_folder(state: &AppState) -> PathBuf {
    state
        .config
        .ordering
        .pos_folder
        .clone()
        .unwrap_or_else(|| state.config.data_dir.join("pos"))
}

/// Builds the configured sinks.
pub fn sinks(state: &AppState) -> Result<Vec<Arc<dyn PosSink>>, PosError> {
    let folder = pos_folder(state);
    let mut sinks: Vec<Arc<dyn PosSink>> = vec![
        Arc::new(CsvFolderSink::new(folder.join("csv"))),
        Arc::new(PoslogFolderSink::new(
            folder.join("poslog"),
            PoslogOptions::default(),
        )),
    ];
    let config = &state.config.ordering;
    if let (Some(url), Some(secret)) = (&config.pos_webhook_url, &config.pos_webhook_secret) {
        let url = reqwest::Url::parse(url).map_err(|error| PosError::Permanent {
            sink: "webhook".to_owned(),
            message: format!("ordering.pos_webhook_url is not a URL: {error}"),
        })?;
        let webhook = WebhookConfig {
            url,
            secret: Zeroizing::new(secret.clone()),
            timeout: WEBHOOK_TIMEOUT,
        };
        sinks.push(Arc::new(WebhookSink::new(webhook, state.clock.clone())?));
    }
    Ok(sinks)
}

/// Builds the POS delivery queue of this service.
pub fn delivery(state: &AppState) -> Result<Delivery, PosError> {
    Ok(Delivery::new(
        state.db.pool.clone(),
        sinks(state)?,
        RetryPolicy::default(),
        state.clock.clone(),
        EXPORT_LEASE,
    ))
}
