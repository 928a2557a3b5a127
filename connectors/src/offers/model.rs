//! Offers as the admin API, the app API and storage see them, and the checks on a new or changed
//! offer.
//!
//! An offer's rule has the same JSON shapes as a store promotion ([`PromotionRule`]), so the
//! pricing engine applies both the same way. This module does no I/O.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::catalog::promotions::{MAX_ID_CHARS, MAX_NAME_CHARS, PromotionRule};
use crate::pricing::Promotion;

/// Maximum length of an offer description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;

/// Audience of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferKind {
    /// Defined by the retailer and shown to every shopper.
    General,
    /// Made from association rules for the shoppers named in `offer_targets`.
    Targeted,
}

impl OfferKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OfferKind::General => "general",
            OfferKind::Targeted => "targeted",
        }
    }

    pub fn parse(text: &str) -> Option<OfferKind> {
        match text {
            "general" => Some(OfferKind::General),
            "targeted" => Some(OfferKind::Targeted),
            _ => None,
        }
    }
}

/// A stored offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Offer {
    pub offer_id: String,
    /// The store it applies in; none means every store.
    pub store_id: Option<String>,
    pub kind: OfferKind,
    /// Text of the receipt's discount line.
    pub title: String,
    pub description: String,
    pub rule: PromotionRule,
    /// Start of the active window (RFC 3339, inclusive); none means always started.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_from: Option<OffsetDateTime>,
    /// End of the active window (RFC 3339, exclusive); none means no end.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_to: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Set once the offer is withdrawn; a withdrawn offer is never shown or applied again.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub withdrawn_at: Option<OffsetDateTime>,
}

impl Offer {
    /// Returns the pricing engine's form of this offer. Offers are not stackable: where one
    /// competes with a promotion for a unit, the engine keeps the larger discount.
    pub fn to_pricing(&self) -> Promotion {
        Promotion {
            id: self.offer_id.clone(),
            name: self.title.clone(),
            stackable: false,
            kind: self.rule.to_kind(),
        }
    }
}

/// The body of `POST /admin/v1/offers` and `PUT /admin/v1/offers/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    /// 1 to 64 characters from `A-Z a-z 0-9 . _ -`; a UUID v7 when absent on create. Ignored by
    /// `PUT`, whose path names the offer.
    #[serde(default)]
    pub offer_id: Option<String>,
    /// The store it applies in; none means every store.
    #[serde(default)]
    pub store_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub rule: PromotionRule,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_from: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub active_to: Option<OffsetDateTime>,
}

/// A failed check on an offer: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    pub field: &'static str,
    pub reason: String,
}

impl std::fmt::Display for InvalidField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

/// Checks an offer id: 1 to 64 characters from `A-Z a-z 0-9 . _ -`.
pub fn check_offer_id(offer_id: &str) -> Result<(), InvalidField> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if offer_id.is_empty()
        || offer_id.chars().count() > MAX_ID_CHARS
        || !offer_id.chars().all(allowed)
    {
        return Err(InvalidField {
            field: "offer_id",
            reason: format!(
                "{offer_id:?} must be 1 to {MAX_ID_CHARS} characters from A-Z a-z 0-9 . _ -"
            ),
        });
    }
    Ok(())
}

impl OfferInput {
    /// Checks every field; the error names the first field that fails.
    pub fn check(&self) -> Result<(), InvalidField> {
        if let Some(offer_id) = &self.offer_id {
            check_offer_id(offer_id)?;
        }
        if let Some(store_id) = &self.store_id
            && (store_id.trim().is_empty() || store_id.chars().count() > 255)
        {
            return Err(InvalidField {
                field: "store_id",
                reason: "must be 1 to 255 characters, or absent for every store".to_owned(),
            });
        }
        let title_chars = self.title.trim().chars().count();
        if title_chars == 0 || title_chars > MAX_NAME_CHARS {
            return Err(InvalidField {
                field: "title",
                reason: format!("must be 1 to {MAX_NAME_CHARS} characters"),
            });
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(InvalidField {
                field: "description",
                reason: format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            });
        }
        if let (Some(from), Some(to)) = (self.active_from, self.active_to)
            && from >= to
        {
            return Err(InvalidField {
                field: "active_to",
                reason: "must be after active_from".to_owned(),
            });
        }
        let probe = Promotion {
            id: "offer".to_owned(),
            name: self.title.clone(),
            stackable: false,
            kind: self.rule.to_kind(),
        };
        probe.validate().map_err(|error| InvalidField {
            field: "rule",
            reason: error.to_string(),
        })
    }
}

/// Converts unix milliseconds to a time, clamping values outside the supported range.
pub fn time_from_ms(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Converts a time to unix milliseconds.
pub fn time_to_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::promotions::PromotionTarget;

    fn input() -> OfferInput {
        OfferInput {
            offer_id: Some("spring-10".to_owned()),
            store_id: None,
            title: "10% off mugs".to_owned(),
            description: String::new(),
            rule: PromotionRule::PercentOff {
                target: PromotionTarget::Category("mugs".to_owned()),
                basis_points: 1000,
            },
            active_from: None,
            active_to: None,
        }
    }

    #[test]
    fn valid_input_passes() {
        assert_eq!(input().check(), Ok(()));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut bad_id = input();
        bad_id.offer_id = Some("has space".to_owned());
        let mut empty_title = input();
        empty_title.title = "  ".to_owned();
        let mut bad_rule = input();
        bad_rule.rule = PromotionRule::PercentOff {
            target: PromotionTarget::Sku("A".to_owned()),
            basis_points: 20_000,
        };
        let mut window = input();
        window.active_from = Some(time_from_ms(2_000));
        window.active_to = Some(time_from_ms(1_000));
        let cases = [
            (bad_id, "offer_id"),
            (empty_title, "title"),
            (bad_rule, "rule"),
            (window, "active_to"),
        ];
        for (case, field) in cases {
            let error = case.check().expect_err(field);
            assert_eq!(error.field, field);
        }
    }
}
