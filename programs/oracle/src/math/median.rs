//! One market price round: the median of the fresh observations, its Byzantine-robust low, and the
//! band (median absolute deviation) that says whether the members agree.
//!
//! The rule it serves (DESIGN §3.1): any minority of the fresh observations, with any values, cannot
//! move a consumer's price outside the range of the honest observations. With `n` fresh values of
//! which fewer than half are faulty, only the middle order statistics are guaranteed to lie within
//! the honest range, so the consumer's low price is the lower median, never "median minus a spread"
//! (a spread that one outlier could set). The band is the median absolute deviation: more than half
//! of the deviations are honest ones, so a minority cannot push it above the honest range's width.

/// Sorts `values` in place (insertion sort: at most 16 values, bounded and allocation-free).
pub fn sort(values: &mut [u128]) {
    for i in 1..values.len() {
        let mut j = i;
        while j > 0 && values[j - 1] > values[j] {
            values.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Median of sorted values; for an even count, the floor of the mean of the two middle values.
pub fn median(sorted: &[u128]) -> u128 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        let (low, high) = (sorted[n / 2 - 1], sorted[n / 2]);
        low + (high - low) / 2
    }
}

/// The lower median: the largest value that more than half of the observations are at or above.
pub fn lower_median(sorted: &[u128]) -> u128 {
    sorted[(sorted.len() - 1) / 2]
}

/// Median absolute deviation from `center` (at most 16 values; allocation-free).
pub fn deviation(sorted: &[u128], center: u128) -> u128 {
    let mut deviations = [0u128; 16];
    let n = sorted.len().min(deviations.len());
    for (d, v) in deviations.iter_mut().zip(&sorted[..n]) {
        *d = v.abs_diff(center);
    }
    sort(&mut deviations[..n]);
    median(&deviations[..n])
}

/// What one round of fresh observations says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    pub price: u128,
    /// The consumer's low price: within the honest range whatever a minority submits.
    pub low: u128,
    /// Median absolute deviation: how closely the members agree.
    pub confidence: u128,
}

impl Round {
    /// `sorted` must hold at least one value.
    pub fn of(sorted: &[u128]) -> Round {
        let price = median(sorted);
        Round { price, low: lower_median(sorted), confidence: deviation(sorted, price) }
    }

    /// The members agree when the band is at most `max_confidence_bps` of the price.
    pub fn agrees(&self, max_confidence_bps: u16) -> bool {
        lantern_math::product_le(self.confidence, lantern_math::BPS, self.price, u128::from(max_confidence_bps))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(values: &[u128]) -> Round {
        let mut v = values.to_vec();
        sort(&mut v);
        Round::of(&v)
    }

    #[test]
    fn odd_count_takes_the_middle_value() {
        let mut v = [5, 1, 9, 3, 7];
        sort(&mut v);
        assert_eq!(v, [1, 3, 5, 7, 9]);
        assert_eq!(Round::of(&v), Round { price: 5, low: 5, confidence: 2 });
    }

    #[test]
    fn even_count_averages_the_two_middle_values_rounding_down() {
        // deviations from 5 of [1,2,4,7,10,100]: [4,3,1,2,5,95] → sorted [1,2,3,4,5,95] → 3
        assert_eq!(round(&[10, 1, 4, 100, 7, 2]), Round { price: 5, low: 4, confidence: 3 });
    }

    #[test]
    fn outliers_do_not_move_the_median() {
        let r = round(&[1, 1, 1_000, 1_001, 1_002, 1_003, 1_004, u128::MAX, u128::MAX]);
        assert_eq!((r.price, r.low), (1_002, 1_002));
        assert_eq!(r.confidence, 2);
    }

    #[test]
    fn one_outlier_among_exactly_a_quorum_cannot_set_the_band() {
        // The attack of the review: five fresh observations, one of them 1e-18.
        let honest = [1_000, 1_001, 1_002, 1_003];
        let r = round(&[honest.as_slice(), &[1]].concat());
        assert!((1_000..=1_003).contains(&r.low) && (1_000..=1_003).contains(&r.price));
        assert!(r.confidence <= 3);
        let r = round(&[honest.as_slice(), &[u128::MAX]].concat());
        assert!((1_000..=1_003).contains(&r.low) && (1_000..=1_003).contains(&r.price));
        assert!(r.confidence <= 3);
    }

    #[test]
    fn a_band_wider_than_the_limit_is_no_agreement() {
        let r = round(&[900, 1_000, 1_100]);
        assert_eq!(r.confidence, 100);
        assert!(r.agrees(1_000) && !r.agrees(999));
    }

    proptest::proptest! {
        /// The Byzantine rule: fewer than half of the observations faulty, with any values, and the
        /// price and the low stay within the honest range and the band within the honest width.
        #[test]
        fn a_faulty_minority_stays_within_the_honest_range(
            honest in proptest::collection::vec(1u128..=10u128.pow(24), 1..=9),
            faulty_values in proptest::collection::vec(proptest::prelude::any::<u128>(), 0..=8),
        ) {
            // A minority: f < (h + f) / 2, i.e. f ≤ h − 1.
            let faulty = faulty_values.len().min(honest.len() - 1);
            let (low, high) = (*honest.iter().min().unwrap(), *honest.iter().max().unwrap());
            let r = round(&[honest.as_slice(), &faulty_values[..faulty]].concat());
            proptest::prop_assert!((low..=high).contains(&r.price), "price {} outside [{low}, {high}]", r.price);
            proptest::prop_assert!((low..=high).contains(&r.low), "low {} outside [{low}, {high}]", r.low);
            proptest::prop_assert!(r.confidence <= high - low);
        }
    }

    #[test]
    fn even_median_does_not_overflow() {
        assert_eq!(median(&[u128::MAX - 1, u128::MAX]), u128::MAX - 1);
        assert!(!round(&[1, u128::MAX]).agrees(9_999));
    }
}
