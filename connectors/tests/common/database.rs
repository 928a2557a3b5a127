//! A fresh PostgreSQL database per test service, when `WALKOUT_TEST_POSTGRES_URL` names a server.
//!
//! The URL points at an administrative database on a throw-away test server (for example
//! `postgres://postgres@127.0.0.1:PORT/postgres`). Each service gets its own database named
//! `walkout_t_<uuid>`, so tests that run in parallel never see each other's rows. Dropping the
//! guard removes the database on a best-effort basis: a failure there only leaves a database
//! on a server that is thrown away after the run.

use std::time::Duration;

use sqlx::Connection as _;

/// The environment variable that switches the service tests to PostgreSQL.
pub const POSTGRES_URL_VARIABLE: &str = "WALKOUT_TEST_POSTGRES_URL";

/// Returns the administrative URL of the test PostgreSQL server, when one is configured.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Set to `sqlite` by `cargo xtask test` for its SQLite pass, which a PostgreSQL pass follows.
pub const ENGINE_VARIABLE: &str = "WALKOUT_TEST_ENGINE";

/// Decides whether a test that needs PostgreSQL runs. Without a server it prints why it is
/// skipped, except under `CI=true`, where a missing server fails the test unless this is the
/// SQLite pass of `cargo xtask test` (its PostgreSQL pass runs the test).
pub fn postgres_available(test: &str) -> bool {
    if postgres_admin_url().is_some() {
        return true;
    }
    let sqlite_pass = std::env::var(ENGINE_VARIABLE).is_ok_and(|engine| engine == "sqlite");
    let under_ci = std::env::var("CI").is_ok_and(|value| value == "true");
    assert!(
        sqlite_pass || !under_ci,
        "{test}: {POSTGRES_URL_VARIABLE} must be set under CI=true"
    );
    eprintln!("skipped {test}: {POSTGRES_URL_VARIABLE} is not set");
    false
}

/// A database created for one test; dropping the value drops the database.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    /// The URL a service connects to.
    pub url: String,
}

impl TestDatabase {
    /// Creates `walkout_t_<uuid>` on the server behind `admin_url`.
    pub async fn create(admin_url: &str) -> TestDatabase {
        sqlx::any::install_default_drivers();
        let name = format!("walkout_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(admin_url)
            .await
            .unwrap_or_else(|error| panic!("cannot reach {POSTGRES_URL_VARIABLE}: {error}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|error| panic!("cannot create the test database {name}: {error}"));
        let _ = admin.close().await;
        TestDatabase {
            admin_url: admin_url.to_owned(),
            url: database_url(admin_url, &name),
            name,
        }
    }

    /// Creates a test database when `WALKOUT_TEST_POSTGRES_URL` is set.
    pub async fn from_environment() -> Option<TestDatabase> {
        match postgres_admin_url() {
            Some(admin_url) => Some(TestDatabase::create(&admin_url).await),
            None => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot be blocked on, so a short-lived
        // thread with its own runtime removes the database and this thread waits for it.
        let admin_url = self.admin_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let worker = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let drop_database = async {
                    let mut admin = sqlx::AnyConnection::connect(&admin_url).await?;
                    sqlx::query(&statement).execute(&mut admin).await?;
                    admin.close().await
                };
                let _ = tokio::time::timeout(Duration::from_secs(10), drop_database).await;
            });
        });
        let _ = worker.join();
    }
}

/// Replaces the database name (the URL path) of `admin_url` with `name`, keeping any query.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}
