//! Item-level promotions: percent off, amount off, multi-buy and buy-X-get-Y.
//!
//! Lines that some promotion targets are expanded into units (a weighed line is one unit worth
//! its whole amount). Discounts are exact decimals here; rounding to minor units happens once
//! per promotion afterwards.
//!
//! Rule for competing promotions (best for the shopper, deterministic): promotions that are not
//! stackable share the units, and a unit takes at most one of them. Each round, every such
//! promotion proposes its best next application on unclaimed units: one multi-buy or
//! buy-X-get-Y group (formed from the most expensive eligible units), or, for percent and
//! amount off, the eligible units with the largest discount each. The application with the
//! largest discount per unit wins the round (ties: larger total, then earlier promotion) and
//! claims its units. Rounds repeat until no promotion can discount anything. Then each
//! stackable promotion, in order, applies as often as it can to the amounts that remain,
//! whether or not a unit was claimed. NOTE: this greedy choice is not a full search, so a
//! combination exists where another assignment would save the shopper more.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::promotion::{FreeUnits, Promotion, PromotionKind};
use crate::catalog::CatalogItem;

/// Maximum number of units that item-level promotions may expand a cart into.
pub const MAX_PROMOTION_UNITS: usize = 10_000;

/// A priced line as item-level promotions see it.
pub struct PromotionLine<'a> {
    pub item: &'a CatalogItem,
    /// Whole items, or `None` for a weighed line.
    pub count: Option<i64>,
    pub unit_price_minor: i64,
    pub extended_minor: i64,
}

/// Exact discounts of one promotion: its total and its share per line index.
#[derive(Debug, Clone, Default)]
pub struct ExactDiscount {
    pub total: Decimal,
    pub per_line: BTreeMap<usize, Decimal>,
}

struct Unit {
    line: usize,
    remaining: Decimal,
    weighed: bool,
}

struct Application {
    units: Vec<usize>,
    discounts: Vec<Decimal>,
    total: Decimal,
}

/// Computes the exact item-level discounts of `promotions` (indexes into the returned vector
/// follow `promotions`). Returns `Err(units)` when the cart needs more than
/// [`MAX_PROMOTION_UNITS`] units.
pub fn item_level_discounts(
    lines: &[PromotionLine<'_>],
    promotions: &[&Promotion],
) -> Result<Vec<ExactDiscount>, usize> {
    let mut results = vec![ExactDiscount::default(); promotions.len()];
    let mut units = expand_units(lines, promotions)?;
    let eligible: Vec<Vec<bool>> = promotions
        .iter()
        .map(|promotion| {
            units
                .iter()
                .map(|unit| is_eligible(promotion, lines[unit.line].item, unit.weighed))
                .collect()
        })
        .collect();

    let mut claimed = vec![false; units.len()];
    loop {
        let mut best: Option<(usize, Application)> = None;
        for (index, promotion) in promotions.iter().enumerate() {
            if promotion.stackable || !promotion.is_item_level() {
                continue;
            }
            let Some(candidate) =
                best_application(promotion, lines, &units, &eligible[index], &claimed)
            else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(_, current)| beats(&candidate, current))
            {
                best = Some((index, candidate));
            }
        }
        let Some((index, application)) = best else {
            break;
        };
        apply(&application, &mut units, &mut claimed, &mut results[index]);
    }

    for (index, promotion) in promotions.iter().enumerate() {
        if !promotion.stackable || !promotion.is_item_level() {
            continue;
        }
        let mut used = vec![false; units.len()];
        while let Some(application) =
            best_application(promotion, lines, &units, &eligible[index], &used)
        {
            apply(&application, &mut units, &mut used, &mut results[index]);
        }
    }
    Ok(results)
}

