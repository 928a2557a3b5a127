//! Receipt documents: invariants, JSON field names and the plain-text rendering.

mod receipt_support;

use receipt_support::{sale, uk_input, us_style_input};
use walkout_connectors::receipts::{
    LineItem, Receipt, ReceiptError, ReceiptInput, TaxInput, TotalsInput, build_receipt,
    format_receipt_number, render_text, validate,
};

#[test]
fn valid_inputs_build() {
    assert!(build_receipt(&uk_input()).is_ok());
    assert!(build_receipt(&us_style_input()).is_ok());
}

#[test]
fn each_violated_rule_is_rejected() {
    type Case = (
        &'static str,
        fn(&mut ReceiptInput),
        fn(&ReceiptError) -> bool,
    );
    let cases: Vec<Case> = vec![
        (
            "grand from lines (tax included)",
            |i| {
                i.totals.grand_minor = 510;
                i.totals.net_minor = 435;
            },
            |e| matches!(e, ReceiptError::GrandFromLinesMismatch { grand: 510, .. }),
        ),
        (
            "net plus tax",
            |i| i.totals.net_minor = 400,
            |e| matches!(e, ReceiptError::NetPlusTaxMismatch { net: 400, .. }),
        ),
        (
            "tax rows sum",
            |i| i.taxes[1].tax_minor = 74,
            |e| matches!(e, ReceiptError::TaxRowsMismatch { rows: 74, tax: 75 }),
        ),
        (
            "discount allocations",
            |i| i.discounts[0].allocations = vec![(0, 50)],
            |e| {
                matches!(
                    e,
                    ReceiptError::DiscountAllocationMismatch { allocated: 50, .. }
                )
            },
        ),
        (
            "discount of a missing line",
            |i| i.discounts[0].allocations = vec![(7, 60)],
            |e| matches!(e, ReceiptError::UnknownDiscountTarget { .. }),
        ),
        (
            "unpriced line charged",
            |i| i.lines[2].extended_minor = 100,
            |e| {
                matches!(
                    e,
                    ReceiptError::UnpricedLineCharged {
                        line: 3,
                        amount: 100
                    }
                )
            },
        ),
        (
            "quantity not decimal",
            |i| i.lines[1].quantity = "half".to_owned(),
            |e| matches!(e, ReceiptError::InvalidQuantity { line: 2, .. }),
        ),
        (
            "quantity zero",
            |i| i.lines[1].quantity = "0".to_owned(),
            |e| matches!(e, ReceiptError::InvalidQuantity { line: 2, .. }),
        ),
        (
            "negative amount",
            |i| i.lines[0].unit_price_minor = -1,
            |e| matches!(e, ReceiptError::NegativeAmount { amount: -1, .. }),
        ),
        (
            "unknown currency",
            |i| i.currency = "XYZ".to_owned(),
            |e| matches!(e, ReceiptError::UnknownCurrency(code) if code == "XYZ"),
        ),
        (
            "unknown time zone",
            |i| i.time_zone = "Europe/Atlantis".to_owned(),
            |e| matches!(e, ReceiptError::UnknownTimeZone(_)),
        ),
        (
            "duplicate tax rate",
            |i| i.taxes[0].rate_bp = 2000,
            |e| matches!(e, ReceiptError::DuplicateTaxRate(2000)),
        ),
        (
            "tender does not cover grand",
            |i| i.tender.as_mut().unwrap().amount_minor = 499,
            |e| matches!(e, ReceiptError::TendersMismatch { captured: 499, .. }),
        ),
        (
            "last4 longer than 4",
            |i| i.tender.as_mut().unwrap().last4 = "424242".to_owned(),
            |e| matches!(e, ReceiptError::InvalidLast4 { index: 0 }),
        ),
        (
            "empty store id",
            |i| i.store_id = " ".to_owned(),
            |e| {
                matches!(
                    e,
                    ReceiptError::EmptyField {
                        field: "businessUnit.id"
                    }
                )
            },
        ),
    ];
    for (name, change, expected) in cases {
        let mut input = uk_input();
        change(&mut input);
        let error = build_receipt(&input).expect_err(name);
        assert!(expected(&error), "{name}: unexpected error {error}");
    }
}

