//! Association rules between pairs of SKUs, mined from baskets: X → Y with support, confidence
//! and lift.
//!
//! For `n` baskets, where `n_x` contain X, `n_y` contain Y and `n_xy` contain both:
//! support = n_xy / n, confidence = n_xy / n_x, lift = n_xy · n / (n_x · n_y). Each measure is
//! stored as an integer number of millionths, rounded half up, so both database engines and
//! every test compare them exactly. No floating point is used.
//!
//! Pure logic: no SQL and no clock, so the job and the tests count the same way.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One in a million: the unit of the stored measures.
pub const MILLION: i64 = 1_000_000;

/// Thresholds of the mining run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MiningThresholds {
    /// Minimum number of baskets that contain both SKUs of a rule.
    pub min_pair_count: u32,
    /// Lowest support, in millionths.
    pub min_support: i64,
    /// Lowest confidence, in millionths.
    pub min_confidence: i64,
    /// Lowest lift, in millionths; above 1,000,000 means X makes Y more likely.
    pub min_lift: i64,
    /// Baskets with more distinct SKUs than this are left out of the counts, because their
    /// pairs grow with the square of their size and tell little about what sells together.
    pub max_basket_items: usize,
}

impl Default for MiningThresholds {
    fn default() -> Self {
        MiningThresholds {
            min_pair_count: 5,
            min_support: 2_000,
            min_confidence: 300_000,
            min_lift: 2_000_000,
            max_basket_items: 200,
        }
    }
}

/// One mined rule X → Y.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationRule {
    pub antecedent: String,
    pub consequent: String,
    /// Baskets that hold both SKUs.
    pub pair_count: u64,
    pub support: i64,
    pub confidence: i64,
    pub lift: i64,
}

/// Computes `numerator / denominator` in millionths, rounded half up; 0 when the denominator is 0.
pub fn millionths(numerator: u128, denominator: u128) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let scaled = numerator * 1_000_000;
    let rounded = (scaled * 2 + denominator) / (denominator * 2);
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// Mines the rules of `baskets` (each a set of SKUs) that pass every threshold, ordered by
/// antecedent and then consequent. Returns the rules and the number of baskets counted.
pub fn mine_rules(
    baskets: &[BTreeSet<String>],
    thresholds: &MiningThresholds,
) -> (Vec<AssociationRule>, u64) {
    let counted: Vec<&BTreeSet<String>> = baskets
        .iter()
        .filter(|basket| !basket.is_empty() && basket.len() <= thresholds.max_basket_items)
        .collect();
    let n = counted.len() as u64;

    // SKUs get dense numbers so pair counts key on two integers instead of two strings.
    let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
    for basket in &counted {
        for sku in basket.iter() {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            ids.entry(sku.as_str()).or_insert(next);
        }
    }
    let names: Vec<&str> = {
        let mut names = vec![""; ids.len()];
        for (name, id) in &ids {
            names[*id as usize] = name;
        }
        names
    };

    let mut item_counts = vec![0u64; ids.len()];
    let mut pair_counts: HashMap<(u32, u32), u64> = HashMap::new();
    for basket in &counted {
        let members: Vec<u32> = basket.iter().map(|sku| ids[sku.as_str()]).collect();
        for (position, first) in members.iter().enumerate() {
            item_counts[*first as usize] += 1;
            for second in &members[position + 1..] {
                let key = (*first.min(second), *first.max(second));
                *pair_counts.entry(key).or_default() += 1;
            }
        }
    }

    let mut rules = Vec::new();
    for ((a, b), both) in pair_counts {
        if both < u64::from(thresholds.min_pair_count) {
            continue;
        }
        for (x, y) in [(a, b), (b, a)] {
            let rule = measure(
                names[x as usize],
                names[y as usize],
                both,
                item_counts[x as usize],
                item_counts[y as usize],
                n,
            );
            if rule.support >= thresholds.min_support
                && rule.confidence >= thresholds.min_confidence
                && rule.lift >= thresholds.min_lift
            {
                rules.push(rule);
            }
        }
    }
    rules.sort_by(|left, right| {
        (&left.antecedent, &left.consequent).cmp(&(&right.antecedent, &right.consequent))
    });
    (rules, n)
}

fn measure(x: &str, y: &str, both: u64, count_x: u64, count_y: u64, n: u64) -> AssociationRule {
    let both_wide = u128::from(both);
    AssociationRule {
        antecedent: x.to_owned(),
        consequent: y.to_owned(),
        pair_count: both,
        support: millionths(both_wide, u128::from(n)),
        confidence: millionths(both_wide, u128::from(count_x)),
        lift: millionths(
            both_wide * u128::from(n),
            u128::from(count_x) * u128::from(count_y),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basket(skus: &[&str]) -> BTreeSet<String> {
        skus.iter().map(|sku| (*sku).to_owned()).collect()
    }

    fn loose() -> MiningThresholds {
        MiningThresholds {
            min_pair_count: 1,
            min_support: 0,
            min_confidence: 0,
            min_lift: 0,
            max_basket_items: 10,
        }
    }

    #[test]
    fn millionths_round_half_up() {
        let cases = [
            (1, 3, 333_333),
            (2, 3, 666_667),
            (1, 2_000_000, 1),
            (1, 0, 0),
        ];
        for (numerator, denominator, expected) in cases {
            assert_eq!(
                millionths(numerator, denominator),
                expected,
                "{numerator}/{denominator}"
            );
        }
    }

    #[test]
    fn measures_of_a_small_set() {
        let baskets = [
            basket(&["A", "B"]),
            basket(&["A", "B", "C"]),
            basket(&["A"]),
            basket(&["C"]),
        ];
        let (rules, n) = mine_rules(&baskets, &loose());
        assert_eq!(n, 4);
        let a_to_b = rules
            .iter()
            .find(|rule| rule.antecedent == "A" && rule.consequent == "B")
            .expect("A -> B");
        assert_eq!(a_to_b.support, 500_000);
        assert_eq!(a_to_b.confidence, 666_667);
        assert_eq!(a_to_b.lift, 1_333_333);
    }

    #[test]
    fn oversized_baskets_are_not_counted() {
        let mut thresholds = loose();
        thresholds.max_basket_items = 2;
        let baskets = [basket(&["A", "B"]), basket(&["A", "B", "C"])];
        let (rules, n) = mine_rules(&baskets, &thresholds);
        assert_eq!(n, 1);
        assert_eq!(rules.len(), 2);
    }

    #[test]
    fn thresholds_drop_weak_rules() {
        let baskets = [basket(&["A", "B"]), basket(&["A"]), basket(&["B"])];
        let mut thresholds = loose();
        thresholds.min_lift = 1_000_001;
        let (rules, _) = mine_rules(&baskets, &thresholds);
        assert!(rules.is_empty(), "{rules:?}");
    }
}
