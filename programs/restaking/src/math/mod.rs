//! Conversions between SOL and LRT at the fair rate; every one rounds toward the pool.
use lantern_math::{mul_div_ceil, mul_div_floor, BPS, WAD};

use crate::errors::RestakingError;

fn to_u64(value: u128) -> Result<u64, RestakingError> {
    u64::try_from(value).map_err(|_| RestakingError::MathOverflow)
}

/// LRT minted for `lamports` at `rate` (SOL per LRT, WAD): rounded down, and never zero.
pub fn lrt_for_deposit(lamports: u64, rate: u128) -> Result<u64, RestakingError> {
    let lrt = to_u64(mul_div_floor(u128::from(lamports), WAD, rate).ok_or(RestakingError::MathOverflow)?)?;
    if lamports == 0 || lrt == 0 {
        return Err(RestakingError::ZeroAmount);
    }
    Ok(lrt)
}

/// SOL owed for `lrt` at `rate`: rounded down.
pub fn lamports_for_lrt(lrt: u64, rate: u128) -> Result<u64, RestakingError> {
    to_u64(mul_div_floor(u128::from(lrt), rate, WAD).ok_or(RestakingError::MathOverflow)?)
}

/// A queued withdrawal pays at the lower of the rate when it was requested and the rate now, so
/// that losses after the request are shared and gains after it stay with the pool.
pub fn ticket_payout(lrt: u64, rate_at_request: u128, rate_now: u128) -> Result<u64, RestakingError> {
    lamports_for_lrt(lrt, rate_at_request.min(rate_now))
}

/// `(gross, fee, out)` of an instant unstake: the fee rounds up, the payout down, neither side zero.
pub fn instant_unstake(lrt: u64, rate: u128, fee_bps: u16) -> Result<(u64, u64, u64), RestakingError> {
    let gross = lamports_for_lrt(lrt, rate)?;
    let fee = to_u64(mul_div_ceil(u128::from(gross), u128::from(fee_bps), BPS).ok_or(RestakingError::MathOverflow)?)?;
    let out = gross - fee;
    if lrt == 0 || out == 0 {
        return Err(RestakingError::ZeroAmount);
    }
    Ok((gross, fee, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u128 = 1_050_000_000_000_000_000; // 1.05 SOL per LRT

    #[test]
    fn deposits_round_down_and_reject_dust() {
        assert_eq!(lrt_for_deposit(1_050, RATE), Ok(1_000));
        assert_eq!(lrt_for_deposit(1_051, RATE), Ok(1_000));
        assert_eq!(lrt_for_deposit(1, RATE), Err(RestakingError::ZeroAmount));
        assert_eq!(lrt_for_deposit(0, RATE), Err(RestakingError::ZeroAmount));
    }

    #[test]
    fn tickets_pay_the_lower_rate() {
        assert_eq!(ticket_payout(1_000, RATE, WAD), Ok(1_000));
        assert_eq!(ticket_payout(1_000, WAD, RATE), Ok(1_000));
        assert_eq!(ticket_payout(1_000, RATE, RATE + 1), Ok(1_050));
    }

    #[test]
    fn instant_unstake_fee_rounds_up_payout_down() {
        // 1_000 LRT at 1.05 = 1_050 lamports, 30 bps fee = 3.15 -> 4.
        assert_eq!(instant_unstake(1_000, RATE, 30), Ok((1_050, 4, 1_046)));
        assert_eq!(instant_unstake(1, WAD, 30), Err(RestakingError::ZeroAmount));
        assert_eq!(instant_unstake(0, WAD, 0), Err(RestakingError::ZeroAmount));
    }

    #[test]
    fn a_round_trip_never_gains() {
        for lamports in [1u64, 7, 1_000, 123_456_789, 10_000_000_000_000] {
            for rate in [WAD / 3, WAD, RATE, 3 * WAD + 7] {
                if let Ok(lrt) = lrt_for_deposit(lamports, rate) {
                    assert!(lamports_for_lrt(lrt, rate).unwrap() <= lamports);
                }
            }
        }
    }
}
