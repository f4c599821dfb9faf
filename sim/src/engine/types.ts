/** What the engine needs besides the world: the market's risk setup, liquidators and the book. */
import type { Policy } from "../contract.js";
import type { RiskF } from "./approx.js";

/** Liquidators, as the scenario's `liquidators` (sim/src/scenario.ts). */
export interface LiquidatorParams {
  /** Independent liquidator bots; 0 = nobody liquidates. */
  count: number;
  /** Mean delay from becoming liquidatable to the liquidation landing, seconds (rounded up to steps). */
  delaySecs: number;
  /** Uniform jitter around the delay, ± seconds (drawn per sub-account from the engine's stream). */
  delayJitterSecs: number;
  /** SOL one bot can repay per step. */
  capacitySolPerStep: number;
  /** Liquidation transactions one bot lands per step. */
  maxLiquidationsPerStep: number;
  /** A liquidation is made only if it earns at least this, SOL (after fees). */
  minProfitSol: number;
  /** Share of the LRT received that is sold into the DEX at once (the rest is held). */
  sellFraction: number;
}

export const DEFAULT_LIQUIDATORS: Readonly<LiquidatorParams> = Object.freeze({
  count: 3,
  delaySecs: 20,
  delayJitterSecs: 10,
  capacitySolPerStep: 5_000,
  maxLiquidationsPerStep: 50,
  minProfitSol: 0.001,
  sellFraction: 1,
});

/** How the book of sub-accounts is drawn (the scenario's `population`). */
export type { PopulationSpec } from "../scenario.js";

/** A drawn book: equity and leverage per sub-account, and its leverage buckets. */
export interface Population {
  equity: Float64Array;
  leverage: Float64Array;
  bucket: Int32Array;
  /** Bucket labels, e.g. "3×" (discrete levels) or "2–3×" (ranges). */
  buckets: string[];
  /** A representative leverage per bucket (the level, or the mean leverage in the range). */
  bucketLeverage: number[];
}

export interface EngineParams {
  policy: Policy;
  risk: RiskF;
  /** Share of interest that goes to the pool's insurance (reserve factor), a fraction. */
  reserveFactor: number;
  /** The pool's insurance fund at the start (SOL): it pays bad debt before lenders do. */
  insuranceSol: number;
  liquidators: LiquidatorParams;
  /** Maximum number of time buckets in the recorded series (liquidations over time, depeg fan). */
  seriesBuckets: number;
}

/** The outcome of one path: everything the statistics need, nothing per sub-account. */
export interface PathOutcome {
  path: number;
  /** Seconds from opening to the horizon. */
  horizonSecs: number;
  /** Debt written off (collateral gone): by the insurance, then socialised to lenders. */
  badDebt: number;
  coveredByInsurance: number;
  socialized: number;
  /** Debt not covered by collateral at the horizon (marked at min(fair, DEX)), not yet written off. */
  shortfall: number;
  /** badDebt + shortfall. */
  protocolLoss: number;
  /** socialized + the part of the shortfall the remaining insurance cannot pay. */
  lossBeyondInsurance: number;
  insuranceEnd: number;
  /** LRT the insurance vault received (bonus share), valued at the horizon mark. */
  insuranceLrtSol: number;
  liquidations: number;
  liquidatedAccounts: number;
  /** SOL repaid by liquidators. */
  liquidationVolume: number;
  /** Liquidation attempts refused because they did not pay (after gas and minimum profit). */
  unprofitableAttempts: number;
  peakUtilization: number;
  bunkerSecs: number;
  staleSecs: number;
  /** Largest discount of the DEX price to the true rate during the path (fraction, ≥ 0). */
  maxDiscount: number;
  /**
   * Equity-weighted user return, simple, annualised, with the collateral marked at what the LRT
   * redeems for (the true rate with the current epoch's reward accrued), each sub-account floored at 0.
   */
  netApy: number;
  /**
   * Equity-weighted user return over the horizon, not annualised, with the collateral marked to market
   * at min(oracle fair rate, DEX price): what users would have if they all sold at the horizon.
   */
  markToMarketReturn: number;
  /** Per leverage bucket. */
  bucketAccounts: number[];
  bucketLiquidated: number[];
  /** Σ seconds from opening to the first liquidation, over liquidated sub-accounts. */
  bucketTimeSum: number[];
  bucketEquity0: number[];
  bucketEquityEnd: number[];
  /** Per time bucket: liquidation count, SOL repaid, and the DEX price over the opening fair rate − 1. */
  seriesCount: number[];
  seriesVolume: number[];
  seriesDepeg: number[];
  /** Per time bucket: the lowest and the highest DEX price over the opening fair rate − 1 in its steps. */
  seriesDepegMin: number[];
  seriesDepegMax: number[];
}
