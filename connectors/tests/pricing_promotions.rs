//! Promotion kinds, competing promotions and offers.

mod pricing_support;

use pricing_support::{discount_of, each, item, price, price_with, uk_tax};
use walkout_connectors::pricing::{
    BasketReward, DiscountSource, FreeUnits, PricingError, Promotion, PromotionKind, Target,
};

fn promotion(id: &str, kind: PromotionKind) -> Promotion {
    Promotion {
        id: id.to_owned(),
        name: format!("Promotion {id}"),
        stackable: false,
        kind,
    }
}

fn stackable(id: &str, kind: PromotionKind) -> Promotion {
    Promotion {
        stackable: true,
        ..promotion(id, kind)
    }
}

fn percent(target: Target, basis_points: u32) -> PromotionKind {
    PromotionKind::PercentOff {
        target,
        basis_points,
    }
}

fn sku(text: &str) -> Target {
    Target::Sku(text.to_owned())
}

fn category(text: &str) -> Target {
    Target::Category(text.to_owned())
}

#[test]
fn single_promotion_kinds() {
    let mug = item("MUG", 85, "kitchen");
    let bowl = item("BOWL", 100, "kitchen");
    let cases: Vec<(&str, Vec<_>, PromotionKind, i64)> = vec![
        // 10% of 3 × 0.85 = 25.5p, rounded half up once for the promotion.
        (
            "percent off SKU",
            vec![each(&mug, 3)],
            percent(sku("MUG"), 1000),
            26,
        ),
        (
            "percent off category",
            vec![each(&mug, 2), each(&bowl, 1)],
            percent(category("KITCHEN"), 1000),
            27,
        ),
        (
            "amount off each unit",
            vec![each(&bowl, 3)],
            PromotionKind::AmountOff {
                target: sku("BOWL"),
                amount_minor: 20,
            },
            60,
        ),
        (
            "amount off capped at price",
            vec![each(&bowl, 2)],
            PromotionKind::AmountOff {
                target: sku("BOWL"),
                amount_minor: 150,
            },
            200,
        ),
        (
            "three for two pounds, seven units",
            vec![each(&bowl, 7)],
            PromotionKind::MultiBuy {
                target: sku("BOWL"),
                quantity: 3,
                price_minor: 200,
            },
            200,
        ),
        (
            "multi-buy above its price gives nothing",
            vec![each(&mug, 3)],
            PromotionKind::MultiBuy {
                target: sku("MUG"),
                quantity: 3,
                price_minor: 300,
            },
            0,
        ),
        (
            "buy one get one of the same SKU",
            vec![each(&bowl, 3)],
            PromotionKind::BuyGet {
                target: sku("BOWL"),
                buy: 1,
                get: 1,
                free: FreeUnits::SameSku,
            },
            100,
        ),
        (
            "buy two get cheapest free across SKUs",
            vec![each(&mug, 1), each(&bowl, 2)],
            PromotionKind::BuyGet {
                target: category("kitchen"),
                buy: 2,
                get: 1,
                free: FreeUnits::Cheapest,
            },
            85,
        ),
    ];
    for (name, lines, kind, expected) in cases {
        let priced = price(&lines, &[promotion("P", kind)]);
        assert_eq!(discount_of(&priced, "P"), expected, "case {name}");
    }
}

#[test]
fn cheapest_free_groups_most_expensive_first() {
    // Units 3, 3, 2, 2, 1, 1 form groups (3, 3, 2) and (2, 1, 1): 2 + 1 free.
    let lines = [
        each(&item("A", 300, "toys"), 2),
        each(&item("B", 200, "toys"), 2),
        each(&item("C", 100, "toys"), 2),
    ];
    let kind = PromotionKind::BuyGet {
        target: category("toys"),
        buy: 2,
        get: 1,
        free: FreeUnits::Cheapest,
    };
    assert_eq!(
        discount_of(&price(&lines, &[promotion("B2G1", kind)]), "B2G1"),
        300
    );
}

#[test]
fn same_sku_free_units_stay_within_sku() {
    // A: one group of 2 (200 free); B: one group of 2 (100 free); the odd A unit pays.
    let lines = [
        each(&item("A", 200, "toys"), 3),
        each(&item("B", 100, "toys"), 2),
    ];
    let kind = PromotionKind::BuyGet {
        target: category("toys"),
        buy: 1,
        get: 1,
        free: FreeUnits::SameSku,
    };
    assert_eq!(
        discount_of(&price(&lines, &[promotion("BOGOF", kind)]), "BOGOF"),
        300
    );
}

#[test]
fn category_multi_buy_splits_by_largest_remainder() {
    // Any 3 for 5.00: 2.50 + 2.00 + 1.50 = 6.00, so 1.00 off, split 41.67 / 33.33 / 25.
    let lines = [
        each(&item("A", 250, "toys"), 1),
        each(&item("B", 200, "toys"), 1),
        each(&item("C", 100, "toys"), 1),
        each(&item("D", 150, "toys"), 1),
    ];
    let kind = PromotionKind::MultiBuy {
        target: category("toys"),
        quantity: 3,
        price_minor: 500,
    };
    let priced = price(&lines, &[promotion("ANY3", kind)]);
    let parts: Vec<(usize, i64)> = priced.discounts[0]
        .allocations
        .iter()
        .map(|part| (part.line_index, part.amount_minor))
        .collect();
    assert_eq!(parts, vec![(0, 42), (1, 33), (3, 25)]);
}

