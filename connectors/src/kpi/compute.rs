//! The KPI arithmetic: pure functions from baskets, visits and offer counts to the report's
//! numbers. No SQL and no I/O, so every figure is tested against values worked out by hand.
//!
//! Rounding rule: every average and rate is an exact fraction, rounded half away from zero at
//! the last place shown. Money averages to whole minor units, item and visit averages to two
//! decimal places, rates to whole basis points, lift to millionths. No floating point is used.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::pairs::{ItemPair, top_pairs};

/// One priced basket (a purchase with at least one sale line) as the KPIs see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basket {
    /// The shopper's pseudonymous id; `None` for purchases without a matched shopper.
    pub shopper_id: Option<String>,
    /// The store's local date of the purchase.
    pub day: Date,
    pub currency: String,
    /// The amount charged, tax included, after discounts.
    pub grand_minor: i64,
    /// Units of count items plus one per weighed line.
    pub items: i64,
    /// (SKU, item name) of each sale line.
    pub lines: Vec<(String, String)>,
}

/// Offer counts over the period; every count is 0 when the store has no offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OfferCounts {
    /// Offers of the store (or of every store) live at some point in the period.
    pub offers_live: i64,
    /// Shopper targets of targeted offers created in the period.
    pub targets: i64,
    /// Activations of any offer in the period.
    pub activations: i64,
    /// Activations by a shopper who was a target of that offer.
    pub targeted_activations: i64,
    pub redemptions: i64,
}

/// Baskets and their value on one local date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayFigures {
    /// `YYYY-MM-DD` in the store's time zone.
    pub date: String,
    pub baskets: i64,
    /// Sum of basket values per currency, minor units.
    pub value_minor: BTreeMap<String, i64>,
}

/// Average basket value in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AverageBasket {
    pub currency: String,
    pub baskets: i64,
    pub total_minor: i64,
    /// `total_minor / baskets` rounded half away from zero to a whole minor unit.
    pub average_minor: i64,
}

/// How often shoppers came in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitFigures {
    /// Trips of shoppers (test and associate trips excluded).
    pub visits: i64,
    /// Distinct shoppers with at least one trip.
    pub shoppers: i64,
    /// `visits / shoppers` with two decimal places; "0.00" without shoppers.
    pub mean_per_shopper: String,
    /// Shoppers by number of visits: buckets "1", "2", "3", "4" and "5+".
    pub distribution: Vec<(String, i64)>,
}

/// Offer activation and redemption with their rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfferFigures {
    #[serde(flatten)]
    pub counts: OfferCounts,
    /// `targeted_activations / targets` in basis points; `None` without targets.
    pub activation_rate_bp: Option<i64>,
    /// `redemptions / activations` in basis points; `None` without activations.
    pub redemption_rate_bp: Option<i64>,
}

/// Every KPI of a store over a period, before rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiFigures {
    pub baskets: i64,
    pub baskets_per_day: Vec<DayFigures>,
    pub average_basket: Vec<AverageBasket>,
    pub items_total: i64,
    /// `items_total / baskets` with two decimal places; "0.00" without baskets.
    pub average_basket_items: String,
    pub visits: VisitFigures,
    pub offers: OfferFigures,
    pub top_pairs: Vec<ItemPair>,
}

/// Computes the figures. `days` lists every local date of the period in order, so days
/// without baskets appear with zeros; baskets outside it are ignored.
pub fn compute(
    days: &[Date],
    baskets: &[Basket],
    visits_by_shopper: &BTreeMap<String, i64>,
    offers: OfferCounts,
    pairs_shown: usize,
) -> KpiFigures {
    let in_period: Vec<&Basket> = baskets
        .iter()
        .filter(|b| days.binary_search(&b.day).is_ok())
        .collect();
    let count = len_i64(in_period.len());
    let items_total: i64 = in_period.iter().map(|b| b.items).sum();

    KpiFigures {
        baskets: count,
        baskets_per_day: per_day(days, &in_period),
        average_basket: averages(&in_period),
        items_total,
        average_basket_items: fixed_point(i128::from(items_total), i128::from(count), 2),
        visits: visit_figures(visits_by_shopper),
        offers: offer_figures(offers),
        top_pairs: top_pairs(&in_period, pairs_shown),
    }
}

fn per_day(days: &[Date], baskets: &[&Basket]) -> Vec<DayFigures> {
    let mut figures: Vec<DayFigures> = days
        .iter()
        .map(|day| DayFigures {
            date: day.to_string(),
            baskets: 0,
            value_minor: BTreeMap::new(),
        })
        .collect();
    for basket in baskets {
        if let Ok(index) = days.binary_search(&basket.day) {
            let day = &mut figures[index];
            day.baskets += 1;
            *day.value_minor.entry(basket.currency.clone()).or_default() += basket.grand_minor;
        }
    }
    figures
}

