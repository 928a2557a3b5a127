//! Validation of the card form: number, expiry and security code (CVC), before tokenization.
//!
//! This is a check of what the shopper typed, not a payment decision: the PSP decides whether a
//! card works. Everything here is pure (the caller passes the current month on the server
//! clock). The number and the CVC are copied into [`Zeroizing`] buffers at once, so they are
//! wiped when dropped, and no error, `Debug` output or log line ever contains either of them:
//! errors name the field and the reason only.

use std::fmt;

use zeroize::Zeroizing;

use super::brand::{CardBrand, detect_brand};

/// Minimum number of digits accepted when the brand is unknown.
pub const MIN_NUMBER_DIGITS: usize = 12;
/// Maximum number of digits of a card number of any brand.
pub const MAX_NUMBER_DIGITS: usize = 19;
/// How far ahead an expiry year may lie, in years, before it is taken for a typing mistake.
pub const MAX_YEARS_AHEAD: i32 = 20;

/// A field of the card form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardField {
    Number,
    ExpMonth,
    ExpYear,
    Cvc,
}

impl CardField {
    /// Returns the field's name as the API and the errors spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::ExpMonth => "exp_month",
            Self::ExpYear => "exp_year",
            Self::Cvc => "cvc",
        }
    }
}

impl fmt::Display for CardField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reason a card form field is invalid. No variant carries the number or the CVC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardProblem {
    #[error("it is empty")]
    Missing,
    #[error("it may contain only digits, spaces and dashes")]
    NotDigits,
    #[error("a {brand} card number has {expected} digits, not {found}")]
    WrongLength {
        brand: &'static str,
        expected: String,
        found: usize,
    },
    #[error("a card number has {MIN_NUMBER_DIGITS} to {MAX_NUMBER_DIGITS} digits, not {found}")]
    LengthOutOfRange { found: usize },
    #[error("the check digit does not match; check the number for a typing mistake")]
    LuhnMismatch,
    #[error("a {brand} security code has {expected} digits")]
    CvcLength {
        brand: &'static str,
        expected: usize,
    },
    #[error("a security code has 3 or 4 digits")]
    CvcLengthUnknownBrand,
    #[error("the month must be 1 to 12, not {found}")]
    MonthOutOfRange { found: u32 },
    #[error("the year must have 2 or 4 digits, not {found}")]
    YearForm { found: u32 },
    #[error("the card expired at the end of {month:02}/{year}")]
    Expired { month: u8, year: i32 },
    #[error("{year} is more than {MAX_YEARS_AHEAD} years ahead; check the year")]
    TooFarAhead { year: i32 },
}

/// An invalid card form field: which one and why. The message never contains the field's value
/// when that value is the number or the CVC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {problem}")]
pub struct CardError {
    pub field: CardField,
    pub problem: CardProblem,
}

impl CardError {
    fn new(field: CardField, problem: CardProblem) -> Self {
        Self { field, problem }
    }
}

/// A calendar month in UTC, such as the current month on the server clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
}

impl YearMonth {
    /// Returns the UTC month of an instant in Unix milliseconds, or `None` out of the calendar's
    /// range.
    pub fn from_unix_millis(unix_millis: i64) -> Option<Self> {
        let time = time::OffsetDateTime::from_unix_timestamp(unix_millis.div_euclid(1000)).ok()?;
        Some(Self {
            year: time.year(),
            month: u8::from(time.month()),
        })
    }
}

/// A card number reduced to its digits, wiped from memory when dropped.
///
/// `Debug` shows the brand and the last four digits only.
#[derive(Clone)]
pub struct CardNumber {
    digits: Zeroizing<String>,
    brand: Option<CardBrand>,
}

impl CardNumber {
    /// Normalises and checks a typed number. Spaces and dashes are dropped. The rest must be
    /// digits, with a length that fits the brand (12 to 19 for an unknown brand) and a valid
    /// Luhn check digit.
    pub fn parse(typed: &str) -> Result<Self, CardError> {
        let fail = |problem| CardError::new(CardField::Number, problem);
        let mut digits = Zeroizing::new(String::with_capacity(MAX_NUMBER_DIGITS));
        for c in typed.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(fail(CardProblem::NotDigits)),
            }
        }
        if digits.is_empty() {
            return Err(fail(CardProblem::Missing));
        }

        let brand = detect_brand(&digits);
        let found = digits.len();
        match brand {
            Some(brand) if !brand.lengths().contains(&found) => {
                return Err(fail(CardProblem::WrongLength {
                    brand: brand.display_name(),
                    expected: describe_lengths(brand.lengths()),
                    found,
                }));
            }
            None if !(MIN_NUMBER_DIGITS..=MAX_NUMBER_DIGITS).contains(&found) => {
                return Err(fail(CardProblem::LengthOutOfRange { found }));
            }
            _ => {}
        }
        if !luhn_valid(&digits) {
            return Err(fail(CardProblem::LuhnMismatch));
        }
        Ok(Self { digits, brand })
    }

    /// Returns the digits; callers pass them to the PSP and nowhere else.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    pub fn brand(&self) -> Option<CardBrand> {
        self.brand
    }

    /// Returns the last four digits, the most of the number that may be shown or stored.
    pub fn last4(&self) -> &str {
        let start = self.digits.len().saturating_sub(4);
        &self.digits[start..]
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardNumber")
            .field("brand", &self.brand)
            .field("last4", &self.last4())
            .finish_non_exhaustive()
    }
}

