//! Cost of pricing one 20-line cart with promotions (`price_cart`), in process with no
//! database: the first real basket of the UCI extract with at least 20 lines, at demo catalog
//! prices, with a category percent-off, a multi-buy, a buy-one-get-one-free and a basket
//! threshold all in play. Run with `cargo bench -p walkout-connectors --bench pricing`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use walkout_connectors::catalog::{CatalogItem, uci};
use walkout_connectors::pricing::{
    BasketReward, CartLine, FreeUnits, PricingInput, Promotion, PromotionKind, Target, TaxSettings,
    UnitTable, price_cart,
};

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/online-retail-head30000.csv.gz"
);
const CART_LINES: usize = 20;

/// Twenty lines of the first real basket that has at least that many.
fn real_cart() -> Vec<CartLine> {
    let data = uci::load(DATA.as_ref(), &mut |_| {}).expect("the data file loads");
    let catalog = uci::build_catalog(&data);
    let extract = uci::baskets(&data);
    let basket = extract
        .baskets
        .iter()
        .find(|basket| basket.lines.len() >= CART_LINES)
        .expect("a basket of 20 lines");
    basket
        .lines
        .iter()
        .take(CART_LINES)
        .map(|line| CartLine {
            cart_item_id: line.sku.clone(),
            item: find(&catalog.items, &line.sku),
            quantity: line.quantity.to_string(),
            unit: "each".to_owned(),
        })
        .collect()
}

fn find(items: &[CatalogItem], sku: &str) -> Option<CatalogItem> {
    items.iter().find(|item| item.item_sku == sku).cloned()
}

/// Promotions aimed at the cart's own items, so each one has lines to discount.
fn promotions(cart: &[CartLine]) -> Vec<Promotion> {
    let priced: Vec<&CatalogItem> = cart.iter().filter_map(|line| line.item.as_ref()).collect();
    let category = priced
        .first()
        .map(|item| item.product_category.clone())
        .unwrap_or_default();
    let sku = |index: usize| Target::Sku(priced[index % priced.len()].item_sku.clone());
    let promotion = |id: &str, kind: PromotionKind| Promotion {
        id: id.to_owned(),
        name: format!("Promotion {id}"),
        stackable: false,
        kind,
    };
    vec![
        promotion(
            "category-10",
            PromotionKind::PercentOff {
                target: Target::Category(category),
                basis_points: 1_000,
            },
        ),
        promotion(
            "three-for-two",
            PromotionKind::MultiBuy {
                target: sku(1),
                quantity: 3,
                price_minor: 200,
            },
        ),
        promotion(
            "bogof",
            PromotionKind::BuyGet {
                target: sku(2),
                buy: 1,
                get: 1,
                free: FreeUnits::Cheapest,
            },
        ),
        Promotion {
            stackable: true,
            ..promotion(
                "basket-5-off-50",
                PromotionKind::BasketThreshold {
                    threshold_minor: 5_000,
                    reward: BasketReward::AmountOff(500),
                },
            )
        },
    ]
}

/// UK VAT with prices including tax, as the demo store is set up.
fn uk_tax() -> TaxSettings {
    TaxSettings {
        prices_include_tax: true,
        rates_bp: [("standard".to_owned(), 2_000)].into_iter().collect(),
        default_rate_bp: None,
    }
}

fn bench_pricing(c: &mut Criterion) {
    let cart = real_cart();
    let promotions = promotions(&cart);
    let tax = uk_tax();
    let units = UnitTable::default();
    let input = PricingInput {
        currency: uci::DEMO_CURRENCY,
        lines: &cart,
        tax: &tax,
        units: &units,
        promotions: &promotions,
        offers: &[],
    };
    let priced = price_cart(&input).expect("the cart prices");
    assert_eq!(priced.lines.len() + priced.unpriced.len(), CART_LINES);
    assert!(!priced.discounts.is_empty(), "the promotions apply");

    c.bench_function("pricing: 20-line cart with promotions", |b| {
        b.iter(|| price_cart(black_box(&input)).expect("the cart prices"))
    });
}

criterion_group!(benches, bench_pricing);
criterion_main!(benches);
