//! Store settings (name, currency, time zone, tax-included prices) and tax rates per tax code.
//!
//! The demo store `UK-LON-001` has defaults that apply until settings are written for it: GBP,
//! Europe/London, prices including UK VAT, standard rate 20%. Every other store has no settings
//! until an administrator or a catalog import writes them. The pre-authorization hold amount is
//! a payment setting and lives with the payments, not here.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::store::StoreError;
use crate::catalog::uci::{DEMO_CURRENCY, DEMO_STORE_ID, DEMO_TAX_CODE};
use crate::db::Database;
use crate::pricing::TaxSettings;

/// Name of the demo store.
pub const DEMO_STORE_NAME: &str = "Walkout demo store, London";
/// Time zone of the demo store.
pub const DEMO_TIME_ZONE: &str = "Europe/London";
/// UK VAT rates in basis points, by the tax codes the demo catalog uses: standard 20%,
/// reduced 5%, zero 0%.
pub const DEMO_TAX_RATES: [(&str, u32); 3] =
    [(DEMO_TAX_CODE, 2_000), ("reduced", 500), ("zero", 0)];

/// Largest accepted tax rate, in basis points (100%).
pub const MAX_RATE_BP: u32 = 10_000;

/// The settings of one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoreSettings {
    pub store_id: String,
    /// Display name, the receipt's `businessUnit` name.
    pub name: String,
    /// ISO 4217 code, upper case; every item of the store is priced in it.
    pub currency: String,
    /// IANA time zone name, such as `Europe/London`.
    pub time_zone: String,
    /// True when catalog prices include tax, false when tax is added at checkout.
    pub prices_include_tax: bool,
}

impl StoreSettings {
    /// Returns the defaults of the demo store.
    pub fn demo() -> StoreSettings {
        StoreSettings {
            store_id: DEMO_STORE_ID.to_owned(),
            name: DEMO_STORE_NAME.to_owned(),
            currency: DEMO_CURRENCY.to_owned(),
            time_zone: DEMO_TIME_ZONE.to_owned(),
            prices_include_tax: true,
        }
    }
}

/// Returns the tax settings of the demo store.
pub fn demo_tax_settings() -> TaxSettings {
    TaxSettings {
        prices_include_tax: true,
        rates_bp: DEMO_TAX_RATES
            .iter()
            .map(|(code, rate)| ((*code).to_owned(), *rate))
            .collect(),
        default_rate_bp: None,
    }
}

type SettingsRow = (String, String, String, String, i64);

/// Reads the settings of a store; the demo store's defaults when it has none stored, `None`
/// for any other store without settings.
pub async fn store_settings(
    db: &Database,
    store_id: &str,
) -> Result<Option<StoreSettings>, StoreError> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT store_id, name, currency, time_zone, prices_include_tax \
         FROM store_settings WHERE store_id = $1",
    )
    .bind(store_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        Some((store_id, name, currency, time_zone, included)) => Some(StoreSettings {
            store_id,
            name,
            currency,
            time_zone,
            prices_include_tax: included != 0,
        }),
        None if store_id == DEMO_STORE_ID => Some(StoreSettings::demo()),
        None => None,
    })
}

/// Creates or replaces the settings of a store. Tax rates are kept.
pub async fn put_store_settings(
    db: &Database,
    settings: &StoreSettings,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO store_settings \
         (store_id, name, currency, time_zone, prices_include_tax, default_tax_rate_bp, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6) \
         ON CONFLICT (store_id) DO UPDATE SET name = excluded.name, currency = excluded.currency, \
         time_zone = excluded.time_zone, prices_include_tax = excluded.prices_include_tax, \
         updated_at = excluded.updated_at",
    )
    .bind(&settings.store_id)
    .bind(&settings.name)
    .bind(&settings.currency)
    .bind(&settings.time_zone)
    .bind(i64::from(settings.prices_include_tax))
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Writes the demo store's default settings and tax rates, unless settings are stored for it.
/// Returns true when it wrote them.
pub async fn seed_demo_store(db: &Database, now_ms: i64) -> Result<bool, StoreError> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT store_id FROM store_settings WHERE store_id = $1")
            .bind(DEMO_STORE_ID)
            .fetch_optional(&db.pool)
            .await?;
    if stored.is_some() {
        return Ok(false);
    }
    put_store_settings(db, &StoreSettings::demo(), now_ms).await?;
    put_tax_settings(db, DEMO_STORE_ID, &demo_tax_settings(), now_ms).await?;
    Ok(true)
}

/// Reads the tax settings of a store: its rates per tax code, its default rate and whether its
/// prices include tax. The demo store without stored settings gets its defaults; another store
/// without settings gets no rates, so pricing rejects its items with a missing-rate error.
pub async fn tax_settings(db: &Database, store_id: &str) -> Result<TaxSettings, StoreError> {
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT prices_include_tax, default_tax_rate_bp FROM store_settings WHERE store_id = $1",
    )
    .bind(store_id)
    .fetch_optional(&db.pool)
    .await?;
    let Some((included, default_rate)) = row else {
        return Ok(if store_id == DEMO_STORE_ID {
            demo_tax_settings()
        } else {
            TaxSettings::default()
        });
    };

    let rates: Vec<(String, i64)> =
        sqlx::query_as("SELECT tax_code, rate_bp FROM store_tax_rates WHERE store_id = $1")
            .bind(store_id)
            .fetch_all(&db.pool)
            .await?;
    let mut rates_bp = BTreeMap::new();
    for (code, rate) in rates {
        rates_bp.insert(code, stored_rate(rate)?);
    }
    Ok(TaxSettings {
        prices_include_tax: included != 0,
        rates_bp,
        default_rate_bp: default_rate.map(stored_rate).transpose()?,
    })
}

fn stored_rate(rate: i64) -> Result<u32, StoreError> {
    u32::try_from(rate).map_err(|_| StoreError::Corrupt(format!("tax rate {rate} is out of range")))
}

/// Replaces every tax rate of a store, its default rate and its tax-included flag, in one
/// transaction. The store must have settings (see [`put_store_settings`]); returns false when
/// it has none, and then changes nothing.
pub async fn put_tax_settings(
    db: &Database,
    store_id: &str,
    tax: &TaxSettings,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = db.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE store_settings SET prices_include_tax = $2, default_tax_rate_bp = $3, \
         updated_at = $4 WHERE store_id = $1",
    )
    .bind(store_id)
    .bind(i64::from(tax.prices_include_tax))
    .bind(tax.default_rate_bp.map(i64::from))
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }

    sqlx::query("DELETE FROM store_tax_rates WHERE store_id = $1")
        .bind(store_id)
        .execute(&mut *tx)
        .await?;
    for (code, rate) in &tax.rates_bp {
        sqlx::query(
            "INSERT INTO store_tax_rates (store_id, tax_code, rate_bp) VALUES ($1, $2, $3)",
        )
        .bind(store_id)
        .bind(code)
        .bind(i64::from(*rate))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}
