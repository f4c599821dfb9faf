//! How much a liquidation repays and seizes.
//!
//! Bonus `b = clamp(LTV − LT, b_min, b_max)`, never more than `1 − LTV`. A partial liquidation repays
//! `x = (D − t·V)/(1 − t·(1+b))` to land at the target LTV `t`, capped by the close factor and the
//! liquidator's `max_repay`; at `LTV ≥ LTV_full`, or for dust debt, the whole debt may go. It seizes
//! `repay·(1+b)/p` LRT (rounded down), capped at the collateral (the repayment then shrinks to what
//! the collateral pays for); the insurance takes its share of the bonus part.
use lantern_math::{mul_div_ceil, mul_div_floor, BPS, WAD};

use super::{health, to_u64};
use crate::errors::MarginError;
use crate::state::RiskParams;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub repay: u64,
    /// LRT leaving the sub-account, of which `to_insurance` goes to insurance, the rest to the liquidator.
    pub seize: u64,
    pub to_insurance: u64,
    pub bonus_wad: u128,
    pub full: bool,
}

const BPS_TO_WAD: u128 = WAD / BPS;

pub fn bonus(debt: u64, value: u64, risk: &RiskParams) -> u128 {
    if value == 0 || u128::from(debt) * WAD >= u128::from(value) * WAD {
        return 0;
    }
    let ltv = u128::from(debt) * WAD / u128::from(value);
    let excess = ltv.saturating_sub(u128::from(risk.lt_bps) * BPS_TO_WAD);
    let clamped =
        excess.clamp(u128::from(risk.bonus_min_bps) * BPS_TO_WAD, u128::from(risk.bonus_max_bps) * BPS_TO_WAD);
    clamped.min(WAD - ltv)
}

pub fn plan(debt: u64, collateral: u64, price: u128, risk: &RiskParams, max_repay: u64) -> Result<Plan, MarginError> {
    if price == 0 {
        return Err(MarginError::InvalidPrice);
    }
    if !health::is_liquidatable(debt, collateral, price, risk.lt_bps)? {
        return Err(MarginError::NotLiquidatable);
    }
    let value = health::value(collateral, price)?;
    let b = bonus(debt, value, risk);
    let full = health::at_or_above_ltv(debt, collateral, price, risk.ltv_full_bps)? || debt < risk.min_debt;
    let mut repay = if full {
        debt.min(max_repay)
    } else {
        let t = u128::from(risk.target_ltv_bps) * BPS_TO_WAD;
        let numerator = u128::from(debt) * WAD - t * u128::from(value);
        let denominator = WAD - mul_div_ceil(t, WAD + b, WAD).ok_or(MarginError::MathOverflow)?;
        let to_target = to_u64(numerator.div_ceil(denominator))?;
        let close = to_u64(
            mul_div_ceil(u128::from(debt), u128::from(risk.close_factor_bps), BPS).ok_or(MarginError::MathOverflow)?,
        )?;
        to_target.min(close).min(max_repay).min(debt)
    };
    let mut seize = to_u64(mul_div_floor(u128::from(repay), WAD + b, price).ok_or(MarginError::MathOverflow)?)?;
    if seize > collateral {
        seize = collateral;
        repay =
            repay.min(to_u64(mul_div_ceil(u128::from(collateral), price, WAD + b).ok_or(MarginError::MathOverflow)?)?);
    }
    if repay == 0 || seize == 0 {
        return Err(MarginError::ZeroAmount);
    }
    // The insurance's share rounds up: rounding favours the protocol, not the liquidator.
    let to_insurance = to_u64(
        mul_div_ceil(u128::from(seize), b * u128::from(risk.insurance_share_bps), (WAD + b) * BPS)
            .ok_or(MarginError::MathOverflow)?,
    )?;
    Ok(Plan { repay, seize, to_insurance, bonus_wad: b, full })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOL: u64 = 1_000_000_000;

    #[test]
    fn healthy_positions_are_not_liquidated() {
        let risk = RiskParams::default();
        assert_eq!(plan(93 * SOL, 100 * SOL, WAD, &risk, u64::MAX), Err(MarginError::NotLiquidatable));
    }

    #[test]
    fn a_partial_liquidation_lands_at_the_target() {
        let risk = RiskParams { close_factor_bps: 10_000, ..RiskParams::default() };
        // LTV 94%: bonus = 1% (LTV − LT), target 92%.
        let p = plan(94 * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap();
        assert_eq!(p.bonus_wad, WAD / 100);
        assert!(!p.full);
        let (debt, value) = (94 * SOL - p.repay, 100 * SOL - p.seize);
        let ltv_bps = u128::from(debt) * 10_000 * 1_000 / u128::from(value);
        assert!((9_199_000..=9_200_000).contains(&ltv_bps), "landed at {ltv_bps} (bps×1000)");
        // 20% of the bonus part (seize × b/(1+b)), rounded up.
        let expected = mul_div_ceil(u128::from(p.seize), WAD / 100 * 2_000, (WAD + WAD / 100) * BPS).unwrap();
        assert_eq!(u128::from(p.to_insurance), expected);
    }

    #[test]
    fn the_close_factor_caps_a_partial_liquidation() {
        let risk = RiskParams::default();
        let p = plan(94 * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap();
        assert!(p.repay <= 94 * SOL / 5);
    }

    #[test]
    fn full_liquidation_starts_exactly_at_the_full_threshold() {
        let risk = RiskParams { close_factor_bps: 10_000, ..RiskParams::default() };
        assert!(plan(96 * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap().full);
        assert!(!plan(96 * SOL - 1, 100 * SOL, WAD, &risk, u64::MAX).unwrap().full);
    }

    #[test]
    fn full_liquidation_from_the_full_threshold_and_for_dust() {
        let risk = RiskParams::default();
        let p = plan(97 * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap();
        assert!(p.full);
        assert_eq!(p.repay, 97 * SOL);
        assert_eq!(p.bonus_wad, WAD * 2 / 100, "LTV − LT = 4%, clamped to 2% (below 1 − LTV = 3%)");
        let dust = plan(SOL / 100, SOL / 100, WAD, &risk, u64::MAX).unwrap();
        assert!(dust.full);
    }

    #[test]
    fn underwater_positions_give_up_all_collateral_without_bonus() {
        let risk = RiskParams::default();
        let p = plan(120 * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap();
        assert_eq!(p.bonus_wad, 0);
        assert_eq!(p.seize, 100 * SOL);
        assert_eq!(p.repay, 100 * SOL);
        assert_eq!(p.to_insurance, 0);
    }

    #[test]
    fn a_zero_price_is_refused() {
        assert_eq!(plan(SOL, SOL, 0, &RiskParams::default(), u64::MAX), Err(MarginError::InvalidPrice));
    }

    #[test]
    fn ltv_strictly_falls_below_one() {
        let risk = RiskParams::default();
        for debt_pct in 94..100u64 {
            let p = plan(debt_pct * SOL, 100 * SOL, WAD, &risk, u64::MAX).unwrap();
            assert!(
                health::ltv_lower(debt_pct * SOL - p.repay, 100 * SOL - p.seize, debt_pct * SOL, 100 * SOL)
                    || p.seize == 100 * SOL
            );
        }
    }
}
