//! The built `walkout` binary's offer and consent commands without a session: the cached list,
//! the signed-out failure, and argument checks. The backend is a closed loopback port, so
//! nothing leaves the machine.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn write_config(dir: &Path) -> std::path::PathBuf {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let backend = format!("http://{}", listener.local_addr().expect("address"));
    drop(listener);
    let text = format!(
        "brand = \"acme\"\nbackend_url = {backend:?}\nstorage_dir = {:?}\n\n[cognito]\n\
         region = \"eu-west-2\"\nuser_pool_id = \"eu-west-2_test\"\nclient_id = \"app-client\"\n",
        dir.join("data").display().to_string()
    );
    let path = dir.join("walkout.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

fn walkout(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_walkout"))
        .arg("--config")
        .arg(config)
        .args(["--secret-store", "file"])
        .args(args)
        .env_remove("WALKOUT_CONFIG")
        .output()
        .expect("run walkout")
}

fn stdout_json(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

#[test]
fn cached_offers_start_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let output = walkout(&config, &["--json", "offers", "list", "--cached"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout_json(&output), serde_json::json!({"offers": []}));
}

#[test]
fn signed_out_commands_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let cases: [&[&str]; 4] = [
        &["--json", "offers", "list"],
        &["--json", "offers", "activate", "assoc-1"],
        &["--json", "consent"],
        &["--json", "consent", "on"],
    ];
    for args in cases {
        let output = walkout(&config, args);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {output:?}");
        let body = stdout_json(&output);
        assert!(body["error"]["message"].is_string(), "{args:?}: {body}");
    }
}

#[test]
fn unknown_consent_choice_is_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_config(dir.path());
    let output = walkout(&config, &["consent", "maybe"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}
