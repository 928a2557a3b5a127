//! Administrator API keys: `Authorization: Bearer wk_admin_…`, stored as SHA-256, with scopes.
//!
//! A key is 256 random bits, so a plain SHA-256 (no salt, no slow hash) is enough to keep a
//! stolen database from revealing usable keys, and it lets a request find its key by an indexed
//! lookup of the hash.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use ring::rand::SystemRandom;

use super::bearer_token;
use crate::credentials::{ADMIN_KEY_PREFIX, new_admin_key};
use crate::db::Database;
use crate::problem::{self, Problem};
use crate::server::AppState;

/// What an administrator key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    CatalogWrite,
    KeysWrite,
    RefundsWrite,
    OffersWrite,
    ReportsRead,
    /// Every operation, present and future.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::CatalogWrite,
        Scope::KeysWrite,
        Scope::RefundsWrite,
        Scope::OffersWrite,
        Scope::ReportsRead,
        Scope::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogWrite => "catalog:write",
            Scope::KeysWrite => "keys:write",
            Scope::RefundsWrite => "refunds:write",
            Scope::OffersWrite => "offers:write",
            Scope::ReportsRead => "reports:read",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == text)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminKeyError {
    #[error(
        "unknown scope {0:?}; expected one of catalog:write, keys:write, refunds:write, offers:write, reports:read, admin"
    )]
    UnknownScope(String),
    #[error("at least one scope is required")]
    NoScope,
    #[error("the system random number generator failed")]
    Random,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Parses scope names, accepting comma- or space-separated lists.
pub fn parse_scopes(names: &[String]) -> Result<Vec<Scope>, AdminKeyError> {
    let mut scopes = Vec::new();
    for name in names
        .iter()
        .flat_map(|n| n.split([',', ' ']))
        .filter(|n| !n.is_empty())
    {
        let scope = Scope::parse(name.trim())
            .ok_or_else(|| AdminKeyError::UnknownScope(name.to_owned()))?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(AdminKeyError::NoScope);
    }
    Ok(scopes)
}

/// Lower-case hex SHA-256 of a key, as stored in `admin_keys.key_hash`.
pub fn hash_key(key: &str) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, key.as_bytes()))
}

fn scopes_text(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Creates a key with the given scopes and returns it; only its hash is stored.
pub async fn create_key(
    db: &Database,
    scopes: &[Scope],
    label: &str,
) -> Result<String, AdminKeyError> {
    if scopes.is_empty() {
        return Err(AdminKeyError::NoScope);
    }
    let key = new_admin_key(&SystemRandom::new()).map_err(|_| AdminKeyError::Random)?;
    insert_key(db, &hash_key(&key), scopes, label).await?;
    Ok(key)
}

async fn insert_key(
    db: &Database,
    hash: &str,
    scopes: &[Scope],
    label: &str,
) -> Result<(), sqlx::Error> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    sqlx::query(
        "INSERT INTO admin_keys (id, key_hash, scopes, label, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(hash)
    .bind(scopes_text(scopes))
    .bind(label)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Stores the hash of the first key from `credentials.toml` with the `admin` scope, unless a
/// row for it exists already (a database recreated beside an existing credentials file).
pub async fn ensure_initial_key(db: &Database, key: &str) -> Result<(), AdminKeyError> {
    let hash = hash_key(key);
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM admin_keys WHERE key_hash = $1")
            .bind(&hash)
            .fetch_optional(&db.pool)
            .await?;
    if existing.is_none() {
        insert_key(
            db,
            &hash,
            &[Scope::Admin],
            "initial key from credentials.toml",
        )
        .await?;
    }
    Ok(())
}

/// An authenticated administrator. Handlers call [`AdminCaller::require`] with the scope their
/// operation needs.
#[derive(Debug, Clone)]
pub struct AdminCaller {
    pub key_id: String,
    pub scopes: Vec<Scope>,
}

impl AdminCaller {
    /// Checks that the key grants `scope` (the `admin` scope grants every scope).
    pub fn require(&self, scope: Scope) -> Result<(), Problem> {
        if self.scopes.contains(&Scope::Admin) || self.scopes.contains(&scope) {
            return Ok(());
        }
        tracing::info!(key_id = %self.key_id, needed = scope.as_str(), "admin key lacks the scope");
        Err(Problem::new(
            problem::FORBIDDEN,
            format!("this admin key does not have the {} scope", scope.as_str()),
        )
        .with("required_scope", scope.as_str()))
    }
}

const ADMIN_CHALLENGE: &str = "Bearer realm=\"walkout-admin\"";

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let unauthenticated = |detail: &str| {
            Problem::new(problem::UNAUTHENTICATED, detail).with_authenticate(ADMIN_CHALLENGE)
        };
        let Some(token) = bearer_token(&parts.headers) else {
            return Err(unauthenticated(
                "admin routes need Authorization: Bearer <admin API key>",
            ));
        };
        if !token.starts_with(ADMIN_KEY_PREFIX) {
            return Err(unauthenticated(
                "the bearer token is not an admin API key (they start with wk_admin_)",
            ));
        }

        let row: Option<(String, String, Option<i64>)> =
            sqlx::query_as("SELECT id, scopes, revoked_at FROM admin_keys WHERE key_hash = $1")
                .bind(hash_key(token))
                .fetch_optional(&state.db.pool)
                .await
                .map_err(|error| Problem::internal(&error))?;
        let Some((key_id, scopes, revoked_at)) = row else {
            return Err(unauthenticated("unknown admin API key"));
        };
        if revoked_at.is_some() {
            return Err(unauthenticated("this admin API key was revoked"));
        }
        let scopes = scopes.split(' ').filter_map(Scope::parse).collect();
        Ok(AdminCaller { key_id, scopes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_from_lists() {
        let parsed = parse_scopes(&["catalog:write,reports:read".to_owned()]).unwrap();
        assert_eq!(parsed, vec![Scope::CatalogWrite, Scope::ReportsRead]);
    }

    #[test]
    fn unknown_scope_is_named() {
        let error = parse_scopes(&["catalog:read".to_owned()])
            .unwrap_err()
            .to_string();
        assert!(error.contains("\"catalog:read\""), "{error}");
    }

    #[test]
    fn admin_scope_grants_everything() {
        let caller = AdminCaller {
            key_id: "k".into(),
            scopes: vec![Scope::Admin],
        };
        for scope in Scope::ALL {
            assert!(caller.require(scope).is_ok());
        }
    }

    #[test]
    fn narrow_scope_is_enforced() {
        let caller = AdminCaller {
            key_id: "k".into(),
            scopes: vec![Scope::ReportsRead],
        };
        assert!(caller.require(Scope::ReportsRead).is_ok());
        let denied = caller.require(Scope::CatalogWrite).unwrap_err();
        assert_eq!(denied.kind.status, 403);
    }
}
