//! The steps of a purchase job, each recorded before the next one starts:
//!
//! 1. `settle`: capture the cart total (cancel the hold for an empty cart) through payments;
//!    the settlement is stored in the job row.
//! 2. `receipt`: version 1 of the receipt with a new `change_seq`, `receipt-ready` for the
//!    shopper, the trip's final state, one transaction.
//! 3. `export`: queue the POS exports of the receipt.
//! 4. `notify`: the retailer webhook's `receipt-ready` event, when configured.
//!
//! A crash between a step's effect and its record repeats the step: settling is idempotent at
//! the PSP, and the other steps write their effect in the same transaction as their record.

use serde_json::json;

use super::config::PausePoint;
use super::job::{self, Job, step};
use super::receipt;
use super::settle::{self, SettleStatus, Settled};
use super::store::{self, ChargeMode, Purchase};
use super::worker::{alert, pause_if_configured};
use crate::receipts::Receipt;
use crate::server::AppState;

/// Runs the job from its recorded step to the end. The error text is stored in the job row.
pub async fn run(state: &AppState, owner: &str, job: &Job) -> Result<(), String> {
    let purchase = store::load(&state.db.pool, &job.purchase_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("purchase {} not found", job.purchase_id))?;
    let mut current = job.clone();

    loop {
        let next = match current.step.as_str() {
            step::SETTLE => settle_step(state, owner, &current, &purchase).await?,
            step::RECEIPT => receipt_step(state, owner, &current, &purchase).await?,
            step::EXPORT => export_step(state, owner, &current, &purchase).await?,
            step::NOTIFY => notify_step(state, owner, &current, &purchase).await?,
            step::DONE => return Ok(()),
            other => return Err(format!("unknown job step {other:?}")),
        };
        current.step = next.0.to_owned();
        if let Some(settlement) = next.1 {
            current.settlement = Some(settlement);
        }
    }
}

