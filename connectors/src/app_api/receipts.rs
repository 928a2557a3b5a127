//! `GET /app/v1/receipts` (the change feed) and `GET /app/v1/receipts/{id}` (latest version).
//!
//! The feed lists the caller's rows of the `receipts` table in `change_seq` order. Each row is
//! one change: version 1 of a sale, a later version after a refund or adjustment, or a
//! tombstone. `change_seq` values come from one counter updated inside the writing transaction,
//! so they commit in order and a client that resumes after the last value it saw misses
//! nothing. The feed filters by shopper, so one shopper's positions have gaps: that is
//! expected, and the cursor stays opaque.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{cursor, not_found, shopper_id};
use crate::auth::app::Shopper;
use crate::problem::Problem;
use crate::server::AppState;

/// One row of the feed, as read from the database.
struct Change {
    change_seq: i64,
    receipt_id: String,
    version: i64,
    deleted: bool,
    document: String,
}

type ChangeRow = (i64, String, i64, i64, String);

impl Change {
    fn from_row((change_seq, receipt_id, version, deleted, document): ChangeRow) -> Change {
        Change {
            change_seq,
            receipt_id,
            version,
            deleted: deleted != 0,
            document,
        }
    }

    /// The feed item `{change_seq, receipt_id, version, deleted, receipt}`; a tombstone has
    /// `receipt: null`.
    fn to_item(&self) -> Result<Value, Problem> {
        let receipt = if self.deleted {
            Value::Null
        } else {
            parse_document(&self.receipt_id, &self.document)?
        };
        Ok(json!({
            "change_seq": self.change_seq,
            "receipt_id": self.receipt_id,
            "version": self.version,
            "deleted": self.deleted,
            "receipt": receipt,
        }))
    }
}

fn parse_document(receipt_id: &str, document: &str) -> Result<Value, Problem> {
    serde_json::from_str(document).map_err(|e| {
        Problem::internal(&format!(
            "stored receipt {receipt_id} is not valid JSON: {e}"
        ))
    })
}

/// The query of the feed, checked.
struct FeedQuery {
    after: i64,
    limit: i64,
}

fn parse_feed_query(raw: Option<&str>) -> Result<FeedQuery, Problem> {
    let mut after = None;
    let mut limit = None;
    for (name, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "after" => after = Some(value.into_owned()),
            "limit" => limit = Some(value.into_owned()),
            _ => {}
        }
    }
    let after = match after.as_deref() {
        None | Some("") => 0,
        Some(text) => cursor::decode(text).map_err(|reason| {
            Problem::invalid(format!(
                "invalid cursor in `after`: {reason}; pass the next_cursor of an earlier page, \
                 or leave `after` out to start from the beginning"
            ))
            .with("parameter", "after")
        })?,
    };
    let limit = cursor::parse_limit(limit.as_deref()).map_err(|reason| {
        Problem::invalid(format!("invalid `limit`: {reason}")).with("parameter", "limit")
    })?;
    Ok(FeedQuery { after, limit })
}

/// Returns the caller's receipt changes after a cursor, oldest first.
#[utoipa::path(get, path = "/app/v1/receipts", tag = "app",
    params(
        ("after" = Option<String>, Query, description = "Opaque cursor: the `next_cursor` of the previous page; absent to start from the beginning"),
        ("limit" = Option<i64>, Query, description = "Changes per page, 1 to 500 (default 100); a larger value is lowered to 500")),
    responses(
        (status = 200, description = "`{\"items\": [{change_seq, receipt_id, version, deleted, receipt}], \"next_cursor\", \"has_more\"}`"),
        (status = 400, description = "Invalid `after` cursor or `limit`", content_type = "application/problem+json")))]
pub async fn feed(
    State(state): State<AppState>,
    caller: Shopper,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, Problem> {
    let query = parse_feed_query(raw.as_deref())?;
    let changes = match shopper_id(&state, &caller).await? {
        Some(id) => read_changes(&state, &id, query.after, query.limit + 1).await?,
        None => Vec::new(),
    };

    let has_more = changes.len() as i64 > query.limit;
    let page = &changes[..changes.len().min(query.limit as usize)];
    let items = page
        .iter()
        .map(Change::to_item)
        .collect::<Result<Vec<_>, _>>()?;
    let last = page.last().map_or(query.after, |c| c.change_seq);
    Ok(Json(json!({
        "items": items,
        "next_cursor": cursor::encode(last),
        "has_more": has_more,
    })))
}

async fn read_changes(
    state: &AppState,
    shopper_id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<Change>, Problem> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT change_seq, receipt_id, version, deleted, document FROM receipts \
         WHERE shopper_id = $1 AND change_seq > $2 ORDER BY change_seq LIMIT $3",
    )
    .bind(shopper_id)
    .bind(after)
    .bind(limit)
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    Ok(rows.into_iter().map(Change::from_row).collect())
}

/// Returns the latest version of one of the caller's receipts, with an `ETag`.
#[utoipa::path(get, path = "/app/v1/receipts/{id}", tag = "app",
    params(
        ("id" = String, Path, description = "Receipt id"),
        ("If-None-Match" = Option<String>, Header, description = "ETag of a version the app holds")),
    responses(
        (status = 200, description = "The receipt document (ARTS names) of the latest version"),
        (status = 304, description = "The app's version is the latest"),
        (status = 404, description = "No such receipt for this shopper, or it was deleted", content_type = "application/problem+json")))]
pub async fn detail(
    State(state): State<AppState>,
    caller: Shopper,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let Some(shopper) = shopper_id(&state, &caller).await? else {
        return Err(not_found("receipt"));
    };
    let row: Option<ChangeRow> = sqlx::query_as(
        "SELECT change_seq, receipt_id, version, deleted, document FROM receipts \
         WHERE receipt_id = $1 AND shopper_id = $2 ORDER BY change_seq DESC LIMIT 1",
    )
    .bind(&id)
    .bind(&shopper)
    .fetch_optional(&state.db.pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let Some(change) = row.map(Change::from_row).filter(|c| !c.deleted) else {
        return Err(not_found("receipt"));
    };

    let etag = entity_tag(&change.receipt_id, change.version);
    let etag_value = HeaderValue::from_str(&etag).map_err(|e| Problem::internal(&e))?;
    if if_none_match(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value)]).into_response());
    }
    let document = parse_document(&change.receipt_id, &change.document)?;
    Ok(([(header::ETAG, etag_value)], Json(document)).into_response())
}

/// The strong entity tag of one receipt version: `"<receipt id>.v<version>"`.
fn entity_tag(receipt_id: &str, version: i64) -> String {
    format!("\"{receipt_id}.v{version}\"")
}

/// Checks `If-None-Match` against `etag` with the weak comparison that RFC 9110 prescribes
/// for this header (a `W/` prefix is ignored); `*` matches any current version.
fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_forms() {
        let etag = entity_tag("r-1", 2);
        let cases = [
            ("\"r-1.v2\"", true),
            ("W/\"r-1.v2\"", true),
            ("\"x\", \"r-1.v2\"", true),
            ("*", true),
            ("\"r-1.v1\"", false),
            ("r-1.v2", false),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::IF_NONE_MATCH,
                HeaderValue::from_str(value).expect("header value"),
            );
            assert_eq!(
                if_none_match(&headers, &etag),
                expected,
                "If-None-Match {value}"
            );
        }
    }

    #[test]
    fn feed_query_defaults() {
        let query = parse_feed_query(None).expect("empty query is valid");
        assert_eq!(query.after, 0);
        assert_eq!(query.limit, cursor::DEFAULT_LIMIT);
    }
}
