/**
 * One path of the world outside the positions: `createWorld(scenario, rng)` composes the models and
 * produces a `MarketSnapshot` per step, taking back what the engine's liquidators sold and borrowed.
 *
 * Order within a step ending at `t` (events inside the step are applied at their own times where
 * the protocol cares — report landings and confirmations carry their exact timestamps):
 * 1. fair rate: epoch rewards, slashings and commission shocks up to `t` → the true rate;
 * 2. committee: frame starts, report landings (sdk sanity rules), guardian confirmations → the
 *    feed's fair rate, bunker, held, stale;
 * 3. discount: regime, OU step, jumps and flashes, the previous step's liquidator sales against the
 *    DEX depth, instant-unstake arbitrage against the (fresh) fair rate → the DEX price;
 * 4. market oracle: one price round of the members on the DEX price → median, robust low, band
 *    (no price when the members disagree), EMAs of the median and the low;
 * 5. pool: lender flows, other borrowers, the previous step's net borrowing → utilisation, APR.
 *
 * Random numbers come from the one stream handed in (derived from (seed, path) by the caller), in
 * an order fixed by the scenario and the feedback only, so a path is reproducible anywhere.
 */
import type { Feedback, MarketSnapshot, Rng, World } from "../contract.js";
import { asModelRng } from "../rng.js";
import type { Scenario } from "../scenario.js";
import { BorrowRateModel } from "./borrowRate.js";
import { CommitteeModel, type CommitteeStats } from "./committee.js";
import { DiscountModel, type DiscountInputs } from "./discount.js";
import { FairRateModel } from "./fairRate.js";
import { MarketOracleModel } from "./marketOracle.js";
import { DAY_SECS } from "./paths.js";

export interface WorldOptions {
  /**
   * Run the market price rounds through the sdk's bigint functions instead of the float fast path
   * (same random draws; differences are float rounding only). Slow: for validation.
   */
  exactOracle?: boolean;
  /** Allow the oracle's clean-round fast path (default true; bit-identical, off only for tests). */
  oracleFastPath?: boolean;
}

/** What a world can report beyond the snapshots (for reports and tests). */
export interface WorldDiagnostics {
  committee: CommitteeStats;
  slashings: number;
  /** Product of (1 − loss) over the slashings. */
  slashFactor: number;
  /** SOL taken from the instant-unstake reserve by arbitrage. */
  arbitrageSol: number;
  reserveSol: number;
  peakUtilization: number;
}

export class LanternWorld implements World {
  readonly stepSecs: number;
  readonly steps: number;
  /** Steps taken so far. */
  index = 0;

  readonly fair: FairRateModel;
  readonly committee: CommitteeModel;
  readonly discount: DiscountModel;
  readonly oracle: MarketOracleModel;
  readonly pool: BorrowRateModel;

  private readonly queuedAlways: boolean;
  private readonly unstakeFeeLog: number;
  private readonly impactBps: number;
  private floorFair = NaN;
  private floorTrue = NaN;
  private floorLog = 0;
  private readonly inputs: DiscountInputs = { queued: false, soldSol: 0, floorLog: null };

  constructor(
    readonly scenario: Scenario,
    rng: Rng,
    options: WorldOptions = {},
  ) {
    const r = asModelRng(rng);
    this.stepSecs = scenario.stepSecs;
    this.steps = Math.max(1, Math.round((scenario.horizonDays * DAY_SECS) / scenario.stepSecs));
    const epochSecs = scenario.fairRate.epochHours * 3600;
    // Construction order fixes the order of the initial draws.
    this.fair = new FairRateModel(scenario.fairRate, r);
    this.committee = new CommitteeModel(scenario.committee, scenario.fairRate.initialRate, r);
    this.discount = new DiscountModel(
      scenario.discount,
      scenario.dex,
      scenario.restaking,
      epochSecs,
      scenario.stepSecs,
      r,
    );
    this.oracle = new MarketOracleModel(
      scenario.oracle,
      scenario.committee,
      this.committee.roleScript,
      r,
      options.exactOracle ?? false,
      options.oracleFastPath ?? true,
    );
    this.pool = new BorrowRateModel(scenario.pool, scenario.stepSecs, r);
    this.queuedAlways = scenario.discount.redemptionQueued;
    this.unstakeFeeLog = Math.log(1 - scenario.restaking.instantUnstakeFeeBps / 10_000);
    this.impactBps = scenario.liquidators.maxImpactBps;
  }

  step(feedback: Feedback): MarketSnapshot {
    const t = ++this.index * this.stepSecs;
    const trueRate = this.fair.advanceTo(t);
    const committee = this.committee;
    committee.advanceTo(t, trueRate);
    const stale = committee.staleAt(t);
    const fairRate = committee.fairRate;
    if (fairRate !== this.floorFair || trueRate !== this.floorTrue) {
      this.floorFair = fairRate;
      this.floorTrue = trueRate;
      this.floorLog = Math.log(fairRate / trueRate) + this.unstakeFeeLog;
    }
    const inputs = this.inputs;
    inputs.queued = this.queuedAlways || committee.bunker;
    inputs.soldSol = feedback.lrtSoldSol;
    inputs.floorLog = stale || this.unstakeFeeLog === -Infinity ? null : this.floorLog;
    this.discount.step(t, inputs);
    const dexPrice = trueRate * Math.exp(this.discount.logDiscount);
    const oracle = this.oracle;
    oracle.round(t, dexPrice);
    this.pool.step(t, feedback.netBorrowSol);
    return {
      t,
      trueRate,
      fairRate,
      pessimisticRate: committee.pessimisticRate,
      stale,
      bunker: committee.bunker,
      market: oracle.available
        ? { spot: oracle.spot, low: oracle.low, confidence: oracle.confidence, ema: oracle.ema, emaLow: oracle.emaLow }
        : null,
      dexPrice,
      borrowApr: this.pool.apr,
      utilization: this.pool.utilization,
      dexDepthSol: (this.discount.depth1Pct * this.impactBps) / 100,
      held: committee.held,
      stress: this.discount.stress,
      redemptionRate: this.fair.redemptionRate(t),
    };
  }

  diagnostics(): WorldDiagnostics {
    return {
      committee: { ...this.committee.stats },
      slashings: this.fair.slashings,
      slashFactor: this.fair.slashFactor,
      arbitrageSol: this.discount.arbitrageSol,
      reserveSol: this.discount.reserve,
      peakUtilization: this.pool.peakUtilization,
    };
  }
}

/** A world model instance for one path of `scenario`, drawing from `rng` (see `createRng`). */
export function createWorld(scenario: Scenario, rng: Rng, options: WorldOptions = {}): LanternWorld {
  return new LanternWorld(scenario, rng, options);
}
