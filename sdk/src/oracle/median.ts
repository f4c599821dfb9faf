/** Median and confidence band of the fresh market observations, as programs/oracle/src/math/median.rs. */

/** The values sorted ascending (a new array). */
export function sortPrices(values: readonly bigint[]): bigint[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Median of sorted values; for an even count, the floor of the mean of the two middle values. */
export function median(sorted: readonly bigint[]): bigint {
  const n = sorted.length;
  if (n === 0) throw new RangeError("median of no values");
  if (n % 2 === 1) return sorted[(n - 1) / 2]!;
  const low = sorted[n / 2 - 1]!;
  const high = sorted[n / 2]!;
  return low + (high - low) / 2n;
}

/** Half the spread of the tightest `quorum` consecutive sorted values, rounded down. */
export function confidence(sorted: readonly bigint[], quorum: number): bigint {
  if (sorted.length === 0) throw new RangeError("confidence of no values");
  const window = Math.min(Math.max(quorum, 1), sorted.length);
  let tightest = sorted[window - 1]! - sorted[0]!;
  for (let start = 1; start + window <= sorted.length; start++) {
    const spread = sorted[start + window - 1]! - sorted[start]!;
    if (spread < tightest) tightest = spread;
  }
  return tightest / 2n;
}
