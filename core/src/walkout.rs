//! [`Walkout`], the object an app creates once: it owns the configuration, the local store, the
//! secret store, the backend client and the internal runtime.
//!
//! Its public methods are synchronous and return [`WalkoutError`]. Features add methods in
//! `impl Walkout` blocks of their own modules, running async work through [`Walkout::run`],
//! which blocks on the internal runtime and maps internal errors to public ones in one place.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::auth::AuthState;
use crate::clock::{Clock, ClockOffset, OffsetSource, ServerClock, SharedClockOffset, SystemClock};
use crate::config::Config;
use crate::error::{Error, WalkoutError, to_public};
use crate::http::{HttpClient, HttpError, HttpRequest, HttpSettings, RetryPolicy};
use crate::runtime::CoreRuntime;
use crate::secrets::SecretStore;
use crate::store::Store;

/// `kv` key of the last measured clock offset.
const CLOCK_OFFSET_KEY: &str = "clock.offset";

/// The app core of one brand.
pub struct Walkout {
    config: Config,
    secrets: Arc<dyn SecretStore>,
    store: Store,
    http: HttpClient,
    clock: ServerClock,
    runtime: CoreRuntime,
    auth: AuthState,
}

/// The backend's health, as `walkout status` and the apps' diagnostics show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthReport {
    pub backend_url: String,
    /// `GET /healthz` returned 2xx: the service process is up.
    pub live: bool,
    /// `GET /readyz` returned 2xx: its database and dependencies are ready.
    pub ready: bool,
    /// Schema version reported by `/readyz`, when ready.
    pub schema_version: Option<i64>,
    /// Problem slug of a failed `/readyz`, such as `not-ready`.
    pub not_ready_slug: Option<String>,
    /// Problem detail of a failed `/readyz`: which dependencies are not ready.
    pub not_ready_detail: Option<String>,
    /// Server time minus device time, in milliseconds, from the answers' `Date` headers.
    pub clock_offset_millis: Option<i64>,
    /// Time both checks took together, in milliseconds.
    pub elapsed_millis: u64,
}

#[derive(Serialize, Deserialize)]
struct StoredOffset {
    offset_millis: i64,
    measured_at_millis: i64,
}

#[derive(Deserialize)]
struct Readiness {
    schema_version: Option<i64>,
}

impl Walkout {
    /// Creates the core of `config.brand`, with its secrets in `secrets`.
    pub fn new(config: Config, secrets: Arc<dyn SecretStore>) -> Result<Self, WalkoutError> {
        Self::with_clock(config, secrets, Arc::new(SystemClock))
    }

    /// Like [`Walkout::new`], reading device time from `device_clock` (tests pass a manual one).
    pub fn with_clock(
        config: Config,
        secrets: Arc<dyn SecretStore>,
        device_clock: Arc<dyn Clock>,
    ) -> Result<Self, WalkoutError> {
        Self::build(config, secrets, device_clock).map_err(|error| to_public(&error))
    }

    fn build(
        config: Config,
        secrets: Arc<dyn SecretStore>,
        device_clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        config.validate()?;
        let store = Store::open_for_brand(&config.storage_dir, &config.brand)?;
        let offset = Arc::new(SharedClockOffset::new());
        if let Some(stored) = store.kv_get_json::<StoredOffset>(CLOCK_OFFSET_KEY)? {
            offset.record(ClockOffset {
                offset_millis: stored.offset_millis,
                measured_at_millis: stored.measured_at_millis,
                source: OffsetSource::Stored,
            });
        }
        let http = HttpClient::new(
            &config.backend_url,
            HttpSettings::default(),
            Arc::clone(&device_clock),
            Arc::clone(&offset),
        )?;
        let runtime = CoreRuntime::new()?;
        let clock = ServerClock::new(device_clock, offset);
        let auth = AuthState::new(&config.cognito, Arc::clone(&secrets), clock.clone())?;
        http.set_token_source(Arc::clone(auth.session()) as Arc<dyn crate::http::AccessTokenSource>);
        tracing::info!(brand = %config.brand, store = %store.path().display(), "walkout core started");
        Ok(Self {
            clock,
            config,
            secrets,
            store,
            http,
            runtime,
            auth,
        })
    }

