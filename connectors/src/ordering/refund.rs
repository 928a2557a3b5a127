//! `POST /admin/v1/purchases/{purchaseId}/refunds`: refund sale lines of a purchase, or an
//! amount without returned goods (spread over the sale lines as return lines by
//! `receipts::refund::allocate_amount`).
//!
//! The handler checks the request against the latest receipt version (the refund builder
//! rejects more than was paid or sold), stores the refund with its job in one transaction and
//! responds 201. The job then refunds at the PSP, issues the new receipt version with a new
//! `change_seq` and `receipt-ready`, and queues the POS return. One Idempotency-Key makes one
//! refund: a repeat gets the first answer, a repeat with another body a 422.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::purchase_job::load_receipt;
use super::store::{self, ChargeMode};
use crate::auth::admin::{AdminCaller, Scope};
use crate::payments::gateway::Money;
use crate::problem::{self, Problem};
use crate::receipts::refund::{AmountRefundInput, refund_amount_receipt};
use crate::receipts::{self, LineItem, Receipt, RefundInput, RefundLineInput};
use crate::server::AppState;

/// One refunded line: the receipt's `lineNumber` and the quantity given back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefundLineRequest {
    pub line_number: u32,
    /// Decimal string in the line's unit.
    pub quantity: String,
}

/// The body of a refund request.
#[derive(Debug, Clone, Deserialize)]
pub struct RefundRequest {
    #[serde(default)]
    pub lines: Vec<RefundLineRequest>,
    /// A refund of an amount without returned goods; excludes `lines`.
    pub amount: Option<Money>,
    pub reason: Option<String>,
}

/// The refund as stored in `purchase_refunds.request`: lines with their amounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRefund {
    /// `(lineNumber, quantity, amount_minor)` of each refunded line.
    pub lines: Vec<(u32, String, i64)>,
    pub reason: Option<String>,
}

impl StoredRefund {
    pub fn input(&self, receipt_number: String, at: time::OffsetDateTime) -> RefundInput {
        RefundInput {
            receipt_number,
            refund_date_time: at,
            lines: self
                .lines
                .iter()
                .map(|(line, quantity, amount)| RefundLineInput {
                    original_line_number: *line,
                    quantity: quantity.clone(),
                    amount_minor: *amount,
                })
                .collect(),
            reason: self.reason.clone(),
        }
    }
}

/// Refunds lines of a purchase, or an amount of it.
#[utoipa::path(post, path = "/admin/v1/purchases/{purchaseId}/refunds", tag = "admin",
    params(("purchaseId" = String, Path, description = "The purchaseId returned to JWO"),
        ("Idempotency-Key" = String, Header, description = "Unique key per refund, reused on retries")),
    request_body(content = String, description = "`{\"lines\": [{\"line_number\": 1, \"quantity\": \"1\"}], \"reason\": \"…\"}` or `{\"amount\": {\"amount_minor\": 250, \"currency\": \"GBP\"}, \"reason\": \"…\"}`", content_type = "application/json"),
    responses(
        (status = 201, description = "The refund is accepted and runs in the background"),
        (status = 400, description = "Invalid body or missing Idempotency-Key", content_type = "application/problem+json"),
        (status = 404, description = "No such purchase", content_type = "application/problem+json"),
        (status = 409, description = "Nothing captured to refund yet", content_type = "application/problem+json"),
        (status = 422, description = "More than paid or sold, or the key was used with another body", content_type = "application/problem+json")))]
