//! Configuration precedence and the errors for bad files and variables.

use std::path::PathBuf;

use walkout_connectors::config::{ClockMode, Config, Overrides};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn write_file(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("walkout.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn defaults_need_no_configuration() {
    let config = Config::load(None, env(&[]), &Overrides::default()).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(config.data_dir, PathBuf::from("./walkout-data"));
    assert_eq!(config.clock, ClockMode::System);
    assert!(config.jwo.bearer);
    assert!(
        config
            .effective_database_url()
            .ends_with("walkout-data/walkout.sqlite3?mode=rwc")
    );
}

#[test]
fn file_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        &dir,
        "listen = \"127.0.0.1:9001\"\ndata_dir = \"/from/file\"\nlog_level = \"debug\"\n",
    );
    let variables = env(&[
        ("WALKOUT_LISTEN", "127.0.0.1:9002"),
        ("WALKOUT_LOG_LEVEL", "warn"),
    ]);
    let flags = Overrides {
        listen: Some("127.0.0.1:9003".parse().unwrap()),
        ..Overrides::default()
    };

    let config = Config::load(Some(&file), variables, &flags).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:9003", "flag wins");
    assert_eq!(config.log_level, "warn", "variable wins over file");
    assert_eq!(
        config.data_dir,
        PathBuf::from("/from/file"),
        "file wins over default"
    );
}

#[test]
fn nested_keys_use_double_underscore() {
    let variables = env(&[
        ("WALKOUT_AUTH__ISSUER", "http://127.0.0.1:1/pool"),
        ("WALKOUT_AUTH__JWKS_URL", "http://127.0.0.1:1/jwks.json"),
        ("WALKOUT_AUTH__CLIENT_IDS", "[\"app-one\", \"app-two\"]"),
        ("WALKOUT_AUTH__LEEWAY_SECS", "30"),
        ("WALKOUT_JWO__HMAC", "true"),
    ]);
    let config = Config::load(None, variables, &Overrides::default()).unwrap();
    assert_eq!(
        config.auth.jwks_url.as_deref(),
        Some("http://127.0.0.1:1/jwks.json")
    );
    assert_eq!(config.auth.client_ids, vec!["app-one", "app-two"]);
    assert_eq!(config.auth.leeway_secs, Some(30));
    assert!(config.jwo.hmac);
}

#[test]
fn unrelated_variables_are_ignored() {
    let variables = env(&[
        ("PATH", "/bin"),
        ("WALKOUT_CONFIG", "/somewhere.toml"),
        ("WALKOUT_PYTHON", "/usr/bin/python3"),
        ("WALKOUT_MOTO_URL", "http://127.0.0.1:5000"),
    ]);
    assert!(Config::load(None, variables, &Overrides::default()).is_ok());
}

#[test]
fn unknown_key_inside_a_section_is_named() {
    let variables = env(&[("WALKOUT_AUTH__JWKS_URI", "http://127.0.0.1:1/jwks.json")]);
    let error = Config::load(None, variables, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("jwks_uri"), "{error}");
}

#[test]
fn missing_file_is_named() {
    let error = Config::load(
        Some(std::path::Path::new("/no/such/walkout.toml")),
        env(&[]),
        &Overrides::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("/no/such/walkout.toml"), "{error}");
}

#[test]
fn unknown_key_in_file_names_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(&dir, "[auth]\njwks_uri = \"http://x\"\n");
    let error = Config::load(Some(&file), env(&[]), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("walkout.toml"), "{error}");
    assert!(error.contains("jwks_uri"), "{error}");
}

#[test]
fn malformed_toml_names_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(&dir, "listen = \n");
    let error = Config::load(Some(&file), env(&[]), &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("walkout.toml"), "{error}");
}

#[test]
fn bad_variable_names_variable_and_expected_form() {
    let variables = env(&[("WALKOUT_LISTEN", "not-an-address")]);
    let error = Config::load(None, variables, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("WALKOUT_LISTEN"), "{error}");
    assert!(error.contains("socket address"), "{error}");
}

#[test]
fn bad_clock_names_the_choices() {
    let variables = env(&[("WALKOUT_CLOCK", "fast")]);
    let error = Config::load(None, variables, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("WALKOUT_CLOCK"), "{error}");
    assert!(
        error.contains("system") && error.contains("test"),
        "{error}"
    );
}

#[test]
fn partial_app_auth_is_rejected() {
    let variables = env(&[("WALKOUT_AUTH__ISSUER", "http://127.0.0.1:1/pool")]);
    let error = Config::load(None, variables, &Overrides::default())
        .unwrap_err()
        .to_string();
    assert!(error.contains("issuer, jwks_url and client_ids"), "{error}");
}

#[test]
fn example_file_loads() {
    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/walkout-connectors.example.toml"
    );
    let config = Config::load(
        Some(std::path::Path::new(example)),
        env(&[]),
        &Overrides::default(),
    )
    .unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
}

#[test]
fn optional_top_level_setting_is_read_from_environment() {
    let variables = env(&[("WALKOUT_DATABASE_URL", "sqlite:///tmp/elsewhere.sqlite3")]);
    let config = Config::load(None, variables, &Overrides::default()).unwrap();
    assert_eq!(
        config.database_url.as_deref(),
        Some("sqlite:///tmp/elsewhere.sqlite3")
    );
}

#[test]
fn offers_section_sets_the_mining_job() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_file(
        &dir,
        "[offers]\ninterval_secs = 0\ndiscount_basis_points = 1500\n\n[offers.thresholds]\nmin_pair_count = 3\n",
    );
    let config = Config::load(Some(&path), env(&[]), &Overrides::default()).unwrap();
    assert_eq!(config.offers.interval_secs, 0);
    assert_eq!(config.offers.discount_basis_points, 1500);
    assert_eq!(config.offers.thresholds.min_pair_count, 3);
    assert_eq!(
        config.offers.thresholds.min_lift,
        walkout_connectors::offers::MiningThresholds::default().min_lift,
        "unset thresholds keep their defaults"
    );
}
