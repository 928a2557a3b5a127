//! The cart pricing steps, in their fixed order.

use rust_decimal::Decimal;

use super::allocate::allocate;
use super::cart::{
    Allocation, DiscountLine, DiscountSource, PricedCart, PricingError, PricingInput, SaleLine,
    Totals, UnpricedLine,
};
use super::item_level::{MAX_PROMOTION_UNITS, PromotionLine, item_level_discounts};
use super::promotion::{BasketReward, Promotion, PromotionKind};
use super::quantity::{
    Quantity, check_unit, extended_amount, parse_positive_decimal, parse_quantity, round_half_up,
};
use super::tax::tax_rows;
use crate::catalog::CatalogItem;

/// Prices a cart. Steps, in this order:
/// 1. sale lines: price × quantity (weights rounded half up); unknown SKUs become unpriced
///    lines, not charged;
/// 2. item-level promotions and offers, where competing ones share units as described in
///    [`super::item_level`]. Each promotion's exact total is rounded half up once and then split
///    across its lines by largest remainder;
/// 3. basket thresholds on the subtotal after step 2: the best one that is not stackable,
///    plus every stackable one, never more than the subtotal; split across lines in proportion
///    to their discounted amounts;
/// 4. tax per rate group on the discounted amounts (see [`super::tax`]);
/// 5. totals: grand = lines − discounts, plus tax when prices exclude it.
pub fn price_cart(input: &PricingInput<'_>) -> Result<PricedCart, PricingError> {
    let promotions: Vec<(&Promotion, DiscountSource)> = input
        .promotions
        .iter()
        .map(|promotion| (promotion, DiscountSource::Promotion))
        .chain(
            input
                .offers
                .iter()
                .map(|offer| (offer, DiscountSource::Offer)),
        )
        .collect();
    for (promotion, _) in &promotions {
        promotion.validate()?;
    }

    let (lines, unpriced, counts) = price_lines(input)?;
    // Every later sum is at most this one, so checking it once rules out overflow.
    checked_sum(lines.iter().map(|line| line.extended_minor))?;
    let mut line_discounts = vec![0i64; lines.len()];
    let mut discounts = item_discounts(input, &lines, &counts, &promotions, &mut line_discounts)?;
    discounts.extend(basket_discounts(&lines, &promotions, &mut line_discounts));

    let taxable: Vec<(u32, i64)> = lines
        .iter()
        .zip(&line_discounts)
        .map(|(line, discount)| (line.tax_rate_bp, line.extended_minor - discount))
        .collect();
    let taxes = tax_rows(&taxable, input.tax.prices_include_tax);
    let totals = totals(&lines, &discounts, &taxes, input.tax.prices_include_tax)?;

    Ok(PricedCart {
        currency: input.currency.to_owned(),
        lines,
        discounts,
        unpriced,
        taxes,
        totals,
    })
}

type PricedLines = (Vec<SaleLine>, Vec<UnpricedLine>, Vec<Option<i64>>);

fn price_lines(input: &PricingInput<'_>) -> Result<PricedLines, PricingError> {
    let mut lines = Vec::new();
    let mut unpriced = Vec::new();
    let mut counts = Vec::new();
    for (line_index, cart_line) in input.lines.iter().enumerate() {
        let quantity_error = |source| PricingError::Quantity { line_index, source };
        let Some(item) = &cart_line.item else {
            check_unit(&cart_line.unit, input.units).map_err(quantity_error)?;
            if parse_positive_decimal(&cart_line.quantity).is_none() {
                let value = cart_line.quantity.clone();
                return Err(quantity_error(
                    super::quantity::QuantityError::NotPositiveDecimal { value },
                ));
            }
            unpriced.push(UnpricedLine {
                line_index,
                cart_item_id: cart_line.cart_item_id.clone(),
                quantity: cart_line.quantity.clone(),
                unit: cart_line.unit.clone(),
            });
            continue;
        };
        check_item(item, input)?;
        let quantity = parse_quantity(&cart_line.quantity, &cart_line.unit, input.units, item.unit)
            .map_err(quantity_error)?;
        let tax_rate_bp =
            input
                .tax
                .rate_for(&item.product_tax_code)
                .ok_or_else(|| PricingError::NoTaxRate {
                    sku: item.item_sku.clone(),
                    tax_code: item.product_tax_code.clone(),
                })?;
        let extended_minor =
            extended_amount(item.price_minor, quantity).ok_or(PricingError::Overflow)?;
        counts.push(match quantity {
            Quantity::Count(count) => Some(count),
            Quantity::Weight(_) => None,
        });
        lines.push(SaleLine {
            line_index,
            item_sku: item.item_sku.clone(),
            item_name: item.item_name.clone(),
            quantity: quantity.as_decimal(),
            unit: item.unit,
            unit_price_minor: item.price_minor,
            extended_minor,
            tax_rate_bp,
        });
    }
    Ok((lines, unpriced, counts))
}

fn check_item(item: &CatalogItem, input: &PricingInput<'_>) -> Result<(), PricingError> {
    if item.currency != input.currency {
        return Err(PricingError::CurrencyMismatch {
            sku: item.item_sku.clone(),
            currency: item.currency.clone(),
            expected: input.currency.to_owned(),
        });
    }
    if item.price_minor < 0 {
        return Err(PricingError::NegativePrice {
            sku: item.item_sku.clone(),
        });
    }
    Ok(())
}

