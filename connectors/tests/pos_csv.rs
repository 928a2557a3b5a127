//! POS export as CSV files: RFC 4180 escaping, the trailer, atomic drops and de-duplication.

mod pos_support;

use std::path::Path;

use walkout_connectors::pos::PosSink;
use walkout_connectors::pos::csv::{CsvFolderSink, render_csv};

fn parse(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn csv_files(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn fields_with_commas_quotes_and_newlines_are_quoted() {
    let text = String::from_utf8(render_csv(&pos_support::sale()).unwrap()).unwrap();
    assert!(
        text.contains(",\"HEART T-LIGHT HOLDER, \"\"WHITE\"\"\","),
        "{text}"
    );
    assert!(text.contains(",\"Bananes crème brûlée\nloose\","), "{text}");
}

#[test]
fn records_end_in_crlf() {
    let text = String::from_utf8(render_csv(&pos_support::sale()).unwrap()).unwrap();
    assert!(text.ends_with("\r\n"));
    // The one bare LF is the one inside the quoted description.
    assert_eq!(text.matches('\n').count() - text.matches("\r\n").count(), 1);
}

#[test]
fn file_is_utf8_without_bom() {
    let bytes = render_csv(&pos_support::sale()).unwrap();
    assert!(bytes.starts_with(b"H,"));
    assert!(std::str::from_utf8(&bytes).is_ok());
}

#[test]
fn fields_parse_back_unchanged() {
    let records = parse(&render_csv(&pos_support::sale()).unwrap());
    let lines: Vec<&Vec<String>> = records.iter().filter(|r| r[0] == "L").collect();
    assert_eq!(lines[0][4], "HEART T-LIGHT HOLDER, \"WHITE\"");
    assert_eq!(lines[1][4], "Bananes crème brûlée\nloose");
    assert_eq!(lines[1][5], "0.455");
    assert_eq!(lines[0][9], "60", "discount of line 1");
    assert_eq!(lines[0][10], "450", "extended amount of line 1");
}

#[test]
fn header_record_has_transaction_fields() {
    let records = parse(&render_csv(&pos_support::sale()).unwrap());
    let header = &records[0];
    assert_eq!(header[0], "H");
    assert_eq!(header[1], pos_support::sale().transaction_id);
    assert_eq!(header[6], "2025-07-14");
    assert_eq!(header[8], "2025-07-14T16:05:09Z");
    assert_eq!(header[9], "GBP");
}

#[test]
fn trailer_holds_count_and_control_total() {
    let records = parse(&render_csv(&pos_support::sale()).unwrap());
    let trailer = records.last().unwrap();
    assert_eq!(trailer[0], "T");
    assert_eq!(trailer[1], (records.len() - 1).to_string());
    assert_eq!(trailer[1], "7", "H + 2 L + 2 X + 1 P + 1 S");
    assert_eq!(trailer[2], "500");
}

#[test]
fn return_lines_count_negative_in_control_total() {
    let records = parse(&render_csv(&pos_support::return_of_one()).unwrap());
    let line = records.iter().find(|r| r[0] == "L").unwrap();
    assert_eq!(line[2], "return");
    assert_eq!(line[10], "-225");
    assert_eq!(records.last().unwrap()[2], "-225");
}

#[tokio::test]
async fn export_drops_one_named_file() {
    let folder = tempfile::tempdir().unwrap();
    let sink = CsvFolderSink::new(folder.path());
    let transaction = pos_support::sale();

    let receipt = sink.export(&transaction).await.unwrap();

    let expected = format!("UK-LON-001_20250714_{}.csv", transaction.transaction_id);
    assert_eq!(csv_files(folder.path()), [expected.as_str()]);
    assert!(receipt.location.ends_with(&expected));
    assert!(!receipt.already_exported);
    let written = std::fs::read(folder.path().join(&expected)).unwrap();
    assert_eq!(written, render_csv(&transaction).unwrap());
}

#[tokio::test]
async fn re_export_is_de_duplicated() {
    let folder = tempfile::tempdir().unwrap();
    let sink = CsvFolderSink::new(folder.path());
    let transaction = pos_support::sale();
    sink.export(&transaction).await.unwrap();
    let first = csv_files(folder.path());

    let again = sink.export(&transaction).await.unwrap();

    assert!(again.already_exported);
    assert_eq!(csv_files(folder.path()), first);
}

#[tokio::test]
async fn readers_never_see_a_partial_file() {
    let folder = tempfile::tempdir().unwrap();
    let sink = CsvFolderSink::new(folder.path());
    let watched = folder.path().to_owned();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_reader = stop.clone();

    // A POS that polls the folder for *.csv while exports are being written.
    let reader = std::thread::spawn(move || {
        let mut checked = 0;
        loop {
            let last_pass = stop_reader.load(std::sync::atomic::Ordering::Relaxed);
            for name in csv_files(&watched) {
                if name.ends_with(".csv") {
                    let text = std::fs::read_to_string(watched.join(&name)).unwrap();
                    let last = text.trim_end().rsplit("\r\n").next().unwrap_or("");
                    assert!(
                        last.starts_with("T,"),
                        "{name} was seen without its trailer"
                    );
                    checked += 1;
                }
            }
            if last_pass {
                break;
            }
        }
        checked
    });

    for sequence in 0..40u32 {
        let mut transaction = pos_support::sale();
        transaction.transaction_id = format!("trip-{sequence}-v1");
        transaction.lines[1].description = "x".repeat(20_000);
        sink.export(&transaction).await.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let checked = reader.join().unwrap();

    let names = csv_files(folder.path());
    assert_eq!(names.len(), 40);
    assert!(names.iter().all(|name| name.ends_with(".csv")), "{names:?}");
    assert!(checked >= 40, "the reader checked {checked} files");
}

#[tokio::test]
async fn unsafe_transaction_id_is_rejected() {
    let folder = tempfile::tempdir().unwrap();
    let sink = CsvFolderSink::new(folder.path());
    let mut transaction = pos_support::sale();
    transaction.transaction_id = "../escape".to_owned();

    let error = sink.export(&transaction).await.unwrap_err();

    assert!(!error.is_retryable(), "{error}");
    assert!(csv_files(folder.path()).is_empty());
}
