//! Item pairs bought together, ranked by lift, computed from the period's baskets.
//!
//! For SKUs A and B over N baskets, with n(A) baskets containing A and n(AB) containing both,
//! lift = n(AB) · N / (n(A) · n(B)): how much more often the pair occurs than if A and B were
//! bought independently. Pairs are compared as exact fractions; the shown lift is rounded half
//! away from zero to millionths.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::compute::{Basket, div_round, fixed_point};

/// Pairs seen in fewer baskets than this are left out: a pair bought once has a large lift
/// that means nothing.
pub const MIN_PAIR_BASKETS: i64 = 2;

/// Distinct SKUs of one basket that enter the pair count. The count grows with the square of
/// this, so a very large basket contributes only its first SKUs in SKU order.
pub const MAX_SKUS_PER_BASKET: usize = 200;

/// Two SKUs bought together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemPair {
    pub sku_a: String,
    pub name_a: String,
    pub sku_b: String,
    pub name_b: String,
    /// Baskets that contain both SKUs.
    pub baskets: i64,
    pub lift_millionths: i64,
    /// The lift with three decimal places.
    pub lift: String,
}

struct Candidate<'a> {
    a: &'a str,
    b: &'a str,
    both: i64,
    /// Numerator and denominator of the lift.
    lift: (i128, i128),
}

/// Returns up to `limit` pairs by descending lift, then by descending basket count, then by
/// SKU, so equal inputs always give the same list.
pub fn top_pairs(baskets: &[&Basket], limit: usize) -> Vec<ItemPair> {
    let total = i128::try_from(baskets.len()).unwrap_or(i128::MAX);
    let mut names: HashMap<&str, &str> = HashMap::new();
    let mut single: HashMap<&str, i64> = HashMap::new();
    let mut pairs: BTreeMap<(&str, &str), i64> = BTreeMap::new();

    for basket in baskets {
        let mut skus: BTreeSet<&str> = BTreeSet::new();
        for (sku, name) in &basket.lines {
            skus.insert(sku.as_str());
            names.entry(sku.as_str()).or_insert(name.as_str());
        }
        let skus: Vec<&str> = skus.into_iter().take(MAX_SKUS_PER_BASKET).collect();
        for (i, a) in skus.iter().enumerate() {
            *single.entry(a).or_default() += 1;
            for b in &skus[i + 1..] {
                *pairs.entry((a, b)).or_default() += 1;
            }
        }
    }

    let mut candidates: Vec<Candidate> = pairs
        .into_iter()
        .filter(|(_, both)| *both >= MIN_PAIR_BASKETS)
        .map(|((a, b), both)| {
            let n_a = i128::from(single.get(a).copied().unwrap_or(1));
            let n_b = i128::from(single.get(b).copied().unwrap_or(1));
            Candidate {
                a,
                b,
                both,
                lift: (i128::from(both) * total, n_a * n_b),
            }
        })
        .collect();
    candidates.sort_by(rank);
    candidates
        .into_iter()
        .take(limit)
        .map(|c| ItemPair {
            sku_a: c.a.to_owned(),
            name_a: names.get(c.a).copied().unwrap_or_default().to_owned(),
            sku_b: c.b.to_owned(),
            name_b: names.get(c.b).copied().unwrap_or_default().to_owned(),
            baskets: c.both,
            lift_millionths: i64::try_from(div_round(c.lift.0 * 1_000_000, c.lift.1))
                .unwrap_or(i64::MAX),
            lift: fixed_point(c.lift.0, c.lift.1, 3),
        })
        .collect()
}

fn rank(x: &Candidate, y: &Candidate) -> Ordering {
    let by_lift = (y.lift.0 * x.lift.1).cmp(&(x.lift.0 * y.lift.1));
    by_lift
        .then(y.both.cmp(&x.both))
        .then(x.a.cmp(y.a))
        .then(x.b.cmp(y.b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basket(skus: &[&str]) -> Basket {
        Basket {
            shopper_id: None,
            day: jiff::civil::date(2024, 5, 1),
            currency: "GBP".to_owned(),
            grand_minor: 0,
            items: 1,
            lines: skus
                .iter()
                .map(|s| ((*s).to_owned(), format!("item {s}")))
                .collect(),
        }
    }

    #[test]
    fn lift_matches_hand_count() {
        // Four baskets: A in 3, B in 2, C in 3; AB in 2, AC in 2, BC in 1.
        // lift(AB) = 2·4/(3·2) = 1.333…, lift(AC) = 2·4/(3·3) = 0.888…; BC is seen once.
        let owned = [
            basket(&["A", "B"]),
            basket(&["A", "B", "C"]),
            basket(&["A", "C"]),
            basket(&["C"]),
        ];
        let baskets: Vec<&Basket> = owned.iter().collect();
        let pairs = top_pairs(&baskets, 10);
        assert_eq!(pairs.len(), 2);
        assert_eq!(
            (pairs[0].sku_a.as_str(), pairs[0].sku_b.as_str()),
            ("A", "B")
        );
        assert_eq!(pairs[0].lift_millionths, 1_333_333);
        assert_eq!(pairs[0].lift, "1.333");
        assert_eq!(pairs[1].lift_millionths, 888_889);
        assert_eq!(pairs[1].name_b, "item C");
    }

    #[test]
    fn repeated_sku_in_one_basket_counts_once() {
        let owned = [basket(&["A", "A", "B"]), basket(&["B", "A"])];
        let baskets: Vec<&Basket> = owned.iter().collect();
        let pairs = top_pairs(&baskets, 10);
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].baskets, 2);
        assert_eq!(pairs[0].lift_millionths, 1_000_000);
    }

    #[test]
    fn no_baskets_give_no_pairs() {
        assert!(top_pairs(&[], 10).is_empty());
    }
}
