//! The kinked rate curve and per-second compounding of the borrow index.
use lantern_math::{mul_div_ceil, mul_div_floor, BPS, WAD, YEAR_SECS};

use super::shares;
use crate::errors::MarginError;
use crate::state::{LendingPool, RateCurve};

/// Utilisation in basis points: debt over the lenders' assets (cash + debt − insurance), rounded up.
pub fn utilization_bps(cash: u64, debt: u64, insurance: u64) -> u128 {
    let assets = (u128::from(cash) + u128::from(debt)).saturating_sub(u128::from(insurance));
    if assets == 0 {
        return 0;
    }
    mul_div_ceil(u128::from(debt), BPS, assets).unwrap_or(u128::MAX)
}

/// Annual borrow rate (WAD) at a utilisation (bps): linear between (0, 0), the two kinks and (100%, max).
pub fn borrow_rate(curve: &RateCurve, utilization_bps: u128) -> u128 {
    let points = [
        (0u128, 0u128),
        (u128::from(curve.kink1_utilization_bps), u128::from(curve.kink1_rate_bps)),
        (u128::from(curve.kink2_utilization_bps), u128::from(curve.kink2_rate_bps)),
        (BPS, u128::from(curve.max_rate_bps)),
    ];
    let u = utilization_bps.min(BPS);
    let to_wad = |bps: u128| bps * (WAD / BPS);
    for pair in points.windows(2) {
        let ((u0, r0), (u1, r1)) = (pair[0], pair[1]);
        if u <= u1 {
            // r0 + (r1 − r0)·(u − u0)/(u1 − u0), in WAD, rounded up (debt side).
            return to_wad(r0) + mul_div_ceil(to_wad(r1 - r0), u - u0, u1 - u0).unwrap_or(0);
        }
    }
    to_wad(u128::from(curve.max_rate_bps))
}

/// Growth factor (WAD) of the borrow index over `elapsed` seconds at `annual_rate`:
/// `1 + x + x²/2 + x³/6` with `x = rate·elapsed/year`, each term rounded up.
pub fn growth(annual_rate: u128, elapsed: u64) -> Result<u128, MarginError> {
    let x = mul_div_ceil(annual_rate, u128::from(elapsed), YEAR_SECS).ok_or(MarginError::MathOverflow)?;
    let x2 = mul_div_ceil(x, x, 2 * WAD).ok_or(MarginError::MathOverflow)?;
    let x3 = mul_div_ceil(x2, x, 3 * WAD).ok_or(MarginError::MathOverflow)?;
    WAD.checked_add(x).and_then(|g| g.checked_add(x2)).and_then(|g| g.checked_add(x3)).ok_or(MarginError::MathOverflow)
}

pub struct Accrual {
    pub borrow_index: u128,
    pub supply_index: u128,
    pub to_insurance: u64,
}

/// One accrual step: the borrow index grows (rounded up); the interest is split between insurance
/// (the reserve factor, rounded up) and lenders (through the supply index, rounded down).
pub fn accrue(pool: &LendingPool, elapsed: u64) -> Result<Accrual, MarginError> {
    let debt_before = shares::debt_amount(pool.debt_shares, pool.borrow_index)?;
    let rate = borrow_rate(&pool.params.curve, utilization_bps(pool.cash, debt_before, pool.insurance));
    let borrow_index = mul_div_ceil(pool.borrow_index, growth(rate, elapsed)?, WAD).ok_or(MarginError::MathOverflow)?;
    let interest = shares::debt_amount(pool.debt_shares, borrow_index)? - debt_before;
    let mut to_insurance = super::to_u64(
        mul_div_ceil(u128::from(interest), u128::from(pool.params.reserve_factor_bps), BPS)
            .ok_or(MarginError::MathOverflow)?,
    )?;
    let mut supply_index = pool.supply_index;
    if pool.supply_shares == 0 {
        to_insurance = interest;
    } else {
        let to_lenders = u128::from(interest - to_insurance);
        supply_index +=
            mul_div_floor(to_lenders, WAD, u128::from(pool.supply_shares)).ok_or(MarginError::MathOverflow)?;
    }
    Ok(Accrual { borrow_index, supply_index, to_insurance })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> RateCurve {
        RateCurve::default()
    }

    #[test]
    fn the_curve_passes_through_its_kinks() {
        let c = curve();
        assert_eq!(borrow_rate(&c, 0), 0);
        assert_eq!(borrow_rate(&c, 4_000), WAD * 2 / 100);
        assert_eq!(borrow_rate(&c, 8_000), WAD * 4 / 100);
        assert_eq!(borrow_rate(&c, 8_500), WAD * 55 / 1000);
        assert_eq!(borrow_rate(&c, 9_000), WAD * 7 / 100);
        assert_eq!(borrow_rate(&c, 10_000), WAD * 50 / 100);
        assert_eq!(borrow_rate(&c, 12_000), WAD * 50 / 100);
    }

    #[test]
    fn utilization_rounds_up_and_excludes_insurance() {
        assert_eq!(utilization_bps(0, 0, 0), 0);
        assert_eq!(utilization_bps(2, 1, 0), 3_334);
        assert_eq!(utilization_bps(20, 80, 0), 8_000);
        assert_eq!(utilization_bps(30, 80, 10), 8_000);
    }

    #[test]
    fn growth_matches_compounding_closely_and_never_undershoots() {
        assert_eq!(growth(WAD / 10, 0), Ok(WAD));
        // 10%/yr for a year: e^0.1 = 1.10517..., the 3-term expansion gives 1.105166...
        let g = growth(WAD / 10, YEAR_SECS as u64).unwrap();
        assert!((1_105_166_666_666_666_666..=1_105_166_666_666_666_670).contains(&g), "{g}");
        // One second at 50%/yr compounds to at least the simple interest.
        assert!(growth(WAD / 2, 1).unwrap() > WAD + WAD / 2 / YEAR_SECS);
    }
}
