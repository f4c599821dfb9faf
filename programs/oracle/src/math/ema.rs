//! Exponential moving average with a half-life, in integer fixed point (no floats on chain).
use lantern_math::{mul_div_floor, WAD};

/// ln(2) in WAD, truncated.
pub const LN2_WAD: u128 = 693_147_180_559_945_309;
/// Taylor terms of exp(-x) for x < ln 2: the 25th term is below 1e-30, far under one WAD unit.
const EXP_TERMS: u128 = 24;

/// exp(-x) for `0 <= x < 1` (WAD in, WAD out) by an alternating Taylor series.
fn exp_neg(x: u128) -> u128 {
    let mut sum = WAD;
    let mut term = WAD;
    for k in 1..=EXP_TERMS {
        term = term * x / (k * WAD);
        if k % 2 == 1 {
            sum -= term;
        } else {
            sum += term;
        }
    }
    sum
}

/// The weight kept by the old average after `elapsed` seconds: `0.5^(elapsed / half_life)` in WAD.
pub fn decay(elapsed: u64, half_life: u64) -> u128 {
    if half_life == 0 {
        return 0;
    }
    let halvings = elapsed / half_life;
    if halvings >= 128 {
        return 0;
    }
    let fraction = LN2_WAD * u128::from(elapsed % half_life) / u128::from(half_life);
    exp_neg(fraction) >> halvings
}

/// Moves `ema` toward `value` after `elapsed` seconds; the first observation seeds the average.
pub fn update(ema: u128, value: u128, elapsed: u64, half_life: u64) -> u128 {
    if ema == 0 {
        return value;
    }
    let keep = decay(elapsed, half_life);
    let old = mul_div_floor(ema, keep, WAD).unwrap_or(0);
    let new = mul_div_floor(value, WAD - keep, WAD).unwrap_or(0);
    old + new
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: u128, b: u128, tolerance: u128) -> bool {
        a.abs_diff(b) <= tolerance
    }

    #[test]
    fn one_half_life_halves_the_weight() {
        assert_eq!(decay(3600, 3600), WAD / 2);
        assert_eq!(decay(7200, 3600), WAD / 4);
        assert_eq!(decay(0, 3600), WAD);
    }

    #[test]
    fn fractional_half_lives_match_the_exponential() {
        // 0.5^0.5 = 0.70710678118654752440...
        assert!(close(decay(1800, 3600), 707_106_781_186_547_524, 2));
        // 0.5^(1/3) = 0.79370052598409973737...
        assert!(close(decay(1200, 3600), 793_700_525_984_099_737, 2));
    }

    #[test]
    fn decay_vanishes_after_many_half_lives() {
        assert_eq!(decay(3600 * 200, 3600), 0);
    }

    #[test]
    fn ema_moves_halfway_after_one_half_life() {
        assert_eq!(update(0, 5 * WAD, 10, 3600), 5 * WAD);
        assert_eq!(update(WAD, 3 * WAD, 3600, 3600), 2 * WAD);
        assert_eq!(update(WAD, 3 * WAD, 0, 3600), WAD);
    }

    #[test]
    fn ema_stays_between_old_and_new() {
        for elapsed in [1u64, 59, 600, 3599, 3601, 86_400] {
            let ema = update(WAD, 2 * WAD, elapsed, 3600);
            assert!((WAD..=2 * WAD).contains(&ema), "{elapsed}: {ema}");
        }
    }
}
