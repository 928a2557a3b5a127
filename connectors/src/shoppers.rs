//! Shoppers: the service's record of each user pool identity, and the opaque visitor id that
//! JWO sees instead of the Cognito `sub`.

use crate::db::Database;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopperRecord {
    pub id: String,
    pub cognito_sub: String,
    pub visitor_id: String,
    pub status: String,
}

impl ShopperRecord {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

type ShopperRow = (String, String, String, String);

fn from_row((id, cognito_sub, visitor_id, status): ShopperRow) -> ShopperRecord {
    ShopperRecord {
        id,
        cognito_sub,
        visitor_id,
        status,
    }
}

/// Returns the shopper for a user pool `sub`, creating it on first sight. Concurrent first
/// requests converge on one row through the UNIQUE constraint on `cognito_sub`.
pub async fn get_or_create(
    db: &Database,
    cognito_sub: &str,
    now_ms: i64,
) -> Result<ShopperRecord, sqlx::Error> {
    if let Some(found) = find_by_sub(db, cognito_sub).await? {
        return Ok(found);
    }
    sqlx::query(
        "INSERT INTO shoppers (id, cognito_sub, visitor_id, status, created_at) VALUES ($1, $2, $3, 'active', $4) \
         ON CONFLICT (cognito_sub) DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(cognito_sub)
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(now_ms)
    .execute(&db.pool)
    .await?;
    find_by_sub(db, cognito_sub)
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

pub async fn find_by_sub(
    db: &Database,
    cognito_sub: &str,
) -> Result<Option<ShopperRecord>, sqlx::Error> {
    let row: Option<ShopperRow> = sqlx::query_as(
        "SELECT id, cognito_sub, visitor_id, status FROM shoppers WHERE cognito_sub = $1",
    )
    .bind(cognito_sub)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(from_row))
}

pub async fn find_by_id(db: &Database, id: &str) -> Result<Option<ShopperRecord>, sqlx::Error> {
    let row: Option<ShopperRow> =
        sqlx::query_as("SELECT id, cognito_sub, visitor_id, status FROM shoppers WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(from_row))
}

pub async fn find_by_visitor_id(
    db: &Database,
    visitor_id: &str,
) -> Result<Option<ShopperRecord>, sqlx::Error> {
    let row: Option<ShopperRow> = sqlx::query_as(
        "SELECT id, cognito_sub, visitor_id, status FROM shoppers WHERE visitor_id = $1",
    )
    .bind(visitor_id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(from_row))
}