/// A checked security code, wiped from memory when dropped. `Debug` never shows it.
#[derive(Clone)]
pub struct Cvc(Zeroizing<String>);

impl Cvc {
    /// Checks a typed CVC: digits only (surrounding spaces are dropped), 4 digits for American
    /// Express and 3 for other brands, 3 or 4 when the brand is unknown.
    pub fn parse(typed: &str, brand: Option<CardBrand>) -> Result<Self, CardError> {
        let fail = |problem| CardError::new(CardField::Cvc, problem);
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(fail(CardProblem::Missing));
        }
        if !typed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail(CardProblem::NotDigits));
        }
        let length_ok = match brand {
            Some(brand) => typed.len() == brand.cvc_length(),
            None => matches!(typed.len(), 3 | 4),
        };
        if !length_ok {
            return Err(fail(match brand {
                Some(brand) => CardProblem::CvcLength {
                    brand: brand.display_name(),
                    expected: brand.cvc_length(),
                },
                None => CardProblem::CvcLengthUnknownBrand,
            }));
        }
        Ok(Self(Zeroizing::new(typed.to_owned())))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvc(<redacted>)")
    }
}

/// A checked expiry month and four-digit year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub month: u8,
    pub year: i32,
}

impl Expiry {
    /// Checks an expiry against the current month `today` (server clock, UTC).
    ///
    /// A two-digit year means 20YY. A card is valid through the last day of its expiry month,
    /// so the current month is accepted and earlier months are not. A year more than
    /// [`MAX_YEARS_AHEAD`] years after the current one is rejected as a typing mistake.
    pub fn check(exp_month: u32, exp_year: u32, today: YearMonth) -> Result<Self, CardError> {
        let month = u8::try_from(exp_month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or(CardError::new(
                CardField::ExpMonth,
                CardProblem::MonthOutOfRange { found: exp_month },
            ))?;
        let year = match exp_year {
            0..=99 => 2000 + exp_year as i32,
            1000..=9999 => exp_year as i32,
            _ => {
                let problem = CardProblem::YearForm { found: exp_year };
                return Err(CardError::new(CardField::ExpYear, problem));
            }
        };

        let expired = CardProblem::Expired { month, year };
        if year < today.year {
            return Err(CardError::new(CardField::ExpYear, expired));
        }
        if year == today.year && month < today.month {
            return Err(CardError::new(CardField::ExpMonth, expired));
        }
        if year > today.year.saturating_add(MAX_YEARS_AHEAD) {
            let problem = CardProblem::TooFarAhead { year };
            return Err(CardError::new(CardField::ExpYear, problem));
        }
        Ok(Self { month, year })
    }
}

/// A card form that passed every check, ready for tokenization.
#[derive(Debug, Clone)]
pub struct ValidatedCard {
    pub number: CardNumber,
    pub expiry: Expiry,
    pub cvc: Cvc,
}

/// Checks a whole card form, field by field in form order (number, expiry, CVC), and returns
/// the first invalid field.
pub fn validate_card(
    number: &str,
    exp_month: u32,
    exp_year: u32,
    cvc: &str,
    today: YearMonth,
) -> Result<ValidatedCard, CardError> {
    let number = CardNumber::parse(number)?;
    let expiry = Expiry::check(exp_month, exp_year, today)?;
    let cvc = Cvc::parse(cvc, number.brand())?;
    Ok(ValidatedCard {
        number,
        expiry,
        cvc,
    })
}

/// Checks the Luhn (mod 10) check digit of a string of ASCII digits.
///
/// From the rightmost digit, every second digit is doubled (9 subtracted when the result
/// exceeds 9) and all digits are summed. The number is valid when the sum is a multiple of 10.
/// Empty input and input with other characters are invalid.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (position, byte) in digits.bytes().rev().enumerate() {
        if !byte.is_ascii_digit() {
            return false;
        }
        let mut digit = u32::from(byte - b'0');
        if position % 2 == 1 {
            digit *= 2;
            if digit > 9 {
                digit -= 9;
            }
        }
        sum += digit;
    }
    sum.is_multiple_of(10)
}

/// Writes lengths as "16", "16 or 19" or "14, 16 or 19"; a run of three or more consecutive
/// lengths becomes "12 to 19".
fn describe_lengths(lengths: &[usize]) -> String {
    let (Some(first), Some(last)) = (lengths.first(), lengths.last()) else {
        return String::new();
    };
    let consecutive = lengths.windows(2).all(|pair| pair[1] == pair[0] + 1);
    if lengths.len() >= 3 && consecutive {
        return format!("{first} to {last}");
    }
    let words: Vec<String> = lengths.iter().map(usize::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_descriptions_read_naturally() {
        assert_eq!(describe_lengths(&[16]), "16");
        assert_eq!(describe_lengths(&[16, 19]), "16 or 19");
        assert_eq!(describe_lengths(&[14, 16, 19]), "14, 16 or 19");
        assert_eq!(describe_lengths(&[12, 13, 14, 15]), "12 to 15");
    }

    #[test]
    fn luhn_classic_example() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("7992739871x"));
    }

    #[test]
    fn debug_shows_last4_only() {
        let number = CardNumber::parse("4242 4242 4242 4242").expect("valid");
        let printed = format!("{number:?}");
        assert!(!printed.contains("424242"), "{printed}");
        assert!(printed.contains("4242"), "{printed}");
    }
}
