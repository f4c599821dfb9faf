/**
 * The kinked rate curve and per-second compounding of the borrow index, as
 * programs/margin/src/math/interest.rs.
 */
import { LanternError } from "../math/errors.js";
import { BPS, U128_MAX, WAD, YEAR_SECS, mulDivCeil, mulDivFloor, saturatingSub } from "../math/fixed.js";
import { debtAmount, toU64 } from "./shares.js";
import type { LendingPool, RateCurve } from "./types.js";

const BPS_TO_WAD = WAD / BPS;

/** Utilisation in basis points: debt over the lenders' assets (cash + debt − insurance), rounded up. */
export function utilizationBps(cash: bigint, debt: bigint, insurance: bigint): bigint {
  const assets = saturatingSub(cash + debt, insurance);
  if (assets === 0n) return 0n;
  return mulDivCeil(debt, BPS, assets) ?? U128_MAX;
}

/** Annual borrow rate (WAD) at a utilisation (bps): linear between (0, 0), the two kinks and (100%, max). */
export function borrowRate(curve: RateCurve, utilization: bigint): bigint {
  const points: [bigint, bigint][] = [
    [0n, 0n],
    [BigInt(curve.kink1UtilizationBps), BigInt(curve.kink1RateBps)],
    [BigInt(curve.kink2UtilizationBps), BigInt(curve.kink2RateBps)],
    [BPS, BigInt(curve.maxRateBps)],
  ];
  const u = utilization < BPS ? utilization : BPS;
  for (let i = 0; i + 1 < points.length; i++) {
    const [u0, r0] = points[i]!;
    const [u1, r1] = points[i + 1]!;
    if (u <= u1) {
      if (r1 < r0 || u < u0) throw new RangeError("rate curve out of contract");
      // r0 + (r1 − r0)·(u − u0)/(u1 − u0), in WAD, rounded up (debt side).
      return r0 * BPS_TO_WAD + (mulDivCeil((r1 - r0) * BPS_TO_WAD, u - u0, u1 - u0) ?? 0n);
    }
  }
  return BigInt(curve.maxRateBps) * BPS_TO_WAD;
}

/**
 * Growth factor (WAD) of the borrow index over `elapsed` seconds at `annualRate`:
 * `1 + x + x²/2 + x³/6` with `x = rate·elapsed/year`, each term rounded up.
 */
export function growth(annualRate: bigint, elapsed: bigint): bigint {
  const overflow = () => new LanternError("margin", "MathOverflow");
  const x = mulDivCeil(annualRate, elapsed, YEAR_SECS);
  if (x === undefined) throw overflow();
  const x2 = mulDivCeil(x, x, 2n * WAD);
  if (x2 === undefined) throw overflow();
  const x3 = mulDivCeil(x2, x, 3n * WAD);
  if (x3 === undefined) throw overflow();
  const g = WAD + x + x2 + x3;
  if (g > U128_MAX) throw overflow();
  return g;
}

export interface Accrual {
  borrowIndex: bigint;
  supplyIndex: bigint;
  toInsurance: bigint;
}

/** The pool fields one accrual step reads. */
export type AccrualInput = Pick<
  LendingPool,
  "cash" | "insurance" | "supplyShares" | "supplyIndex" | "debtShares" | "borrowIndex"
> & {
  params: Pick<LendingPool["params"], "curve" | "reserveFactorBps">;
};

/**
 * One accrual step: the borrow index grows (rounded up); the interest is split between insurance (the
 * reserve factor, rounded up) and lenders (through the supply index, rounded down).
 */
export function accrue(pool: AccrualInput, elapsed: bigint): Accrual {
  const debtBefore = debtAmount(pool.debtShares, pool.borrowIndex);
  const rate = borrowRate(pool.params.curve, utilizationBps(pool.cash, debtBefore, pool.insurance));
  const borrowIndex = mulDivCeil(pool.borrowIndex, growth(rate, elapsed), WAD);
  if (borrowIndex === undefined) throw new LanternError("margin", "MathOverflow");
  const interest = debtAmount(pool.debtShares, borrowIndex) - debtBefore;
  let toInsurance = toU64(mulDivCeil(interest, BigInt(pool.params.reserveFactorBps), BPS));
  let supplyIndex = pool.supplyIndex;
  if (pool.supplyShares === 0n) {
    toInsurance = interest;
  } else {
    if (toInsurance > interest) throw new RangeError("reserve factor out of contract");
    const toLenders = mulDivFloor(interest - toInsurance, WAD, pool.supplyShares);
    if (toLenders === undefined) throw new LanternError("margin", "MathOverflow");
    supplyIndex += toLenders;
    if (supplyIndex > U128_MAX) throw new RangeError("u128 overflow"); // the program aborts
  }
  return { borrowIndex, supplyIndex, toInsurance };
}