pub async fn create_refund(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(purchase_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), Problem> {
    caller.require(Scope::RefundsWrite)?;
    let key = headers
        .get(crate::idempotency::HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| !value.is_empty() && value.len() <= 255)
        .ok_or_else(|| {
            Problem::new(
                problem::MISSING_IDEMPOTENCY_KEY,
                "send an Idempotency-Key header of 1 to 255 characters",
            )
        })?
        .to_owned();
    let request_hash = hex::encode(ring::digest::digest(&ring::digest::SHA256, &body));
    let pool = &state.db.pool;

    let purchase = store::load(pool, &purchase_id)
        .await
        .map_err(|e| Problem::internal(&e))?
        .ok_or_else(|| Problem::new(problem::NOT_FOUND, format!("no purchase {purchase_id}")))?;
    if let Some(answer) = replay(pool, &purchase_id, &key, &request_hash).await? {
        return Ok(answer);
    }
    let request: RefundRequest = serde_json::from_slice(&body)
        .map_err(|error| Problem::invalid(format!("invalid refund body: {error}")))?;
    if purchase.charge_mode != ChargeMode::Charge
        || !matches!(purchase.state.as_str(), "receipt_issued" | "completed")
    {
        return Err(Problem::new(
            problem::NOT_REFUNDABLE,
            format!(
                "purchase {purchase_id} has no captured payment to refund (state {})",
                purchase.state
            ),
        ));
    }
    let latest = latest_receipt(pool, &purchase_id).await?;
    let (stored, amount) = plan_refund(&latest, &request)?;

    let refund_id = uuid::Uuid::now_v7().to_string();
    let now_ms = state.clock.now_ms();
    let inserted = insert_refund(
        &state,
        &refund_id,
        &purchase_id,
        &key,
        &request_hash,
        &stored,
        amount,
        &latest.currency,
        now_ms,
    )
    .await
    .map_err(|e| Problem::internal(&e))?;
    if !inserted && let Some(answer) = replay(pool, &purchase_id, &key, &request_hash).await? {
        return Ok(answer);
    }
    tracing::info!(%purchase_id, %refund_id, amount_minor = amount, admin_key = %caller.key_id, "refund accepted");
    Ok(answer(&refund_id, amount, &latest.currency, "pending"))
}

/// Checks the request against the latest receipt version; returns the refund to store and the
/// amount the PSP gives back.
fn plan_refund(latest: &Receipt, request: &RefundRequest) -> Result<(StoredRefund, i64), Problem> {
    let exceeds = |error: receipts::RefundError| {
        Problem::new(problem::REFUND_EXCEEDS_CAPTURED, error.to_string())
    };
    let preview = match (&request.amount, request.lines.is_empty()) {
        (Some(_), false) => {
            return Err(
                Problem::invalid("send either lines or amount, not both").with("field", "amount")
            );
        }
        (None, true) => {
            return Err(Problem::invalid(
                "lines must name at least one line, or amount must be set",
            )
            .with("field", "lines"));
        }
        (None, false) => {
            let stored = StoredRefund {
                lines: line_amounts(latest, &request.lines)?,
                reason: request.reason.clone(),
            };
            let input = stored.input(latest.receipt_number.clone(), latest.receipt_date_time);
            receipts::refund_receipt(latest, &input).map_err(exceeds)?
        }
        (Some(amount), true) => {
            check_amount(latest, amount)?;
            let input = AmountRefundInput {
                receipt_number: latest.receipt_number.clone(),
                refund_date_time: latest.receipt_date_time,
                amount_minor: amount.amount_minor,
                reason: request.reason.clone(),
            };
            refund_amount_receipt(latest, &input).map_err(exceeds)?
        }
    };

    let stored = StoredRefund {
        lines: added_returns(latest, &preview),
        reason: request.reason.clone(),
    };
    let amount = preview
        .tenders
        .last()
        .map_or(0, |tender| tender.amount.amount_minor);
    Ok((stored, amount))
}

fn check_amount(latest: &Receipt, amount: &Money) -> Result<(), Problem> {
    if amount.currency != latest.currency {
        return Err(Problem::invalid(format!(
            "amount.currency: {:?} is not the purchase's currency {}",
            amount.currency, latest.currency
        ))
        .with("field", "amount.currency"));
    }
    if amount.amount_minor <= 0 {
        return Err(Problem::invalid(format!(
            "amount.amount_minor: {} must be a positive number of minor units",
            amount.amount_minor
        ))
        .with("field", "amount.amount_minor"));
    }
    Ok(())
}

/// `(original lineNumber, quantity, amount)` of the return lines `preview` adds to `latest`.
fn added_returns(latest: &Receipt, preview: &Receipt) -> Vec<(u32, String, i64)> {
    preview.line_items[latest.line_items.len().min(preview.line_items.len())..]
        .iter()
        .filter_map(|item| match item {
            LineItem::Return(line) => Some((
                line.original_line_number,
                line.item.quantity.clone(),
                line.item.extended_amount.amount_minor,
            )),
            _ => None,
        })
        .collect()
}

fn answer(refund_id: &str, amount: i64, currency: &str, state: &str) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(
            json!({ "refund_id": refund_id, "amount": { "amount_minor": amount, "currency": currency }, "state": state }),
        ),
    )
}

