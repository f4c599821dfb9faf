//! Sanity checks that turn an accepted accounting report into the feed's fair rate (Lido-style):
//! absolute bounds, an annualised increase limit, per-report smoothing of increases and a decrease
//! budget over a sliding window beyond which a decrease waits for the guardian.
use lantern_math::{mul_div_ceil, mul_div_floor, triple_product_le, BPS, PPB, YEAR_SECS};

use crate::errors::OracleError;
use crate::state::SanityLimits;

/// What the feed knew before the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prior {
    /// Rate consumers use now.
    pub fair_rate: u128,
    /// Last accepted reported rate: the target that smoothing moves the fair rate toward.
    pub reported_rate: u128,
    /// Reference time of that report.
    pub reported_ref_ts: i64,
    /// Decreases already counted in the window ending at the new report's reference time.
    pub window_decrease_ppb: u64,
}

/// The report under evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub rate: u128,
    pub ref_ts: i64,
    pub bunker_flag: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The report takes effect: the new fair rate, the decrease it records, and bunker mode after it.
    Apply { fair_rate: u128, decrease_ppb: u64, bunker: bool },
    /// The decrease exceeds the window budget: it waits for the guardian, bunker mode turns on.
    Hold { decrease_ppb: u64 },
}

/// Relative decrease from `from` to `to` in parts per billion, rounded up (losses are never understated).
pub fn decrease_ppb(from: u128, to: u128) -> Result<u64, OracleError> {
    if to >= from {
        return Ok(0);
    }
    let ppb = mul_div_ceil(from - to, PPB, from).ok_or(OracleError::MathOverflow)?;
    u64::try_from(ppb).map_err(|_| OracleError::MathOverflow)
}

/// The fair rate after moving toward `target`: increases capped at `max_positive_rebase_ppb` of the
/// current rate per report (the rest stays deferred in the target), decreases taken at once.
pub fn smoothed_rate(fair_rate: u128, target: u128, max_positive_rebase_ppb: u64) -> u128 {
    if target <= fair_rate {
        return target;
    }
    let step = mul_div_floor(fair_rate, u128::from(max_positive_rebase_ppb), PPB).unwrap_or(u128::MAX);
    target.min(fair_rate.saturating_add(step))
}

/// Whether `rate` respects the annualised increase limit relative to the last reported rate.
pub fn within_annual_increase(
    limits: &SanityLimits,
    prior: &Prior,
    rate: u128,
    ref_ts: i64,
) -> Result<bool, OracleError> {
    if rate <= prior.reported_rate {
        return Ok(true);
    }
    let elapsed = u128::try_from(ref_ts.saturating_sub(prior.reported_ref_ts)).unwrap_or(0);
    // increase / reported <= limit_bps / BPS * elapsed / YEAR, cross-multiplied exactly.
    triple_product_le(
        rate - prior.reported_rate,
        YEAR_SECS,
        BPS,
        u128::from(limits.annual_increase_limit_bps),
        prior.reported_rate,
        elapsed,
    )
    .ok_or(OracleError::MathOverflow)
}

