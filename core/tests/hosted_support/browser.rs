//! A headless browser for the provider's sign-in pages: it follows redirects one at a time,
//! keeps cookies by path, fills the login form, and stops at the redirect URI, as a system
//! browser would hand the app its callback.

use std::sync::Mutex;

use walkout_core::auth::hosted::{BrowserOutcome, BrowserStep};

/// Upper bound on requests per sign-in, so a redirect loop fails instead of hanging.
const MAX_REQUESTS: usize = 12;

type Rewrite = Box<dyn Fn(&str) -> String + Send + Sync>;

/// A browser step that signs in as the test shopper.
pub struct HeadlessBrowser {
    email: String,
    password: String,
    /// Changes the authorize URL before it is opened (a tampered request).
    pub rewrite_authorize: Option<Rewrite>,
    /// Changes the landed redirect URL before the core reads it (a tampered response).
    pub rewrite_landed: Option<Rewrite>,
    /// The authorize URLs this browser was given.
    pub opened: Mutex<Vec<String>>,
}

impl HeadlessBrowser {
    pub fn new(email: &str, password: &str) -> Self {
        Self {
            email: email.to_owned(),
            password: password.to_owned(),
            rewrite_authorize: None,
            rewrite_landed: None,
            opened: Mutex::new(Vec::new()),
        }
    }

    /// Returns the last authorize URL the core asked to open.
    pub fn last_opened(&self) -> String {
        self.opened
            .lock()
            .expect("lock")
            .last()
            .cloned()
            .expect("a URL was opened")
    }

    async fn navigate(&self, start: String, redirect_uri: &str) -> Result<String, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| error.to_string())?;
        let mut jar = CookieJar::default();
        let mut next = Request::Get(start);
        for _ in 0..MAX_REQUESTS {
            let url = next.url().to_owned();
            if url.starts_with(redirect_uri) {
                return Ok(url);
            }
            let response = next.send(&client, &jar).await?;
            jar.store(&response);
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or("redirect without Location")?;
                let target = response.url().join(location).map_err(|e| e.to_string())?;
                // Custom schemes do not parse as relative joins; keep the absolute text then.
                next = Request::Get(if location.contains("://") || location.contains(":/") {
                    location.to_owned()
                } else {
                    target.to_string()
                });
                continue;
            }
            let page_url = response.url().clone();
            let body = response.text().await.map_err(|error| error.to_string())?;
            let action = form_action(&body)
                .ok_or_else(|| format!("HTTP {status} page without a form: {body}"))?;
            let target = page_url.join(&action).map_err(|e| e.to_string())?;
            next = Request::PostForm(
                target.to_string(),
                vec![
                    ("login".to_owned(), self.email.clone()),
                    ("password".to_owned(), self.password.clone()),
                ],
            );
        }
        Err(format!(
            "no redirect to {redirect_uri} after {MAX_REQUESTS} requests"
        ))
    }
}

impl BrowserStep for HeadlessBrowser {
    fn authorize(&self, authorize_url: &str, redirect_uri: &str) -> BrowserOutcome {
        self.opened
            .lock()
            .expect("lock")
            .push(authorize_url.to_owned());
        let start = match &self.rewrite_authorize {
            Some(rewrite) => rewrite(authorize_url),
            None => authorize_url.to_owned(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        // The redirect URI's port is the registered placeholder; any port on the path matches.
        let prefix = redirect_uri.to_owned();
        match runtime.block_on(self.navigate(start, &prefix)) {
            Ok(landed) => BrowserOutcome::Redirected {
                url: match &self.rewrite_landed {
                    Some(rewrite) => rewrite(&landed),
                    None => landed,
                },
            },
            Err(reason) => BrowserOutcome::Failed { reason },
        }
    }
}

enum Request {
    Get(String),
    PostForm(String, Vec<(String, String)>),
}

impl Request {
    fn url(&self) -> &str {
        match self {
            Self::Get(url) | Self::PostForm(url, _) => url,
        }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        jar: &CookieJar,
    ) -> Result<reqwest::Response, String> {
        let url = reqwest::Url::parse(self.url()).map_err(|error| error.to_string())?;
        let builder = match self {
            Self::Get(_) => client.get(url.clone()),
            Self::PostForm(_, fields) => client
                .post(url.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encode_form(fields)),
        };
        let builder = match jar.header_for(url.path()) {
            Some(cookies) => builder.header(reqwest::header::COOKIE, cookies),
            None => builder,
        };
        builder.send().await.map_err(|error| error.to_string())
    }
}

fn encode_form(fields: &[(String, String)]) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        serializer.append_pair(name, value);
    }
    serializer.finish()
}

/// Cookies by name, each with the path it applies to.
#[derive(Default)]
struct CookieJar {
    cookies: Vec<(String, String, String)>,
}

impl CookieJar {
    fn store(&mut self, response: &reqwest::Response) {
        for header in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let mut parts = text.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
                continue;
            };
            let path = parts
                .filter_map(|attribute| attribute.split_once('='))
                .find(|(key, _)| key.eq_ignore_ascii_case("path"))
                .map_or("/".to_owned(), |(_, path)| path.to_owned());
            self.cookies.retain(|(existing, _, existing_path)| {
                !(existing == name && *existing_path == path)
            });
            if !value.is_empty() {
                self.cookies.push((name.to_owned(), value.to_owned(), path));
            }
        }
    }

    fn header_for(&self, request_path: &str) -> Option<String> {
        let matching: Vec<String> = self
            .cookies
            .iter()
            .filter(|(_, _, path)| request_path.starts_with(path.as_str()))
            .map(|(name, value, _)| format!("{name}={value}"))
            .collect();
        (!matching.is_empty()).then(|| matching.join("; "))
    }
}

/// Returns the `action` of the first form on the page.
fn form_action(html: &str) -> Option<String> {
    let form = &html[html.find("<form")?..];
    let start = form.find("action=\"")? + "action=\"".len();
    let end = form[start..].find('"')?;
    Some(form[start..start + end].replace("&amp;", "&"))
}
