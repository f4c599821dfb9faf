/**
 * Exponential moving average with a half-life in integer fixed point, as
 * programs/oracle/src/math/ema.rs (the same 24-term alternating series and the same final shift).
 */
import { WAD, mulDivFloor } from "../math/fixed.js";

/** ln(2) in WAD, truncated. */
export const LN2_WAD = 693_147_180_559_945_309n;
/** Taylor terms of exp(-x) for x < ln 2. */
export const EXP_TERMS = 24n;

/** exp(-x) for `0 <= x < 1` (WAD in, WAD out) by the alternating Taylor series, truncating each term. */
export function expNeg(x: bigint): bigint {
  let sum = WAD;
  let term = WAD;
  for (let k = 1n; k <= EXP_TERMS; k++) {
    term = (term * x) / (k * WAD);
    sum = k % 2n === 1n ? sum - term : sum + term;
  }
  return sum;
}

/** The weight kept by the old average after `elapsed` seconds: `0.5^(elapsed / halfLife)` in WAD. */
export function decay(elapsed: bigint, halfLife: bigint): bigint {
  if (halfLife === 0n) return 0n;
  const halvings = elapsed / halfLife;
  if (halvings >= 128n) return 0n;
  const fraction = (LN2_WAD * (elapsed % halfLife)) / halfLife;
  return expNeg(fraction) >> halvings;
}

/** Moves `ema` toward `value` after `elapsed` seconds; the first observation (ema 0) seeds the average. */
export function emaUpdate(ema: bigint, value: bigint, elapsed: bigint, halfLife: bigint): bigint {
  if (ema === 0n) return value;
  const keep = decay(elapsed, halfLife);
  const old = mulDivFloor(ema, keep, WAD) ?? 0n;
  const fresh = mulDivFloor(value, WAD - keep, WAD) ?? 0n;
  return old + fresh;
}
