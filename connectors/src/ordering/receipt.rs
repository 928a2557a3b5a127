//! The receipt step of a purchase job: build version 1 of the receipt from the stored priced
//! cart and the settlement, store it with a new `change_seq`, tell the shopper, and set the
//! trip's final state, all in one transaction.
//!
//! The tender's card brand and last 4 digits come from the trip's payment row, because JWO's
//! cart carries no card data.

use serde_json::json;
use time::OffsetDateTime;

use super::settle::{SettleStatus, Settled};
use super::store::{ChargeMode, Purchase};
use super::trips::{self, TripState};
use crate::catalog::settings::StoreSettings;
use crate::db::next_counter_value;
use crate::outbox;
use crate::receipts::{
    DiscountInput, Receipt, ReceiptInput, SaleInput, TaxInput, TenderInput, TotalsInput,
    build_receipt, format_receipt_number,
};

/// Returns the trip state a settled purchase ends in once its receipt is issued.
pub fn final_trip_state(purchase: &Purchase, settled: &Settled) -> TripState {
    if settled.status == SettleStatus::PaymentFailed {
        TripState::PaymentFailed
    } else if purchase.cart.lines.is_empty() && purchase.cart.unpriced.is_empty() {
        TripState::ClosedEmpty
    } else {
        TripState::ReceiptReady
    }
}

/// Maps the stored cart and the settlement onto the receipt builder's input. Sale and unpriced
/// lines keep the cart's order.
pub fn receipt_input(
    purchase: &Purchase,
    settled: &Settled,
    settings: &StoreSettings,
    card: Option<(String, String)>,
    receipt_number: String,
    issued_at: OffsetDateTime,
) -> ReceiptInput {
    let cart = &purchase.cart;
    let mut ordered: Vec<(usize, SaleInput)> = cart
        .lines
        .iter()
        .map(|line| {
            let sale = SaleInput {
                sku: line.item_sku.clone(),
                description: line.item_name.clone(),
                quantity: line.quantity.normalize().to_string(),
                unit: line.unit.as_str().to_owned(),
                unit_price_minor: line.unit_price_minor,
                extended_minor: line.extended_minor,
                tax_rate_bp: line.tax_rate_bp,
                unpriced: false,
            };
            (line.line_index, sale)
        })
        .collect();
    ordered.extend(cart.unpriced.iter().map(|line| {
        let sale = SaleInput {
            sku: line.cart_item_id.clone(),
            description: "unpriced item".to_owned(),
            quantity: line.quantity.clone(),
            unit: line.unit.clone(),
            unit_price_minor: 0,
            extended_minor: 0,
            tax_rate_bp: 0,
            unpriced: true,
        };
        (line.line_index, sale)
    }));
    ordered.sort_by_key(|(index, _)| *index);
    let position_of = |line_index: usize| {
        ordered
            .iter()
            .position(|(index, _)| *index == line_index)
            .unwrap_or(usize::MAX)
    };

    let discounts = cart
        .discounts
        .iter()
        .map(|discount| DiscountInput {
            description: discount.name.clone(),
            promotion_id: Some(discount.promotion_id.clone()),
            amount_minor: discount.amount_minor,
            allocations: discount
                .allocations
                .iter()
                .map(|&(line_index, amount)| (position_of(line_index), amount))
                .collect(),
        })
        .collect();
    let tender = match (settled.captured_minor, card) {
        (captured, Some((brand, last4))) if captured > 0 => Some(TenderInput {
            brand,
            last4,
            amount_minor: captured,
        }),
        _ => None,
    };

    ReceiptInput {
        receipt_id: purchase.purchase_id.clone(),
        trip_id: purchase.trip_id.clone().unwrap_or_default(),
        is_test: purchase.charge_mode == ChargeMode::Test,
        store_id: purchase.store_id.clone(),
        store_name: settings.name.clone(),
        time_zone: settings.time_zone.clone(),
        receipt_number,
        receipt_date_time: issued_at,
        currency: cart.currency.clone(),
        prices_include_tax: settings.prices_include_tax,
        lines: ordered.into_iter().map(|(_, sale)| sale).collect(),
        discounts,
        taxes: cart
            .taxes
            .iter()
            .map(|row| TaxInput {
                rate_bp: row.rate_bp,
                taxable_minor: row.taxable_minor,
                tax_minor: row.tax_minor,
            })
            .collect(),
        totals: TotalsInput {
            net_minor: cart.totals.net_minor,
            tax_minor: cart.totals.tax_minor,
            grand_minor: cart.totals.grand_minor,
        },
        tender,
        written_off_minor: settled.written_off_minor,
        outstanding_minor: settled.outstanding_minor,
    }
}