type StepResult = Result<(&'static str, Option<serde_json::Value>), String>;

async fn settle_step(state: &AppState, owner: &str, job: &Job, purchase: &Purchase) -> StepResult {
    pause_if_configured(state, PausePoint::Accepted, &purchase.purchase_id).await;
    let settled = settle::settle(state, purchase)
        .await
        .map_err(|e| e.to_string())?;
    pause_if_configured(state, PausePoint::Capture, &purchase.purchase_id).await;

    let value = serde_json::to_value(&settled).map_err(|e| e.to_string())?;
    let now_ms = state.clock.now_ms();
    let (next, state_name) = if purchase.charge_mode == ChargeMode::None {
        (step::DONE, "unmatched")
    } else {
        (step::RECEIPT, "settled")
    };
    let result: Result<(), job::RecordError> = async {
        let mut tx = state.db.writer.begin().await?;
        job::advance(&mut tx, job, owner, next, Some(&value), now_ms).await?;
        record_settlement(&mut tx, purchase, &settled, state_name, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|e| e.to_string())?;
    tracing::info!(
        purchase_id = %purchase.purchase_id,
        trip_id = ?purchase.trip_id,
        status = ?settled.status,
        captured_minor = settled.captured_minor,
        outstanding_minor = settled.outstanding_minor,
        "purchase settled"
    );
    if settled.status == SettleStatus::PaymentFailed {
        let details = json!({ "trip_id": purchase.trip_id, "outstanding_minor": settled.outstanding_minor, "currency": settled.currency });
        alert(state, &purchase.purchase_id, "payment-failed", &details).await;
    }
    Ok((next, Some(value)))
}

async fn record_settlement(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purchase: &Purchase,
    settled: &Settled,
    state_name: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE purchases SET state = $1, captured_minor = $2, outstanding_minor = $3, updated_at = $4 \
         WHERE purchase_id = $5",
    )
    .bind(state_name)
    .bind(settled.captured_minor)
    .bind(settled.outstanding_minor)
    .bind(now_ms)
    .bind(&purchase.purchase_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn settlement_of(job: &Job) -> Result<Settled, String> {
    let value = job
        .settlement
        .clone()
        .ok_or_else(|| format!("job {} has no recorded settlement", job.job_id))?;
    serde_json::from_value(value).map_err(|e| e.to_string())
}

async fn receipt_step(state: &AppState, owner: &str, job: &Job, purchase: &Purchase) -> StepResult {
    let settled = settlement_of(job)?;
    let now_ms = state.clock.now_ms();
    let result: Result<Receipt, String> = async {
        let mut tx = state.db.writer.begin().await.map_err(|e| e.to_string())?;
        let receipt = receipt::build_first_version(state, &mut tx, purchase, &settled, now_ms)
            .await
            .map_err(|e| e.to_string())?;
        let shopper = purchase.shopper_id.as_deref();
        receipt::store_version(&mut tx, &receipt, shopper, now_ms)
            .await
            .map_err(|e| e.to_string())?;
        receipt::close_trip(&mut tx, purchase, &settled, now_ms)
            .await
            .map_err(|e| e.to_string())?;
        store::set_state(&mut tx, &purchase.purchase_id, "receipt_issued", now_ms)
            .await
            .map_err(|e| e.to_string())?;
        job::advance(&mut tx, job, owner, step::EXPORT, None, now_ms)
            .await
            .map_err(|e| e.to_string())?;
        tx.commit().await.map_err(|e| e.to_string())?;
        Ok(receipt)
    }
    .await;
    let receipt = result?;
    tracing::info!(
        purchase_id = %purchase.purchase_id,
        receipt_number = %receipt.receipt_number,
        grand_minor = receipt.totals.grand.amount_minor,
        "receipt issued"
    );
    pause_if_configured(state, PausePoint::Receipt, &purchase.purchase_id).await;
    Ok((step::EXPORT, None))
}

/// Reads a stored receipt version.
pub async fn load_receipt(
    pool: &sqlx::AnyPool,
    receipt_id: &str,
    version: i64,
) -> Result<Receipt, String> {
    let document: Option<String> =
        sqlx::query_scalar("SELECT document FROM receipts WHERE receipt_id = $1 AND version = $2")
            .bind(receipt_id)
            .bind(version)
            .fetch_optional(pool)
            .await
            .map_err(|e| e.to_string())?;
    let document =
        document.ok_or_else(|| format!("receipt {receipt_id} version {version} not found"))?;
    serde_json::from_str(&document).map_err(|e| e.to_string())
}

async fn export_step(state: &AppState, owner: &str, job: &Job, purchase: &Purchase) -> StepResult {
    let receipt = load_receipt(&state.db.pool, &purchase.purchase_id, 1).await?;
    let delivery = super::pos_delivery::delivery(state).map_err(|e| e.to_string())?;
    let transaction_id = super::export::enqueue_exports(&delivery, &receipt, &[])
        .await
        .map_err(|e| e.to_string())?;
    let now_ms = state.clock.now_ms();
    let result: Result<(), job::RecordError> = async {
        let mut tx = state.db.writer.begin().await?;
        job::advance(&mut tx, job, owner, step::NOTIFY, None, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|e| e.to_string())?;
    tracing::info!(purchase_id = %purchase.purchase_id, %transaction_id, "POS export queued");
    Ok((step::NOTIFY, None))
}

async fn notify_step(state: &AppState, owner: &str, job: &Job, purchase: &Purchase) -> StepResult {
    let receipt = load_receipt(&state.db.pool, &purchase.purchase_id, 1).await?;
    let data = json!({
        "purchase_id": purchase.purchase_id,
        "idempotent_shopping_trip_id": purchase.idempotent_shopping_trip_id,
        "store_id": purchase.store_id,
        "trip_id": purchase.trip_id,
        "receipt": receipt,
    });
    let event_id = format!("{}:receipt:1", purchase.purchase_id);
    super::notify::post_event(
        &state.config.ordering,
        &event_id,
        crate::outbox::kind::RECEIPT_READY,
        &data,
        state.clock.now_secs(),
    )
    .await
    .map_err(|e| e.to_string())?;

    let now_ms = state.clock.now_ms();
    let result: Result<(), job::RecordError> = async {
        let mut tx = state.db.writer.begin().await?;
        store::set_state(&mut tx, &purchase.purchase_id, "completed", now_ms).await?;
        job::advance(&mut tx, job, owner, step::DONE, None, now_ms).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|e| e.to_string())?;
    Ok((step::DONE, None))
}
