//! Card brands detected from the issuer identification number (IIN), with each brand's number
//! lengths and security-code length.
//!
//! Brand detection is a display hint and a form check only: the PSP's `card.brand` is
//! authoritative, and a number that matches no brand here is still sent to the PSP if it passes
//! the Luhn check.
//!
//! Source of the ranges and lengths: the `credit-card-type` library by Braintree (MIT licence),
//! file `src/lib/card-types.ts`. Ranges are matched most specific first: of all ranges that
//! contain the number's leading digits, the one with the most digits wins, so `6011…` is
//! Discover rather than Maestro's catch-all `6`, and `493698…` is Maestro rather than Visa's `4`.
//! Brands the table leaves out (Elo, Mir, Hiper, Hipercard, Verve) fall to the brand whose range
//! contains them, or to no brand.

use serde::{Deserialize, Serialize};

/// A card brand that the client recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    DinersClub,
    Jcb,
    UnionPay,
    Maestro,
}

impl CardBrand {
    /// Returns the brand's name as shoppers read it.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Visa => "Visa",
            Self::Mastercard => "Mastercard",
            Self::Amex => "American Express",
            Self::Discover => "Discover",
            Self::DinersClub => "Diners Club",
            Self::Jcb => "JCB",
            Self::UnionPay => "UnionPay",
            Self::Maestro => "Maestro",
        }
    }

    /// Returns the accepted numbers of digits of a card number of this brand, ascending.
    pub fn lengths(self) -> &'static [usize] {
        match self {
            Self::Visa => &[16, 18, 19],
            Self::Mastercard => &[16],
            Self::Amex => &[15],
            Self::Discover => &[16, 19],
            Self::DinersClub => &[14, 16, 19],
            Self::Jcb => &[16, 17, 18, 19],
            Self::UnionPay => &[14, 15, 16, 17, 18, 19],
            Self::Maestro => &[12, 13, 14, 15, 16, 17, 18, 19],
        }
    }

    /// Returns the number of digits of the security code (CVC, CVV, CID): 4 for American
    /// Express, 3 for the others.
    pub fn cvc_length(self) -> usize {
        match self {
            Self::Amex => 4,
            _ => 3,
        }
    }
}

/// One IIN range: numbers whose first `digits` digits lie in `low..=high`.
struct IinRange {
    low: u32,
    high: u32,
    digits: u8,
    brand: CardBrand,
}

const fn range(low: u32, high: u32, digits: u8, brand: CardBrand) -> IinRange {
    IinRange {
        low,
        high,
        digits,
        brand,
    }
}

use CardBrand::{Amex, DinersClub, Discover, Jcb, Maestro, Mastercard, UnionPay, Visa};

/// The IIN table, after Braintree's `credit-card-type` (see the module documentation).
#[rustfmt::skip]
const IIN_RANGES: &[IinRange] = &[
    range(4, 4, 1, Visa),
    // 2221–2720 is the 2-series that Mastercard added in 2017.
    range(51, 55, 2, Mastercard),
    range(2221, 2720, 4, Mastercard),
    range(34, 34, 2, Amex),
    range(37, 37, 2, Amex),
    range(300, 305, 3, DinersClub),
    range(36, 36, 2, DinersClub),
    range(38, 39, 2, DinersClub),
    range(6011, 6011, 4, Discover),
    range(644, 649, 3, Discover),
    range(65, 65, 2, Discover),
    range(2131, 2131, 4, Jcb),
    range(1800, 1800, 4, Jcb),
    range(3528, 3589, 4, Jcb),
    range(620, 620, 3, UnionPay),
    range(62100, 62182, 5, UnionPay),
    range(62184, 62197, 5, UnionPay),
    range(62200, 62205, 5, UnionPay),
    range(622010, 622999, 6, UnionPay),
    range(62207, 62209, 5, UnionPay),
    range(623, 626, 3, UnionPay),
    range(6270, 6270, 4, UnionPay),
    range(6272, 6272, 4, UnionPay),
    range(6276, 6276, 4, UnionPay),
    // 627780 is Elo, which this table does not detect.
    range(627700, 627779, 6, UnionPay),
    range(627781, 627799, 6, UnionPay),
    range(6282, 6289, 4, UnionPay),
    range(6291, 6292, 4, UnionPay),
    range(810, 810, 3, UnionPay),
    range(8110, 8171, 4, UnionPay),
    range(493698, 493698, 6, Maestro),
    range(500000, 504174, 6, Maestro),
    range(504176, 506698, 6, Maestro),
    range(506779, 508999, 6, Maestro),
    range(56, 59, 2, Maestro),
    range(63, 63, 2, Maestro),
    range(67, 67, 2, Maestro),
    range(6, 6, 1, Maestro),
];

/// Detects the brand of a card number from its leading digits.
///
/// `digits` must contain ASCII digits only (normalised input). Returns `None` when no range
/// matches, or for input with fewer digits than a range needs.
pub fn detect_brand(digits: &str) -> Option<CardBrand> {
    let mut best: Option<&IinRange> = None;
    for candidate in IIN_RANGES {
        let width = usize::from(candidate.digits);
        let Some(prefix) = digits.get(..width).and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let contains = (candidate.low..=candidate.high).contains(&prefix);
        if contains && best.is_none_or(|b| candidate.digits > b.digits) {
            best = Some(candidate);
        }
    }
    best.map(|r| r.brand)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_well_formed() {
        for entry in IIN_RANGES {
            let width = u32::from(entry.digits);
            assert!(entry.low <= entry.high, "{}..{}", entry.low, entry.high);
            assert!(
                entry.high < 10u32.pow(width),
                "{} has {} digits",
                entry.high,
                width
            );
            assert!(
                entry.low >= 10u32.pow(width - 1),
                "{} has {} digits",
                entry.low,
                width
            );
        }
    }

    #[test]
    fn short_input_matches_shorter_ranges_only() {
        assert_eq!(detect_brand("4"), Some(Visa));
        assert_eq!(detect_brand("60"), Some(Maestro));
        assert_eq!(detect_brand(""), None);
    }
}
