//! Share ↔ lamport conversions at an index (WAD). Lenders' amounts round down, debts round up.
use lantern_math::{mul_div_ceil, mul_div_floor, WAD};

use super::to_u64;
use crate::errors::MarginError;

fn nonzero(amount: u64, shares: u64) -> Result<u64, MarginError> {
    if amount == 0 || shares == 0 {
        return Err(MarginError::ZeroAmount);
    }
    Ok(shares)
}

/// Supply shares minted for a deposit: rounded down, never zero.
pub fn supply_shares_for_deposit(amount: u64, supply_index: u128) -> Result<u64, MarginError> {
    let shares = to_u64(mul_div_floor(u128::from(amount), WAD, supply_index).ok_or(MarginError::MathOverflow)?)?;
    nonzero(amount, shares)
}

/// Lamports `shares` of supply are worth: rounded down.
pub fn supply_amount(shares: u64, supply_index: u128) -> Result<u64, MarginError> {
    to_u64(mul_div_floor(u128::from(shares), supply_index, WAD).ok_or(MarginError::MathOverflow)?)
}

/// Debt shares created by borrowing `amount`: rounded up.
pub fn debt_shares_for_borrow(amount: u64, borrow_index: u128) -> Result<u64, MarginError> {
    let shares = to_u64(mul_div_ceil(u128::from(amount), WAD, borrow_index).ok_or(MarginError::MathOverflow)?)?;
    nonzero(amount, shares)
}

/// Debt of `shares`: rounded up.
pub fn debt_amount(shares: u64, borrow_index: u128) -> Result<u64, MarginError> {
    to_u64(mul_div_ceil(u128::from(shares), borrow_index, WAD).ok_or(MarginError::MathOverflow)?)
}

/// Debt shares a partial repayment of `amount` burns: rounded down, never zero (a payment too small
/// to burn one share is refused, not taken for nothing).
pub fn debt_shares_repaid(amount: u64, borrow_index: u128) -> Result<u64, MarginError> {
    let shares = to_u64(mul_div_floor(u128::from(amount), WAD, borrow_index).ok_or(MarginError::MathOverflow)?)?;
    nonzero(amount, shares)
}

/// How far the supply index falls so that `shares` absorb `loss`: rounded up.
pub fn index_cut(loss: u64, shares: u64) -> Result<u128, MarginError> {
    mul_div_ceil(u128::from(loss), WAD, u128::from(shares)).ok_or(MarginError::MathOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: u128 = 1_100_000_000_000_000_000; // 1.1

    #[test]
    fn conversions_round_toward_the_protocol() {
        assert_eq!(supply_shares_for_deposit(11, INDEX), Ok(10));
        assert_eq!(supply_shares_for_deposit(12, INDEX), Ok(10));
        assert_eq!(supply_amount(10, INDEX), Ok(11));
        assert_eq!(supply_amount(9, INDEX), Ok(9)); // 9.9 -> 9
        assert_eq!(debt_shares_for_borrow(12, INDEX), Ok(11)); // 10.9 -> 11
        assert_eq!(debt_amount(9, INDEX), Ok(10)); // 9.9 -> 10
        assert_eq!(debt_shares_repaid(12, INDEX), Ok(10));
        assert_eq!(index_cut(1, 3), Ok(333_333_333_333_333_334));
    }

    #[test]
    fn zero_on_either_side_is_rejected() {
        assert_eq!(supply_shares_for_deposit(0, INDEX), Err(MarginError::ZeroAmount));
        assert_eq!(supply_shares_for_deposit(1, 2 * WAD), Err(MarginError::ZeroAmount));
        assert_eq!(debt_shares_for_borrow(0, INDEX), Err(MarginError::ZeroAmount));
        assert_eq!(debt_shares_repaid(1, INDEX), Err(MarginError::ZeroAmount));
    }

    #[test]
    fn borrowing_then_repaying_never_profits_the_user() {
        for amount in [1u64, 3, 1_000, 999_999_937, 50_000_000_000] {
            for index in [WAD, INDEX, 3 * WAD + 1] {
                let shares = debt_shares_for_borrow(amount, index).unwrap();
                assert!(debt_amount(shares, index).unwrap() >= amount);
            }
        }
    }
}
