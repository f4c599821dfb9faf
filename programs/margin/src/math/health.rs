//! Collateral value and loan-to-value checks.
use lantern_math::{mul_div_floor, product_le, BPS, WAD};

use super::to_u64;
use crate::errors::MarginError;

/// Value in lamports of `collateral` LRT at `price` (SOL per LRT, WAD): rounded down.
pub fn value(collateral: u64, price: u128) -> Result<u64, MarginError> {
    to_u64(mul_div_floor(u128::from(collateral), price, WAD).ok_or(MarginError::MathOverflow)?)
}

/// `debt ≤ value × ltv`: the opening check (and, with LT, the health check).
pub fn within_ltv(debt: u64, collateral: u64, price: u128, ltv_bps: u16) -> Result<bool, MarginError> {
    let value = value(collateral, price)?;
    Ok(product_le(u128::from(debt), BPS, u128::from(value), u128::from(ltv_bps)))
}

/// `debt ≥ value × ltv`: from the full-liquidation LTV on, the whole debt may go.
pub fn at_or_above_ltv(debt: u64, collateral: u64, price: u128, ltv_bps: u16) -> Result<bool, MarginError> {
    let value = value(collateral, price)?;
    Ok(product_le(u128::from(value), u128::from(ltv_bps), u128::from(debt), BPS))
}

/// Liquidatable iff `debt > value × LT` at the maintenance price.
pub fn is_liquidatable(debt: u64, collateral: u64, price: u128, lt_bps: u16) -> Result<bool, MarginError> {
    Ok(debt > 0 && !within_ltv(debt, collateral, price, lt_bps)?)
}

/// `debt_a / value_a < debt_b / value_b`, cross-multiplied; no value is an infinite LTV.
pub fn ltv_lower(debt_a: u64, value_a: u64, debt_b: u64, value_b: u64) -> bool {
    if value_a == 0 {
        return false;
    }
    if value_b == 0 {
        return true;
    }
    u128::from(debt_a) * u128::from(value_b) < u128::from(debt_b) * u128::from(value_a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_strict_for_liquidation_and_inclusive_for_opening() {
        // 100 LRT at 1.0 = 100 SOL; LT 93%.
        assert!(!is_liquidatable(93, 100, WAD, 9_300).unwrap());
        assert!(is_liquidatable(94, 100, WAD, 9_300).unwrap());
        assert!(within_ltv(90, 100, WAD, 9_000).unwrap());
        assert!(!within_ltv(91, 100, WAD, 9_000).unwrap());
        assert!(!is_liquidatable(0, 0, WAD, 9_300).unwrap());
    }

    #[test]
    fn value_rounds_down() {
        assert_eq!(value(3, WAD / 2), Ok(1));
    }

    #[test]
    fn ltv_comparison() {
        assert!(ltv_lower(1, 2, 2, 3));
        assert!(!ltv_lower(2, 3, 2, 3));
        assert!(!ltv_lower(1, 0, 1, 1));
        assert!(ltv_lower(5, 1, 1, 0));
    }
}
