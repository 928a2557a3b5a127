//! Parts of the JWO load benchmark: the processes under load (one or several instances), the
//! load generators, the shoppers and the CreatePurchases inputs.

pub mod driver;
pub mod identity;
pub mod instances;
pub mod ordering;
pub mod service;
pub mod shoppers;

use std::io::Write as _;

use serde_json::Value;

/// Reads a number from the environment, or `default` when unset or not a number.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Appends `record` as one JSON line to the file that `WALKOUT_BENCH_OUT` names, if set.
pub fn emit(record: &Value) {
    let Some(path) = std::env::var_os("WALKOUT_BENCH_OUT") else {
        return;
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("cannot open the results file: {error}"));
    writeln!(file, "{record}")
        .unwrap_or_else(|error| panic!("cannot write the results file: {error}"));
}