#[test]
fn net_from_lines_is_checked_when_tax_excluded() {
    let mut input = us_style_input();
    input.totals = TotalsInput {
        net_minor: 510,
        tax_minor: 90,
        grand_minor: 600,
    };
    input.tender.as_mut().unwrap().amount_minor = 600;
    let error = build_receipt(&input).unwrap_err();
    assert!(
        matches!(
            error,
            ReceiptError::NetFromLinesMismatch {
                net: 510,
                sales: 560,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn error_message_names_the_rule() {
    let mut input = uk_input();
    input.totals.net_minor = 400;
    let message = build_receipt(&input).unwrap_err().to_string();
    assert!(message.contains("grand = net + tax"), "{message}");
}

#[test]
fn currency_mismatch_is_rejected() {
    let mut receipt = build_receipt(&uk_input()).unwrap();
    receipt.taxes[1].tax_amount.currency = "EUR".to_owned();
    let error = validate(&receipt).unwrap_err();
    assert!(
        matches!(&error, ReceiptError::CurrencyMismatch { found, expected, .. }
            if found == "EUR" && expected == "GBP"),
        "{error}"
    );
}

#[test]
fn written_off_and_outstanding_balance_the_tenders() {
    let mut input = uk_input();
    input.tender.as_mut().unwrap().amount_minor = 300;
    input.outstanding_minor = 200;
    let receipt = build_receipt(&input).unwrap();
    assert_eq!(receipt.outstanding.unwrap().amount_minor, 200);

    let mut small = uk_input();
    small.tender = None;
    small.written_off_minor = 500;
    assert!(build_receipt(&small).is_ok());
}

#[test]
fn test_receipt_needs_no_tender() {
    let mut input = uk_input();
    input.is_test = true;
    input.tender = None;
    assert!(build_receipt(&input).unwrap().is_test);
}

#[test]
fn version_chain_is_checked() {
    let mut receipt = build_receipt(&uk_input()).unwrap();
    receipt.version = 3;
    receipt.supersedes = Some(1);
    let error = validate(&receipt).unwrap_err();
    assert!(
        matches!(error, ReceiptError::VersionChain { version: 3, .. }),
        "{error}"
    );
}

fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn json_uses_arts_names() {
    let mut input = uk_input();
    input.tender.as_mut().unwrap().amount_minor = 300;
    input.outstanding_minor = 200;
    let json = serde_json::to_value(build_receipt(&input).unwrap()).unwrap();

    let top = [
        "businessUnit",
        "currency",
        "formatVersion",
        "isTest",
        "lineItems",
        "outstanding",
        "pricesIncludeTax",
        "receiptDateTime",
        "receiptId",
        "receiptNumber",
        "supersedes",
        "taxes",
        "tenders",
        "timeZone",
        "totals",
        "tripId",
        "version",
    ];
    assert_eq!(keys(&json), top);
    assert_eq!(keys(&json["businessUnit"]), ["id", "name"]);
    assert_eq!(json["receiptDateTime"], "2025-07-14T16:05:09Z");
    assert_eq!(json["receiptNumber"], "UK-LON-001-00000042");
    assert_eq!(keys(&json["totals"]), ["grand", "net", "tax"]);
    assert_eq!(
        json["totals"]["grand"],
        serde_json::json!({"amount_minor": 500, "currency": "GBP"})
    );
    assert_eq!(json["outstanding"]["amount_minor"], 200);
}

#[test]
fn json_line_items_are_tagged() {
    let json = serde_json::to_value(build_receipt(&uk_input()).unwrap()).unwrap();
    let lines = json["lineItems"].as_array().unwrap();

    let sale_keys = [
        "description",
        "extendedAmount",
        "lineNumber",
        "quantity",
        "sku",
        "taxRateBp",
        "type",
        "unit",
        "unitPrice",
    ];
    assert_eq!(keys(&lines[0]), sale_keys);
    assert_eq!(lines[0]["type"], "sale");
    assert_eq!(lines[1]["quantity"], "0.455");
    assert_eq!(lines[2]["flags"], serde_json::json!(["unpriced"]));
    assert_eq!(lines[3]["type"], "discount");
    assert_eq!(
        keys(&lines[3]),
        [
            "amount",
            "appliesTo",
            "description",
            "lineNumber",
            "promotionId",
            "type"
        ]
    );
    assert_eq!(lines[3]["appliesTo"][0]["lineNumber"], 1);
    assert_eq!(
        keys(&json["taxes"][0]),
        ["rateBp", "taxAmount", "taxIncluded", "taxableAmount"]
    );
    assert_eq!(
        keys(&json["tenders"][0]),
        ["amount", "brand", "last4", "type"]
    );
    assert_eq!(json["tenders"][0]["type"], "sale");
}

#[test]
fn json_round_trips() {
    let receipt = build_receipt(&uk_input()).unwrap();
    let text = serde_json::to_string(&receipt).unwrap();
    let back: Receipt = serde_json::from_str(&text).unwrap();
    assert_eq!(back, receipt);
    assert!(matches!(back.line_items[3], LineItem::Discount(_)));
}

#[test]
fn text_rendering_matches_golden() {
    let expected = "\
Walkout Demo Store
Store UK-LON-001
Receipt UK-LON-001-00000042
14 Jul 2025 17:05 BST
----------------------------------------
WHITE HANGING HEART T-LIGHT HOLDER
  2 x 2.55                          5.10
LOOSE BANANAS
  0.455 kg x 1.10/kg                0.50
MYSTERY ITEM (unpriced item)
  1 x 0.00                          0.00
Hearts 2 for 4.50                  -0.60
----------------------------------------
Tax 0% incl. on 0.50                0.00
Tax 20% incl. on 4.50               0.75
Net                                 4.25
Tax                                 0.75
Total GBP                           5.00
----------------------------------------
Paid Visa **** 4242                 5.00
";
    let receipt = build_receipt(&uk_input()).unwrap();
    assert_eq!(render_text(&receipt), expected);
}

#[test]
fn winter_date_renders_in_gmt() {
    let mut input = uk_input();
    input.receipt_date_time = time::macros::datetime!(2025-01-10 23:30:00 UTC);
    let text = render_text(&build_receipt(&input).unwrap());
    assert!(text.contains("10 Jan 2025 23:30 GMT"), "{text}");
}

#[test]
fn amounts_beyond_float_precision_stay_exact() {
    // 2^53 + 1 minor units: an f64 would print 9007199254740992.
    let amount = 9_007_199_254_740_993;
    let mut input = uk_input();
    input.lines = vec![sale("BIG", "BIG ITEM", "1", "each", amount, amount, 0)];
    input.discounts.clear();
    input.taxes = vec![TaxInput {
        rate_bp: 0,
        taxable_minor: amount,
        tax_minor: 0,
    }];
    input.totals = TotalsInput {
        net_minor: amount,
        tax_minor: 0,
        grand_minor: amount,
    };
    input.tender.as_mut().unwrap().amount_minor = amount;
    let receipt = build_receipt(&input).unwrap();

    let text = render_text(&receipt);
    assert!(text.contains("90071992547409.93"), "{text}");
    let json = serde_json::to_string(&receipt).unwrap();
    assert!(json.contains("\"amount_minor\":9007199254740993"), "{json}");
}

#[test]
fn receipt_numbers_sort_in_issue_order() {
    let numbers: Vec<String> = [9, 10, 11, 99_999_999]
        .iter()
        .map(|sequence| format_receipt_number("UK-LON-001", *sequence))
        .collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    assert_eq!(sorted, numbers);
    assert_eq!(numbers[0], "UK-LON-001-00000009");
}
