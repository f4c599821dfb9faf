//! Median and confidence band of the fresh market observations.

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

/// Half the spread of the tightest `quorum` consecutive sorted values (floor): how closely the agreeing
/// majority's observations sit. With quorum above half the values every such window holds the median,
/// and observations outside the majority (a faulty publisher printing near zero) cannot widen the band.
pub fn confidence(sorted: &[u128], quorum: usize) -> u128 {
    let window = quorum.clamp(1, sorted.len());
    (0..=sorted.len() - window).map(|start| sorted[start + window - 1] - sorted[start]).min().unwrap_or(0) / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_count_takes_the_middle_value() {
        let mut v = [5, 1, 9, 3, 7];
        sort(&mut v);
        assert_eq!(v, [1, 3, 5, 7, 9]);
        assert_eq!(median(&v), 5);
        assert_eq!(confidence(&v, 3), 2);
        assert_eq!(confidence(&v, 5), 4);
    }

    #[test]
    fn even_count_averages_the_two_middle_values_rounding_down() {
        let mut v = [10, 1, 4, 100, 7, 2];
        sort(&mut v);
        assert_eq!(median(&v), 5);
        // the tightest 4 of [1,2,4,7,10,100] are [1,2,4,7]
        assert_eq!(confidence(&v, 4), 3);
    }

    #[test]
    fn outliers_do_not_move_the_median() {
        let mut v = [1, 1, 1_000, 1_001, 1_002, 1_003, 1_004, u128::MAX, u128::MAX];
        sort(&mut v);
        assert_eq!(median(&v), 1_002);
        assert_eq!(confidence(&v, 5), 2);
    }

    #[test]
    fn faulty_publishers_do_not_widen_the_band() {
        // Two near-zero publishers among eight fresh observations, quorum 5: the band is the honest one.
        let mut v = [1, 2, 1_000, 1_002, 1_004, 1_006, 1_008, 1_010];
        sort(&mut v);
        assert_eq!(confidence(&v, 5), 4);
        assert_eq!(median(&v), 1_003);
    }

    #[test]
    fn even_median_does_not_overflow() {
        assert_eq!(median(&[u128::MAX - 1, u128::MAX]), u128::MAX - 1);
    }
}
