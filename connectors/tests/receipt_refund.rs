//! Refunds: new receipt versions with return lines, recomputed tax rows and a refund tender.

mod receipt_support;

use receipt_support::{uk_input, us_style_input};
use time::macros::datetime;
use walkout_connectors::receipts::{
    LineItem, Receipt, RefundError, RefundInput, RefundLineInput, TenderKind, build_receipt,
    format_receipt_number, refund_receipt, render_text,
};

fn refund_of(line: u32, quantity: &str, amount_minor: i64, sequence: u64) -> RefundInput {
    RefundInput {
        receipt_number: format_receipt_number("UK-LON-001", sequence),
        refund_date_time: datetime!(2025-07-15 09:00:00 UTC),
        lines: vec![RefundLineInput {
            original_line_number: line,
            quantity: quantity.to_owned(),
            amount_minor,
        }],
        reason: Some("damaged".to_owned()),
    }
}

fn original() -> Receipt {
    build_receipt(&uk_input()).unwrap()
}

fn totals(receipt: &Receipt) -> (i64, i64, i64) {
    (
        receipt.totals.net.amount_minor,
        receipt.totals.tax.amount_minor,
        receipt.totals.grand.amount_minor,
    )
}

#[test]
fn partial_refund_makes_version_two() {
    let v1 = original();
    let v2 = refund_receipt(&v1, &refund_of(1, "1", 225, 43)).unwrap();

    assert_eq!((v2.version, v2.supersedes), (2, Some(1)));
    assert_eq!(v2.receipt_id, v1.receipt_id);
    assert_eq!(v2.receipt_number, "UK-LON-001-00000043");
    // Row 20%: taxable 4.50 → 2.25, tax 0.75 → 0.38 (37.5 rounded half up), so 0.37 goes back.
    assert_eq!(totals(&v2), (237, 38, 275));
    assert_eq!(v2.taxes[1].taxable_amount.amount_minor, 225);
    assert_eq!(v2.taxes[1].tax_amount.amount_minor, 38);
}

#[test]
fn refund_adds_return_line_and_refund_tender() {
    let v2 = refund_receipt(&original(), &refund_of(1, "1", 225, 43)).unwrap();

    let LineItem::Return(returned) = v2.line_items.last().unwrap() else {
        panic!("the last line is not a return");
    };
    assert_eq!(returned.original_line_number, 1);
    assert_eq!(returned.item.line_number, 5);
    assert_eq!(returned.item.extended_amount.amount_minor, 225);
    assert_eq!(returned.item.sku, "85123A");
    let refund = v2.tenders.last().unwrap();
    assert_eq!(refund.kind, TenderKind::Refund);
    assert_eq!(
        (refund.brand.as_str(), refund.last4.as_str()),
        ("visa", "4242")
    );
    assert_eq!(refund.amount.amount_minor, 225);
}

#[test]
fn previous_version_is_not_changed() {
    let v1 = original();
    let before = v1.clone();
    refund_receipt(&v1, &refund_of(1, "1", 225, 43)).unwrap();
    assert_eq!(v1, before);
}

#[test]
fn refund_in_parts_returns_exactly_the_tax() {
    let v1 = original();
    let v2 = refund_receipt(&v1, &refund_of(1, "1", 225, 43)).unwrap();
    let v3 = refund_receipt(&v2, &refund_of(1, "1", 225, 44)).unwrap();

    assert_eq!((v3.version, v3.supersedes), (3, Some(2)));
    assert_eq!(totals(&v3), (50, 0, 50), "only the 0% bananas remain");
    assert_eq!(v3.taxes[1].tax_amount.amount_minor, 0);
    let refunded: i64 = v3
        .tenders
        .iter()
        .filter(|tender| tender.kind == TenderKind::Refund)
        .map(|tender| tender.amount.amount_minor)
        .sum();
    assert_eq!(refunded, 450);
}

#[test]
fn refund_beyond_what_was_paid_is_rejected() {
    let v2 = refund_receipt(&original(), &refund_of(1, "1", 225, 43)).unwrap();
    let error = refund_receipt(&v2, &refund_of(1, "1", 226, 44)).unwrap_err();
    assert_eq!(
        error,
        RefundError::AmountExceedsLine {
            line: 1,
            requested: 226,
            refundable: 225
        }
    );
}

#[test]
fn refund_beyond_quantity_is_rejected() {
    let error = refund_receipt(&original(), &refund_of(1, "3", 100, 43)).unwrap_err();
    assert!(
        matches!(error, RefundError::QuantityExceedsLine { line: 1, .. }),
        "{error}"
    );
}

#[test]
fn refund_lines_are_checked() {
    let cases = [
        (refund_of(9, "1", 100, 43), RefundError::NotASaleLine(9)),
        (refund_of(4, "1", 60, 43), RefundError::NotASaleLine(4)),
        (
            refund_of(1, "1", 0, 43),
            RefundError::NonPositiveAmount { line: 1, amount: 0 },
        ),
        (
            refund_of(1, "one", 100, 43),
            RefundError::InvalidQuantity {
                line: 1,
                quantity: "one".to_owned(),
            },
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(refund_receipt(&original(), &input).unwrap_err(), expected);
    }
}

#[test]
fn refund_with_no_lines_is_rejected() {
    let mut input = refund_of(1, "1", 225, 43);
    input.lines.clear();
    assert_eq!(
        refund_receipt(&original(), &input).unwrap_err(),
        RefundError::NoLines
    );
}

#[test]
fn outstanding_balance_blocks_refunds() {
    let mut input = uk_input();
    input.tender.as_mut().unwrap().amount_minor = 300;
    input.outstanding_minor = 200;
    let receipt = build_receipt(&input).unwrap();
    let error = refund_receipt(&receipt, &refund_of(1, "1", 225, 43)).unwrap_err();
    assert_eq!(error, RefundError::OutstandingBalance(200));
}

#[test]
fn tax_excluded_refund_gives_back_the_tax_too() {
    let v1 = build_receipt(&us_style_input()).unwrap();
    let v2 = refund_receipt(&v1, &refund_of(1, "1", 225, 43)).unwrap();

    // Net 2.25 back plus 20% tax on it (0.45).
    assert_eq!(v2.tenders.last().unwrap().amount.amount_minor, 270);
    assert_eq!(totals(&v2), (275, 45, 320));
}

#[test]
fn refund_json_names_the_return() {
    let v2 = refund_receipt(&original(), &refund_of(1, "1", 225, 43)).unwrap();
    let json = serde_json::to_value(&v2).unwrap();
    let returned = json["lineItems"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(returned["type"], "return");
    assert_eq!(returned["originalLineNumber"], 1);
    assert_eq!(returned["reason"], "damaged");
    assert_eq!(json["supersedes"], 1);
    assert_eq!(json["tenders"][1]["type"], "refund");
}

#[test]
fn refund_renders_return_and_refund_lines() {
    let v2 = refund_receipt(&original(), &refund_of(1, "1", 225, 43)).unwrap();
    let text = render_text(&v2);
    let expected = [
        "Version 2 (replaces version 1)\n",
        "Return: WHITE HANGING HEART T-LIGHT HOLDER\n  1                                -2.25\n",
        "Total GBP                           2.75\n",
        "Refund Visa **** 4242              -2.25\n",
        "15 Jul 2025 10:00 BST\n",
    ];
    for line in expected {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}