/// Failure of the receipt step.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptStepError {
    #[error("store {0:?} has no settings")]
    UnknownStore(String),
    #[error("the receipt of purchase {purchase_id} is invalid: {source}")]
    Invalid {
        purchase_id: String,
        source: crate::receipts::ReceiptError,
    },
    #[error(transparent)]
    Catalog(#[from] crate::catalog::store::StoreError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Takes the store's next receipt number inside `tx`.
pub async fn next_receipt_number(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    store_id: &str,
) -> Result<String, sqlx::Error> {
    let sequence = next_counter_value(tx, &format!("receipt_number:{store_id}")).await?;
    Ok(format_receipt_number(
        store_id,
        u64::try_from(sequence).unwrap_or(0),
    ))
}

/// Inserts a receipt version with a new `change_seq` and publishes `receipt-ready` to the
/// shopper, inside `tx`. Returns the `change_seq`.
pub async fn store_version(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    receipt: &Receipt,
    shopper_id: Option<&str>,
    now_ms: i64,
) -> Result<i64, sqlx::Error> {
    let change_seq = next_counter_value(tx, "change_seq").await?;
    let document = serde_json::to_string(receipt).unwrap_or_default();
    sqlx::query(
        "INSERT INTO receipts (receipt_id, version, change_seq, shopper_id, trip_id, deleted, document, created_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
    )
    .bind(&receipt.receipt_id)
    .bind(i64::from(receipt.version))
    .bind(change_seq)
    .bind(shopper_id)
    .bind(&receipt.trip_id)
    .bind(document)
    .bind(now_ms)
    .execute(&mut **tx)
    .await?;

    if shopper_id.is_some() {
        let payload = json!({
            "receipt_id": receipt.receipt_id,
            "version": receipt.version,
            "change_seq": change_seq,
            "trip_id": receipt.trip_id,
            "grand": receipt.totals.grand,
        });
        outbox::publish(
            tx,
            shopper_id,
            outbox::kind::RECEIPT_READY,
            &payload,
            now_ms,
        )
        .await?;
    }
    Ok(change_seq)
}

/// Moves the trip of a settled purchase to its final state inside `tx`.
pub async fn close_trip(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purchase: &Purchase,
    settled: &Settled,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let Some(trip_id) = &purchase.trip_id else {
        return Ok(());
    };
    let from = [
        TripState::Entered,
        TripState::CartReceived,
        TripState::Charged,
    ];
    trips::transition(
        tx,
        trip_id,
        &from,
        final_trip_state(purchase, settled),
        now_ms,
    )
    .await?;
    Ok(())
}

/// Builds version 1 of the receipt for a purchase.
pub async fn build_first_version(
    state: &crate::server::AppState,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    purchase: &Purchase,
    settled: &Settled,
    now_ms: i64,
) -> Result<Receipt, ReceiptStepError> {
    let settings = crate::catalog::settings::store_settings(&state.db, &purchase.store_id)
        .await?
        .ok_or_else(|| ReceiptStepError::UnknownStore(purchase.store_id.clone()))?;
    let card = match &purchase.trip_id {
        Some(trip_id) => trips::tender_card(&state.db.pool, trip_id).await?,
        None => None,
    };
    let number = next_receipt_number(tx, &purchase.store_id).await?;
    let issued_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let input = receipt_input(purchase, settled, &settings, card, number, issued_at);
    build_receipt(&input).map_err(|source| ReceiptStepError::Invalid {
        purchase_id: purchase.purchase_id.clone(),
        source,
    })
}
