//! Currency minor units and exact decimal price text.
//!
//! Prices arrive as decimal strings ("2.55") and are stored as integer minor units (255) with an
//! ISO 4217 code. This module never goes through floating point, because a float cannot hold
//! most decimal prices exactly. It knows only the currencies in its table: an unknown code is
//! rejected rather than guessed, since the number of minor digits changes every amount.

use thiserror::Error;

/// Currencies with no minor unit (ISO 4217 exponent 0).
const ZERO_DIGIT_CURRENCIES: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
    "XAF", "XOF", "XPF",
];

/// Currencies with three minor digits (ISO 4217 exponent 3).
const THREE_DIGIT_CURRENCIES: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// Currencies with two minor digits that the catalog accepts.
const TWO_DIGIT_CURRENCIES: &[&str] = &[
    "AED", "AUD", "BGN", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF",
    "ILS", "INR", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RON", "SAR", "SEK", "SGD", "THB",
    "TRY", "TWD", "USD", "ZAR",
];

/// Returns the number of minor digits of an ISO 4217 code (upper case), or `None` when the code
/// is not in this module's table.
pub fn minor_digits(currency: &str) -> Option<u32> {
    if TWO_DIGIT_CURRENCIES.contains(&currency) {
        Some(2)
    } else if ZERO_DIGIT_CURRENCIES.contains(&currency) {
        Some(0)
    } else if THREE_DIGIT_CURRENCIES.contains(&currency) {
        Some(3)
    } else {
        None
    }
}

/// Why a decimal price string could not become minor units.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecimalError {
    #[error("is not a decimal number")]
    NotDecimal,
    #[error("has more than {digits} decimal places")]
    TooManyDecimals { digits: u32 },
    #[error("is too large")]
    TooLarge,
}

/// Parses a non-negative decimal string (`"12"`, `"2.5"`, `"2.550"`) into minor units with
/// `digits` minor digits.
///
/// Accepted form: ASCII digits, optionally a dot and more digits, at least one digit before the
/// dot. Signs, exponents, thousands separators and spaces are rejected. Digits beyond `digits`
/// are accepted only when they are zeros, so the value is never rounded.
pub fn parse_minor(text: &str, digits: u32) -> Result<i64, DecimalError> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(DecimalError::NotDecimal);
    }
    if text.ends_with('.') {
        return Err(DecimalError::NotDecimal);
    }

    let digits_usize = digits as usize;
    let (kept, dropped) = fraction.split_at(fraction.len().min(digits_usize));
    if dropped.bytes().any(|byte| byte != b'0') {
        return Err(DecimalError::TooManyDecimals { digits });
    }

    let mut minor: i64 = 0;
    let padded = kept
        .bytes()
        .chain(std::iter::repeat_n(b'0', digits_usize - kept.len()));
    for byte in whole.bytes().chain(padded) {
        minor = minor
            .checked_mul(10)
            .and_then(|value| value.checked_add(i64::from(byte - b'0')))
            .ok_or(DecimalError::TooLarge)?;
    }
    Ok(minor)
}

/// Formats minor units as a plain decimal string with `digits` minor digits (`255` → `"2.55"`).
/// `digits` above 18 are treated as 18, the most an `i64` amount can carry.
pub fn format_minor(amount: i64, digits: u32) -> String {
    let digits = digits.min(18);
    let sign = if amount < 0 { "-" } else { "" };
    let magnitude = amount.unsigned_abs();
    if digits == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10u64.pow(digits);
    let width = digits as usize;
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_minor_cases() {
        let cases: &[(&str, u32, Result<i64, DecimalError>)] = &[
            ("2.55", 2, Ok(255)),
            ("2.5", 2, Ok(250)),
            ("2", 2, Ok(200)),
            ("2.550", 2, Ok(255)),
            ("0.0", 2, Ok(0)),
            ("1500", 0, Ok(1500)),
            ("1500.0", 0, Ok(1500)),
            ("1.234", 3, Ok(1234)),
            ("2.555", 2, Err(DecimalError::TooManyDecimals { digits: 2 })),
            ("1,2x", 2, Err(DecimalError::NotDecimal)),
            ("-1", 2, Err(DecimalError::NotDecimal)),
            (".5", 2, Err(DecimalError::NotDecimal)),
            ("5.", 2, Err(DecimalError::NotDecimal)),
            ("1e3", 2, Err(DecimalError::NotDecimal)),
            ("", 2, Err(DecimalError::NotDecimal)),
            (" 1", 2, Err(DecimalError::NotDecimal)),
            ("99999999999999999999", 2, Err(DecimalError::TooLarge)),
        ];
        for (text, digits, expected) in cases {
            assert_eq!(&parse_minor(text, *digits), expected, "input {text:?}");
        }
    }

    #[test]
    fn format_minor_cases() {
        assert_eq!(format_minor(255, 2), "2.55");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(-5, 2), "-0.05");
        assert_eq!(format_minor(1500, 0), "1500");
        assert_eq!(format_minor(1234, 3), "1.234");
    }

    #[test]
    fn minor_digits_table() {
        assert_eq!(minor_digits("GBP"), Some(2));
        assert_eq!(minor_digits("JPY"), Some(0));
        assert_eq!(minor_digits("KWD"), Some(3));
        assert_eq!(minor_digits("XYZ"), None);
    }
}