/// Returns the first response for (purchase, key), or a 422 when the body differs.
async fn replay(
    pool: &sqlx::AnyPool,
    purchase_id: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<(StatusCode, Json<Value>)>, Problem> {
    let row: Option<(String, String, i64, String, String)> = sqlx::query_as(
        "SELECT refund_id, request_hash, amount_minor, currency, state FROM purchase_refunds WHERE purchase_id = $1 AND idempotency_key = $2",
    )
    .bind(purchase_id)
    .bind(key)
    .fetch_optional(pool)
    .await
    .map_err(|e| Problem::internal(&e))?;
    let Some((refund_id, hash, amount, currency, state)) = row else {
        return Ok(None);
    };
    if hash != request_hash {
        return Err(Problem::new(
            problem::IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used for another refund body",
        ));
    }
    Ok(Some(answer(&refund_id, amount, &currency, &state)))
}

/// The latest receipt version of a purchase.
pub async fn latest_receipt(pool: &sqlx::AnyPool, purchase_id: &str) -> Result<Receipt, Problem> {
    let version: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM receipts WHERE receipt_id = $1")
            .bind(purchase_id)
            .fetch_one(pool)
            .await
            .map_err(|e| Problem::internal(&e))?;
    let version = version
        .ok_or_else(|| Problem::new(problem::NOT_REFUNDABLE, "the purchase has no receipt yet"))?;
    load_receipt(pool, purchase_id, version)
        .await
        .map_err(|e| Problem::internal(&e))
}

/// Amount of each refunded line: what was paid for the line after its discounts, times the
/// returned share of its quantity, rounded half up to the minor unit.
fn line_amounts(
    receipt: &Receipt,
    lines: &[RefundLineRequest],
) -> Result<Vec<(u32, String, i64)>, Problem> {
    let mut amounts = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let field = format!("lines[{index}]");
        let sale = receipt.line_items.iter().find_map(|item| match item {
            LineItem::Sale(sale) if sale.line_number == line.line_number => Some(sale),
            _ => None,
        });
        let sale = sale.ok_or_else(|| {
            Problem::invalid(format!(
                "{field}.line_number: {} is not a sale line",
                line.line_number
            ))
            .with("field", format!("{field}.line_number"))
        })?;
        let sold: Decimal = sale.quantity.parse().unwrap_or(Decimal::ZERO);
        let returned: Decimal = line
            .quantity
            .trim()
            .parse()
            .ok()
            .filter(|q: &Decimal| *q > Decimal::ZERO)
            .ok_or_else(|| {
                Problem::invalid(format!(
                    "{field}.quantity: {:?} is not a positive decimal number",
                    line.quantity
                ))
                .with("field", format!("{field}.quantity"))
            })?;
        let discounts: i64 = receipt
            .line_items
            .iter()
            .filter_map(|item| match item {
                LineItem::Discount(discount) => Some(discount),
                _ => None,
            })
            .flat_map(|discount| discount.applies_to.iter())
            .filter(|share| share.line_number == line.line_number)
            .map(|share| share.amount.amount_minor)
            .sum();
        let paid = Decimal::from(sale.extended_amount.amount_minor - discounts);
        let amount = if sold > Decimal::ZERO {
            paid * returned / sold
        } else {
            Decimal::ZERO
        };
        let amount = amount
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .try_into()
            .unwrap_or(0i64);
        amounts.push((line.line_number, returned.normalize().to_string(), amount));
    }
    Ok(amounts)
}

#[allow(clippy::too_many_arguments)]
async fn insert_refund(
    state: &AppState,
    refund_id: &str,
    purchase_id: &str,
    key: &str,
    request_hash: &str,
    stored: &StoredRefund,
    amount: i64,
    currency: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let mut tx = state.db.pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO purchase_refunds (refund_id, purchase_id, idempotency_key, request_hash, request, amount_minor, currency, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8) ON CONFLICT (purchase_id, idempotency_key) DO NOTHING",
    )
    .bind(refund_id)
    .bind(purchase_id)
    .bind(key)
    .bind(request_hash)
    .bind(serde_json::to_string(stored).unwrap_or_default())
    .bind(amount)
    .bind(currency)
    .bind(now_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    super::job::enqueue(&mut tx, "refund", purchase_id, Some(refund_id), now_ms).await?;
    tx.commit().await?;
    Ok(true)
}
