//! Saved cards and the outstanding balance.

use walkout_core::wallet;

/// An amount of money in minor units (pence, cents) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// The amount in minor units; never a floating-point value.
    pub amount_minor: i64,
    /// ISO 4217 code, such as `GBP`.
    pub currency: String,
}

impl From<wallet::Money> for Money {
    fn from(money: wallet::Money) -> Self {
        Self {
            amount_minor: money.amount_minor,
            currency: money.currency,
        }
    }
}

impl From<walkout_core::receipts::Money> for Money {
    fn from(money: walkout_core::receipts::Money) -> Self {
        Self {
            amount_minor: money.amount_minor,
            currency: money.currency,
        }
    }
}

/// A saved card: display data and the backend's id, never the number.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Card {
    /// The backend's id of the saved card.
    pub id: String,
    /// The payment provider's brand name, such as `visa` or `mastercard`.
    pub brand: String,
    /// The last 4 digits of the number.
    pub last4: String,
    /// Expiry month, 1 to 12.
    pub exp_month: u32,
    /// Expiry year, four digits.
    pub exp_year: u32,
    /// Whether trips are charged to this card.
    pub is_default: bool,
}

impl From<wallet::Card> for Card {
    fn from(card: wallet::Card) -> Self {
        Self {
            id: card.id,
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            is_default: card.is_default,
        }
    }
}

/// What the shopper owes after failed payments.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Balance {
    /// The amount owed; zero when nothing is owed.
    pub outstanding: Money,
    /// Nothing is owed. The gate denies entry while something is.
    pub is_settled: bool,
}

impl From<wallet::Balance> for Balance {
    fn from(balance: wallet::Balance) -> Self {
        Self {
            is_settled: balance.is_settled(),
            outstanding: balance.outstanding.into(),
        }
    }
}
