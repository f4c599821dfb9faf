/**
 * The float twin of the sdk's math, in one place and under the sdk's names: `approx.liquidationPlan`
 * is sdk `liquidationPlan`, `approx.median` is sdk `median`, and so on — the same formulas on float64
 * SOL and LRT (prices as SOL per LRT) instead of lamports and WAD, without the lamport rounding. Import
 * it as a namespace (`import * as approx from "./approx.js"`), so a call says which twin it is.
 *
 * Why a twin: the standard workload is 10,000 paths × 43,200 steps × 10,000 sub-accounts within 2× of
 * the random-number bound (DESIGN.md §6), and bigint arithmetic allocates and is one to two orders of
 * magnitude slower than float64 in V8. The sdk's exact code still runs where it is cheap: the committee's
 * reports (`processReport`, `confirmHeld`), the pool's curve (tabulated per basis point), the EMA's decay
 * (`decay`, memoised per elapsed time here).
 *
 * Parity: test/sim/engine.test.ts checks the margin functions against the sdk on random states
 * (decisions agree wherever the state is not within the lamport rounding of a threshold, amounts to a
 * few lamports); test/sim/models.test.ts checks a whole price round against the sdk's `freshPrices` +
 * `updateMarket` (≤ 1e-12 relative). Both engines call these functions with the same arguments in the
 * same order, so their decisions are identical, not merely close.
 */
import { DEFAULT_RISK_PARAMS, decay, type RiskParams } from "@lantern/sdk/math";
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

/** The only converter: the sdk's (and the program's) risk parameters, in bps and lamports, as fractions and SOL. */
export function riskFrom(r: RiskParams): RiskF {
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

export const DEFAULT_RISK: Readonly<RiskF> = Object.freeze(riskFrom(DEFAULT_RISK_PARAMS));

/** Growth factor of the borrow index over `elapsed` seconds at `apr`: `1 + x + x²/2 + x³/6`, x = apr·t/year. */
export function growth(apr: number, elapsedSecs: number): number {
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
export function prices(policy: Policy, fair: number, market: MarketF | null, out: PricesF): PricesF {
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
export function isLiquidatable(debt: number, collateral: number, price: number, lt: number): boolean {
  return debt > 0 && debt > collateral * price * lt;
}

/** The liquidation bonus: `clamp(LTV − LT, b_min, b_max)`, never more than `1 − LTV`; 0 when underwater. */
export function liquidationBonus(debt: number, value: number, risk: RiskF): number {
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
export function liquidationPlan(
  debt: number,
  collateral: number,
  price: number,
  risk: RiskF,
  maxRepay: number,
  out: PlanF,
): boolean {
  const value = collateral * price;
  const b = liquidationBonus(debt, value, risk);
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
export function ltvLower(debtA: number, valueA: number, debtB: number, valueB: number): boolean {
  if (valueA <= 0) return false;
  if (valueB <= 0) return true;
  return debtA * valueB < debtB * valueA;
}

// The oracle's market price round (sdk oracle/median.ts, oracle/ema.ts).

/** Median of the first `n` sorted values (the mean of the middle two for an even count), as sdk `median`. */
export function median(sorted: Float64Array, n: number): number {
  if (n % 2 === 1) return sorted[(n - 1) / 2]!;
  const low = sorted[n / 2 - 1]!;
  return low + (sorted[n / 2]! - low) / 2;
}

/** The lower median of the first `n` sorted values, as sdk `lowerMedian`. */
export function lowerMedian(sorted: ArrayLike<number>, n: number): number {
  return sorted[(n - 1) >> 1]!;
}

/**
 * Median absolute deviation of the first `n` sorted values from `center` (as sdk `deviation`), without
 * sorting: the deviations of the values at or below the center, walked downward, and of those above,
 * walked upward, are two ascending runs; merging them up to the middle gives the median. Float
 * subtraction is sign-symmetric, so these are exactly the values `|x − center|` a sort would order.
 */
export function deviation(sorted: ArrayLike<number>, n: number, center: number): number {
  let split = 0;
  while (split < n && sorted[split]! <= center) split++;
  let lo = split - 1;
  let hi = split;
  // Merge step by step, inline: a closure here would be allocated (and, under tsx, renamed) per round.
  const mid = (n - 1) >> 1;
  let first = 0;
  for (let k = 0; k <= mid; k++) {
    const below = lo >= 0 ? center - sorted[lo]! : Infinity;
    const above = hi < n ? sorted[hi]! - center : Infinity;
    if (below <= above) {
      lo--;
      first = below;
    } else {
      hi++;
      first = above;
    }
  }
  if (n % 2 === 1) return first;
  const below = lo >= 0 ? center - sorted[lo]! : Infinity;
  const above = hi < n ? sorted[hi]! - center : Infinity;
  const second = below <= above ? below : above;
  return first + (second - first) / 2;
}

/** The members agree when the band is at most `maxConfidenceBps` of the price (sdk `roundAgrees`). */
export function roundAgrees(price: number, confidence: number, maxConfidenceBps: number): boolean {
  return confidence * 10_000 <= price * maxConfidenceBps;
}

const decayCache = new Map<string, number>();
/** The EMA's weight on the old average after `elapsed` seconds: the sdk's integer `decay`, memoised. */
export function emaKeep(elapsed: number, halfLife: number): number {
  const key = `${elapsed}/${halfLife}`;
  let keep = decayCache.get(key);
  if (keep === undefined) {
    keep = Number(decay(BigInt(elapsed), BigInt(halfLife))) / 1e18;
    if (decayCache.size < 100_000) decayCache.set(key, keep);
  }
  return keep;
}
