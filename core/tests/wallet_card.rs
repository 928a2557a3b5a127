//! Card form validation: brands by IIN, lengths, the Luhn check, CVCs and expiries, from tables
//! of Stripe's test numbers and brand edge cases.

use walkout_core::wallet::{
    CardBrand, CardField, CardNumber, Cvc, Expiry, YearMonth, detect_brand, luhn_valid,
    validate_card,
};

const TODAY: YearMonth = YearMonth {
    year: 2026,
    month: 6,
};

/// Completes `prefix` with zeros and a Luhn check digit to `length` digits.
fn with_check_digit(prefix: &str, length: usize) -> String {
    let mut body = prefix.to_owned();
    while body.len() < length - 1 {
        body.push('0');
    }
    (0..10)
        .map(|digit| format!("{body}{digit}"))
        .find(|candidate| luhn_valid(candidate))
        .expect("one check digit fits")
}

#[test]
fn stripe_test_numbers_have_their_brands() {
    let cases = [
        ("4242424242424242", CardBrand::Visa),
        ("4000056655665556", CardBrand::Visa),
        ("5555555555554444", CardBrand::Mastercard),
        ("2223003122003222", CardBrand::Mastercard),
        ("5200828282828210", CardBrand::Mastercard),
        ("5105105105105100", CardBrand::Mastercard),
        ("378282246310005", CardBrand::Amex),
        ("371449635398431", CardBrand::Amex),
        ("6011111111111117", CardBrand::Discover),
        ("6011000990139424", CardBrand::Discover),
        ("6011981111111113", CardBrand::Discover),
        ("3056930009020004", CardBrand::DinersClub),
        ("36227206271667", CardBrand::DinersClub),
        ("3566002020360505", CardBrand::Jcb),
        ("6200000000000005", CardBrand::UnionPay),
        ("6200000000000047", CardBrand::UnionPay),
        ("6205500000000000004", CardBrand::UnionPay),
        ("6304000000000000", CardBrand::Maestro),
    ];
    for (number, brand) in cases {
        let parsed = CardNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e}"));
        assert_eq!(parsed.brand(), Some(brand), "{number}");
    }
}

#[test]
fn edge_prefixes_pick_most_specific_brand() {
    let cases = [
        // Mastercard's 2-series runs from 2221 to 2720.
        ("2220", None),
        ("2221", Some(CardBrand::Mastercard)),
        ("2720", Some(CardBrand::Mastercard)),
        ("2721", None),
        ("50", Some(CardBrand::Maestro)),
        ("51", Some(CardBrand::Mastercard)),
        ("55", Some(CardBrand::Mastercard)),
        ("56", Some(CardBrand::Maestro)),
        // Discover's ranges win over Maestro's catch-all 6.
        ("6011", Some(CardBrand::Discover)),
        ("6012", Some(CardBrand::Maestro)),
        ("643", Some(CardBrand::Maestro)),
        ("644", Some(CardBrand::Discover)),
        ("649", Some(CardBrand::Discover)),
        ("65", Some(CardBrand::Discover)),
        ("6304", Some(CardBrand::Maestro)),
        // A six-digit Maestro range inside Visa's 4.
        ("493698", Some(CardBrand::Maestro)),
        ("493699", Some(CardBrand::Visa)),
        ("34", Some(CardBrand::Amex)),
        ("35", None),
        ("3528", Some(CardBrand::Jcb)),
        ("3589", Some(CardBrand::Jcb)),
        ("3590", None),
        ("305", Some(CardBrand::DinersClub)),
        ("306", None),
        ("62183", Some(CardBrand::Maestro)),
        ("62184", Some(CardBrand::UnionPay)),
        ("1800", Some(CardBrand::Jcb)),
        ("9", None),
    ];
    for (prefix, brand) in cases {
        let number = with_check_digit(prefix, 16);
        assert_eq!(detect_brand(&number), brand, "prefix {prefix}");
    }
}

#[test]
fn unknown_brand_with_valid_luhn_is_accepted() {
    let number = with_check_digit("2220", 16);
    let parsed = CardNumber::parse(&number).expect("accepted");
    assert_eq!(parsed.brand(), None);
}

#[test]
fn spaces_and_dashes_are_normalised() {
    for typed in [
        "4242 4242 4242 4242",
        "4242-4242-4242-4242",
        " 4242424242424242 ",
        "4242 - 4242 - 4242 - 4242",
    ] {
        let parsed = CardNumber::parse(typed).unwrap_or_else(|e| panic!("{typed:?}: {e}"));
        assert_eq!(parsed.digits(), "4242424242424242", "{typed:?}");
        assert_eq!(parsed.last4(), "4242", "{typed:?}");
    }
}

#[test]
fn bad_luhn_is_rejected() {
    for number in [
        "4242424242424241",
        "5555555555554445",
        "378282246310006",
        "6011111111111118",
    ] {
        let error = CardNumber::parse(number).expect_err(number);
        assert_eq!(error.field, CardField::Number, "{number}");
        assert!(
            error.to_string().contains("check digit"),
            "{number}: {error}"
        );
    }
}

