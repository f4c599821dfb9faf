/**
 * Fixed-point arithmetic, bit for bit as programs/math (lantern-math): rates, prices and indexes are
 * u128 with 18 decimals (WAD); every product is exact before its single rounding step.
 *
 * bigint is arbitrary precision, so the 256-bit intermediate is free; what must be mirrored is where
 * Rust gives up: `mulDiv` is `undefined` exactly where `mul_div` is `None` (division by zero or a
 * quotient above u128::MAX), and `tripleProductLe` where a side does not fit 256 bits. Inputs are
 * expected in their Rust ranges (u64/u128 non-negative); the functions do not re-check them.
 */

export const WAD = 1_000_000_000_000_000_000n;
export const PPB = 1_000_000_000n;
export const BPS = 10_000n;
export const YEAR_SECS = 31_536_000n;

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const U256_LIMIT = 1n << 256n;
export const I64_MAX = (1n << 63n) - 1n;
export const I64_MIN = -(1n << 63n);

export type Rounding = "Down" | "Up";

/** `a * b / c` with one rounding; `undefined` on division by zero or a quotient above u128::MAX. */
export function mulDiv(a: bigint, b: bigint, c: bigint, rounding: Rounding): bigint | undefined {
  if (c === 0n) return undefined;
  const product = a * b;
  let quotient = product / c;
  if (rounding === "Up" && quotient * c !== product) quotient += 1n;
  return quotient > U128_MAX ? undefined : quotient;
}

/** `a * b / c` rounded down (`undefined` as Rust's `None`). */
export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint | undefined {
  if (c === 0n) return undefined;
  const quotient = (a * b) / c;
  return quotient > U128_MAX ? undefined : quotient;
}

/** `a * b / c` rounded up (`undefined` as Rust's `None`). */
export function mulDivCeil(a: bigint, b: bigint, c: bigint): bigint | undefined {
  if (c === 0n) return undefined;
  const product = a * b;
  let quotient = product / c;
  if (quotient * c !== product) quotient += 1n;
  return quotient > U128_MAX ? undefined : quotient;
}

/** `a * b <= c * d`, exactly. */
export function productLe(a: bigint, b: bigint, c: bigint, d: bigint): boolean {
  return a * b <= c * d;
}

/** `a * b * c <= d * e * f`, exactly; `undefined` when a side does not fit 256 bits (Rust's `None`). */
export function tripleProductLe(a: bigint, b: bigint, c: bigint, d: bigint, e: bigint, f: bigint): boolean | undefined {
  const lhs = a * b * c;
  if (lhs >= U256_LIMIT) return undefined;
  const rhs = d * e * f;
  if (rhs >= U256_LIMIT) return undefined;
  return lhs <= rhs;
}

/** Ceiling division of non-negative integers (Rust's `div_ceil`). */
export function divCeil(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a ? q : q + 1n;
}

export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Rust's `i64::saturating_sub`. */
export function saturatingSubI64(a: bigint, b: bigint): bigint {
  const d = a - b;
  return d > I64_MAX ? I64_MAX : d < I64_MIN ? I64_MIN : d;
}

/** Rust's `i64::saturating_add`. */
export function saturatingAddI64(a: bigint, b: bigint): bigint {
  const d = a + b;
  return d > I64_MAX ? I64_MAX : d < I64_MIN ? I64_MIN : d;
}

/** Rust's `u64::saturating_add`. */
export function saturatingAddU64(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s > U64_MAX ? U64_MAX : s;
}

/** Rust's `u128::saturating_add`. */
export function saturatingAddU128(a: bigint, b: bigint): bigint {
  const s = a + b;
  return s > U128_MAX ? U128_MAX : s;
}

/** Rust's `u128::saturating_sub` (and u64's). */
export function saturatingSub(a: bigint, b: bigint): bigint {
  return a > b ? a - b : 0n;
}
