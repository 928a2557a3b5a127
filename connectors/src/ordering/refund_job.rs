//! The steps of a refund job, each recorded before the next:
//!
//! 1. `settle`: the refund at the PSP, with the key `<trip id>:refund-<n>` (`n` counts the
//!    purchase's refunds in creation order), so a retry refunds nothing twice;
//! 2. `receipt`: the next receipt version with a new `change_seq` and `receipt-ready`;
//! 3. `export`: the POS return of the lines this version added.

use serde_json::json;

use super::job::{self, Job, step};
use super::purchase_job::load_receipt;
use super::receipt::{next_receipt_number, store_version};
use super::refund::{StoredRefund, latest_receipt};
use super::store::{self, Purchase};
use crate::payments::gateway::{IdempotencyKey, Money, Outcome, PaymentGateway};
use crate::payments::stripe::StripeGateway;
use crate::receipts::{self, LineItem};
use crate::server::AppState;

struct RefundRow {
    refund_id: String,
    stored: StoredRefund,
    amount_minor: i64,
    currency: String,
    receipt_version: Option<i64>,
}

async fn load_refund(pool: &sqlx::AnyPool, refund_id: &str) -> Result<RefundRow, String> {
    let row: Option<(String, String, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT refund_id, request, amount_minor, currency, receipt_version FROM purchase_refunds WHERE refund_id = $1",
    )
    .bind(refund_id)
    .fetch_optional(pool)
    .await
    .map_err(|e| e.to_string())?;
    let (refund_id, request, amount_minor, currency, receipt_version) =
        row.ok_or_else(|| format!("refund {refund_id} not found"))?;
    let stored = serde_json::from_str(&request).map_err(|e| e.to_string())?;
    Ok(RefundRow {
        refund_id,
        stored,
        amount_minor,
        currency,
        receipt_version,
    })
}

/// Runs a refund job from its recorded step to the end.
pub async fn run(state: &AppState, owner: &str, job: &Job) -> Result<(), String> {
    let refund_id = job
        .refund_id
        .clone()
        .ok_or_else(|| format!("refund job {} has no refund id", job.job_id))?;
    let purchase = store::load(&state.db.pool, &job.purchase_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("purchase {} not found", job.purchase_id))?;
    let mut current = job.clone();
    loop {
        let refund = load_refund(&state.db.pool, &refund_id).await?;
        let next = match current.step.as_str() {
            step::SETTLE => refund_at_psp(state, owner, &current, &purchase, &refund).await?,
            step::RECEIPT => new_version(state, owner, &current, &purchase, &refund).await?,
            step::EXPORT => export_return(state, owner, &current, &purchase, &refund).await?,
            step::DONE => return Ok(()),
            other => return Err(format!("unknown refund step {other:?}")),
        };
        current.step = next.to_owned();
    }
}

async fn refund_at_psp(
    state: &AppState,
    owner: &str,
    job: &Job,
    purchase: &Purchase,
    refund: &RefundRow,
) -> Result<&'static str, String> {
    let trip_id = purchase
        .trip_id
        .clone()
        .ok_or("a refunded purchase has a trip")?;
    let authorization: Option<String> =
        sqlx::query_scalar("SELECT authorization_id FROM trip_payments WHERE trip_id = $1")
            .bind(&trip_id)
            .fetch_optional(&state.db.pool)
            .await
            .map_err(|e| e.to_string())?
            .flatten();
    let payment_id =
        authorization.ok_or_else(|| format!("trip {trip_id} has no captured payment"))?;
    let ordinal: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM purchase_refunds WHERE purchase_id = $1 AND refund_id <= $2",
    )
    .bind(&purchase.purchase_id)
    .bind(&refund.refund_id)
    .fetch_one(&state.db.pool)
    .await
    .map_err(|e| e.to_string())?;
    let key = IdempotencyKey::for_trip(&trip_id, &format!("refund-{ordinal}"))
        .map_err(|e| e.to_string())?;
    let gateway = StripeGateway::from_config(&state.config).map_err(|e| e.to_string())?;
    let amount = Money::new(refund.amount_minor, &refund.currency);
    let psp_refund_id = match gateway
        .refund(&payment_id, &amount, &key)
        .await
        .map_err(|e| e.to_string())?
    {
        Outcome::Approved(done) => done.refund_id,
        Outcome::Declined { code, .. } => {
            return Err(format!("the PSP declined the refund ({code})"));
        }
        Outcome::RequiresAction => {
            return Err("the PSP asked for shopper action on a refund".to_owned());
        }
        Outcome::RetryableFailure { reason } => return Err(reason),
    };

    let now_ms = state.clock.now_ms();
    let result: Result<(), job::RecordError> = async {
        let mut tx = state.db.pool.begin().await?;
        sqlx::query("UPDATE purchase_refunds SET state = 'refunded', psp_refund_id = $1 WHERE refund_id = $2")
            .bind(&psp_refund_id)
            .bind(&refund.refund_id)
            .execute(&mut *tx)
            .await?;
        job::advance(&mut tx, job, owner, step::RECEIPT, None, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|e| e.to_string())?;
    tracing::info!(purchase_id = %purchase.purchase_id, refund_id = %refund.refund_id, amount_minor = refund.amount_minor, "refunded at the PSP");
    Ok(step::RECEIPT)
}