    /// Returns the brand id this core serves.
    pub fn brand_id(&self) -> String {
        self.config.brand.to_string()
    }

    /// Returns the configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Returns the latest clock offset (server time minus device time), if one was measured in
    /// this run or stored by an earlier one.
    pub fn clock_offset(&self) -> Option<ClockOffset> {
        self.clock.offset().latest()
    }

    /// Checks the backend's `/healthz` and `/readyz` and measures the clock offset.
    ///
    /// A backend that responds with an error status is reported as not live or not ready; one
    /// that cannot be reached is an `Offline` error.
    pub fn backend_health(&self) -> Result<HealthReport, WalkoutError> {
        self.run(async {
            let started = Instant::now();
            let live = match self.http.send(&HttpRequest::get("/healthz")).await {
                Ok(_) => true,
                Err(HttpError::Status { .. }) => false,
                Err(error) => return Err(error.into()),
            };
            // A 503 from /readyz is an answer, not a failure to retry.
            let readiness = HttpRequest::get("/readyz").retry_policy(RetryPolicy::no_retries());
            let mut report = HealthReport {
                backend_url: self.config.backend_url.clone(),
                live,
                ready: false,
                schema_version: None,
                not_ready_slug: None,
                not_ready_detail: None,
                clock_offset_millis: None,
                elapsed_millis: 0,
            };
            match self.http.send(&readiness).await {
                Ok(response) => {
                    report.ready = true;
                    report.schema_version = response
                        .json::<Readiness>()
                        .ok()
                        .and_then(|r| r.schema_version);
                }
                Err(HttpError::Status {
                    problem, status, ..
                }) => {
                    let problem = problem.map(|problem| *problem).unwrap_or_default();
                    report.not_ready_slug =
                        Some(problem.slug.unwrap_or_else(|| format!("http-{status}")));
                    report.not_ready_detail = problem.detail;
                }
                Err(error) => return Err(error.into()),
            }
            report.elapsed_millis =
                u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            report.clock_offset_millis = self.clock_offset().map(|offset| offset.offset_millis);
            Ok(report)
        })
    }

    /// Runs `future` on the internal runtime, then stores the clock offset if it changed and
    /// maps any error to the public one.
    pub(crate) fn run<T>(
        &self,
        future: impl Future<Output = Result<T, Error>>,
    ) -> Result<T, WalkoutError> {
        let before = self.clock_offset();
        let result = self.runtime.block_on(future).and_then(|result| result);
        let after = self.clock_offset();
        if after != before {
            self.persist_clock_offset(after);
        }
        result.map_err(|error| to_public(&error))
    }

    fn persist_clock_offset(&self, offset: Option<ClockOffset>) {
        let Some(offset) = offset else { return };
        let stored = StoredOffset {
            offset_millis: offset.offset_millis,
            measured_at_millis: offset.measured_at_millis,
        };
        // The offset is measured again on the next response, so a failed write only costs
        // accuracy until then.
        if let Err(error) = self.store.kv_put_json(CLOCK_OFFSET_KEY, &stored) {
            tracing::warn!(error = %error, "cannot store the clock offset");
        }
    }

    /// Returns the local store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Returns the brand's secret store.
    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.secrets
    }

    /// Returns the backend client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Returns the sign-in state (session, options, pending challenge).
    pub(crate) fn auth(&self) -> &AuthState {
        &self.auth
    }

    /// Returns the clock that reads server time (device time plus the offset).
    pub fn server_clock(&self) -> &ServerClock {
        &self.clock
    }
}

impl std::fmt::Debug for Walkout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walkout")
            .field("brand", &self.config.brand)
            .field("store", &self.store.path())
            .finish_non_exhaustive()
    }
}
