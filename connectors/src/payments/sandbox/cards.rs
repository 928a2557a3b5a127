//! Test cards of the sandbox: Stripe's documented test numbers with their documented outcomes,
//! plus three sandbox-only numbers for branches Stripe has no test card for.
//!
//! Sandbox-only numbers (Luhn-valid Visa numbers, unknown to Stripe):
//! - `4000009900000012`: holds and charges succeed, but incremental authorization is unavailable.
//! - `4000009900000020`: holds succeed; every increment is declined (`insufficient_funds`).
//! - `4000009900000038`: holds succeed and increments are unavailable; an off-session charge
//!   without a hold is declined (`insufficient_funds`).
//!
//! A card is remembered by its behaviour name, never by its number.

/// The scripted outcome of a test card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    Succeeds,
    /// Declined at confirmation with `card_declined` and this decline code.
    Declines(&'static str),
    /// Declined at confirmation with this error code (also used as decline code).
    Fails(&'static str),
    /// Attaching succeeds, every charge is declined (`4000000000000341`).
    AttachThenDecline,
    /// Needs 3-D Secure: off-session confirmation fails with `authentication_required`.
    AuthenticationRequired,
    NoIncrement,
    IncrementDeclines,
    ChargeDeclines,
}

impl Behaviour {
    /// The name stored in the sandbox's table.
    pub fn name(self) -> String {
        match self {
            Behaviour::Succeeds => "succeeds".to_owned(),
            Behaviour::Declines(code) => format!("declines:{code}"),
            Behaviour::Fails(code) => format!("fails:{code}"),
            Behaviour::AttachThenDecline => "attach_then_decline".to_owned(),
            Behaviour::AuthenticationRequired => "authentication_required".to_owned(),
            Behaviour::NoIncrement => "no_increment".to_owned(),
            Behaviour::IncrementDeclines => "increment_declines".to_owned(),
            Behaviour::ChargeDeclines => "charge_declines".to_owned(),
        }
    }

    /// Reads a stored name; an unknown name behaves like a successful card.
    pub fn from_name(name: &str) -> Behaviour {
        if let Some(code) = name.strip_prefix("declines:") {
            return Behaviour::Declines(static_code(code));
        }
        if let Some(code) = name.strip_prefix("fails:") {
            return Behaviour::Fails(static_code(code));
        }
        match name {
            "attach_then_decline" => Behaviour::AttachThenDecline,
            "authentication_required" => Behaviour::AuthenticationRequired,
            "no_increment" => Behaviour::NoIncrement,
            "increment_declines" => Behaviour::IncrementDeclines,
            "charge_declines" => Behaviour::ChargeDeclines,
            _ => Behaviour::Succeeds,
        }
    }
}

const CODES: &[&str] = &[
    "generic_decline",
    "insufficient_funds",
    "lost_card",
    "stolen_card",
    "expired_card",
    "incorrect_cvc",
    "processing_error",
];

fn static_code(code: &str) -> &'static str {
    CODES
        .iter()
        .find(|known| **known == code)
        .copied()
        .unwrap_or("generic_decline")
}

/// A known test card: number, brand, funding and behaviour.
struct TestCard {
    number: &'static str,
    brand: &'static str,
    funding: &'static str,
    behaviour: Behaviour,
}

const fn card(number: &'static str, brand: &'static str, behaviour: Behaviour) -> TestCard {
    TestCard {
        number,
        brand,
        funding: "credit",
        behaviour,
    }
}

