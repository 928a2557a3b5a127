//! [`HealthReport`], the backend's health as the app's diagnostics screen shows it.

/// The backend's health.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HealthReport {
    /// The backend URL that was checked.
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
    /// Server time minus device time, in milliseconds.
    pub clock_offset_millis: Option<i64>,
    /// Time both checks took together, in milliseconds.
    pub elapsed_millis: u64,
}

impl From<walkout_core::HealthReport> for HealthReport {
    fn from(report: walkout_core::HealthReport) -> Self {
        Self {
            backend_url: report.backend_url,
            live: report.live,
            ready: report.ready,
            schema_version: report.schema_version,
            not_ready_slug: report.not_ready_slug,
            not_ready_detail: report.not_ready_detail,
            clock_offset_millis: report.clock_offset_millis,
            elapsed_millis: report.elapsed_millis,
        }
    }
}
