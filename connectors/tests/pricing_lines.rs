//! Sale lines, weighed items, unknown SKUs, tax rounding and totals.

mod pricing_support;

use pricing_support::{each, item, line, price, price_with, uk_tax, weighed};
use walkout_connectors::catalog::PricingUnit;
use walkout_connectors::pricing::{
    CartLine, PricingError, Promotion, PromotionKind, QuantityError, Target, UnitKind, UnitTable,
    WeightUnit, parse_quantity,
};

#[test]
fn empty_cart_totals_zero() {
    let priced = price(&[], &[]);
    assert!(priced.lines.is_empty());
    assert!(priced.taxes.is_empty());
    assert_eq!(priced.totals.grand_minor, 0);
    assert_eq!(priced.totals.tax_minor, 0);
}

#[test]
fn weighed_lines_round_half_up() {
    let per_kg = weighed("APPLES", 399, PricingUnit::Kg);
    let per_lb = weighed("CHEESE", 200, PricingUnit::Lb);
    let cases = [
        ("250 g at 3.99/kg = 99.75p", line(&per_kg, "250", "g"), 100),
        (
            "1.5 kg at 3.99/kg = 598.5p",
            line(&per_kg, "1.5", "kg"),
            599,
        ),
        ("1 lb at 3.99/kg = 180.98p", line(&per_kg, "1", "lb"), 181),
        ("8 oz at 2.00/lb", line(&per_lb, "8", "oz"), 100),
        ("1 kg at 2.00/lb = 440.92p", line(&per_lb, "1", "kg"), 441),
        ("500 g at 2.00/lb = 220.46p", line(&per_lb, "500", "G"), 220),
        (
            "0.333 lb at 2.00/lb = 66.6p",
            line(&per_lb, "0.333", "lb"),
            67,
        ),
    ];
    for (name, cart_line, expected) in cases {
        let priced = price(&[cart_line], &[]);
        assert_eq!(priced.lines[0].extended_minor, expected, "case {name}");
    }
}

#[test]
fn weights_convert_exactly() {
    let table = UnitTable::default();
    let cases = [
        ("250", "g", PricingUnit::Kg, "0.25"),
        ("8", "oz", PricingUnit::Lb, "0.5"),
        ("1", "lb", PricingUnit::Kg, "0.45359237"),
        ("16", "oz", PricingUnit::Kg, "0.45359237"),
    ];
    for (value, unit, pricing_unit, expected) in cases {
        let quantity = parse_quantity(value, unit, &table, pricing_unit).expect("converts");
        assert_eq!(
            quantity.as_decimal().normalize().to_string(),
            expected,
            "{value} {unit}"
        );
    }
}

#[test]
fn bad_quantities_are_errors() {
    let table = UnitTable::default();
    let cases = [
        (
            "1",
            "box",
            PricingUnit::Each,
            QuantityError::UnknownUnit {
                unit: "box".to_owned(),
            },
        ),
        (
            "1.5",
            "each",
            PricingUnit::Each,
            QuantityError::NotWholeCount {
                value: "1.5".to_owned(),
            },
        ),
        (
            "0",
            "each",
            PricingUnit::Each,
            QuantityError::NotPositiveDecimal {
                value: "0".to_owned(),
            },
        ),
        (
            "-1",
            "kg",
            PricingUnit::Kg,
            QuantityError::NotPositiveDecimal {
                value: "-1".to_owned(),
            },
        ),
        (
            "1e3",
            "g",
            PricingUnit::Kg,
            QuantityError::NotPositiveDecimal {
                value: "1e3".to_owned(),
            },
        ),
        (
            "1",
            "each",
            PricingUnit::Kg,
            QuantityError::UnitMismatch {
                unit: "each".to_owned(),
                pricing_unit: "kg",
            },
        ),
        (
            "1",
            "kg",
            PricingUnit::Each,
            QuantityError::UnitMismatch {
                unit: "kg".to_owned(),
                pricing_unit: "each",
            },
        ),
    ];
    for (value, unit, pricing_unit, expected) in cases {
        assert_eq!(
            parse_quantity(value, unit, &table, pricing_unit),
            Err(expected),
            "{value} {unit}"
        );
    }
}

#[test]
fn unit_table_is_configurable() {
    let mut table = UnitTable::default();
    table.insert("Stück", UnitKind::Count);
    table.insert("kilo", UnitKind::Weight(WeightUnit::Kilogram));
    assert!(parse_quantity("2", "stück", &table, PricingUnit::Each).is_ok());
    assert!(parse_quantity("2", "KILO", &table, PricingUnit::Kg).is_ok());
}