fn expand_units(
    lines: &[PromotionLine<'_>],
    promotions: &[&Promotion],
) -> Result<Vec<Unit>, usize> {
    let mut units = Vec::new();
    for (line_index, line) in lines.iter().enumerate() {
        let weighed = line.count.is_none();
        let targeted = promotions
            .iter()
            .any(|promotion| is_eligible(promotion, line.item, weighed));
        if !targeted {
            continue;
        }
        let (count, price) = match line.count {
            Some(count) => (
                usize::try_from(count).unwrap_or(usize::MAX),
                line.unit_price_minor,
            ),
            None => (1, line.extended_minor),
        };
        if units.len().saturating_add(count) > MAX_PROMOTION_UNITS {
            return Err(units.len().saturating_add(count));
        }
        let remaining = Decimal::from(price);
        units.extend((0..count).map(|_| Unit {
            line: line_index,
            remaining,
            weighed,
        }));
    }
    Ok(units)
}

fn is_eligible(promotion: &Promotion, item: &CatalogItem, weighed: bool) -> bool {
    match &promotion.kind {
        PromotionKind::PercentOff { target, .. } => target.matches(item),
        PromotionKind::AmountOff { target, .. }
        | PromotionKind::MultiBuy { target, .. }
        | PromotionKind::BuyGet { target, .. } => !weighed && target.matches(item),
        PromotionKind::BasketThreshold { .. } => false,
    }
}

/// True when `candidate` gives more per unit than `current` (ties: larger total). Earlier
/// promotions win full ties because the caller only replaces on a strict win.
fn beats(candidate: &Application, current: &Application) -> bool {
    let candidate_units = Decimal::from(candidate.units.len());
    let current_units = Decimal::from(current.units.len());
    let left = candidate.total * current_units;
    let right = current.total * candidate_units;
    left > right || (left == right && candidate.total > current.total)
}

fn apply(
    application: &Application,
    units: &mut [Unit],
    blocked: &mut [bool],
    result: &mut ExactDiscount,
) {
    for (unit_index, discount) in application.units.iter().zip(&application.discounts) {
        let unit = &mut units[*unit_index];
        unit.remaining -= *discount;
        blocked[*unit_index] = true;
        *result.per_line.entry(unit.line).or_default() += *discount;
    }
    result.total += application.total;
}

fn best_application(
    promotion: &Promotion,
    lines: &[PromotionLine<'_>],
    units: &[Unit],
    eligible: &[bool],
    blocked: &[bool],
) -> Option<Application> {
    let open: Vec<usize> = (0..units.len())
        .filter(|at| eligible[*at] && !blocked[*at])
        .collect();
    match &promotion.kind {
        PromotionKind::PercentOff { basis_points, .. } => {
            let rate = Decimal::from(*basis_points) / Decimal::from(10_000);
            per_unit(&open, units, |remaining| remaining * rate)
        }
        PromotionKind::AmountOff { amount_minor, .. } => {
            let amount = Decimal::from(*amount_minor);
            per_unit(&open, units, |remaining| remaining.min(amount))
        }
        PromotionKind::MultiBuy {
            quantity,
            price_minor,
            ..
        } => {
            let group = most_expensive(&open, units, *quantity as usize)?;
            multi_buy(group, units, Decimal::from(*price_minor))
        }
        PromotionKind::BuyGet {
            buy,
            get,
            free: FreeUnits::Cheapest,
            ..
        } => {
            let group = most_expensive(&open, units, buy.saturating_add(*get) as usize)?;
            cheapest_free(group, units, *get as usize)
        }
        PromotionKind::BuyGet {
            buy,
            get,
            free: FreeUnits::SameSku,
            ..
        } => {
            let mut by_sku: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for at in &open {
                by_sku
                    .entry(lines[units[*at].line].item.item_sku.as_str())
                    .or_default()
                    .push(*at);
            }
            by_sku
                .values()
                .filter_map(|sku_units| {
                    most_expensive(sku_units, units, buy.saturating_add(*get) as usize)
                })
                .filter_map(|group| cheapest_free(group, units, *get as usize))
                .reduce(|best, candidate| {
                    if candidate.total > best.total {
                        candidate
                    } else {
                        best
                    }
                })
        }
        PromotionKind::BasketThreshold { .. } => None,
    }
}

/// Percent and amount off: every open unit whose discount equals the largest one.
fn per_unit(
    open: &[usize],
    units: &[Unit],
    discount: impl Fn(Decimal) -> Decimal,
) -> Option<Application> {
    let best = open.iter().map(|at| discount(units[*at].remaining)).max()?;
    if best <= Decimal::ZERO {
        return None;
    }
    let chosen: Vec<usize> = open
        .iter()
        .copied()
        .filter(|at| discount(units[*at].remaining) == best)
        .collect();
    let total = best * Decimal::from(chosen.len());
    let discounts = vec![best; chosen.len()];
    Some(Application {
        units: chosen,
        discounts,
        total,
    })
}

/// Picks the `size` most expensive open units (ties: earlier unit), or `None` when too few.
fn most_expensive(open: &[usize], units: &[Unit], size: usize) -> Option<Vec<usize>> {
    if open.len() < size {
        return None;
    }
    let mut sorted = open.to_vec();
    sorted.sort_by(|a, b| units[*b].remaining.cmp(&units[*a].remaining).then(a.cmp(b)));
    sorted.truncate(size);
    Some(sorted)
}

/// "N for X": the group's discount is its amount minus X, shared in proportion to each unit's
/// amount.
fn multi_buy(group: Vec<usize>, units: &[Unit], price: Decimal) -> Option<Application> {
    let sum: Decimal = group.iter().map(|at| units[*at].remaining).sum();
    let total = sum - price;
    if total <= Decimal::ZERO {
        return None;
    }
    let discounts = group
        .iter()
        .map(|at| units[*at].remaining / sum * total)
        .collect();
    Some(Application {
        units: group,
        discounts,
        total,
    })
}

/// Makes the last `free` units of a group (sorted most expensive first) free.
fn cheapest_free(group: Vec<usize>, units: &[Unit], free: usize) -> Option<Application> {
    let paid = group.len().saturating_sub(free);
    let discounts: Vec<Decimal> = group
        .iter()
        .enumerate()
        .map(|(position, at)| {
            if position >= paid {
                units[*at].remaining
            } else {
                Decimal::ZERO
            }
        })
        .collect();
    let total: Decimal = discounts.iter().sum();
    if total <= Decimal::ZERO {
        return None;
    }
    Some(Application {
        units: group,
        discounts,
        total,
    })
}
