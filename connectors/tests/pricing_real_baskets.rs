//! Prices real baskets from the UCI data at demo catalog prices.

mod pricing_support;

use std::collections::HashMap;

use pricing_support::{check_invariants, uk_tax};
use walkout_connectors::catalog::uci;
use walkout_connectors::pricing::{CartLine, PricingInput, UnitTable, price_cart};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);

#[test]
fn twenty_real_baskets_match_independent_totals() {
    let data = uci::load(DATA.as_ref(), &mut |_| {}).expect("the data file loads");
    let catalog = uci::build_catalog(&data);
    let prices: HashMap<&str, i64> = catalog
        .items
        .iter()
        .map(|item| (item.item_sku.as_str(), item.price_minor))
        .collect();
    let extract = uci::baskets(&data);
    let tax = uk_tax(true);
    let units = UnitTable::default();

    for basket in extract.baskets.iter().take(20) {
        let lines: Vec<CartLine> = basket
            .lines
            .iter()
            .map(|line| CartLine {
                cart_item_id: line.sku.clone(),
                item: catalog
                    .items
                    .iter()
                    .find(|item| item.item_sku == line.sku)
                    .cloned(),
                quantity: line.quantity.to_string(),
                unit: "each".to_owned(),
            })
            .collect();
        let input = PricingInput {
            currency: "GBP",
            lines: &lines,
            tax: &tax,
            units: &units,
            promotions: &[],
            offers: &[],
        };
        let priced = price_cart(&input).expect("the basket prices");
        check_invariants(&priced, true);

        // Independent: sum of quantity × catalog price; VAT 20% included, one rate group,
        // tax = round(gross / 6) with halves rounded up.
        let gross: i64 = basket
            .lines
            .iter()
            .filter_map(|line| {
                prices
                    .get(line.sku.as_str())
                    .map(|price| price * line.quantity)
            })
            .sum();
        let tax_expected = (gross * 2 + 6) / 12;
        let unknown = basket
            .lines
            .iter()
            .filter(|line| !prices.contains_key(line.sku.as_str()))
            .count();
        assert_eq!(
            priced.totals.grand_minor, gross,
            "invoice {}",
            basket.invoice_no
        );
        assert_eq!(
            priced.totals.tax_minor, tax_expected,
            "invoice {}",
            basket.invoice_no
        );
        assert_eq!(
            priced.totals.net_minor,
            gross - tax_expected,
            "invoice {}",
            basket.invoice_no
        );
        assert_eq!(
            priced.unpriced.len(),
            unknown,
            "invoice {}",
            basket.invoice_no
        );
    }
}

#[test]
fn first_real_basket_at_catalog_prices() {
    // Invoice 536365 at catalog prices (pence): 6 × 295 + 6 × 339 + 8 × 325 + 6 × 375
    // + 6 × 375 + 2 × 850 + 6 × 425 = 15,154, of which VAT is 15,154 / 6 = 2,525.67 → 2,526.
    // Its own rows were priced lower (13,912 in all).
    let data = uci::load(DATA.as_ref(), &mut |_| {}).expect("the data file loads");
    let catalog = uci::build_catalog(&data);
    let basket = &uci::baskets(&data).baskets[0];
    let lines: Vec<CartLine> = basket
        .lines
        .iter()
        .map(|line| CartLine {
            cart_item_id: line.sku.clone(),
            item: catalog
                .items
                .iter()
                .find(|item| item.item_sku == line.sku)
                .cloned(),
            quantity: line.quantity.to_string(),
            unit: "each".to_owned(),
        })
        .collect();

    let (tax, units) = (uk_tax(true), UnitTable::default());
    let input = PricingInput {
        currency: "GBP",
        lines: &lines,
        tax: &tax,
        units: &units,
        promotions: &[],
        offers: &[],
    };
    let priced = price_cart(&input).expect("the basket prices");

    assert_eq!(basket.invoice_no, "536365");
    assert_eq!(priced.totals.grand_minor, 15_154);
    assert_eq!(priced.totals.tax_minor, 2_526);
    assert_eq!(priced.totals.net_minor, 12_628);
}