fn item_discounts(
    input: &PricingInput<'_>,
    lines: &[SaleLine],
    counts: &[Option<i64>],
    promotions: &[(&Promotion, DiscountSource)],
    line_discounts: &mut [i64],
) -> Result<Vec<DiscountLine>, PricingError> {
    let items: Vec<&CatalogItem> = input
        .lines
        .iter()
        .filter_map(|line| line.item.as_ref())
        .collect();
    let promotion_lines: Vec<PromotionLine<'_>> = lines
        .iter()
        .zip(items)
        .zip(counts)
        .map(|((line, item), count)| PromotionLine {
            item,
            count: *count,
            unit_price_minor: line.unit_price_minor,
            extended_minor: line.extended_minor,
        })
        .collect();
    let references: Vec<&Promotion> = promotions.iter().map(|(promotion, _)| *promotion).collect();
    let exact = item_level_discounts(&promotion_lines, &references).map_err(|units| {
        PricingError::TooManyUnits {
            units,
            max: MAX_PROMOTION_UNITS,
        }
    })?;

    let mut discounts = Vec::new();
    for ((promotion, source), exact) in promotions.iter().zip(exact) {
        let total = round_half_up(exact.total).ok_or(PricingError::Overflow)?;
        let shares: Vec<(usize, Decimal)> = exact.per_line.into_iter().collect();
        let parts = allocate(total, &shares);
        if let Some(discount) = discount_line(promotion, *source, &parts, lines, line_discounts) {
            discounts.push(discount);
        }
    }
    Ok(discounts)
}

/// Builds a discount line from per-line parts (indexes into `lines`), never taking a line
/// below zero; returns `None` when nothing is taken off.
fn discount_line(
    promotion: &Promotion,
    source: DiscountSource,
    parts: &[(usize, i64)],
    lines: &[SaleLine],
    line_discounts: &mut [i64],
) -> Option<DiscountLine> {
    let mut allocations = Vec::new();
    for (position, part) in parts {
        let room = lines[*position].extended_minor - line_discounts[*position];
        let amount = (*part).min(room);
        if amount > 0 {
            line_discounts[*position] += amount;
            allocations.push(Allocation {
                line_index: lines[*position].line_index,
                amount_minor: amount,
            });
        }
    }
    let amount_minor: i64 = allocations
        .iter()
        .map(|allocation| allocation.amount_minor)
        .sum();
    (amount_minor > 0).then(|| DiscountLine {
        promotion_id: promotion.id.clone(),
        name: promotion.name.clone(),
        source,
        amount_minor,
        allocations,
    })
}

fn basket_discounts(
    lines: &[SaleLine],
    promotions: &[(&Promotion, DiscountSource)],
    line_discounts: &mut [i64],
) -> Vec<DiscountLine> {
    let subtotal: i64 = lines
        .iter()
        .zip(line_discounts.iter())
        .map(|(line, discount)| line.extended_minor - discount)
        .sum();
    let reward = |promotion: &Promotion| match promotion.kind {
        PromotionKind::BasketThreshold {
            threshold_minor,
            reward,
        } if subtotal >= threshold_minor && subtotal > 0 => Some(match reward {
            BasketReward::AmountOff(amount) => amount.min(subtotal),
            BasketReward::PercentOff(points) => round_half_up(
                Decimal::from(subtotal) * Decimal::from(points) / Decimal::from(10_000),
            )
            .unwrap_or(0),
        }),
        _ => None,
    };

    let best_single = promotions
        .iter()
        .enumerate()
        .filter(|(_, (promotion, _))| !promotion.stackable)
        .filter_map(|(index, (promotion, _))| reward(promotion).map(|amount| (index, amount)))
        .fold(None, |best: Option<(usize, i64)>, candidate| match best {
            Some(current) if current.1 >= candidate.1 => Some(current),
            _ => Some(candidate),
        });

    let mut discounts = Vec::new();
    for (index, (promotion, source)) in promotions.iter().enumerate() {
        let chosen = promotion.stackable || best_single.is_some_and(|(best, _)| best == index);
        let Some(amount) = reward(promotion).filter(|_| chosen) else {
            continue;
        };
        let shares: Vec<(usize, Decimal)> = lines
            .iter()
            .enumerate()
            .map(|(position, line)| {
                (
                    position,
                    Decimal::from(line.extended_minor - line_discounts[position]),
                )
            })
            .collect();
        let room: i64 = shares
            .iter()
            .map(|(_, share)| i64::try_from(*share).unwrap_or(0))
            .sum();
        let parts = allocate(amount.min(room), &shares);
        if let Some(discount) = discount_line(promotion, *source, &parts, lines, line_discounts) {
            discounts.push(discount);
        }
    }
    discounts
}

fn totals(
    lines: &[SaleLine],
    discounts: &[DiscountLine],
    taxes: &[super::tax::TaxRow],
    prices_include_tax: bool,
) -> Result<Totals, PricingError> {
    let lines_minor = checked_sum(lines.iter().map(|line| line.extended_minor))?;
    let discounts_minor = checked_sum(discounts.iter().map(|discount| discount.amount_minor))?;
    let tax_minor = checked_sum(taxes.iter().map(|row| row.tax_minor))?;
    let after_discounts = lines_minor - discounts_minor;
    let (net_minor, grand_minor) = if prices_include_tax {
        (after_discounts - tax_minor, after_discounts)
    } else {
        (
            after_discounts,
            after_discounts
                .checked_add(tax_minor)
                .ok_or(PricingError::Overflow)?,
        )
    };
    Ok(Totals {
        lines_minor,
        discounts_minor,
        net_minor,
        tax_minor,
        grand_minor,
    })
}

fn checked_sum(mut values: impl Iterator<Item = i64>) -> Result<i64, PricingError> {
    values
        .try_fold(0i64, i64::checked_add)
        .ok_or(PricingError::Overflow)
}
