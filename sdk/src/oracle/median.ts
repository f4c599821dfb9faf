/**
 * One market price round, as programs/oracle/src/math/median.rs: the median of the fresh observations,
 * its Byzantine-robust low (the lower median) and the band (median absolute deviation) that says
 * whether the members agree.
 *
 * With `n` fresh values of which fewer than half are faulty, only the middle order statistics are sure
 * to lie within the honest range: the consumer's low price is the lower median, never "median minus a
 * spread" that one outlier could set; and more than half of the deviations are honest ones, so a
 * minority cannot push the band above the honest range's width.
 */
import { BPS, U128_MAX } from "../math/fixed.js";

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

/** The lower median: the largest value that more than half of the observations are at or above. */
export function lowerMedian(sorted: readonly bigint[]): bigint {
  if (sorted.length === 0) throw new RangeError("lower median of no values");
  return sorted[(sorted.length - 1) >> 1]!;
}

/** The program sizes its scratch space for the most members a committee can hold. */
const MAX_VALUES = 16;

/** Median absolute deviation of the (first 16) sorted values from `center`. */
export function deviation(sorted: readonly bigint[], center: bigint): bigint {
  const deviations = sorted.slice(0, MAX_VALUES).map((v) => (v > center ? v - center : center - v));
  return median(sortPrices(deviations));
}

/** What one round of fresh observations says. */
export interface MedianRound {
  price: bigint;
  /** The consumer's low price: within the honest range whatever a minority submits. */
  low: bigint;
  /** Median absolute deviation: how closely the members agree. */
  confidence: bigint;
}

/** `Round::of`: `sorted` must hold at least one value. */
export function medianRound(sorted: readonly bigint[]): MedianRound {
  const price = median(sorted);
  return { price, low: lowerMedian(sorted), confidence: deviation(sorted, price) };
}

const saturatingMulU128 = (a: bigint, b: bigint) => (a * b > U128_MAX ? U128_MAX : a * b);

/** `Round::agrees`: the band is at most `maxConfidenceBps` of the price (saturating products, as the program). */
export function roundAgrees(round: Pick<MedianRound, "price" | "confidence">, maxConfidenceBps: number): boolean {
  return saturatingMulU128(round.confidence, BPS) <= saturatingMulU128(round.price, BigInt(maxConfidenceBps));
}