fn averages(baskets: &[&Basket]) -> Vec<AverageBasket> {
    let mut by_currency: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for basket in baskets {
        let entry = by_currency.entry(basket.currency.as_str()).or_default();
        entry.0 += 1;
        entry.1 += basket.grand_minor;
    }
    by_currency
        .into_iter()
        .map(|(currency, (count, total))| AverageBasket {
            currency: currency.to_owned(),
            baskets: count,
            total_minor: total,
            average_minor: i64::try_from(div_round(i128::from(total), i128::from(count)))
                .unwrap_or(i64::MAX),
        })
        .collect()
}

fn visit_figures(visits_by_shopper: &BTreeMap<String, i64>) -> VisitFigures {
    let visits: i64 = visits_by_shopper.values().sum();
    let shoppers = len_i64(visits_by_shopper.len());
    let mut buckets = [0_i64; 5];
    for &count in visits_by_shopper.values() {
        let index = usize::try_from(count.clamp(1, 5) - 1).unwrap_or(0);
        buckets[index] += 1;
    }
    let labels = ["1", "2", "3", "4", "5+"];
    VisitFigures {
        visits,
        shoppers,
        mean_per_shopper: fixed_point(i128::from(visits), i128::from(shoppers), 2),
        distribution: labels
            .iter()
            .zip(buckets)
            .map(|(label, n)| ((*label).to_owned(), n))
            .collect(),
    }
}

fn offer_figures(counts: OfferCounts) -> OfferFigures {
    let rate = |part: i64, whole: i64| {
        (whole > 0).then(|| {
            let bp = div_round(i128::from(part) * 10_000, i128::from(whole));
            i64::try_from(bp).unwrap_or(i64::MAX)
        })
    };
    OfferFigures {
        counts,
        activation_rate_bp: rate(counts.targeted_activations, counts.targets),
        redemption_rate_bp: rate(counts.redemptions, counts.activations),
    }
}

/// `numerator / denominator` rounded half away from zero; 0 when the denominator is 0.
pub fn div_round(numerator: i128, denominator: i128) -> i128 {
    if denominator == 0 {
        return 0;
    }
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if 2 * remainder.abs() >= denominator.abs() {
        let away = if (numerator < 0) == (denominator < 0) {
            1
        } else {
            -1
        };
        quotient + away
    } else {
        quotient
    }
}

/// Formats `numerator / denominator` with `places` decimals, rounded half away from zero.
pub fn fixed_point(numerator: i128, denominator: i128, places: u32) -> String {
    let scale = 10_i128.pow(places);
    let scaled = div_round(numerator * scale, denominator);
    let sign = if scaled < 0 { "-" } else { "" };
    let whole = scaled.abs() / scale;
    let fraction = scaled.abs() % scale;
    if places == 0 {
        return format!("{sign}{whole}");
    }
    format!("{sign}{whole}.{fraction:0width$}", width = places as usize)
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div_round_rounds_half_away_from_zero() {
        let cases = [
            (7, 2, 4),
            (5, 2, 3),
            (4, 3, 1),
            (5, 3, 2),
            (-5, 2, -3),
            (-4, 3, -1),
            (9, 0, 0),
        ];
        for (n, d, expected) in cases {
            assert_eq!(div_round(n, d), expected, "{n} / {d}");
        }
    }

    #[test]
    fn fixed_point_pads_and_rounds() {
        let cases = [
            (13, 4, 2, "3.25"),
            (1, 3, 2, "0.33"),
            (2, 3, 2, "0.67"),
            (8, 3, 3, "2.667"),
            (0, 0, 2, "0.00"),
            (10, 2, 0, "5"),
        ];
        for (n, d, places, expected) in cases {
            assert_eq!(fixed_point(n, d, places), expected, "{n} / {d}");
        }
    }

    #[test]
    fn visit_distribution_buckets_five_and_more() {
        let visits: BTreeMap<String, i64> = [("a", 1), ("b", 1), ("c", 2), ("d", 7)]
            .map(|(s, n)| (s.to_owned(), n))
            .into();
        let figures = visit_figures(&visits);
        assert_eq!(figures.visits, 11);
        assert_eq!(figures.mean_per_shopper, "2.75");
        let counts: Vec<i64> = figures.distribution.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts, vec![2, 1, 0, 0, 1]);
    }

    #[test]
    fn offer_rates_are_none_without_a_base() {
        let figures = offer_figures(OfferCounts::default());
        assert_eq!(figures.activation_rate_bp, None);
        assert_eq!(figures.redemption_rate_bp, None);
        let figures = offer_figures(OfferCounts {
            offers_live: 1,
            targets: 3,
            activations: 4,
            targeted_activations: 2,
            redemptions: 2,
        });
        assert_eq!(figures.activation_rate_bp, Some(6_667));
        assert_eq!(figures.redemption_rate_bp, Some(5_000));
    }
}