#[test]
fn unknown_unit_fails_the_cart() {
    let mug = item("MUG", 100, "kitchen");
    let error =
        price_with(&[line(&mug, "1", "crate")], &[], &[], &uk_tax(true)).expect_err("unknown unit");
    assert_eq!(
        error.to_string(),
        "cart line 0: unit \"crate\" is not a known unit of measure"
    );
}

#[test]
fn unknown_sku_is_not_charged() {
    let mug = item("MUG", 250, "kitchen");
    let unknown = CartLine {
        cart_item_id: "999999".to_owned(),
        item: None,
        quantity: "2".to_owned(),
        unit: "each".to_owned(),
    };
    let priced = price(&[unknown, each(&mug, 1)], &[]);
    assert_eq!(priced.unpriced.len(), 1);
    assert_eq!(priced.unpriced[0].cart_item_id, "999999");
    assert_eq!(priced.unpriced[0].line_index, 0);
    assert_eq!(priced.lines[0].line_index, 1);
    assert_eq!(priced.totals.grand_minor, 250);
}

#[test]
fn tax_rounding_cases() {
    // (price, tax code, prices include tax, expected tax)
    let cases = [
        (100, "standard", true, 17),   // 16.67
        (99, "standard", true, 17),    // 16.5 exactly, half up
        (1000, "standard", true, 167), // 166.67
        (100, "standard", false, 20),
        (105, "reduced", false, 5), // 5.25
        (110, "reduced", false, 6), // 5.5 exactly, half up
        (210, "reduced", true, 10), // 10.0
        (500, "zero", true, 0),
    ];
    for (price_minor, tax_code, included, expected) in cases {
        let goods = pricing_support::item("X", price_minor, "kitchen");
        let goods = walkout_connectors::catalog::CatalogItem {
            product_tax_code: tax_code.to_owned(),
            ..goods
        };
        let priced = price_with(&[each(&goods, 1)], &[], &[], &uk_tax(included)).expect("prices");
        assert_eq!(
            priced.totals.tax_minor, expected,
            "{price_minor} {tax_code} included={included}"
        );
    }
}

#[test]
fn one_tax_row_per_rate() {
    let food = walkout_connectors::catalog::CatalogItem {
        product_tax_code: "reduced".to_owned(),
        ..item("F", 210, "food")
    };
    let mug = item("MUG", 120, "kitchen");
    let other_mug = item("MUG2", 120, "kitchen");
    let priced = price(&[each(&mug, 1), each(&food, 1), each(&other_mug, 1)], &[]);
    let rows: Vec<(u32, i64, i64)> = priced
        .taxes
        .iter()
        .map(|row| (row.rate_bp, row.taxable_minor, row.tax_minor))
        .collect();
    assert_eq!(rows, vec![(500, 210, 10), (2000, 240, 40)]);
    assert_eq!(priced.totals.net_minor, 400);
}

#[test]
fn tax_is_on_discounted_amount() {
    let a = item("A", 1000, "kitchen");
    let ten_off = Promotion {
        id: "A10".to_owned(),
        name: "10% off".to_owned(),
        stackable: false,
        kind: PromotionKind::PercentOff {
            target: Target::Sku("A".to_owned()),
            basis_points: 1000,
        },
    };
    let included = price_with(
        &[each(&a, 1)],
        std::slice::from_ref(&ten_off),
        &[],
        &uk_tax(true),
    )
    .expect("prices");
    assert_eq!(included.totals.tax_minor, 150);
    assert_eq!(included.totals.grand_minor, 900);
    let excluded = price_with(&[each(&a, 1)], &[ten_off], &[], &uk_tax(false)).expect("prices");
    assert_eq!(excluded.totals.tax_minor, 180);
    assert_eq!(excluded.totals.grand_minor, 1080);
}

#[test]
fn missing_tax_rate_is_an_error() {
    let odd = walkout_connectors::catalog::CatalogItem {
        product_tax_code: "luxury".to_owned(),
        ..item("L", 100, "x")
    };
    let error = price_with(&[each(&odd, 1)], &[], &[], &uk_tax(true)).expect_err("no rate");
    assert!(matches!(error, PricingError::NoTaxRate { .. }));
}

#[test]
fn currency_mismatch_is_an_error() {
    let euro = walkout_connectors::catalog::CatalogItem {
        currency: "EUR".to_owned(),
        ..item("E", 100, "x")
    };
    let error =
        price_with(&[each(&euro, 1)], &[], &[], &uk_tax(true)).expect_err("EUR item in GBP store");
    assert!(matches!(error, PricingError::CurrencyMismatch { .. }));
}
