/**
 * The float fast path of the protocol's margin math: the same formulas as the sdk's bigint mirror of
 * programs/margin/src/math (`margin/{interest,health,pricing,liquidation}.ts`), in SOL and LRT as
 * float64 instead of lamports and WAD, without the lamport rounding. test/sim/engine.test.ts checks
 * every function here against the sdk on random states: decisions agree wherever the state is not
 * within the lamport rounding of a threshold, amounts agree to a few lamports.
 *
 * Both engines (fast and naive) call these functions with the same arguments in the same order, so
 * their decisions are identical, not merely close.
 */
import { DEFAULT_RISK_PARAMS, type RiskParams } from "@lantern/sdk";
import type { Policy } from "../contract.js";

export const YEAR_SECS = 31_536_000;
const LAMPORTS = 1e9;

/** Risk parameters as fractions (bps / 10,000) and SOL (the program's are bps and lamports). */
export interface RiskF {
  ltvInit: number;
  lt: number;
  ltvFull: number;
  targetLtv: number;
  closeFactor: number;
  bonusMin: number;
  bonusMax: number;
  insuranceShare: number;
  /** SOL. */
  minDebt: number;
}

export function riskFromParams(r: RiskParams): RiskF {
  return {
    ltvInit: r.ltvInitBps / 10_000,
    lt: r.ltBps / 10_000,
    ltvFull: r.ltvFullBps / 10_000,
    targetLtv: r.targetLtvBps / 10_000,
    closeFactor: r.closeFactorBps / 10_000,
    bonusMin: r.bonusMinBps / 10_000,
    bonusMax: r.bonusMaxBps / 10_000,
    insuranceShare: r.insuranceShareBps / 10_000,
    minDebt: Number(r.minDebt) / LAMPORTS,
  };
}

export const DEFAULT_RISK: Readonly<RiskF> = Object.freeze(riskFromParams(DEFAULT_RISK_PARAMS));

/** Growth factor of the borrow index over `elapsed` seconds at `apr`: `1 + x + x²/2 + x³/6`, x = apr·t/year. */
export function growthF(apr: number, elapsedSecs: number): number {
  const x = (apr * elapsedSecs) / YEAR_SECS;
  const x2 = (x * x) / 2;
  return 1 + x + x2 + (x2 * x) / 3;
}

/** The market price rounds of a snapshot (the contract's `MarketSnapshot.market`). */
export interface MarketF {
  spot: number;
  /** The round's robust low (lower median) and the EMA of it: the prices consumers use. */
  low: number;
  confidence: number;
  ema: number;
  emaLow: number;
}

/** Maintenance and init prices; NaN where the policy has no price (`MarketPriceUnavailable`). */
export interface PricesF {
  maint: number;
  init: number;
}

/**
 * `FairRate`: fair for both. `Market`: EMA_low to maintain, min(spot_low, EMA_low) to open; no market
 * price → neither (the program returns MarketPriceUnavailable). `MinOfBoth`: min(fair, EMA_low) to
 * maintain (fair alone without market data, and then no init price), min(fair, spot_low, EMA_low) to
 * open. `spot_low` is the round's robust low (lower median), `EMA_low` its EMA; `fair` is the feed's
 * pessimistic rate. A zero price is refused (InvalidPrice): NaN, like no price.
 */
export function pricesF(policy: Policy, fair: number, market: MarketF | null, out: PricesF): PricesF {
  if (policy === "FairRate") {
    out.maint = fair;
    out.init = fair;
    return refuseZero(out);
  }
  if (market === null) {
    out.maint = policy === "Market" ? Number.NaN : fair;
    out.init = Number.NaN;
    return refuseZero(out);
  }
  const spot = market.low;
  const ema = market.emaLow;
  if (policy === "Market") {
    out.maint = ema;
    out.init = spot < ema ? spot : ema;
  } else {
    out.maint = fair < ema ? fair : ema;
    const fs = fair < spot ? fair : spot;
    out.init = fs < ema ? fs : ema;
  }
  return refuseZero(out);
}

function refuseZero(out: PricesF): PricesF {
  if (out.maint === 0 || out.init === 0) {
    out.maint = Number.NaN;
    out.init = Number.NaN;
  }
  return out;
}

/** Liquidatable iff `debt > value·LT` with `value = collateral·price` (a zero debt never is). */
export function isLiquidatableF(debt: number, collateral: number, price: number, lt: number): boolean {
  return debt > 0 && debt > collateral * price * lt;
}

/** The liquidation bonus: `clamp(LTV − LT, b_min, b_max)`, never more than `1 − LTV`; 0 when underwater. */
export function bonusF(debt: number, value: number, risk: RiskF): number {
  if (value <= 0 || debt >= value) return 0;
  const ltv = debt / value;
  const excess = ltv > risk.lt ? ltv - risk.lt : 0;
  const clamped = excess < risk.bonusMin ? risk.bonusMin : excess > risk.bonusMax ? risk.bonusMax : excess;
  const room = 1 - ltv;
  return clamped < room ? clamped : room;
}

/** A liquidation, as the sdk's `LiquidationPlan` (SOL and LRT). */
export interface PlanF {
  repay: number;
  seize: number;
  toInsurance: number;
  bonus: number;
  full: boolean;
}

export function newPlan(): PlanF {
  return { repay: 0, seize: 0, toInsurance: 0, bonus: 0, full: false };
}

/**
 * The liquidation of a liquidatable position (`liquidationPlan`): repay toward the target LTV, capped
 * by the close factor and `maxRepay`, or the whole debt from `LTV_full` on (or for dust debt); seize
 * `repay·(1+b)/p`, capped at the collateral (then the repayment shrinks to what it buys). Writes `out`
 * and returns false where the program would refuse (nothing to repay or to seize).
 */
export function planF(
  debt: number,
  collateral: number,
  price: number,
  risk: RiskF,
  maxRepay: number,
  out: PlanF,
): boolean {
  const value = collateral * price;
  const b = bonusF(debt, value, risk);
  const full = value * risk.ltvFull <= debt || debt < risk.minDebt;
  let repay: number;
  if (full) {
    repay = debt < maxRepay ? debt : maxRepay;
  } else {
    const t = risk.targetLtv;
    const toTarget = (debt - t * value) / (1 - t * (1 + b));
    const close = debt * risk.closeFactor;
    repay = toTarget;
    if (close < repay) repay = close;
    if (maxRepay < repay) repay = maxRepay;
    if (debt < repay) repay = debt;
  }
  let seize = (repay * (1 + b)) / price;
  if (!(seize <= collateral)) {
    seize = collateral;
    const buys = (collateral * price) / (1 + b);
    if (buys < repay) repay = buys;
  }
  out.repay = repay;
  out.seize = seize;
  out.bonus = b;
  out.full = full;
  out.toInsurance = (seize * b * risk.insuranceShare) / (1 + b);
  return repay > 0 && seize > 0;
}

/** `debtA/valueA < debtB/valueB` (no value is an infinite LTV), as `health::ltv_lower`. */
export function ltvLowerF(debtA: number, valueA: number, debtB: number, valueB: number): boolean {
  if (valueA <= 0) return false;
  if (valueB <= 0) return true;
  return debtA * valueB < debtB * valueA;
}
