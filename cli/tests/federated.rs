//! `walkout sign-in --federated` against oidc-provider (`WALKOUT_OIDC_URL`, started by
//! `cargo xtask test`): the test reads the printed URL, plays the browser with an HTTP client,
//! and sends the redirect to the CLI's loopback listener. Without the URL the tests skip,
//! except under CI, where they fail.

#[path = "../../core/tests/hosted_support/browser.rs"]
#[allow(dead_code)]
mod browser;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use walkout_core::auth::hosted::{BrowserOutcome, BrowserStep};

const USER_EMAIL: &str = "shopper@example.com";
const USER_PASSWORD: &str = "correct horse battery staple";

fn oidc_url() -> Option<String> {
    match std::env::var("WALKOUT_OIDC_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("WALKOUT_OIDC_URL must be set under CI")
        }
        _ => {
            eprintln!("skipped: WALKOUT_OIDC_URL is not set; run through `cargo xtask test`");
            None
        }
    }
}

fn write_config(dir: &Path, issuer: &str) -> std::path::PathBuf {
    let text = format!(
        r#"brand = "acme"
backend_url = "http://127.0.0.1:9"
storage_dir = "{storage}"

[cognito]
region = "eu-west-2"
user_pool_id = "eu-west-2_test"
client_id = "walkout-test"

[openid]
issuer = "{issuer}"
client_id = "walkout-test"
redirect_uri = "http://127.0.0.1/callback"
scopes = ["openid", "email", "profile"]
"#,
        storage = dir.join("data").display()
    );
    let path = dir.join("walkout.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// A running `walkout sign-in --federated` and the URL it printed.
struct Running {
    child: Child,
    authorize_url: String,
    redirect_uri: String,
    stderr: BufReader<ChildStderr>,
}

fn start(config: &Path, extra: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_walkout"))
        .args(["--json", "--secret-store", "file", "--config"])
        .arg(config)
        .args(["sign-in", "--federated", "--print-url-only"])
        .args(extra)
        .env_remove("WALKOUT_CONFIG")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run walkout");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut authorize_url = None;
    for _ in 0..20 {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("stderr line") == 0 {
            break;
        }
        if line.starts_with("http://") && line.contains("/auth?") {
            authorize_url = Some(line.trim().to_owned());
            break;
        }
    }
    let authorize_url = authorize_url.expect("the CLI printed the authorize URL");
    let redirect_uri = query_value(&authorize_url, "redirect_uri").expect("redirect_uri");
    Running {
        child,
        authorize_url,
        redirect_uri,
        stderr,
    }
}

impl Running {
    fn finish(mut self) -> (i32, Value, String) {
        let status = self.child.wait().expect("exit");
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("stdout text");
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).expect("stderr text");
        let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
        (status.code().unwrap_or(-1), json, rest)
    }
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Sends one GET to the loopback listener and returns the raw response.
fn get(url: &str) -> String {
    let parsed = url::Url::parse(url).expect("URL");
    let address = format!("127.0.0.1:{}", parsed.port().expect("port"));
    let mut stream = TcpStream::connect(address).expect("listener reachable");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let target = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let request = format!("GET {target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response");
    response
}

#[test]
fn federated_sign_in_completes_through_loopback() {
    let Some(issuer) = oidc_url() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &issuer);
    let running = start(&config, &[]);
    assert!(
        running.redirect_uri.starts_with("http://127.0.0.1:"),
        "{}",
        running.redirect_uri
    );

    let browser = browser::HeadlessBrowser::new(USER_EMAIL, USER_PASSWORD);
    let outcome = browser.authorize(&running.authorize_url, &running.redirect_uri);
    let BrowserOutcome::Redirected { url } = outcome else {
        panic!("the provider did not redirect: {outcome:?}");
    };
    let stray = get(&format!(
        "{}/favicon.ico",
        issuer_port_base(&running.redirect_uri)
    ));
    let page = get(&url);
    let (code, json, stderr) = running.finish();

    assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("You may close this tab"), "{page}");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json["user"]["sub"], "test-shopper-1");
    assert_eq!(json["user"]["email"], USER_EMAIL);
    let code_value = query_value(&url, "code").expect("code");
    assert!(
        !stderr.contains(&code_value),
        "the code was printed: {stderr}"
    );
}

fn issuer_port_base(redirect_uri: &str) -> String {
    let parsed = url::Url::parse(redirect_uri).expect("URL");
    format!("http://127.0.0.1:{}", parsed.port().expect("port"))
}

#[test]
fn provider_error_fails_with_its_code() {
    let Some(issuer) = oidc_url() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &issuer);
    let running = start(&config, &["--provider", "TestOIDC"]);
    let state = query_value(&running.authorize_url, "state").expect("state");
    assert_eq!(
        query_value(&running.authorize_url, "identity_provider").as_deref(),
        Some("TestOIDC")
    );

    let redirect = format!(
        "{}?error=access_denied&error_description=The%20shopper%20declined&state={state}",
        running.redirect_uri
    );
    let page = get(&redirect);
    let (code, json, _stderr) = running.finish();

    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "denied", "{json}");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("access_denied"), "{message}");
    assert!(message.contains("The shopper declined"), "{message}");
}

#[test]
fn forged_state_is_rejected() {
    let Some(issuer) = oidc_url() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &issuer);
    let running = start(&config, &[]);

    get(&format!(
        "{}?code=stolen&state=forged",
        running.redirect_uri
    ));
    let (code, json, _stderr) = running.finish();

    assert_eq!(code, 1);
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("state mismatch"), "{message}");
}

#[test]
fn waiting_for_browser_times_out() {
    let Some(issuer) = oidc_url() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = write_config(dir.path(), &issuer);
    let running = start(&config, &["--timeout-seconds", "1"]);

    let (code, json, _stderr) = running.finish();

    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "browser", "{json}");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("timed out"), "{message}");
}
