// The seam between the simulator's world models (sim/src/models, sim/src/scenario.ts) and its engine
// (sim/src/engine, stats, reports, CLI). The world produces, step by step, everything outside the
// positions; the engine owns the sub-accounts, liquidations and accounting, and feeds back what
// liquidators sold so that price impact can widen the discount (cascades).

/** Pricing policy of the market under test (programs/margin PricingPolicy). */
export type Policy = "FairRate" | "Market" | "MinOfBoth";

/** A seeded random stream; each path gets its own, derived from (seed, path index). */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Poisson-distributed count with mean `lambda`. */
  poisson(lambda: number): number;
}

/** What the engine tells the world after each step. */
export interface Feedback {
  /** LRT (in SOL at the fair rate) sold into the DEX by liquidators during the step. */
  lrtSoldSol: number;
  /** Net SOL borrowed (+) or repaid (−) during the step, for the pool's utilisation. */
  netBorrowSol: number;
}

/** The world at the end of a step, as the protocol would see it on chain. */
export interface MarketSnapshot {
  /** Seconds since the start of the path. */
  t: number;
  /** The true exchange rate (SOL per LRT) before the oracle: staking yield minus slashing. */
  trueRate: number;
  /** The feed's fair rate after the committee and the sanity rules (smoothing, decrease budget). */
  fairRate: number;
  /**
   * (Optional, added by the world models) The rate consumers price with: the fair rate, or lower while
   * a reported loss is held for the guardian (sdk `pessimisticRate`). Absent: the fair rate.
   */
  pessimisticRate?: number;
  /** The feed is stale: risk increases are blocked, liquidations use the last fair rate. */
  stale: boolean;
  bunker: boolean;
  /**
   * Market price rounds: spot median, its robust low (lower median), its band (median absolute
   * deviation) and the EMAs of the median and of the low; null below quorum, or when the last round's
   * members disagreed beyond the band limit.
   */
  market: { spot: number; low: number; confidence: number; ema: number; emaLow: number } | null;
  /** DEX price of the LRT in SOL (what liquidators sell at before their own impact). */
  dexPrice: number;
  /** Annual borrow rate of the SOL pool (fraction) and its utilisation (fraction). */
  borrowApr: number;
  utilization: number;
  /** SOL a liquidator can sell per step before the price impact exceeds its profit. */
  dexDepthSol: number;
  /** (Optional, added by the world models) A decrease beyond the budget waits for the guardian. */
  held?: boolean;
  /**
   * (Optional, added by the world models) What the LRT redeems for: the true rate with the current
   * epoch's reward accrued. Users' equity is marked at it (absent: the true rate).
   */
  redemptionRate?: number;
  /** (Optional, added by the world models) The market is in its stress regime. */
  stress?: boolean;
}

/** A world model instance for one path. */
export interface World {
  readonly stepSecs: number;
  readonly steps: number;
  /** Advances one step. */
  step(feedback: Feedback): MarketSnapshot;
}
