//! Allocation of an amount refund (money given back without goods) over a receipt's sale lines.
//!
//! The rule, applied in this order:
//! 1. Each sale line weighs what is still refundable on it: paid after discounts, less earlier
//!    returns, plus the tax on that when the receipt's prices exclude tax. Lines with nothing
//!    left to refund, in amount or in quantity, take no share.
//! 2. The amount is shared in proportion to the weights. Each share is rounded down to the minor
//!    unit and the units left over go one each to the largest remainders, the lower line number
//!    first on a tie, so the shares add up to the amount and none exceeds its weight.
//! 3. On a tax-exclusive receipt a share includes tax: the line's returned amount is the share
//!    less `tax_on(share, rate, true)`. NOTE: the tax rows are then recomputed from the
//!    returned amounts, so on such a receipt the refund can differ from the requested amount by
//!    a minor unit per tax rate; the refund tender states what was given back.
//! 4. The returned quantity is the same part of the line's sold quantity as the returned amount
//!    is of the line's paid amount, rounded half up to 3 decimal places, at least 0.001 and at
//!    most what is not yet returned. A share that empties a line returns all its remaining
//!    quantity. An amount refund so uses up the goods' value, and a later refund of goods on the
//!    same line can give back only the rest.
//!
//! This module only makes return-line requests; the tax rows and totals are recomputed from
//! them by `refund_receipt`, so both kinds of refund obey the same rounding.

use rust_decimal::{Decimal, RoundingStrategy};

use super::{RefundError, RefundLineInput, Remaining, tax_on};
use crate::receipts::document::{ItemLine, LineItem, Receipt};

/// A sale line that can take part of an amount refund.
struct Candidate<'a> {
    sale: &'a ItemLine,
    remaining: Remaining,
    weight: i64,
}

/// Turns `amount` into return-line requests by the rule in the module documentation. Rejects
/// an amount larger than the sum of the weights with [`RefundError::ExceedsCaptured`].
pub fn allocate_amount(
    previous: &Receipt,
    amount: i64,
) -> Result<Vec<RefundLineInput>, RefundError> {
    let candidates = candidates(previous);
    let weights: Vec<i64> = candidates.iter().map(|c| c.weight).collect();
    let refundable = weights.iter().fold(0i64, |sum, w| sum.saturating_add(*w));
    if amount > refundable {
        return Err(RefundError::ExceedsCaptured {
            requested: amount,
            refundable,
        });
    }

    let shares = split(amount, &weights);
    let mut lines = Vec::new();
    for (candidate, share) in candidates.iter().zip(shares) {
        if share <= 0 {
            continue;
        }
        let returned = if previous.prices_include_tax {
            share
        } else {
            share.saturating_sub(tax_on(share, candidate.sale.tax_rate_bp, true))
        };
        let returned = returned.min(candidate.remaining.amount);
        if returned <= 0 {
            continue;
        }
        let quantity = if share == candidate.weight {
            candidate.remaining.quantity
        } else {
            returned_quantity(previous, candidate, returned)
        };
        lines.push(RefundLineInput {
            original_line_number: candidate.sale.line_number,
            quantity: quantity.normalize().to_string(),
            amount_minor: returned,
        });
    }
    Ok(lines)
}

fn candidates(previous: &Receipt) -> Vec<Candidate<'_>> {
    let mut candidates = Vec::new();
    for item in &previous.line_items {
        let LineItem::Sale(sale) = item else {
            continue;
        };
        let remaining = Remaining::of(previous, &[], sale);
        if remaining.amount <= 0 || remaining.quantity <= Decimal::ZERO {
            continue;
        }
        let weight = if previous.prices_include_tax {
            remaining.amount
        } else {
            let tax = tax_on(remaining.amount, sale.tax_rate_bp, false);
            remaining.amount.saturating_add(tax)
        };
        candidates.push(Candidate {
            sale,
            remaining,
            weight,
        });
    }
    candidates
}

/// Splits `amount` in proportion to `weights` by largest remainders; `amount` must not exceed
/// the sum of the weights.
fn split(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total <= 0 {
        return vec![0; weights.len()];
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (index, weight) in weights.iter().enumerate() {
        let exact = i128::from(amount) * i128::from(*weight);
        shares.push(i64::try_from(exact / total).unwrap_or(0));
        remainders.push((exact % total, index));
    }

    let mut left = amount.saturating_sub(shares.iter().sum::<i64>());
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, index) in remainders {
        if left <= 0 {
            break;
        }
        shares[index] += 1;
        left -= 1;
    }
    shares
}

/// The part of the sold quantity that `returned` pays for, rounded as the rule says.
fn returned_quantity(previous: &Receipt, candidate: &Candidate<'_>, returned: i64) -> Decimal {
    let sale = candidate.sale;
    let sold = sale.quantity.parse::<Decimal>().unwrap_or(Decimal::ZERO);
    let discounts: i64 = previous
        .line_items
        .iter()
        .filter_map(|item| match item {
            LineItem::Discount(discount) => Some(discount),
            _ => None,
        })
        .flat_map(|discount| discount.applies_to.iter())
        .filter(|share| share.line_number == sale.line_number)
        .map(|share| share.amount.amount_minor)
        .sum();
    let paid = sale.extended_amount.amount_minor.saturating_sub(discounts);
    if paid <= 0 {
        return candidate.remaining.quantity;
    }

    let exact = sold * Decimal::from(returned) / Decimal::from(paid);
    let minimum = Decimal::new(1, 3);
    exact
        .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero)
        .max(minimum)
        .min(candidate.remaining.quantity)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn split_gives_leftover_units_to_largest_remainders() {
        let cases: &[(i64, &[i64], &[i64])] = &[
            (100, &[100, 100, 100], &[34, 33, 33]),
            (300, &[100, 100, 100], &[100, 100, 100]),
            (10, &[250, 750], &[3, 7]),
            (1, &[199, 200], &[0, 1]),
            (0, &[10, 20], &[0, 0]),
            (5, &[], &[]),
        ];
        for (amount, weights, expected) in cases {
            assert_eq!(
                split(*amount, weights),
                *expected,
                "split {amount} over {weights:?}"
            );
        }
    }
}
