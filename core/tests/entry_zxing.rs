//! Rendered entry codes read back by an independent decoder: zxing-cpp through its Python
//! binding.
//!
//! The interpreter comes from `WALKOUT_PYTHON`, which `cargo xtask test` points at a virtual
//! environment holding `zxing-cpp` and `pillow`. Without it the test fails under CI
//! (`CI=true`) and is skipped elsewhere, with the reason printed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use walkout_core::entry::render::QrMatrix;
use walkout_core::entry::{EntryCredential, derive_code};

/// Decodes each PNG named on the command line and prints one JSON list: for each file, every
/// symbol found with its text, format, EC level and version (null where the binding lacks them).
const DECODE_SCRIPT: &str = r#"
import json, sys
import zxingcpp
from PIL import Image

results = []
for path in sys.argv[1:]:
    symbols = []
    for barcode in zxingcpp.read_barcodes(Image.open(path)):
        extra = getattr(barcode, "extra", None) or {}
        symbols.append({
            "text": barcode.text,
            "format": str(barcode.format),
            "ec_level": getattr(barcode, "ec_level", None) or extra.get("ECLevel"),
            "version": extra.get("Version"),
        })
    results.append({"path": path, "symbols": symbols})
print(json.dumps(results))
"#;

/// Returns the interpreter to run, or `None` when the test is skipped outside CI.
fn python_interpreter() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("WALKOUT_PYTHON").filter(|path| !path.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let reason = "WALKOUT_PYTHON is not set; it must name a Python interpreter with the \
                  zxing-cpp and pillow packages (cargo xtask test sets it)";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{reason}");
    }
    eprintln!("skipped entry_zxing: {reason}");
    None
}

fn sample_codes() -> Vec<String> {
    let credential = EntryCredential::new(*b"zxing-01", [0xC3; 32], 30, i64::MAX);
    [0, 1_700_000_000_000, 1_700_000_030_000, 1_800_000_000_000]
        .into_iter()
        .map(|millis| derive_code(&credential, 0, millis).unwrap().text)
        .collect()
}

/// Runs the decode script on the files and returns its parsed output.
fn decode_with_zxing(python: &Path, files: &[PathBuf]) -> Vec<Value> {
    let output = Command::new(python)
        .arg("-c")
        .arg(DECODE_SCRIPT)
        .args(files)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", python.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "decode script failed: {stderr}");

    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    parsed.as_array().cloned().unwrap_or_default()
}

#[test]
fn zxing_decodes_rendered_codes() {
    let Some(python) = python_interpreter() else {
        return;
    };
    let folder = tempfile::tempdir().unwrap();

    // Write every code at several module sizes, remembering what each file holds.
    let mut expected = Vec::new();
    let mut files = Vec::new();
    for (index, text) in sample_codes().into_iter().enumerate() {
        let matrix = QrMatrix::encode(&text).unwrap();
        for pixels_per_module in [3, 8, 16] {
            let path = folder
                .path()
                .join(format!("code-{index}-{pixels_per_module}.png"));
            std::fs::write(&path, matrix.to_png(pixels_per_module).unwrap()).unwrap();
            expected.push(text.clone());
            files.push(path);
        }
    }

    let results = decode_with_zxing(&python, &files);
    assert_eq!(results.len(), files.len(), "one result per file");

    for (result, text) in results.iter().zip(&expected) {
        let path = &result["path"];
        let symbols = result["symbols"].as_array().cloned().unwrap_or_default();
        assert_eq!(symbols.len(), 1, "symbols in {path}");
        let symbol = &symbols[0];
        assert_eq!(
            symbol["text"].as_str(),
            Some(text.as_str()),
            "text of {path}"
        );
        assert_eq!(
            symbol["format"].as_str(),
            Some("QR Code"),
            "format of {path}"
        );

        // zxing-cpp 3.1 reports both in `extra`, but older bindings may not.
        match symbol["ec_level"].as_str() {
            Some(level) => assert_eq!(level, "M", "EC level of {path}"),
            None => eprintln!("zxing-cpp did not report the EC level of {path}"),
        }
        match symbol["version"].as_str() {
            Some(version) => assert_eq!(version, "2", "version of {path}"),
            None => eprintln!("zxing-cpp did not report the version of {path}"),
        }
    }
}
