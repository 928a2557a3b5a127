//! Helpers shared by the pricing tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use walkout_connectors::catalog::{CatalogItem, PricingUnit};
use walkout_connectors::pricing::{
    CartLine, PricedCart, PricingError, PricingInput, Promotion, TaxSettings, UnitTable, price_cart,
};

pub fn item(sku: &str, price_minor: i64, category: &str) -> CatalogItem {
    CatalogItem {
        item_sku: sku.to_owned(),
        external_product_id: String::new(),
        external_product_id_type: String::new(),
        item_name: format!("Item {sku}"),
        store_id: "UK-LON-001".to_owned(),
        price_minor,
        currency: "GBP".to_owned(),
        brand_name: String::new(),
        product_tax_code: "standard".to_owned(),
        product_category: category.to_owned(),
        product_subcategory: String::new(),
        unit: PricingUnit::Each,
        additional_barcodes: Vec::new(),
    }
}

pub fn weighed(sku: &str, price_minor: i64, unit: PricingUnit) -> CatalogItem {
    CatalogItem {
        unit,
        ..item(sku, price_minor, "produce")
    }
}

pub fn line(item: &CatalogItem, quantity: &str, unit: &str) -> CartLine {
    CartLine {
        cart_item_id: item.item_sku.clone(),
        item: Some(item.clone()),
        quantity: quantity.to_owned(),
        unit: unit.to_owned(),
    }
}

pub fn each(item: &CatalogItem, count: u32) -> CartLine {
    line(item, &count.to_string(), "each")
}

/// UK VAT: `standard` 20%, `reduced` 5%, `zero` 0%.
pub fn uk_tax(prices_include_tax: bool) -> TaxSettings {
    let rates_bp = BTreeMap::from([
        ("standard".to_owned(), 2000),
        ("reduced".to_owned(), 500),
        ("zero".to_owned(), 0),
    ]);
    TaxSettings {
        prices_include_tax,
        rates_bp,
        default_rate_bp: None,
    }
}

pub fn price_with(
    lines: &[CartLine],
    promotions: &[Promotion],
    offers: &[Promotion],
    tax: &TaxSettings,
) -> Result<PricedCart, PricingError> {
    let units = UnitTable::default();
    let input = PricingInput {
        currency: "GBP",
        lines,
        tax,
        units: &units,
        promotions,
        offers,
    };
    let priced = price_cart(&input)?;
    check_invariants(&priced, tax.prices_include_tax);
    Ok(priced)
}

pub fn price(lines: &[CartLine], promotions: &[Promotion]) -> PricedCart {
    price_with(lines, promotions, &[], &uk_tax(true)).expect("the cart prices")
}

/// The totals and allocation invariants every priced cart must meet.
pub fn check_invariants(priced: &PricedCart, prices_include_tax: bool) {
    let lines: i64 = priced.lines.iter().map(|line| line.extended_minor).sum();
    let discounts: i64 = priced
        .discounts
        .iter()
        .map(|discount| discount.amount_minor)
        .sum();
    let tax: i64 = priced.taxes.iter().map(|row| row.tax_minor).sum();
    let expected_grand = if prices_include_tax {
        lines - discounts
    } else {
        lines - discounts + tax
    };
    assert_eq!(priced.totals.lines_minor, lines, "lines total");
    assert_eq!(priced.totals.discounts_minor, discounts, "discounts total");
    assert_eq!(priced.totals.tax_minor, tax, "tax total");
    assert_eq!(priced.totals.grand_minor, expected_grand, "grand total");
    assert_eq!(
        priced.totals.net_minor + if prices_include_tax { tax } else { 0 },
        lines - discounts,
        "net"
    );
    for discount in &priced.discounts {
        let allocated: i64 = discount
            .allocations
            .iter()
            .map(|part| part.amount_minor)
            .sum();
        assert_eq!(
            allocated, discount.amount_minor,
            "allocations of {}",
            discount.promotion_id
        );
    }
    for line in &priced.lines {
        let discounted: i64 = priced
            .discounts
            .iter()
            .flat_map(|discount| &discount.allocations)
            .filter(|part| part.line_index == line.line_index)
            .map(|part| part.amount_minor)
            .sum();
        assert!(
            discounted <= line.extended_minor,
            "line {} discounted below zero",
            line.line_index
        );
    }
}

/// Discount amount per promotion id.
pub fn discount_of(priced: &PricedCart, id: &str) -> i64 {
    priced
        .discounts
        .iter()
        .filter(|discount| discount.promotion_id == id)
        .map(|discount| discount.amount_minor)
        .sum()
}
