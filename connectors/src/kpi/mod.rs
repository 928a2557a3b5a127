//! Retailer KPIs of one store over a period: baskets per day, average basket value and size,
//! visit frequency, offer activation and redemption, and the item pairs with the highest lift.
//!
//! The admin route `GET /admin/v1/reports/kpis` (scope `reports:read`) and the command
//! `walkout-connectors report kpis` produce the same report, as JSON, RFC 4180 CSV or one
//! self-contained HTML page. The report reads only; it never writes. It names shoppers only
//! through counts, never by id, so it can be shared outside the service.
//!
//! A period is a range of whole local dates in the store's time zone, both ends included.

mod command;
mod compute;
mod csv;
mod html;
mod load;
mod pairs;
mod routes;

pub use command::{ReportCommand, run as run_command};
pub use compute::{
    AverageBasket, Basket, DayFigures, KpiFigures, OfferCounts, OfferFigures, VisitFigures,
    compute, div_round, fixed_point,
};
pub use csv::to_csv;
pub use html::to_html;
pub use load::{Bounds, table_exists};
pub use pairs::{ItemPair, MAX_SKUS_PER_BASKET, MIN_PAIR_BASKETS, top_pairs};
pub use routes::routes;

use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::catalog::settings::store_settings;
use crate::db::Database;

/// Days in the default period, which ends on the current local date.
pub const DEFAULT_PERIOD_DAYS: i64 = 30;
/// Maximum period length, in days, so the per-day table stays bounded.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Item pairs listed in the report.
pub const PAIRS_SHOWN: usize = 10;

/// Output format of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "html" => Some(Format::Html),
            _ => None,
        }
    }

    /// Returns the Content-Type of a report in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Html => "text/html; charset=utf-8",
        }
    }
}

/// The KPI report of one store and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiReport {
    pub store_id: String,
    pub store_name: String,
    /// IANA time zone of the store; dates are local to it.
    pub time_zone: String,
    /// First local date of the period, `YYYY-MM-DD`.
    pub from: String,
    /// Last local date of the period (included).
    pub to: String,
    /// RFC 3339 instant at which the report was made.
    pub generated_at: String,
    #[serde(flatten)]
    pub figures: KpiFigures,
}

/// Failure to make a report.
#[derive(Debug, thiserror::Error)]
pub enum KpiError {
    #[error("invalid {field}: {detail}")]
    Invalid { field: &'static str, detail: String },
    #[error("unknown store {0:?}: it has no store settings")]
    UnknownStore(String),
    #[error("cannot read the store settings: {0}")]
    Settings(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

fn invalid(field: &'static str, detail: impl Into<String>) -> KpiError {
    KpiError::Invalid {
        field,
        detail: detail.into(),
    }
}

/// Parses an optional `YYYY-MM-DD` date of `field`.
pub fn parse_date(field: &'static str, text: Option<&str>) -> Result<Option<Date>, KpiError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<Date>().map(Some).map_err(|_| {
            invalid(
                field,
                format!("{text:?} is not a valid date; expected YYYY-MM-DD"),
            )
        }),
    }
}

/// Makes the report of `store_id` from `from` to `to` (local dates, both included). Without
/// `to` the period ends today; without `from` it spans 30 days.
pub async fn build_report(
    db: &Database,
    store_id: &str,
    from: Option<Date>,
    to: Option<Date>,
    now_ms: i64,
) -> Result<KpiReport, KpiError> {
    let settings = store_settings(db, store_id)
        .await
        .map_err(|e| KpiError::Settings(e.to_string()))?
        .ok_or_else(|| KpiError::UnknownStore(store_id.to_owned()))?;
    let zone = TimeZone::get(&settings.time_zone).map_err(|_| {
        invalid(
            "time_zone",
            format!("store {store_id} has an unknown time zone"),
        )
    })?;

    let today =
        load::local_date(now_ms, &zone).ok_or_else(|| invalid("now", "clock out of range"))?;
    let to = to.unwrap_or(today);
    let from = match from {
        Some(from) => from,
        None => to
            .checked_sub((DEFAULT_PERIOD_DAYS - 1).days())
            .map_err(|_| invalid("to", "date out of range"))?,
    };
    let days = period_days(from, to)?;
    let bounds = bounds(from, to, &zone)?;

    let baskets = load::baskets(db, store_id, bounds, &zone).await?;
    let visits = load::visits_by_shopper(db, store_id, bounds).await?;
    let offers = load::offer_counts(db, store_id, bounds).await?;
    let figures = compute(&days, &baskets, &visits, offers, PAIRS_SHOWN);

    Ok(KpiReport {
        store_id: settings.store_id,
        store_name: settings.name,
        time_zone: settings.time_zone,
        from: from.to_string(),
        to: to.to_string(),
        generated_at: jiff::Timestamp::from_millisecond(now_ms)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        figures,
    })
}

/// Lists every date from `from` to `to`, or rejects a reversed or too long period.
fn period_days(from: Date, to: Date) -> Result<Vec<Date>, KpiError> {
    if from > to {
        return Err(invalid(
            "from",
            format!("{from} is after the end of the period {to}"),
        ));
    }
    let mut days = Vec::new();
    let mut day = from;
    while day <= to {
        if days.len() >= MAX_PERIOD_DAYS as usize {
            return Err(invalid(
                "to",
                format!("the period is longer than {MAX_PERIOD_DAYS} days"),
            ));
        }
        days.push(day);
        day = day
            .tomorrow()
            .map_err(|_| invalid("to", "date out of range"))?;
    }
    Ok(days)
}

/// Start of `from` and start of the day after `to` in `zone`, as Unix milliseconds.
fn bounds(from: Date, to: Date, zone: &TimeZone) -> Result<Bounds, KpiError> {
    let start_of = |date: Date| {
        date.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|_| invalid("from", "date out of range"))
    };
    let after = to
        .tomorrow()
        .map_err(|_| invalid("to", "date out of range"))?;
    Ok(Bounds {
        start_ms: start_of(from)?,
        end_ms: start_of(after)?,
    })
}

/// Renders a report in `format`.
pub fn render(report: &KpiReport, format: Format) -> String {
    match format {
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default(),
        Format::Csv => to_csv(report),
        Format::Html => to_html(report),
    }
}
