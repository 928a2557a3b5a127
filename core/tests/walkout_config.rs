//! Reading and checking the core configuration.

use walkout_core::config::{BrandId, Config, ConfigError};

const VALID: &str = r#"
brand = "acme-foods"
backend_url = "http://127.0.0.1:8080"
storage_dir = "/tmp/walkout"

[cognito]
region = "eu-west-2"
endpoint_url = "http://127.0.0.1:5000"
user_pool_id = "eu-west-2_AbCdEf123"
client_id = "4kdjf83hd"
client_secret = "s3cr3t-value"

[openid]
issuer = "http://127.0.0.1:3000"
client_id = "walkout-app"
redirect_uri = "com.acme.walkout:/oauth/callback"
"#;

fn with_line(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "fixture lacks {from:?}");
    VALID.replacen(from, to, 1)
}

#[test]
fn valid_file_is_read() {
    let config = Config::from_toml_str(VALID).expect("valid");
    assert_eq!(config.brand.as_str(), "acme-foods");
    assert_eq!(config.cognito.effective_endpoint(), "http://127.0.0.1:5000");
    let openid = config.openid.expect("openid section");
    assert_eq!(openid.scopes, vec!["openid", "email"]);
}

#[test]
fn default_cognito_endpoint_uses_region() {
    let config =
        Config::from_toml_str(&with_line("endpoint_url = \"http://127.0.0.1:5000\"\n", ""))
            .expect("valid");
    assert_eq!(
        config.cognito.effective_endpoint(),
        "https://cognito-idp.eu-west-2.amazonaws.com/"
    );
}

#[test]
fn brand_id_forms() {
    let cases = [
        ("acme", true),
        ("acme-foods-2", true),
        ("a", true),
        (&*"a".repeat(40), true),
        (&*"a".repeat(41), false),
        ("", false),
        ("Acme", false),
        ("acme_foods", false),
        ("acme.foods", false),
        ("acmé", false),
        ("acme foods", false),
    ];
    for (value, accepted) in cases {
        assert_eq!(BrandId::new(value).is_ok(), accepted, "brand {value:?}");
    }
}

#[test]
fn bad_brand_names_key_and_form() {
    let error = Config::from_toml_str(&with_line("\"acme-foods\"", "\"Acme Foods\""))
        .expect_err("bad brand");
    let message = error.to_string();
    assert!(message.contains("brand"), "{message}");
    assert!(message.contains("lower-case ASCII letters"), "{message}");
}

#[test]
fn bad_values_name_their_keys() {
    let cases = [
        (
            "\"http://127.0.0.1:8080\"",
            "\"localhost:8080\"",
            "backend_url",
        ),
        (
            "\"eu-west-2_AbCdEf123\"",
            "\"AbCdEf123\"",
            "cognito.user_pool_id",
        ),
        (
            "region = \"eu-west-2\"",
            "region = \"EU West\"",
            "cognito.region",
        ),
        (
            "\"http://127.0.0.1:3000\"",
            "\"not a url\"",
            "openid.issuer",
        ),
        (
            "\"com.acme.walkout:/oauth/callback\"",
            "\"callback\"",
            "openid.redirect_uri",
        ),
    ];
    for (from, to, key) in cases {
        let error = Config::from_toml_str(&with_line(from, to)).expect_err(key);
        assert_eq!(error.key(), Some(key), "{error}");
        assert!(error.to_string().contains("expected"), "{error}");
    }
}

#[test]
fn missing_key_is_named() {
    let error = Config::from_toml_str(&with_line("backend_url = \"http://127.0.0.1:8080\"\n", ""))
        .expect_err("missing key");
    assert!(error.to_string().contains("backend_url"), "{error}");
}

#[test]
fn unknown_key_is_rejected() {
    let error = Config::from_toml_str(&format!("brnad = \"x\"\n{VALID}")).expect_err("typo");
    assert!(error.to_string().contains("brnad"), "{error}");
}

#[test]
fn openid_requires_openid_scope() {
    let text = format!("{VALID}scopes = [\"email\"]\n");
    let error = Config::from_toml_str(&text).expect_err("no openid scope");
    assert_eq!(error.key(), Some("openid.scopes"));
}

#[test]
fn client_secret_is_never_shown() {
    let config = Config::from_toml_str(VALID).expect("valid");
    assert_eq!(
        config.cognito.client_secret.as_deref(),
        Some("s3cr3t-value")
    );
    assert!(!format!("{config:?}").contains("s3cr3t"));
    let json = serde_json::to_string(&config).expect("serialize");
    assert!(!json.contains("s3cr3t"), "{json}");
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("walkout.toml");
    std::fs::write(
        &path,
        with_line("\"http://127.0.0.1:8080\"", "\"ftp://host\""),
    )
    .expect("write");
    let error = Config::from_file(&path).expect_err("bad URL");
    assert!(matches!(error, ConfigError::InFile { .. }), "{error:?}");
    assert!(error.to_string().contains("walkout.toml"), "{error}");
    assert_eq!(error.key(), Some("backend_url"));

    let missing = Config::from_file(&dir.path().join("absent.toml")).expect_err("no file");
    assert!(missing.to_string().contains("absent.toml"), "{missing}");
}

#[test]
fn type_error_shows_line_and_key() {
    let error = Config::from_toml_str(&with_line("\"http://127.0.0.1:8080\"", "5"))
        .expect_err("integer URL");
    let message = error.to_string();
    assert!(message.contains("at line 3"), "{message}");
    assert!(message.contains("backend_url = 5"), "{message}");
}

#[test]
fn syntax_error_does_not_show_client_secret() {
    let error = Config::from_toml_str(&with_line("\"s3cr3t-value\"", "\"s3cr3t-value\" oops"))
        .expect_err("syntax error");
    assert!(!error.to_string().contains("s3cr3t"), "{error}");
}
