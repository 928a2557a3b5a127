//! Storage of entry credentials: enrollment, lookup by id, listing and revocation.
//!
//! A credential id is 8 random bytes, written as 16 lower-case hex characters everywhere
//! (database, API, logs). The secret is generated here, returned once to the app in clear, and
//! stored only sealed (see `sealing`); nothing in this module logs or returns it otherwise.

use ring::rand::{SecureRandom, SystemRandom};
use walkout_core::entry::code::{CREDENTIAL_ID_LEN, SECRET_LEN};
use zeroize::Zeroizing;

use super::sealing::{DataKeys, SealError};
use crate::db::Database;

/// One stored credential, without its secret in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// 16 lower-case hex characters.
    pub id: String,
    pub shopper_id: String,
    pub device_name: Option<String>,
    pub secret_key_id: String,
    pub secret_sealed: String,
    pub period_secs: u32,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

impl StoredCredential {
    /// The 8 bytes of the id.
    pub fn id_bytes(&self) -> Option<[u8; CREDENTIAL_ID_LEN]> {
        parse_id(&self.id)
    }

    /// Opens the sealed secret.
    pub fn secret(&self, keys: &DataKeys) -> Result<Zeroizing<[u8; SECRET_LEN]>, SealError> {
        let id = self.id_bytes().ok_or(SealError::Damaged)?;
        keys.open(&id, &self.secret_key_id, &self.secret_sealed)
    }
}

/// Parses a credential id written as 16 hex characters (either case).
pub fn parse_id(text: &str) -> Option<[u8; CREDENTIAL_ID_LEN]> {
    if text.len() != 2 * CREDENTIAL_ID_LEN {
        return None;
    }
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    #[error("the system random number generator failed")]
    Random,
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// What [`enroll`] needs besides the keys and the database.
#[derive(Debug, Clone)]
pub struct NewCredential<'a> {
    pub shopper_id: &'a str,
    pub device_name: Option<&'a str>,
    pub period_secs: u32,
    pub now_ms: i64,
    pub lifetime_ms: i64,
}

/// Creates a credential with a fresh random id and secret, and stores the secret sealed.
pub async fn enroll(
    db: &Database,
    keys: &DataKeys,
    new: &NewCredential<'_>,
) -> Result<StoredCredential, EnrollError> {
    let rng = SystemRandom::new();
    let mut id = [0u8; CREDENTIAL_ID_LEN];
    rng.fill(&mut id).map_err(|_| EnrollError::Random)?;
    let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
    rng.fill(&mut *secret).map_err(|_| EnrollError::Random)?;
    let sealed = keys.seal(&id, &secret)?;

    let stored = StoredCredential {
        id: hex::encode(id),
        shopper_id: new.shopper_id.to_owned(),
        device_name: new.device_name.map(str::to_owned),
        secret_key_id: sealed.key_id,
        secret_sealed: sealed.text,
        period_secs: new.period_secs,
        created_at: new.now_ms,
        expires_at: new.now_ms.saturating_add(new.lifetime_ms),
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO entry_credentials (id, shopper_id, device_name, secret_key_id, secret_sealed, \
         period_secs, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&stored.id)
    .bind(&stored.shopper_id)
    .bind(stored.device_name.as_deref())
    .bind(&stored.secret_key_id)
    .bind(&stored.secret_sealed)
    .bind(i64::from(stored.period_secs))
    .bind(stored.created_at)
    .bind(stored.expires_at)
    .execute(&db.pool)
    .await?;
    Ok(stored)
}

type CredentialRow = (
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
);

const COLUMNS: &str = "id, shopper_id, device_name, secret_key_id, secret_sealed, period_secs, \
                       created_at, expires_at, revoked_at";

fn from_row(row: CredentialRow) -> StoredCredential {
    let (
        id,
        shopper_id,
        device_name,
        secret_key_id,
        secret_sealed,
        period,
        created,
        expires,
        revoked,
    ) = row;
    StoredCredential {
        id,
        shopper_id,
        device_name,
        secret_key_id,
        secret_sealed,
        // The column is written from a u32 only; 0 makes the step window fail safely.
        period_secs: u32::try_from(period).unwrap_or(0),
        created_at: created,
        expires_at: expires,
        revoked_at: revoked,
    }
}

/// Looks up a credential by its hex id.
pub async fn find(db: &Database, id: &str) -> Result<Option<StoredCredential>, sqlx::Error> {
    let row: Option<CredentialRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM entry_credentials WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(from_row))
}

/// Lists a shopper's credentials that are not revoked, newest first.
pub async fn list_for_shopper(
    db: &Database,
    shopper_id: &str,
) -> Result<Vec<StoredCredential>, sqlx::Error> {
    let rows: Vec<CredentialRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM entry_credentials WHERE shopper_id = $1 AND revoked_at IS NULL \
         ORDER BY created_at DESC, id"
    ))
    .bind(shopper_id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// Revokes a shopper's own credential. Returns false when the shopper has no credential with
/// this id, so another shopper's id and a missing id look the same. Revoking twice succeeds.
pub async fn revoke(
    db: &Database,
    shopper_id: &str,
    id: &str,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let owned: Option<String> =
        sqlx::query_scalar("SELECT id FROM entry_credentials WHERE id = $1 AND shopper_id = $2")
            .bind(id)
            .bind(shopper_id)
            .fetch_optional(&db.pool)
            .await?;
    if owned.is_none() {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE entry_credentials SET revoked_at = $1 \
         WHERE id = $2 AND shopper_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms)
    .bind(id)
    .bind(shopper_id)
    .execute(&db.pool)
    .await?;
    Ok(true)
}
