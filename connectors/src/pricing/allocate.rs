//! Splitting a rounded discount across lines (largest remainder method).

use rust_decimal::Decimal;

/// Splits `total` minor units across lines in proportion to their exact `shares`.
///
/// Each line first gets the whole part of its share scaled to `total`; the units left over go
/// one each to the lines with the largest fractional parts, ties to the earlier line. The
/// result adds up to `total` exactly and keeps the order of `shares`. Lines whose part is zero
/// are kept with 0.
pub fn allocate(total: i64, shares: &[(usize, Decimal)]) -> Vec<(usize, i64)> {
    let sum: Decimal = shares.iter().map(|(_, share)| *share).sum();
    if sum <= Decimal::ZERO || total <= 0 {
        return shares.iter().map(|(line, _)| (*line, 0)).collect();
    }
    let total_decimal = Decimal::from(total);
    let scaled: Vec<Decimal> = shares
        .iter()
        .map(|(_, share)| *share / sum * total_decimal)
        .collect();
    let mut parts: Vec<i64> = scaled
        .iter()
        .map(|value| i64::try_from(value.floor()).unwrap_or(0))
        .collect();

    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| scaled[*b].fract().cmp(&scaled[*a].fract()).then(a.cmp(b)));
    let mut cursor = 0;
    while left > 0 && !order.is_empty() {
        parts[order[cursor % order.len()]] += 1;
        left -= 1;
        cursor += 1;
    }
    shares
        .iter()
        .zip(parts)
        .map(|((line, _), part)| (*line, part))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirds_add_up() {
        let third = Decimal::ONE / Decimal::from(3);
        let shares = [(0, third), (1, third), (2, third)];
        assert_eq!(allocate(100, &shares), vec![(0, 34), (1, 33), (2, 33)]);
    }

    #[test]
    fn proportional_split() {
        let shares = [(4, Decimal::from(300)), (7, Decimal::from(100))];
        assert_eq!(allocate(40, &shares), vec![(4, 30), (7, 10)]);
    }
}
