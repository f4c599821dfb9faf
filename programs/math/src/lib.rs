//! Fixed-point arithmetic shared by the Lantern programs (and mirrored bit for bit by the sdk).
//!
//! Rates, prices and indexes are `u128` with 18 decimals (WAD). Every product goes through a
//! 256-bit intermediate so that `a * b / c` is exact before its single rounding step, and the caller
//! chooses the rounding direction: the protocol's side, always.
#![no_std]

#[allow(clippy::manual_div_ceil, clippy::assign_op_pattern)]
mod wide {
    uint::construct_uint! {
        pub struct U256(4);
    }
}
use wide::U256;

/// 1.0 in fixed point.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// Parts per billion in one whole.
pub const PPB: u128 = 1_000_000_000;
/// Basis points in one whole.
pub const BPS: u128 = 10_000;
/// Seconds in a 365-day year, the unit of annualised limits.
pub const YEAR_SECS: u128 = 31_536_000;

/// Rounding direction of a division.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Up,
}

/// `a * b / c` with one rounding; `None` on division by zero or a quotient above `u128::MAX`.
pub fn mul_div(a: u128, b: u128, c: u128, rounding: Rounding) -> Option<u128> {
    if c == 0 {
        return None;
    }
    let product = U256::from(a) * U256::from(b);
    let divisor = U256::from(c);
    let (mut quotient, remainder) = product.div_mod(divisor);
    if rounding == Rounding::Up && !remainder.is_zero() {
        quotient += U256::one();
    }
    if quotient > U256::from(u128::MAX) {
        return None;
    }
    Some(quotient.as_u128())
}

/// `a * b / c` rounded down.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> Option<u128> {
    mul_div(a, b, c, Rounding::Down)
}

/// `a * b / c` rounded up.
pub fn mul_div_ceil(a: u128, b: u128, c: u128) -> Option<u128> {
    mul_div(a, b, c, Rounding::Up)
}

/// `a * b <= c * d`, compared exactly in 256 bits.
pub fn product_le(a: u128, b: u128, c: u128, d: u128) -> bool {
    U256::from(a) * U256::from(b) <= U256::from(c) * U256::from(d)
}

/// `a * b * c <= d * e * f`, exactly, for limits expressed as a product of three factors;
/// `None` when a side does not fit 256 bits.
pub fn triple_product_le(a: u128, b: u128, c: u128, d: u128, e: u128, f: u128) -> Option<bool> {
    let lhs = (U256::from(a) * U256::from(b)).checked_mul(U256::from(c))?;
    let rhs = (U256::from(d) * U256::from(e)).checked_mul(U256::from(f))?;
    Some(lhs <= rhs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mul_div_rounds_in_the_requested_direction() {
        assert_eq!(mul_div_floor(10, 10, 3), Some(33));
        assert_eq!(mul_div_ceil(10, 10, 3), Some(34));
        assert_eq!(mul_div_ceil(10, 9, 3), Some(30));
        assert_eq!(mul_div_floor(1, 1, 0), None);
    }

    #[test]
    fn mul_div_uses_a_wide_intermediate() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div_floor(big, WAD, WAD), Some(big));
        assert_eq!(mul_div_floor(u128::MAX, 2, 1), None);
        assert_eq!(mul_div_floor(u128::MAX, u128::MAX, u128::MAX), Some(u128::MAX));
    }

    #[test]
    fn products_compare_exactly() {
        assert!(product_le(u128::MAX, 2, u128::MAX, 2));
        assert!(!product_le(u128::MAX, 3, u128::MAX, 2));
        assert_eq!(triple_product_le(u128::MAX, 1 << 100, 2, u128::MAX, 1 << 100, 2), Some(true));
        assert_eq!(triple_product_le(u128::MAX, 1 << 100, 3, u128::MAX, 1 << 100, 2), Some(false));
        assert_eq!(triple_product_le(u128::MAX, u128::MAX, 4, 1, 1, 1), None);
    }
}