async fn new_version(
    state: &AppState,
    owner: &str,
    job: &Job,
    purchase: &Purchase,
    refund: &RefundRow,
) -> Result<&'static str, String> {
    let latest = latest_receipt(&state.db.pool, &purchase.purchase_id)
        .await
        .map_err(|p| p.to_string())?;
    let now_ms = state.clock.now_ms();
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(latest.receipt_date_time);
    let result: Result<i64, String> = async {
        let mut tx = state.db.pool.begin().await.map_err(|e| e.to_string())?;
        let number = next_receipt_number(&mut tx, &purchase.store_id)
            .await
            .map_err(|e| e.to_string())?;
        let next = receipts::refund_receipt(&latest, &refund.stored.input(number, at))
            .map_err(|e| e.to_string())?;
        store_version(&mut tx, &next, purchase.shopper_id.as_deref(), now_ms)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::query("UPDATE purchase_refunds SET receipt_version = $1 WHERE refund_id = $2")
            .bind(i64::from(next.version))
            .bind(&refund.refund_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| e.to_string())?;
        job::advance(&mut tx, job, owner, step::EXPORT, None, now_ms)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(i64::from(next.version))
    }
    .await;
    let version = result?;
    tracing::info!(purchase_id = %purchase.purchase_id, refund_id = %refund.refund_id, version, "refund receipt issued");
    Ok(step::EXPORT)
}

async fn export_return(
    state: &AppState,
    owner: &str,
    job: &Job,
    purchase: &Purchase,
    refund: &RefundRow,
) -> Result<&'static str, String> {
    let version = refund
        .receipt_version
        .ok_or("the refund has no receipt version yet")?;
    let receipt = load_receipt(&state.db.pool, &purchase.purchase_id, version).await?;
    let previous = load_receipt(&state.db.pool, &purchase.purchase_id, version - 1).await?;
    let known: Vec<u32> = previous
        .line_items
        .iter()
        .map(LineItem::line_number)
        .collect();
    let added: Vec<u32> = receipt
        .line_items
        .iter()
        .map(LineItem::line_number)
        .filter(|number| !known.contains(number))
        .collect();
    let delivery = super::pos_delivery::delivery(state).map_err(|e| e.to_string())?;
    let transaction_id = super::export::enqueue_exports(&delivery, &receipt, &added)
        .await
        .map_err(|e| e.to_string())?;
    let now_ms = state.clock.now_ms();
    let result: Result<(), job::RecordError> = async {
        let mut tx = state.db.pool.begin().await?;
        job::advance(&mut tx, job, owner, step::DONE, None, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|e| e.to_string())?;
    let details = json!({ "refund_id": refund.refund_id, "transaction_id": transaction_id });
    tracing::info!(purchase_id = %purchase.purchase_id, %details, "POS return queued");
    Ok(step::DONE)
}
