//! `walkout sign-in --federated`: hosted sign-in in the system browser, with a loopback
//! redirect (RFC 8252, section 7.3).
//!
//! The CLI listens on 127.0.0.1 on a random port, uses `http://127.0.0.1:<port>/<path>` as the
//! redirect URI, prints the authorize URL, and opens a browser only when a display exists. The
//! listener serves exactly one request on the callback path, with a page saying the tab may be
//! closed, and then closes. Other paths (such as `/favicon.ico`) get a 404. The URL it prints holds
//! only the PKCE challenge, `state` and `nonce`; the code that comes back is never printed.

use std::io::{BufRead, BufReader, Read as _, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use walkout_core::Walkout;
use walkout_core::auth::hosted::{BrowserOutcome, BrowserStep, HostedError, HostedSignInRequest};
use walkout_core::config::Config;

use crate::args::{Args, SignInArgs};
use crate::failure::Failure;
use crate::secret_choice;

/// Requests to other paths tolerated before the listener gives up.
const MAX_STRAY_REQUESTS: usize = 8;
/// Maximum length of a request or header line read from the browser, in bytes.
const MAX_LINE_BYTES: usize = 8192;

const DONE_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<title>Walkout sign-in</title></head><body><h1>Sign-in finished</h1>\
<p>You may close this tab and return to the terminal.</p></body></html>";

/// `walkout sign-in --federated [--provider NAME]`.
pub fn sign_in(
    args: &Args,
    config: Config,
    sign_in: &SignInArgs,
) -> Result<(Value, String), Failure> {
    let callback_path = callback_path(&config);
    let chosen = secret_choice::choose(args.secret_store, &config)?;
    let core = Walkout::new(config, chosen.store)?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|error| {
        Failure::runtime(
            "browser",
            format!("cannot listen on 127.0.0.1 for the redirect: {error}"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|error| Failure::runtime("browser", error.to_string()))?
        .port();
    let browser = LoopbackBrowser {
        listener,
        callback_path: callback_path.clone(),
        timeout: Duration::from_secs(sign_in.timeout_seconds),
        open_browser: !sign_in.print_url_only,
    };
    let request = HostedSignInRequest {
        identity_provider: sign_in.provider.clone(),
        redirect_uri: Some(format!("http://127.0.0.1:{port}{callback_path}")),
    };
    let user = core
        .sign_in_hosted_detailed(&browser, &request)
        .map_err(failure)?;
    let value = json!({"signed_in": true, "federated": true, "user": user});
    let text = format!(
        "Signed in as {} (sub {}).\n",
        user.email.as_deref().unwrap_or(&user.username),
        user.sub
    );
    Ok((value, text))
}

/// Uses the path of the configured loopback redirect URI, or `/callback`.
fn callback_path(config: &Config) -> String {
    config
        .openid
        .as_ref()
        .and_then(|openid| url_path(&openid.redirect_uri))
        .unwrap_or_else(|| "/callback".to_owned())
}

fn url_path(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("http://127.0.0.1")?;
    let start = rest.find('/')?;
    let path = rest[start..].split(['?', '#']).next()?;
    Some(path.to_owned())
}

fn failure(error: HostedError) -> Failure {
    let kind = match &error {
        HostedError::NotConfigured { .. } => return Failure::config(error.to_string()),
        HostedError::Cancelled => "cancelled",
        HostedError::Network { .. } => "network",
        HostedError::BrowserFailed { .. } => "browser",
        _ => "denied",
    };
    Failure::runtime(kind, error.to_string())
}

/// The browser step of the CLI: print (and maybe open) the URL, then catch the redirect.
struct LoopbackBrowser {
    listener: TcpListener,
    callback_path: String,
    timeout: Duration,
    open_browser: bool,
}

impl BrowserStep for LoopbackBrowser {
    fn authorize(&self, authorize_url: &str, redirect_uri: &str) -> BrowserOutcome {
        eprintln!("Open this URL in a browser to sign in:\n{authorize_url}");
        if self.open_browser && has_display() {
            try_open(authorize_url);
        }
        eprintln!(
            "Waiting up to {} s for the browser to return to {redirect_uri} ...",
            self.timeout.as_secs()
        );
        match self.wait_for_callback(redirect_uri) {
            Ok(url) => BrowserOutcome::Redirected { url },
            Err(reason) => BrowserOutcome::Failed { reason },
        }
    }
}

impl LoopbackBrowser {
    fn wait_for_callback(&self, redirect_uri: &str) -> Result<String, String> {
        let deadline = Instant::now() + self.timeout;
        self.listener
            .set_nonblocking(true)
            .map_err(|error| error.to_string())?;
        let mut stray = 0;
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if let Some(target) = self.serve(stream)? {
                        let origin = redirect_uri.split_once(&self.callback_path);
                        let base = origin.map_or(redirect_uri, |(base, _)| base);
                        return Ok(format!("{base}{target}"));
                    }
                    stray += 1;
                    if stray > MAX_STRAY_REQUESTS {
                        return Err("too many requests to other paths on the redirect port".into());
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(format!(
                            "timed out after {} s waiting for the browser to return",
                            self.timeout.as_secs()
                        ));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(error) => return Err(format!("accepting the redirect failed: {error}")),
            }
        }
    }

    /// Serves one connection and returns the request target when it is the callback.
    fn serve(&self, stream: TcpStream) -> Result<Option<String>, String> {
        stream
            .set_nonblocking(false)
            .and_then(|()| stream.set_read_timeout(Some(Duration::from_secs(10))))
            .map_err(|error| error.to_string())?;
        let mut reader = BufReader::new(&stream);
        let request_line = read_line(&mut reader)?;
        // Read the headers to the end so the browser gets a complete exchange.
        while !read_line(&mut reader)?.is_empty() {}
        let target = request_line
            .strip_prefix("GET ")
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or_default()
            .to_owned();
        let path = target.split('?').next().unwrap_or_default();
        let mut writer = &stream;
        if path != self.callback_path {
            let _ = writer.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
            return Ok(None);
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
             content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n",
            DONE_PAGE.len()
        );
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(DONE_PAGE.as_bytes());
        Ok(Some(target))
    }
}

fn read_line(reader: &mut BufReader<&TcpStream>) -> Result<String, String> {
    let mut line = String::new();
    let mut limited = reader.take(MAX_LINE_BYTES as u64);
    limited
        .read_line(&mut line)
        .map_err(|error| format!("reading the redirect request failed: {error}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Checks for a graphical session: a display on Linux and other Unix systems, always on macOS.
fn has_display() -> bool {
    cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some()
}

fn try_open(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = Command::new(opener)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(error) = spawned {
        eprintln!("Could not start {opener} ({error}); open the URL yourself.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_path_is_read() {
        let cases = [
            ("http://127.0.0.1/callback", Some("/callback")),
            ("http://127.0.0.1:8080/oauth/done?x=1", Some("/oauth/done")),
            ("com.example.app:/callback", None),
            ("https://app.example.com/callback", None),
        ];
        for (uri, expected) in cases {
            assert_eq!(url_path(uri).as_deref(), expected, "{uri}");
        }
    }
}
