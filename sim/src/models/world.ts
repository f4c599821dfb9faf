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

type MarketPrices = NonNullable<MarketSnapshot["market"]>;

export interface WorldOptions {
  /**
   * Run the market price rounds through the sdk's bigint functions instead of the float fast path
   * (same random draws; differences are float rounding only). Slow: for validation.
   */
  exactOracle?: boolean;
  /** Allow the oracle's clean-round fast path (default true; bit-identical, off only for tests). */
  oracleFastPath?: boolean;
  /**
   * Let the engine run the calm steps in its fused kernel (engine/calm.ts; default true; bit-identical,
   * off only for tests).
   */
  calmKernel?: boolean;
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
  /** The engine may run calm steps in its fused kernel (engine/calm.ts reads and writes this world's state). */
  readonly calmKernel: boolean;

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
  private floorClosed = false;
  private readonly inputs: DiscountInputs = { queued: false, soldSol: 0, floorLog: null };
  private readonly viewMarket: MarketPrices = { spot: 0, low: 0, confidence: 0, ema: 0, emaLow: 0 };
  private readonly view: Required<MarketSnapshot> = {
    t: 0,
    trueRate: 0,
    fairRate: 0,
    pessimisticRate: 0,
    stale: false,
    bunker: false,
    market: null,
    dexPrice: 0,
    borrowApr: 0,
    utilization: 0,
    dexDepthSol: 0,
    held: false,
    stress: false,
    redemptionRate: 0,
  };

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
    this.calmKernel = options.calmKernel ?? true;
  }

  /** Advances one step and returns a snapshot of its own (a copy of what `advance` lends). */
  step(feedback: Feedback): MarketSnapshot {
    const v = this.advance(feedback);
    const m = v.market;
    return {
      t: v.t,
      trueRate: v.trueRate,
      fairRate: v.fairRate,
      pessimisticRate: v.pessimisticRate,
      stale: v.stale,
      bunker: v.bunker,
      market: m === null ? null : { spot: m.spot, low: m.low, confidence: m.confidence, ema: m.ema, emaLow: m.emaLow },
      dexPrice: v.dexPrice,
      borrowApr: v.borrowApr,
      utilization: v.utilization,
      dexDepthSol: v.dexDepthSol,
      held: v.held,
      stress: v.stress,
      redemptionRate: v.redemptionRate,
    };
  }

  /**
   * Advances one step and lends the world's own snapshot, overwritten by the next call: the engine reads
   * it before stepping again, so a path allocates nothing per step (a snapshot and its market object
   * per step were most of the world's garbage).
   */
  advance(feedback: Feedback): Readonly<MarketSnapshot> {
    const t = ++this.index * this.stepSecs;
    const trueRate = this.fair.advanceTo(t);
    const committee = this.committee;
    committee.advanceTo(t, trueRate);
    const stale = committee.staleAt(t);
    const fairRate = committee.fairRate;
    // The instant-unstake floor changes only with the rates or the feed's staleness, and the discount
    // model's input is written only then: a field that can hold null boxes every number written to it.
    const closed = stale || this.unstakeFeeLog === -Infinity;
    const inputs = this.inputs;
    if (fairRate !== this.floorFair || trueRate !== this.floorTrue || closed !== this.floorClosed) {
      this.floorFair = fairRate;
      this.floorTrue = trueRate;
      this.floorClosed = closed;
      inputs.floorLog = closed ? null : Math.log(fairRate / trueRate) + this.unstakeFeeLog;
    }
    inputs.queued = this.queuedAlways || committee.bunker;
    inputs.soldSol = feedback.lrtSoldSol;
    const discount = this.discount;
    discount.step(t, inputs);
    const dexPrice = trueRate * Math.exp(discount.logDiscount);
    const oracle = this.oracle;
    oracle.round(t, dexPrice);
    const pool = this.pool;
    pool.step(t, feedback.netBorrowSol);
    this.writeView(t, dexPrice, stale);
    return this.view;
  }

  /** Writes the snapshot of the step ending at `t` (also the calm kernel's, at the end of a calm run). */
  writeView(t: number, dexPrice: number, stale: boolean): void {
    const committee = this.committee;
    const oracle = this.oracle;
    const discount = this.discount;
    const pool = this.pool;
    const view = this.view;
    view.t = t;
    view.trueRate = this.fair.rate;
    view.fairRate = committee.fairRate;
    view.pessimisticRate = committee.pessimisticRate;
    view.stale = stale;
    view.bunker = committee.bunker;
    if (oracle.available) {
      const market = this.viewMarket;
      market.spot = oracle.spot;
      market.low = oracle.low;
      market.confidence = oracle.confidence;
      market.ema = oracle.ema;
      market.emaLow = oracle.emaLow;
      view.market = market;
    } else view.market = null;
    view.dexPrice = dexPrice;
    view.borrowApr = pool.apr;
    view.utilization = pool.utilization;
    view.dexDepthSol = (discount.depth1Pct * this.impactBps) / 100;
    view.held = committee.held;
    view.stress = discount.stress;
    view.redemptionRate = this.fair.redemptionRate(t);
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
