//! Every log line written while cards are added, at every level and from every crate, is
//! captured and searched for the card number and the CVC.

mod wallet_support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use wallet_support::{Backend, app};

const NUMBER: &str = "378282246310005";
const CVC: &str = "7391";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Returns the maximal runs of ASCII digits in `text`.
fn digit_runs(text: &str) -> Vec<&str> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect()
}

#[test]
fn add_card_logs_no_number_or_cvc() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .without_time()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");

    let backend = Backend::start(0, 30 * 24 * 3600);
    let storage = tempfile::tempdir().expect("tempdir");
    let app = app(&backend.url, storage.path(), 0);
    app.core
        .add_card("3782 822463 10005", 12, 2034, CVC)
        .expect("card added");
    // Failures log too: a form error, a PSP decline and an expired card.
    let _ = app.core.add_card("3782 822463 10006", 12, 2034, CVC);
    let _ = app.core.add_card("4000 0000 0000 0002", 12, 2034, "739");
    let _ = app.core.add_card(NUMBER, 1, 2001, CVC);
    drop(app);

    let logs = String::from_utf8_lossy(&buffer.0.lock().expect("buffer")).into_owned();
    assert!(logs.contains("card saved"), "the capture works:\n{logs}");
    let runs = digit_runs(&logs);
    for secret in [NUMBER, "378282246310006", "4000000000000002", CVC, "739"] {
        assert!(!runs.contains(&secret), "{secret} found in:\n{logs}");
    }
    for spaced in [
        "3782 822463",
        "4000 0000 0000 0002",
        "card[number]",
        "card%5Bnumber",
        "cvc%5D=",
    ] {
        assert!(!logs.contains(spaced), "{spaced} found in:\n{logs}");
    }
}