#[test]
fn competing_promotions_take_best_per_unit() {
    let a = item("A", 1000, "kitchen");
    let b = item("B", 1000, "kitchen");
    let c = item("C", 1000, "kitchen");
    let cases: Vec<(&str, Vec<_>, Vec<Promotion>, i64)> = vec![
        (
            "SKU half price beats category 20% on that SKU only",
            vec![each(&a, 1), each(&b, 1), each(&c, 1)],
            vec![
                promotion("CAT20", percent(category("kitchen"), 2000)),
                promotion("A50", percent(sku("A"), 5000)),
            ],
            900,
        ),
        (
            "half price beats three for two",
            vec![each(&a, 3)],
            vec![
                promotion(
                    "3FOR2",
                    PromotionKind::MultiBuy {
                        target: sku("A"),
                        quantity: 3,
                        price_minor: 2000,
                    },
                ),
                promotion("A50", percent(sku("A"), 5000)),
            ],
            1500,
        ),
        (
            "multi-buy group then percent on the odd unit",
            vec![each(&a, 4)],
            vec![
                promotion("A10", percent(sku("A"), 1000)),
                promotion(
                    "3FOR10",
                    PromotionKind::MultiBuy {
                        target: sku("A"),
                        quantity: 3,
                        price_minor: 1000,
                    },
                ),
            ],
            2100,
        ),
        (
            "stackable applies on top",
            vec![each(&a, 1)],
            vec![
                stackable("EXTRA10", percent(sku("A"), 1000)),
                promotion("A50", percent(sku("A"), 5000)),
            ],
            550,
        ),
    ];
    for (name, lines, promotions, expected) in cases {
        let priced = price(&lines, &promotions);
        assert_eq!(priced.totals.discounts_minor, expected, "case {name}");
    }
}

#[test]
fn unit_gets_one_non_stackable_discount() {
    let a = item("A", 1000, "kitchen");
    let promotions = [
        promotion("A50", percent(sku("A"), 5000)),
        promotion("CAT20", percent(category("kitchen"), 2000)),
    ];
    let priced = price(&[each(&a, 2)], &promotions);
    assert_eq!(discount_of(&priced, "A50"), 1000);
    assert_eq!(discount_of(&priced, "CAT20"), 0);
    assert_eq!(priced.discounts.len(), 1);
}

#[test]
fn basket_threshold_cases() {
    let a = item("A", 1000, "kitchen");
    let amount = |threshold| PromotionKind::BasketThreshold {
        threshold_minor: threshold,
        reward: BasketReward::AmountOff(500),
    };
    let cases = [
        ("below threshold", 1, amount(2001), 0),
        ("at threshold", 2, amount(2000), 500),
        (
            "percent rounds half up",
            1,
            PromotionKind::BasketThreshold {
                threshold_minor: 0,
                reward: BasketReward::PercentOff(1250),
            },
            125,
        ),
        (
            "amount capped at subtotal",
            1,
            PromotionKind::BasketThreshold {
                threshold_minor: 0,
                reward: BasketReward::AmountOff(5000),
            },
            1000,
        ),
    ];
    for (name, count, kind, expected) in cases {
        let priced = price(&[each(&a, count)], &[promotion("BASKET", kind)]);
        assert_eq!(discount_of(&priced, "BASKET"), expected, "case {name}");
    }
}

#[test]
fn threshold_counts_after_item_discounts() {
    // 2 × 10.00 with 10% off is 18.00, under a 20.00 threshold.
    let a = item("A", 1000, "kitchen");
    let promotions = [
        promotion("A10", percent(sku("A"), 1000)),
        promotion(
            "SPEND20",
            PromotionKind::BasketThreshold {
                threshold_minor: 2000,
                reward: BasketReward::AmountOff(300),
            },
        ),
    ];
    assert_eq!(
        discount_of(&price(&[each(&a, 2)], &promotions), "SPEND20"),
        0
    );
}

#[test]
fn best_threshold_wins_unless_stackable() {
    let a = item("A", 1000, "kitchen");
    let off = |points| PromotionKind::BasketThreshold {
        threshold_minor: 0,
        reward: BasketReward::PercentOff(points),
    };
    let priced = price(
        &[each(&a, 1)],
        &[
            promotion("T5", off(500)),
            promotion("T10", off(1000)),
            stackable("S2", off(200)),
        ],
    );
    assert_eq!(discount_of(&priced, "T5"), 0);
    assert_eq!(discount_of(&priced, "T10"), 100);
    assert_eq!(discount_of(&priced, "S2"), 20);
}

#[test]
fn offers_are_marked_as_offers() {
    let a = item("A", 1000, "kitchen");
    let offer = promotion("OFFER1", percent(sku("A"), 1500));
    let priced = price_with(&[each(&a, 1)], &[], &[offer], &uk_tax(true)).expect("prices");
    assert_eq!(priced.discounts[0].source, DiscountSource::Offer);
    assert_eq!(priced.discounts[0].amount_minor, 150);
}

#[test]
fn invalid_promotion_is_rejected() {
    let a = item("A", 1000, "kitchen");
    let bad = promotion("BAD", percent(sku("A"), 10_001));
    let error = price_with(&[each(&a, 1)], &[bad], &[], &uk_tax(true)).expect_err("over 100%");
    assert!(matches!(error, PricingError::InvalidPromotion(_)));
    assert_eq!(
        error.to_string(),
        "promotion \"BAD\" is invalid: percent off is above 100%"
    );
}
