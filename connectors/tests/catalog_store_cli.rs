//! The `catalog import` and `catalog convert-uci` commands, run as the real binary against a
//! temporary data folder: exit codes, summaries and what lands in the database.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use walkout_connectors::catalog::store::{count_items, lookup_items};
use walkout_connectors::config::Config;

const BINARY: &str = env!("CARGO_BIN_EXE_walkout-connectors");
const UCI_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);
const HEADER: &str = "item_sku,external_product_id,external_product_id_type,item_name,store_id,standard_price,brand_name,product_tax_code,product_category,product_subcategory,unit,additional_external_product_information,currency";

fn run(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(BINARY)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("WALKOUT_CONFIG")
        .env("RUST_LOG", "warn")
        .output()
        .expect("binary runs")
}

fn write(folder: &Path, name: &str, text: &str) -> String {
    let path = folder.join(name);
    std::fs::write(&path, text).expect("file written");
    path.display().to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn open(data_dir: &Path) -> walkout_connectors::db::Database {
    let config = Config {
        data_dir: data_dir.to_owned(),
        ..Config::default()
    };
    let (_credentials, db) = walkout_connectors::cli::open_data(&config)
        .await
        .expect("data folder opens");
    db
}

#[test]
fn import_exit_codes() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data_dir = folder.path().join("data");
    let good = write(
        folder.path(),
        "good.csv",
        &format!("{HEADER}\nSKU-1,,,Mug,TEST-1,2.50,,standard,,,each,,GBP\n"),
    );
    let partly_bad = write(
        folder.path(),
        "partly-bad.csv",
        &format!(
            "{HEADER}\nSKU-2,,,Tea,TEST-1,1.00,,standard,,,each,,GBP\nSKU-3,,,Bad,TEST-1,abc,,standard,,,each,,GBP\n"
        ),
    );
    let no_price_column = write(
        folder.path(),
        "no-price.csv",
        "item_sku,external_product_id,item_name,store_id\nSKU-4,,Cup,TEST-1\n",
    );
    let missing = folder.path().join("missing.csv").display().to_string();

    let cases = [
        (good.as_str(), 0),
        (partly_bad.as_str(), 3),
        (no_price_column.as_str(), 1),
        (missing.as_str(), 1),
    ];
    for (file, expected) in cases {
        let output = run(&data_dir, &["catalog", "import", file]);
        assert_eq!(
            output.status.code(),
            Some(expected),
            "{file}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn summary_names_rejected_lines() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(
        folder.path(),
        "catalog.csv",
        &format!(
            "{HEADER}\nSKU-2,,,Tea,TEST-1,1.00,,standard,,,each,,GBP\nSKU-3,,,Bad,TEST-1,abc,,standard,,,each,,GBP\n"
        ),
    );

    let output = run(&folder.path().join("data"), &["catalog", "import", &file]);
    let text = stdout(&output);
    assert!(
        text.contains("2 rows, 1 accepted (1 created, 0 updated), 0 superseded, 1 rejected"),
        "{text}"
    );
    assert!(text.contains("line 3: standard_price \"abc\""), "{text}");
}

#[test]
fn missing_column_is_named_on_stderr() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let file = write(
        folder.path(),
        "catalog.csv",
        "item_sku,item_name\nSKU-1,Mug\n",
    );

    let output = run(&folder.path().join("data"), &["catalog", "import", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("external_product_id column"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn json_and_gzip_files_import() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data_dir = folder.path().join("data");
    let json = write(
        folder.path(),
        "catalog.json",
        r#"[{"item_sku": "J-1", "item_name": "Cola", "store_id": "TEST-1", "standard_price": "1.10", "currency": "GBP"}]"#,
    );
    let gzip_path = folder.path().join("catalog.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let text = format!("{HEADER}\nG-1,,,Gum,TEST-1,0.80,,standard,,,each,,GBP\n");
    encoder.write_all(text.as_bytes()).expect("gzip");
    std::fs::write(&gzip_path, encoder.finish().expect("gzip")).expect("file written");
    let gzip = gzip_path.display().to_string();

    for file in [json.as_str(), gzip.as_str()] {
        let output = run(&data_dir, &["catalog", "import", file]);
        assert_eq!(output.status.code(), Some(0), "{file}: {}", stderr(&output));
    }
    let db = open(&data_dir).await;
    let found = lookup_items(&db, "TEST-1", ["j-1", "g-1"])
        .await
        .expect("lookup");
    assert_eq!(found["j-1"].price_minor, 110);
    assert_eq!(found["g-1"].price_minor, 80);
}

#[tokio::test]
async fn converted_real_data_imports() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let data_dir = folder.path().join("data");
    let catalog = folder.path().join("catalog.csv").display().to_string();

    let converted = run(&data_dir, &["catalog", "convert-uci", UCI_FILE, &catalog]);
    assert_eq!(converted.status.code(), Some(0), "{}", stderr(&converted));
    let report = stdout(&converted);
    assert!(report.contains("30000 rows"), "{report}");
    assert!(report.contains("sale with CustomerID"), "{report}");
    assert!(
        report.contains("Lower-case StockCodes folded: 50 codes"),
        "{report}"
    );

    let imported = run(
        &data_dir,
        &["catalog", "import", &catalog, "--store-id", "UK-LON-001"],
    );
    assert_eq!(imported.status.code(), Some(0), "{}", stderr(&imported));
    let db = open(&data_dir).await;
    let stored = count_items(&db, "UK-LON-001").await.expect("count");
    let items_line = format!(": {stored} catalog items");
    assert!(report.contains(&items_line), "{report} lacks {items_line}");
    let found = lookup_items(&db, "UK-LON-001", ["85123a"])
        .await
        .expect("lookup");
    assert_eq!(found["85123a"].price_minor, 295);
}

#[test]
fn convert_reports_missing_input() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let input = folder.path().join("absent.csv").display().to_string();
    let output_file = folder.path().join("out.csv").display().to_string();

    let output = run(
        &folder.path().join("data"),
        &["catalog", "convert-uci", &input, &output_file],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("absent.csv"),
        "{}",
        stderr(&output)
    );
}
