//! The local copy of the shopper's saved cards (`payment_methods`, schema v3), so the app can
//! show them offline.
//!
//! The table is a cache of the backend's list: a full listing replaces it in one transaction,
//! and single changes (a card added, made default or removed) patch it. It holds display data
//! only, never a card number, a CVC or a PSP token.

use rusqlite::{OptionalExtension, Transaction, params};

use super::Card;
use crate::store::{Store, StoreError};

/// Replaces the cached list with `cards`, in their order.
pub(crate) fn replace_all(
    store: &Store,
    cards: &[Card],
    now_millis: i64,
) -> Result<(), StoreError> {
    store.write(|transaction| {
        transaction.execute("DELETE FROM payment_methods", [])?;
        for (position, card) in cards.iter().enumerate() {
            insert(transaction, card, position as i64, now_millis)?;
        }
        Ok(())
    })
}

/// Adds or updates one card; a default card clears the flag on the others.
pub(crate) fn upsert(store: &Store, card: &Card, now_millis: i64) -> Result<(), StoreError> {
    store.write(|transaction| {
        if card.is_default {
            transaction.execute("UPDATE payment_methods SET is_default = 0", [])?;
        }
        let existing: Option<i64> = transaction
            .query_row(
                "SELECT position FROM payment_methods WHERE id = ?1",
                [&card.id],
                |row| row.get(0),
            )
            .optional()?;
        let position = match existing {
            Some(position) => position,
            None => transaction.query_row(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM payment_methods",
                [],
                |row| row.get(0),
            )?,
        };
        transaction.execute("DELETE FROM payment_methods WHERE id = ?1", [&card.id])?;
        insert(transaction, card, position, now_millis)
    })
}

/// Marks `id` as the default card and clears the flag on the others.
pub(crate) fn set_default(store: &Store, id: &str) -> Result<(), StoreError> {
    store.write(|transaction| {
        transaction.execute("UPDATE payment_methods SET is_default = (id = ?1)", [id])?;
        Ok(())
    })
}

/// Removes `id`; removing a card that is not cached succeeds.
pub(crate) fn remove(store: &Store, id: &str) -> Result<(), StoreError> {
    store.write(|transaction| {
        transaction.execute("DELETE FROM payment_methods WHERE id = ?1", [id])?;
        Ok(())
    })
}

/// Reads the cached cards in the backend's order.
pub(crate) fn list(store: &Store) -> Result<Vec<Card>, StoreError> {
    store.read(|connection| {
        let mut statement = connection.prepare(
            "SELECT id, brand, last4, exp_month, exp_year, is_default
             FROM payment_methods ORDER BY position, id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(Card {
                id: row.get(0)?,
                brand: row.get(1)?,
                last4: row.get(2)?,
                exp_month: row.get(3)?,
                exp_year: row.get(4)?,
                is_default: row.get(5)?,
            })
        })?;
        let cards = rows.collect::<Result<Vec<_>, _>>()?;
        Ok(cards)
    })
}

fn insert(
    transaction: &Transaction<'_>,
    card: &Card,
    position: i64,
    now_millis: i64,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO payment_methods
            (id, brand, last4, exp_month, exp_year, is_default, position, fetched_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            card.id,
            card.brand,
            card.last4,
            card.exp_month,
            card.exp_year,
            card.is_default,
            position,
            now_millis
        ],
    )?;
    Ok(())
}
