/**
 * How much a liquidation repays and seizes, as programs/margin/src/math/liquidation.rs.
 *
 * Bonus `b = clamp(LTV − LT, b_min, b_max)`, never more than `1 − LTV`. A partial liquidation repays
 * `x = (D − t·V)/(1 − t·(1+b))` to land at the target LTV `t`, capped by the close factor and
 * `maxRepay`; at `LTV ≥ LTV_full`, or for dust debt, the whole debt may go. It seizes `repay·(1+b)/p`
 * LRT (rounded down), capped at the collateral; the insurance takes its share of the bonus part,
 * rounded up (rounding favours the protocol, not the liquidator). A zero price is refused first.
 */
import { LanternError } from "../math/errors.js";
import { BPS, WAD, divCeil, minBigint, mulDivCeil, mulDivFloor } from "../math/fixed.js";
import { atOrAboveLtv, collateralValue, isLiquidatable } from "./health.js";
import { toU64 } from "./shares.js";
import type { RiskParams } from "./types.js";

export interface LiquidationPlan {
  repay: bigint;
  /** LRT leaving the sub-account, of which `toInsurance` goes to insurance, the rest to the liquidator. */
  seize: bigint;
  toInsurance: bigint;
  bonusWad: bigint;
  full: boolean;
}

const BPS_TO_WAD = WAD / BPS;

/** The liquidation bonus (WAD) of a position with `debt` against `value`. */
export function liquidationBonus(
  debt: bigint,
  value: bigint,
  risk: Pick<RiskParams, "ltBps" | "bonusMinBps" | "bonusMaxBps">,
): bigint {
  if (value === 0n || debt >= value) return 0n;
  const ltv = (debt * WAD) / value;
  const lt = BigInt(risk.ltBps) * BPS_TO_WAD;
  const excess = ltv > lt ? ltv - lt : 0n;
  const lo = BigInt(risk.bonusMinBps) * BPS_TO_WAD;
  const hi = BigInt(risk.bonusMaxBps) * BPS_TO_WAD;
  // Rust's `clamp` asserts lo <= hi (validated risk parameters guarantee it).
  if (lo > hi) throw new RangeError("bonus bounds out of order");
  const clamped = excess < lo ? lo : excess > hi ? hi : excess;
  return minBigint(clamped, WAD - ltv);
}

/** The liquidation of a position; `InvalidPrice`, `NotLiquidatable`, `ZeroAmount` or `MathOverflow` as the program. */
export function liquidationPlan(
  debt: bigint,
  collateral: bigint,
  price: bigint,
  risk: RiskParams,
  maxRepay: bigint,
): LiquidationPlan {
  if (price === 0n) throw new LanternError("margin", "InvalidPrice");
  if (!isLiquidatable(debt, collateral, price, risk.ltBps)) throw new LanternError("margin", "NotLiquidatable");
  const value = collateralValue(collateral, price);
  const b = liquidationBonus(debt, value, risk);
  const full = atOrAboveLtv(debt, collateral, price, risk.ltvFullBps) || debt < risk.minDebt;
  let repay: bigint;
  if (full) {
    repay = minBigint(debt, maxRepay);
  } else {
    const t = BigInt(risk.targetLtvBps) * BPS_TO_WAD;
    const numerator = debt * WAD - t * value;
    const tb = mulDivCeil(t, WAD + b, WAD);
    if (tb === undefined) throw new LanternError("margin", "MathOverflow");
    const denominator = WAD - tb;
    if (numerator < 0n || denominator <= 0n) throw new RangeError("risk parameters out of contract");
    const toTarget = toU64(divCeil(numerator, denominator));
    const close = toU64(mulDivCeil(debt, BigInt(risk.closeFactorBps), BPS));
    repay = minBigint(minBigint(minBigint(toTarget, close), maxRepay), debt);
  }
  let seize = toU64(mulDivFloor(repay, WAD + b, price));
  if (seize > collateral) {
    seize = collateral;
    repay = minBigint(repay, toU64(mulDivCeil(collateral, price, WAD + b)));
  }
  if (repay === 0n || seize === 0n) throw new LanternError("margin", "ZeroAmount");
  const toInsurance = toU64(mulDivCeil(seize, b * BigInt(risk.insuranceShareBps), (WAD + b) * BPS));
  return { repay, seize, toInsurance, bonusWad: b, full };
}
