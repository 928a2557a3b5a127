//! The PSP's minimum charge per currency. Amounts below it are not sent to the PSP (Stripe
//! rejects them with `amount_too_small`); the trip records them as written off instead.
//!
//! Values are Stripe's published minimum charge amounts, in minor units of the currency as
//! Stripe counts them (JPY has none; HUF is counted in fillér).

/// Stripe's minimum charge per ISO 4217 code, in minor units.
const STRIPE_MINIMUMS: &[(&str, i64)] = &[
    ("AED", 200),
    ("AUD", 50),
    ("BGN", 100),
    ("BRL", 50),
    ("CAD", 50),
    ("CHF", 50),
    ("CZK", 1500),
    ("DKK", 250),
    ("EUR", 50),
    ("GBP", 30),
    ("HKD", 400),
    ("HUF", 17500),
    ("INR", 50),
    ("JPY", 50),
    ("MXN", 1000),
    ("MYR", 200),
    ("NOK", 300),
    ("NZD", 50),
    ("PLN", 200),
    ("RON", 200),
    ("SEK", 300),
    ("SGD", 50),
    ("THB", 1000),
    ("USD", 50),
];

/// Minimum used for a currency missing from the table: 50 minor units, Stripe's figure for
/// most two-decimal currencies.
// NOTE: a guess for currencies outside the table; add the currency above when a store uses it.
const FALLBACK_MINIMUM: i64 = 50;

/// The smallest amount the PSP charges in `currency`, in minor units.
pub fn minimum_charge(currency: &str) -> i64 {
    let currency = currency.to_ascii_uppercase();
    STRIPE_MINIMUMS
        .iter()
        .find(|(code, _)| *code == currency)
        .map_or(FALLBACK_MINIMUM, |(_, minimum)| *minimum)
}

/// Whether `amount_minor` is positive but too small to charge in `currency`.
pub fn is_below_minimum(amount_minor: i64, currency: &str) -> bool {
    amount_minor > 0 && amount_minor < minimum_charge(currency)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimums_match_stripe_table() {
        let cases = [
            ("GBP", 30),
            ("gbp", 30),
            ("USD", 50),
            ("EUR", 50),
            ("JPY", 50),
            ("XYZ", 50),
        ];
        for (currency, expected) in cases {
            assert_eq!(minimum_charge(currency), expected, "{currency}");
        }
    }

    #[test]
    fn below_minimum_excludes_zero_and_minimum() {
        assert!(is_below_minimum(29, "GBP"));
        assert!(!is_below_minimum(30, "GBP"));
        assert!(!is_below_minimum(0, "GBP"));
    }
}