/// Evaluates a report against the limits. Errors reject the report (the frame stays open).
pub fn evaluate(limits: &SanityLimits, prior: &Prior, report: &Candidate) -> Result<Verdict, OracleError> {
    if report.rate < limits.min_rate || report.rate > limits.max_rate {
        return Err(OracleError::RateOutOfBounds);
    }
    if !within_annual_increase(limits, prior, report.rate, report.ref_ts)? {
        return Err(OracleError::AnnualIncreaseLimitExceeded);
    }
    let decrease = decrease_ppb(prior.reported_rate, report.rate)?;
    let budget = u64::from(limits.max_decrease_bps) * (PPB / BPS) as u64;
    if decrease > 0 && prior.window_decrease_ppb.saturating_add(decrease) > budget {
        return Ok(Verdict::Hold { decrease_ppb: decrease });
    }
    Ok(Verdict::Apply {
        fair_rate: smoothed_rate(prior.fair_rate, report.rate, limits.max_positive_rebase_ppb),
        decrease_ppb: decrease,
        bunker: decrease > 0 || report.bunker_flag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lantern_math::WAD;

    const DAY: i64 = 86_400;

    fn limits() -> SanityLimits {
        SanityLimits::default()
    }

    fn prior(rate: u128) -> Prior {
        Prior { fair_rate: rate, reported_rate: rate, reported_ref_ts: 0, window_decrease_ppb: 0 }
    }

    fn report(rate: u128, ref_ts: i64) -> Candidate {
        Candidate { rate, ref_ts, bunker_flag: false }
    }

    #[test]
    fn annual_increase_passes_exactly_at_the_limit_and_fails_one_unit_over() {
        // 15%/yr over 365 days from 1.0: exactly 1.15.
        let at_limit = WAD + WAD * 15 / 100;
        let year = YEAR_SECS as i64;
        assert!(evaluate(&limits(), &prior(WAD), &report(at_limit, year)).is_ok());
        assert_eq!(
            evaluate(&limits(), &prior(WAD), &report(at_limit + 1, year)),
            Err(OracleError::AnnualIncreaseLimitExceeded)
        );
    }

    #[test]
    fn increases_are_smoothed_and_the_excess_released_later() {
        let target = WAD + WAD / 1000; // +0.1% in one day (36.5%/yr would fail, so use a long gap)
        let mut p = prior(WAD);
        p.reported_ref_ts = -(YEAR_SECS as i64);
        let Verdict::Apply { fair_rate, .. } = evaluate(&limits(), &p, &report(target, 0)).unwrap() else {
            panic!("expected apply")
        };
        assert_eq!(fair_rate, WAD + WAD * 750_000 / 1_000_000_000);
        let mut fair = fair_rate;
        let mut reports = 1;
        while fair < target {
            fair = smoothed_rate(fair, target, 750_000);
            reports += 1;
        }
        assert_eq!(fair, target);
        assert_eq!(reports, 2);
    }

    #[test]
    fn decreases_apply_at_once_and_turn_bunker_on() {
        let lower = WAD - WAD / 1000;
        let verdict = evaluate(&limits(), &prior(WAD), &report(lower, DAY)).unwrap();
        assert_eq!(verdict, Verdict::Apply { fair_rate: lower, decrease_ppb: 1_000_000, bunker: true });
    }

    #[test]
    fn the_decrease_budget_passes_exactly_and_holds_one_unit_over() {
        let mut p = prior(WAD);
        p.window_decrease_ppb = 4_000_000; // 0.4% already used of the 1% budget
        let exact = WAD - WAD * 6 / 1000;
        assert!(matches!(evaluate(&limits(), &p, &report(exact, DAY)).unwrap(), Verdict::Apply { .. }));
        assert_eq!(
            evaluate(&limits(), &p, &report(exact - 1, DAY)).unwrap(),
            Verdict::Hold { decrease_ppb: 6_000_001 }
        );
    }

    #[test]
    fn absolute_bounds_are_inclusive() {
        let l = limits();
        let mut p = prior(l.min_rate);
        p.reported_ref_ts = -(YEAR_SECS as i64) * 100;
        assert!(evaluate(&l, &p, &report(l.min_rate, 0)).is_ok());
        assert_eq!(evaluate(&l, &p, &report(l.min_rate - 1, 0)), Err(OracleError::RateOutOfBounds));
        let mut high = prior(l.max_rate);
        high.reported_ref_ts = -1;
        assert!(evaluate(&l, &high, &report(l.max_rate, 0)).is_ok());
        assert_eq!(evaluate(&l, &high, &report(l.max_rate + 1, 0)), Err(OracleError::RateOutOfBounds));
    }

    #[test]
    fn a_report_flag_turns_bunker_on_without_a_decrease() {
        let mut r = report(WAD, DAY);
        r.bunker_flag = true;
        assert_eq!(
            evaluate(&limits(), &prior(WAD), &r).unwrap(),
            Verdict::Apply { fair_rate: WAD, decrease_ppb: 0, bunker: true }
        );
    }

    #[test]
    fn decrease_ppb_rounds_up() {
        assert_eq!(decrease_ppb(3, 2).unwrap(), 333_333_334);
        assert_eq!(decrease_ppb(2, 3).unwrap(), 0);
    }
}