#[test]
fn lengths_follow_the_brand() {
    let cases = [
        ("4", 13, false),
        ("4", 15, false),
        ("4", 16, true),
        ("4", 17, false),
        ("4", 18, true),
        ("4", 19, true),
        ("51", 15, false),
        ("51", 16, true),
        ("51", 19, false),
        ("34", 15, true),
        ("34", 16, false),
        ("36", 14, true),
        ("36", 15, false),
        ("6011", 19, true),
        ("6011", 17, false),
        ("3528", 17, true),
        ("620", 14, true),
        ("6304", 12, true),
        ("6304", 11, false),
        // Unknown brand: 12 to 19 digits.
        ("9", 11, false),
        ("9", 12, true),
        ("9", 19, true),
        ("9", 20, false),
    ];
    for (prefix, length, accepted) in cases {
        let number = with_check_digit(prefix, length);
        let result = CardNumber::parse(&number);
        assert_eq!(
            result.is_ok(),
            accepted,
            "prefix {prefix}, {length} digits: {result:?}"
        );
    }
}

#[test]
fn malformed_numbers_name_the_field() {
    for typed in ["", "   ", "4242x42424242424", "4242.4242.4242.4242", "٤٢٤٢"] {
        let error = CardNumber::parse(typed).expect_err(typed);
        assert_eq!(error.field, CardField::Number, "{typed:?}");
    }
}

#[test]
fn cvc_length_follows_the_brand() {
    let cases = [
        (Some(CardBrand::Visa), "123", true),
        (Some(CardBrand::Visa), "1234", false),
        (Some(CardBrand::Visa), "12", false),
        (Some(CardBrand::Amex), "1234", true),
        (Some(CardBrand::Amex), "123", false),
        (Some(CardBrand::Mastercard), " 123 ", true),
        (Some(CardBrand::Mastercard), "12a", false),
        (Some(CardBrand::Mastercard), "", false),
        (None, "123", true),
        (None, "1234", true),
        (None, "12345", false),
    ];
    for (brand, cvc, accepted) in cases {
        let result = Cvc::parse(cvc, brand);
        assert_eq!(result.is_ok(), accepted, "{brand:?} {cvc:?}");
        if let Err(error) = result {
            assert_eq!(error.field, CardField::Cvc, "{brand:?} {cvc:?}");
        }
    }
}

#[test]
fn expiry_cases() {
    // (month, year, Ok(year) or the field named by the error)
    let cases: [(u32, u32, Result<i32, CardField>); 14] = [
        (6, 2026, Ok(2026)),
        (6, 26, Ok(2026)),
        (12, 2026, Ok(2026)),
        (1, 2027, Ok(2027)),
        (5, 2026, Err(CardField::ExpMonth)),
        (12, 2025, Err(CardField::ExpYear)),
        (12, 25, Err(CardField::ExpYear)),
        (12, 2046, Ok(2046)),
        (1, 2047, Err(CardField::ExpYear)),
        (0, 2027, Err(CardField::ExpMonth)),
        (13, 2027, Err(CardField::ExpMonth)),
        (7, 202, Err(CardField::ExpYear)),
        (7, 20270, Err(CardField::ExpYear)),
        (u32::MAX, u32::MAX, Err(CardField::ExpMonth)),
    ];
    for (month, year, expected) in cases {
        let result = Expiry::check(month, year, TODAY);
        match expected {
            Ok(full_year) => {
                let expiry = result.unwrap_or_else(|e| panic!("{month}/{year}: {e}"));
                assert_eq!(expiry.year, full_year, "{month}/{year}");
            }
            Err(field) => {
                let error = result.expect_err("rejected");
                assert_eq!(error.field, field, "{month}/{year}: {error}");
            }
        }
    }
}

#[test]
fn year_month_from_instant() {
    // 2026-06-30T23:59:59Z and one second later.
    let last_second_of_june = 1_782_863_999_000;
    assert_eq!(
        YearMonth::from_unix_millis(last_second_of_june),
        Some(YearMonth {
            year: 2026,
            month: 6
        })
    );
    assert_eq!(
        YearMonth::from_unix_millis(last_second_of_june + 1000),
        Some(YearMonth {
            year: 2026,
            month: 7
        })
    );
}

#[test]
fn whole_form_reports_first_bad_field() {
    let cases = [
        ("4242424242424241", 12, 2030, "123", CardField::Number),
        ("4242424242424242", 13, 2030, "123", CardField::ExpMonth),
        ("4242424242424242", 12, 2020, "123", CardField::ExpYear),
        ("378282246310005", 12, 2030, "123", CardField::Cvc),
    ];
    for (number, month, year, cvc, field) in cases {
        let error = validate_card(number, month, year, cvc, TODAY).expect_err(number);
        assert_eq!(error.field, field, "{number} {month}/{year} {cvc}");
    }
    let card = validate_card("3782 822463 10005", 12, 30, "1234", TODAY).expect("valid Amex");
    assert_eq!(card.number.brand(), Some(CardBrand::Amex));
    assert_eq!(card.expiry.year, 2030);
}

#[test]
fn errors_and_debug_never_show_number_or_cvc() {
    let number = "4242424242424241";
    let errors = [
        validate_card(number, 12, 2030, "987", TODAY).expect_err("bad Luhn"),
        validate_card("4242424242424242", 12, 2030, "9876", TODAY).expect_err("bad CVC"),
        validate_card("42424242424242424242", 12, 2030, "987", TODAY).expect_err("too long"),
    ];
    for error in errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("424242"), "{shown}");
        assert!(!shown.contains("987"), "{shown}");
    }

    let card = validate_card("4242424242424242", 12, 2030, "987", TODAY).expect("valid");
    let shown = format!("{card:?}");
    assert!(!shown.contains("424242"), "{shown}");
    assert!(!shown.contains("987"), "{shown}");
}