const TEST_CARDS: &[TestCard] = &[
    card("4242424242424242", "visa", Behaviour::Succeeds),
    TestCard {
        number: "4000056655665556",
        brand: "visa",
        funding: "debit",
        behaviour: Behaviour::Succeeds,
    },
    card("5555555555554444", "mastercard", Behaviour::Succeeds),
    card("2223003122003222", "mastercard", Behaviour::Succeeds),
    card("378282246310005", "amex", Behaviour::Succeeds),
    card("371449635398431", "amex", Behaviour::Succeeds),
    card("6011111111111117", "discover", Behaviour::Succeeds),
    card(
        "4000000000000002",
        "visa",
        Behaviour::Declines("generic_decline"),
    ),
    card(
        "4000000000009995",
        "visa",
        Behaviour::Declines("insufficient_funds"),
    ),
    card("4000000000009987", "visa", Behaviour::Declines("lost_card")),
    card(
        "4000000000009979",
        "visa",
        Behaviour::Declines("stolen_card"),
    ),
    card("4000000000000069", "visa", Behaviour::Fails("expired_card")),
    card(
        "4000000000000127",
        "visa",
        Behaviour::Fails("incorrect_cvc"),
    ),
    card(
        "4000000000000119",
        "visa",
        Behaviour::Fails("processing_error"),
    ),
    card("4000000000000341", "visa", Behaviour::AttachThenDecline),
    card(
        "4000002500003155",
        "visa",
        Behaviour::AuthenticationRequired,
    ),
    card(
        "4000002760003184",
        "visa",
        Behaviour::AuthenticationRequired,
    ),
    card("4000009900000012", "visa", Behaviour::NoIncrement),
    card("4000009900000020", "visa", Behaviour::IncrementDeclines),
    card("4000009900000038", "visa", Behaviour::ChargeDeclines),
];

/// What tokenization learns from a card number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardFacts {
    pub brand: &'static str,
    pub funding: &'static str,
    pub behaviour: Behaviour,
}

/// Why a number cannot be tokenized, as Stripe's error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberProblem {
    /// Not 12 to 19 digits, or the Luhn check fails: `incorrect_number`.
    Incorrect,
    /// A valid number that is not a test card: Stripe's test mode declines real cards.
    NotATestCard,
}

/// Looks a number up in the test card table (spaces are ignored).
pub fn identify(number: &str) -> Result<CardFacts, NumberProblem> {
    let digits: String = number.chars().filter(|c| *c != ' ').collect();
    let well_formed =
        (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if !well_formed || !luhn_valid(&digits) {
        return Err(NumberProblem::Incorrect);
    }
    TEST_CARDS
        .iter()
        .find(|card| card.number == digits)
        .map(|card| CardFacts {
            brand: card.brand,
            funding: card.funding,
            behaviour: card.behaviour,
        })
        .ok_or(NumberProblem::NotATestCard)
}

/// Checks a digit string with the Luhn (mod 10) algorithm.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (position, byte) in digits.bytes().rev().enumerate() {
        let mut digit = u32::from(byte.wrapping_sub(b'0'));
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

/// Tells whether the card networks of `brand` allow incremental authorization in the sandbox.
/// Stripe offers it for Visa and Mastercard in every category and lists Amex too. Discover offers
/// it only to travel merchants, which a store is not.
pub fn brand_allows_increment(brand: &str) -> bool {
    matches!(brand, "visa" | "mastercard" | "amex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_test_card_passes_luhn() {
        for card in TEST_CARDS {
            assert!(luhn_valid(card.number), "{}", card.number);
        }
    }

    #[test]
    fn behaviour_names_round_trip() {
        for card in TEST_CARDS {
            assert_eq!(
                Behaviour::from_name(&card.behaviour.name()),
                card.behaviour,
                "{}",
                card.number
            );
        }
    }

    #[test]
    fn numbers_are_identified() {
        assert_eq!(identify("4242 4242 4242 4242").map(|c| c.brand), Ok("visa"));
        assert_eq!(identify("4242424242424241"), Err(NumberProblem::Incorrect));
        assert_eq!(
            identify("4111111111111111"),
            Err(NumberProblem::NotATestCard)
        );
        assert_eq!(identify("42424242424x4242"), Err(NumberProblem::Incorrect));
    }
}
