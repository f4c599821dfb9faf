/**
 * The engine of one path: the book's state, the per-step accounting (borrow index, insurance,
 * observations), the liquidators (delay, capacity, DEX depth, profitability, the protocol's
 * liquidation math), bad-debt settlement and the path's outcome. How it finds the sub-accounts that
 * became liquidatable is its `Detector`: the frontier (fast.ts, what runs) or a scan of every
 * sub-account (naive.ts, the correctness reference on small cases and the speed baseline). Everything
 * else is this code, run in the same order whatever the detector, so the outcomes are identical.
 *
 * Liquidation model (per step, after the world moved and the borrow index grew):
 * 1. newly liquidatable sub-accounts join the liquidators' queue in account order, ready `delay`
 *    steps later;
 * 2. the queue is served first come, first served (ties by account id) while the liquidators have
 *    capital (`count × capacitySolPerStep` of repayment, at most `capacitySolPerStep` per
 *    liquidation), transactions (`count × maxLiquidationsPerStep`) and DEX depth (`dexDepthSol` of
 *    sales, `sellFraction` of the LRT received being sold at once) left this step: each ready
 *    sub-account is re-checked (healthy again → back to the book), then liquidated with the
 *    program's plan (`approx.liquidationPlan`) if the LRT received, at the DEX price, is worth at least
 *    the SOL repaid plus `minProfitSol`; an unprofitable one waits in the queue, one still liquidatable
 *    after its liquidation is first in line next step;
 * 3. a liquidation that leaves the sub-account settleable at the maintenance price settles it at once,
 *    as the program's `liquidate` does: insolvent (collateral worth less than the debt left), and that
 *    collateral worth less than the minimum debt (dust) or no more than the insurance's SOL. The
 *    insurance buys the collateral left at that value, the rest of the debt is written off (insurance
 *    first, then socialised to lenders); otherwise the LTV must strictly fall;
 * 4. the LRT sold (at the fair rate) and the SOL repaid go back to the world as `Feedback`.
 */
import type { Feedback, MarketSnapshot, Rng, World } from "../contract.js";
import { memberPrice } from "../models/marketOracle.js";
import { Xoshiro128 } from "../rng.js";
import * as approx from "./approx.js";
import { type CalmOracle, type CalmWorld, isCalmWorld } from "./calm.js";
import { EXIT, SLOT, calmKernel } from "./calmWasm.js";
import type { EngineParams, PathOutcome, Population } from "./types.js";

/**
 * A world that can lend the engine its own snapshot, overwritten by its next step, instead of a new one
 * per step (the world models' `LanternWorld.advance`).
 */
export interface LendingWorld extends World {
  advance(feedback: Feedback): Readonly<MarketSnapshot>;
}

function lendsSnapshots(world: World): world is LendingWorld {
  return typeof (world as Partial<LendingWorld>).advance === "function";
}

/** The book as every path opens it at one fair rate (`PathEngine.openingBook`). */
interface OpeningBook {
  fairRate: number;
  collateral: Float64Array;
  shares: Float64Array;
  state: Uint8Array;
  totalShares: number;
}

export const HEALTHY = 0;
export const PENDING = 1;
export const CLOSED = 2;

/** Below this (SOL) a liquidator's remaining capital or DEX depth for the step is spent. */
const MIN_CHUNK_SOL = 1e-6;

/**
 * How an engine finds the sub-accounts that became liquidatable. A detector may keep its own index of
 * the book; the engine tells it when the book opens and when a queued sub-account is healthy again.
 */
export interface Detector {
  /** Calls `book.enqueue(i, step)` for every HEALTHY sub-account liquidatable at `price`, in id order. */
  detect(book: PathEngine, step: number, price: number): void;
  /** The book (re)opened at `book.openFair`, every open sub-account HEALTHY (for a detector's index). */
  open?(book: PathEngine): void;
  /** Sub-account `i` is HEALTHY again, with new shares and collateral (for a detector's index). */
  healthy?(book: PathEngine, i: number): void;
  /**
   * The highest θ of the detector's index, when the detector has one that only `detect` and `healthy`
   * change: the calm kernel (calm.ts) then compares each step's price with it itself.
   */
  calmTop?(): number;
}

export class PathEngine {
  readonly n: number;
  readonly pop: Population;
  readonly params: EngineParams;
  /** Debt shares (SOL at borrow index 1) and collateral (LRT) per sub-account. */
  readonly shares: Float64Array;
  readonly coll: Float64Array;
  readonly state: Uint8Array;
  readonly readyStep: Int32Array;
  /** Seconds from opening to the first liquidation, −1 if none. */
  readonly firstLiq: Float64Array;
  private queue: Int32Array;
  private queueNext: Int32Array;
  private qlen = 0;
  /** Borrow index. */
  index = 1;
  private totalShares = 0;
  private insurance = 0;
  private insuranceLrt = 0;
  private readonly plan: approx.PlanF = approx.newPlan();
  private readonly prices: approx.PricesF = { maint: 0, init: 0 };
  private readonly fb: Feedback = { lrtSoldSol: 0, netBorrowSol: 0 };
  private delaySteps = 0;
  private openT = 0;
  /** The fair rate the book opened at on this path. */
  openFair = 1;
  private opening: OpeningBook | undefined;
  /**
   * The opening book the sub-accounts were last reset to, undefined once a sub-account was queued since
   * (every change to one starts there): most paths liquidate nobody, and then the next path that opens
   * at the same rate finds the book as it opens and skips the reset (~290 KB of copies at 10,000).
   */
  private intact: OpeningBook | undefined;
  /** Per leverage bucket: sub-accounts and their opening equity (the same on every path). */
  private readonly bucketAccounts: Float64Array;
  private readonly bucketEquity0: Float64Array;
  /** `markBook`'s results. */
  private readonly bucketEquityEnd: Float64Array;
  private readonly horizonSums = new Float64Array(2);
  private stepSecs = 60;
  /** The borrow index's growth over one step at the rate `growthApr`. */
  private growth = 1;
  private growthApr = Number.NaN;
  // Per-path tallies.
  private badDebt = 0;
  private covered = 0;
  private socialized = 0;
  private liquidations = 0;
  private liquidatedAccounts = 0;
  private volume = 0;
  private unprofitable = 0;
  private peakUtil = 0;
  private bunkerSteps = 0;
  private staleSteps = 0;
  private maxDiscount = 0;
  private seriesCount: Float64Array = new Float64Array(0);
  private seriesVolume: Float64Array = new Float64Array(0);
  private seriesDepeg: Float64Array = new Float64Array(0);
  private seriesDepegMin: Float64Array = new Float64Array(0);
  private seriesDepegMax: Float64Array = new Float64Array(0);
  /** The DEX depeg's extremes over the steps of the current time bucket. */
  private bucketLo = Number.POSITIVE_INFINITY;
  private bucketHi = Number.NEGATIVE_INFINITY;
  private bucketSteps = 1;
  private seriesAt = 0;
  private seriesLeft = 1;
  private lastStep = 0;
  private readonly bucketLiquidated: Float64Array;
  private readonly bucketTimeSum: Float64Array;
  /** The step being processed (for the series). */
  private tNow = 0;

  constructor(
    pop: Population,
    params: EngineParams,
    readonly detector: Detector,
  ) {
    this.n = pop.equity.length;
    this.pop = pop;
    this.params = params;
    const n = this.n;
    this.shares = new Float64Array(n);
    this.coll = new Float64Array(n);
    this.state = new Uint8Array(n);
    this.readyStep = new Int32Array(n);
    this.firstLiq = new Float64Array(n);
    this.queue = new Int32Array(n);
    this.queueNext = new Int32Array(n);
    this.bucketLiquidated = new Float64Array(pop.buckets.length);
    this.bucketTimeSum = new Float64Array(pop.buckets.length);
    this.bucketAccounts = new Float64Array(pop.buckets.length);
    this.bucketEquity0 = new Float64Array(pop.buckets.length);
    this.bucketEquityEnd = new Float64Array(pop.buckets.length);
    for (let i = 0; i < n; i++) {
      this.bucketAccounts[pop.bucket[i]!]!++;
      this.bucketEquity0[pop.bucket[i]!]! += pop.equity[i]!;
    }
  }

  /** The engine's own stream (liquidators' delay jitter); needed only when `delayJitterSecs > 0`. */
  private rng: Rng | undefined;
  // The path in progress: its world, as a lender of snapshots and as the calm kernel sees it, its length,
  // the next step and the last snapshot (`begin`, `proceed`, `resume`).
  private world: World | undefined;
  private lending: LendingWorld | undefined;
  private calmWorld: CalmWorld | undefined;
  private steps = 0;
  private s = 1;
  private snap: MarketSnapshot | undefined;
  /** The world's stream while its calm steps run in the kernel. */
  private calmStream: Xoshiro128 | undefined;

  /** Runs one path of `world` and returns its outcome. */
  run(world: World, path: number, rng?: Rng): PathOutcome {
    this.begin(world, rng);
    while (this.proceed(0)) {
      const { run } = calmKernel();
      for (let why = run(0); why !== EXIT.END && why !== EXIT.CROSSED; why = run(0)) this.calmExit(why, 0);
      this.resume(0);
    }
    return this.finish(this.snap!, path);
  }

  /**
   * Runs paths two at a time on `engines`, each path's calm steps in its engine's lane of the kernel
   * (lane 0 for the first engine, 1 for the second) and both lanes' side by side while both have calm
   * steps to take (`runPair`). Paths `0 … count − 1` are taken in order as a lane frees up; `pathAt(i)`
   * gives path i's world, its number and the engine's stream, and `done(i, outcome)` is called when it
   * ends. Each path is computed as `run` alone computes it: lanes share nothing but the kernel's code
   * and the engines' pricing policy, which must be the same. Returns how many of the kernel's runs had
   * both lanes.
   */
  static runPaired(
    engines: readonly [PathEngine, PathEngine],
    count: number,
    pathAt: (i: number) => { world: World; path: number; rng?: Rng },
    done: (i: number, outcome: PathOutcome) => void,
  ): number {
    // The kernel's two-lane step prices both lanes by lane A's policy.
    if (engines[0].params.policy !== engines[1].params.policy)
      throw new RangeError("paths run in pairs need engines with one pricing policy");
    const running = [-1, -1];
    const numbers = [0, 0];
    let next = 0;
    // Runs lane's paths through the models until one wants calm steps in the kernel (true) or none is left.
    const fill = (lane: 0 | 1): boolean => {
      const engine = engines[lane];
      for (;;) {
        if (running[lane]! >= 0) {
          if (engine.proceed(lane)) return true;
          done(running[lane]!, engine.finish(engine.snap!, numbers[lane]!));
          running[lane] = -1;
        }
        if (next >= count) return false;
        const { world, path, rng } = pathAt(next);
        engine.begin(world, rng);
        running[lane] = next++;
        numbers[lane] = path;
      }
    };
    const active = [fill(0), fill(1)];
    let pairs = 0;
    while (active[0] || active[1]) {
      const { run, runPair } = calmKernel();
      let lane: 0 | 1;
      let why: number;
      if (active[0] && active[1]) {
        pairs++;
        const code = runPair();
        lane = code >= EXIT.SECOND_LANE ? 1 : 0;
        why = code - lane * EXIT.SECOND_LANE;
      } else {
        lane = active[0] ? 0 : 1;
        why = run(lane);
      }
      const engine = engines[lane];
      if (why === EXIT.END || why === EXIT.CROSSED) {
        engine.resume(lane);
        active[lane] = fill(lane);
      } else engine.calmExit(why, lane);
    }
    return pairs;
  }

  /** Opens `world`'s path: its first step and the book at its fair rate. */
  private begin(world: World, rng: Rng | undefined): void {
    if (this.params.liquidators.delayJitterSecs > 0 && rng === undefined)
      throw new Error("liquidators.delayJitterSecs > 0 needs the engine's random stream");
    this.rng = rng;
    const fb = this.fb;
    fb.lrtSoldSol = 0;
    fb.netBorrowSol = 0;
    this.world = world;
    this.steps = world.steps;
    this.stepSecs = world.stepSecs;
    // A world that lends its own snapshot (LanternWorld.advance) saves an allocation per step; the
    // engine reads each snapshot before asking for the next, and the last one last.
    const lending = lendsSnapshots(world) ? world : undefined;
    this.lending = lending;
    this.calmWorld =
      lending !== undefined && this.detector.calmTop !== undefined && isCalmWorld(lending) ? lending : undefined;
    const first = lending !== undefined ? lending.advance(fb) : world.step(fb);
    this.open(first, this.steps);
    this.s = 1;
    this.snap = first;
  }

  /**
   * Steps on through the models until the next calm steps are set up in the kernel's `lane` (true; `resume`
   * goes on after the kernel's run) or the path's last step is done (false). The loop has a method of its
   * own that ends with it: V8 compiles a loop while it runs and keeps that code for the next path, and code
   * after the loop that had not run yet then would throw it away again on every path.
   */
  private proceed(lane: number): boolean {
    const fb = this.fb;
    const world = this.world!;
    const lending = this.lending;
    const calm = this.calmWorld;
    const steps = this.steps;
    let snap = this.snap!;
    let s = this.s;
    for (; s < steps; s++) {
      if (
        calm?.calmKernel === true &&
        this.qlen === 0 &&
        fb.lrtSoldSol === 0 &&
        fb.netBorrowSol === 0 &&
        this.calmBegin(calm, s, steps, this.detector.calmTop!(), lane)
      ) {
        // Calm steps (no event due, nobody near the frontier) run fused; the rest through the models.
        this.s = s;
        this.snap = snap;
        return true;
      }
      // The world reads what the liquidators sold and repaid in the previous step (price impact,
      // utilisation: cascades), then the step starts with nothing sold yet.
      snap = lending !== undefined ? lending.advance(fb) : world.step(fb);
      fb.lrtSoldSol = 0;
      fb.netBorrowSol = 0;
      this.step(s, snap);
    }
    this.s = s;
    this.snap = snap;
    return false;
  }

  /** After the kernel's run in `lane` ended: the calm steps' state back into the models, on to the next step. */
  private resume(lane: number): void {
    this.s = this.calmEnd(lane);
    this.snap = this.calmWorld!.view;
  }

  /** The book as every path opens it at `fairRate` (paths usually open at the same rate: cached). */
  private openingBook(fairRate: number): OpeningBook {
    if (this.opening?.fairRate === fairRate) return this.opening;
    const { equity, leverage } = this.pop;
    const n = this.n;
    const book: OpeningBook = {
      fairRate,
      collateral: new Float64Array(n),
      shares: new Float64Array(n),
      state: new Uint8Array(n),
      totalShares: 0,
    };
    let total = 0;
    for (let i = 0; i < n; i++) {
      const e = equity[i]!;
      const l = leverage[i]!;
      book.collateral[i] = (l * e) / fairRate;
      const s = (l - 1) * e;
      book.shares[i] = s;
      total += s;
      book.state[i] = s > 0 ? HEALTHY : CLOSED;
    }
    book.totalShares = total;
    this.opening = book;
    return book;
  }

  /** Opens every sub-account at the first snapshot's fair rate, borrow index 1. */
  private open(first: MarketSnapshot, steps: number): void {
    const p0 = first.fairRate;
    const book = this.openingBook(p0);
    if (this.intact !== book) {
      this.coll.set(book.collateral);
      this.shares.set(book.shares);
      this.state.set(book.state);
      this.firstLiq.fill(-1);
      this.readyStep.fill(0);
      this.intact = book;
    }
    this.index = 1;
    this.growthApr = Number.NaN;
    this.totalShares = book.totalShares;
    this.qlen = 0;
    this.insurance = this.params.insuranceSol;
    this.insuranceLrt = 0;
    this.delaySteps = Math.max(0, Math.ceil(this.params.liquidators.delaySecs / this.stepSecs - 1e-9));
    this.openT = first.t;
    this.openFair = p0;
    this.badDebt = this.covered = this.socialized = 0;
    this.liquidations = this.liquidatedAccounts = this.volume = this.unprofitable = 0;
    this.peakUtil = first.utilization;
    this.bunkerSteps = this.staleSteps = 0;
    this.maxDiscount = 0;
    const engineSteps = Math.max(1, steps - 1);
    const nb = Math.max(1, Math.min(this.params.seriesBuckets, engineSteps));
    this.bucketSteps = Math.ceil(engineSteps / nb);
    const buckets = Math.ceil(engineSteps / this.bucketSteps);
    this.seriesCount = new Float64Array(buckets);
    this.seriesVolume = new Float64Array(buckets);
    this.seriesDepeg = new Float64Array(buckets);
    this.seriesDepegMin = new Float64Array(buckets);
    this.seriesDepegMax = new Float64Array(buckets);
    this.bucketLo = Number.POSITIVE_INFINITY;
    this.bucketHi = Number.NEGATIVE_INFINITY;
    this.seriesAt = 0;
    this.seriesLeft = this.bucketSteps;
    this.lastStep = steps - 1;
    this.bucketLiquidated.fill(0);
    this.bucketTimeSum.fill(0);
    this.detector.open?.(this);
  }

  /** The borrow index's growth over one step at `apr` (the rate moves hourly at most: one factor serves until it does). */
  private growthAt(apr: number): number {
    if (apr !== this.growthApr) {
      this.growthApr = apr;
      this.growth = approx.growth(apr, this.stepSecs);
    }
    return this.growth;
  }

  private step(s: number, snap: MarketSnapshot): void {
    // Interest: the borrow index compounds at the step's rate; the reserve factor goes to insurance.
    const before = this.index;
    const after = before * this.growthAt(snap.borrowApr);
    this.index = after;
    this.insurance += this.totalShares * (after - before) * this.params.reserveFactor;
    // Observations.
    this.tNow = snap.t - this.openT;
    if (snap.utilization > this.peakUtil) this.peakUtil = snap.utilization;
    if (snap.bunker) this.bunkerSteps++;
    if (snap.stale) this.staleSteps++;
    const discount = 1 - snap.dexPrice / snap.trueRate;
    if (discount > this.maxDiscount) this.maxDiscount = discount;
    // Liquidations, at the maintenance price (none without one).
    // Consumers price with the feed's pessimistic rate: a loss held for the guardian counts at once.
    const fair = snap.pessimisticRate ?? snap.fairRate;
    const price = approx.prices(this.params.policy, fair, snap.market, this.prices).maint;
    if (!Number.isNaN(price)) {
      this.detector.detect(this, s, price);
      if (this.qlen > 0) this.serve(s, snap, price);
    }
    // The depeg series keeps each time bucket's last value and its min and max over the bucket's
    // steps: a wick shorter than a bucket is drawn wherever it falls in it (issue 14).
    const depeg = snap.dexPrice / this.openFair - 1;
    if (depeg < this.bucketLo) this.bucketLo = depeg;
    if (depeg > this.bucketHi) this.bucketHi = depeg;
    if (--this.seriesLeft === 0 || s === this.lastStep) {
      this.seriesDepeg[this.seriesAt] = depeg;
      this.seriesDepegMin[this.seriesAt] = this.bucketLo;
      this.seriesDepegMax[this.seriesAt] = this.bucketHi;
      this.bucketLo = Number.POSITIVE_INFINITY;
      this.bucketHi = Number.NEGATIVE_INFINITY;
      this.seriesAt++;
      this.seriesLeft = this.bucketSteps;
    }
  }

  /**
   * Sets up the calm steps from `s` on (calm.ts) in the kernel's `lane`: the world's and the engine's
   * step fused in the WebAssembly kernel (sim/kernel/calm.ts) while no event is due; false when step `s`
   * is not calm. The kernel runs the pool's hourly update itself unless the pool's target is scripted,
   * and records the time buckets it closes in its lane's series; it stops where this side acts — that
   * update (the pool model's own step, drawing from the same stream), a committee frame's start (the
   * committee's own step, likewise), a new EMA interval (the sdk's exact decay): `calmExit` — and is
   * resumed; at the end of its run `calmEnd` writes its state back.
   */
  private calmBegin(w: CalmWorld, s: number, steps: number, top: number, lane: number): boolean {
    const fair = w.fair;
    const com = w.committee;
    const d = w.discount;
    const o = w.oracle;
    const pool = w.pool;
    if (d.hasLevelPath || d.hasDepthPath || d.hasStressPeriods || d.flashes.length > 0) return false;
    if (o.n !== 9 || !(o.noise > 0) || o.exact || pool.unsettled) return false;
    const stepSecs = w.stepSecs;
    const idx = w.index;
    const first = (idx + 1) * stepSecs;
    // The rounds: clean ones, or (a publisher out) the other eight members' (`solo`, the member out).
    const solo = first < o.cleanUntil ? -1 : o.soloMember;
    let until = Math.min(
      fair.nextEvent,
      com.feedEventAt(),
      d.nextSwitch,
      d.nextJump,
      d.nextFlash,
      d.nextEventAt,
      solo < 0 ? o.cleanUntil : o.soloUntil,
      pool.nextFlowAt,
    );
    if (d.drainIndex < d.drains.length) until = Math.min(until, d.drains[d.drainIndex]!.t);
    const staleAfter = com.staleAfter;
    const trueRate = fair.rate;
    // The instant-unstake floor and the queue flag as the last step left them (they move with events only).
    const closed = w.unstakeFeeLog === -Infinity;
    const queued = w.queuedAlways || com.bunker;
    if (com.fairRate !== w.floorFair || trueRate !== w.floorTrue || closed !== w.floorClosed) return false;
    if (queued !== w.inputs.queued) return false;
    // A frame's start in the first step goes through the models: a run always takes its first step,
    // even where the frame's report lands at once (`calmExit` then ends the run).
    if (!(first < until) || first > staleAfter || first >= com.frameAt) return false;
    const rng = d.rng;
    if (rng !== o.rng || rng !== pool.rng || rng !== com.rng || Object.getPrototypeOf(rng) !== Xoshiro128.prototype)
      return false;
    const stream = rng as Xoshiro128;
    const floorLog = w.inputs.floorLog;
    const q = queued ? 1 : 0;
    const { words, lanes } = calmKernel();
    const { slots: k, streamWord } = lanes[lane]!;
    // The run's constants.
    k[SLOT.STEP_SECS] = stepSecs;
    k[SLOT.UNTIL] = until;
    k[SLOT.FRAME_AT] = com.frameAt;
    k[SLOT.STALE_AFTER] = staleAfter;
    k[SLOT.TRUE_RATE] = trueRate;
    k[SLOT.HAS_FLOOR] = floorLog !== null ? 1 : 0;
    k[SLOT.FLOOR] = floorLog ?? 0;
    k[SLOT.LEVEL] = d.regimeLevel;
    k[SLOT.SD] = d.sd;
    k[SLOT.SLOW_DECAY] = d.slowDecay[q]!;
    k[SLOT.SLOW_NOISE] = d.slowNoise[q]!;
    k[SLOT.IMPACT_DECAY] = d.impactDecay[q]!;
    k[SLOT.DEPTH] = d.depth1Pct;
    k[SLOT.RESERVE_MAX] = d.restaking.reserveSol;
    k[SLOT.REFILL] = d.refillPerStep;
    k[SLOT.QUANTUM] = o.quantum;
    k[SLOT.MAX_CONF] = o.spec.maxConfidenceBps;
    k[SLOT.QUORUM_LAG] = o.quorumLag;
    k[SLOT.TOTAL_SHARES] = this.totalShares;
    k[SLOT.RESERVE_FACTOR] = this.params.reserveFactor;
    const policy = this.params.policy;
    k[SLOT.PRICING] = policy === "FairRate" ? 0 : policy === "Market" ? 1 : 2;
    k[SLOT.PESS] = com.pessimisticRate;
    k[SLOT.BUNKER] = com.bunker ? 1 : 0;
    k[SLOT.OPEN_FAIR] = this.openFair;
    k[SLOT.LAST_STEP] = this.lastStep;
    k[SLOT.BUCKET_STEPS] = this.bucketSteps;
    k[SLOT.TOP] = top;
    k[SLOT.STEPS] = steps;
    k[SLOT.SIGN] = stream.mirror;
    // The state the run starts from.
    k[SLOT.IDX] = idx;
    k[SLOT.S] = s;
    k[SLOT.SLOW] = d.slow;
    k[SLOT.IMPACT] = d.impact;
    k[SLOT.RESERVE] = d.reserve;
    k[SLOT.ARBITRAGE] = d.arbitrageSol;
    k[SLOT.LOG_DISCOUNT] = d.logDiscount;
    k[SLOT.DEX] = 0;
    k[SLOT.PREVIOUS_DEX] = 0;
    k[SLOT.AVAILABLE] = o.available ? 1 : 0;
    k[SLOT.MARKET_PRICE] = o.marketPrice;
    k[SLOT.SPOT] = o.spot;
    k[SLOT.LOW] = o.low;
    k[SLOT.CONFIDENCE] = o.confidence;
    k[SLOT.EMA] = o.ema;
    k[SLOT.EMA_LOW] = o.emaLow;
    k[SLOT.EMA_TS] = o.marketEmaTs;
    k[SLOT.PRICE_TS] = o.marketPriceTs;
    k[SLOT.KEEP_SINCE] = o.keepSince;
    k[SLOT.KEEP_W] = o.keep;
    k[SLOT.CENTER] = 0;
    k[SLOT.ROUND_CONF] = 0;
    k[SLOT.LAZY] = 0;
    k[SLOT.SOLO] = solo;
    k[SLOT.AGREED_T] = -1;
    k[SLOT.UNTIL_UPDATE] = pool.untilUpdate;
    if (pool.utilization > this.peakUtil) this.peakUtil = pool.utilization;
    k[SLOT.GROWTH] = this.growthAt(pool.apr);
    // The pool's hourly update runs in the kernel unless its target is scripted (then: `calmExit`).
    const poolRuns = !pool.target.scripted;
    k[SLOT.POOL_RUNS] = poolRuns ? 1 : 0;
    if (poolRuns) {
      lanes[lane]!.useTable(pool.table);
      k[SLOT.SUPPLY] = pool.supply;
      k[SLOT.EXTERNAL_U] = pool.externalUtilization;
      k[SLOT.POPULATION_DELTA] = pool.populationDelta;
      k[SLOT.INITIAL_SUPPLY] = pool.initialSupply;
      k[SLOT.LOG_SUPPLY] = pool.logSupply;
      k[SLOT.S_DECAY] = pool.sDecay;
      k[SLOT.S_NOISE] = pool.sNoise;
      k[SLOT.U_DECAY] = pool.uDecay;
      k[SLOT.U_NOISE] = pool.uNoise;
      k[SLOT.PREV_MEAN] = pool.prevMean;
      k[SLOT.TARGET_U] = pool.spec.utilization;
      k[SLOT.MAX_U] = pool.spec.maxUtilizationBps;
      k[SLOT.UPDATE_EVERY] = pool.updateEvery;
      k[SLOT.UTILIZATION] = pool.utilization;
      k[SLOT.POOL_PEAK] = pool.peakUtilization;
      k[SLOT.APR] = pool.apr;
      k[SLOT.ENGINE_PEAK] = this.peakUtil;
    }
    k[SLOT.INDEX] = this.index;
    k[SLOT.INSURANCE] = this.insurance;
    k[SLOT.BUNKER_STEPS] = this.bunkerSteps;
    k[SLOT.MAX_DISCOUNT] = this.maxDiscount;
    k[SLOT.BUCKET_LO] = this.bucketLo;
    k[SLOT.BUCKET_HI] = this.bucketHi;
    k[SLOT.SERIES_LEFT] = this.seriesLeft;
    k[SLOT.SERIES_AT] = this.seriesAt;
    k[SLOT.MAINT] = 0;
    k[SLOT.INIT] = 0;
    k[SLOT.T] = 0;
    k[SLOT.PHASE] = 0;
    stream.saveState(words, streamWord);
    this.calmStream = stream;
    return true;
  }

  /** The kernel's run in `lane` stopped for this side to act (`EXIT.POOL`, `KEEP` or `FRAME`). */
  private calmExit(why: number, lane: number): void {
    const { words, lanes } = calmKernel();
    const { slots: k, streamWord } = lanes[lane]!;
    const w = this.calmWorld!;
    const pool = w.pool;
    const o = w.oracle;
    const stream = this.calmStream!;
    if (why === EXIT.FRAME) {
      // A frame starts with the next step: the committee's step comes first in a step, so it draws from
      // the stream where the kernel stopped. It schedules the frame's report; the run ends before the
      // step where that lands (or here, should it land within this very step: then no later step of the
      // run may price with the old feed).
      const com = w.committee;
      const t = (k[SLOT.IDX]! + 1) * k[SLOT.STEP_SECS]!;
      const feed = com.feedState;
      stream.loadState(words, streamWord);
      com.advanceTo(t, w.fair.rate);
      stream.saveState(words, streamWord);
      k[SLOT.FRAME_AT] = com.frameAt;
      k[SLOT.UNTIL] = com.feedState === feed ? Math.min(k[SLOT.UNTIL]!, com.feedEventAt()) : t;
    } else if (why === EXIT.POOL) {
      // The pool's hourly update is the pool model's own step, drawing from the same stream.
      stream.loadState(words, streamWord);
      pool.untilUpdate = 1;
      pool.step(k[SLOT.T]!, 0);
      stream.saveState(words, streamWord);
      k[SLOT.UNTIL_UPDATE] = pool.untilUpdate;
      k[SLOT.GROWTH] = this.growthAt(pool.apr);
      if (pool.utilization > this.peakUtil) this.peakUtil = pool.utilization;
    } else {
      // The EMA's weight for a new interval: the sdk's exact decay.
      const since = k[SLOT.SINCE]!;
      const maxAge = o.spec.maxPriceAgeSecs;
      k[SLOT.KEEP_SINCE] = since;
      k[SLOT.KEEP_W] = approx.emaKeep(since < 0 ? 0 : since > maxAge ? maxAge : since, o.spec.emaHalfLifeSecs);
    }
  }

  /**
   * The kernel's run in `lane` ended: its state back into the models and the engine, as they would have
   * left it; returns the next step to take through the models. `calmBegin` checked that the first step
   * is calm, so the kernel always takes it. A step whose maintenance price reached the frontier's top is
   * finished by `step` on the world's snapshot, as the models would have lent it.
   */
  private calmEnd(lane: number): number {
    const { words, lanes } = calmKernel();
    const { slots: k, streamWord, rawWords, sortedWord, currentWord } = lanes[lane]!;
    const w = this.calmWorld!;
    const d = w.discount;
    const o = w.oracle;
    const pool = w.pool;
    this.calmStream!.loadState(words, streamWord);
    const t = k[SLOT.T]!;
    if (t === 0) throw new Error(`the calm kernel took no step from step ${this.s} (calmBegin let it start there)`);
    const s = k[SLOT.S]!;
    const dex = k[SLOT.DEX]!;
    const center = k[SLOT.CENTER]!;
    // Write the state back, as the models and the engine would have left it.
    pool.untilUpdate = k[SLOT.UNTIL_UPDATE]!;
    if (k[SLOT.POOL_RUNS] === 1) {
      pool.supply = k[SLOT.SUPPLY]!;
      pool.externalUtilization = k[SLOT.EXTERNAL_U]!;
      pool.logSupply = k[SLOT.LOG_SUPPLY]!;
      pool.prevMean = k[SLOT.PREV_MEAN]!;
      pool.utilization = k[SLOT.UTILIZATION]!;
      pool.peakUtilization = k[SLOT.POOL_PEAK]!;
      pool.apr = k[SLOT.APR]!;
      this.peakUtil = k[SLOT.ENGINE_PEAK]!;
      this.growthApr = pool.apr;
      this.growth = k[SLOT.GROWTH]!;
    }
    w.index = k[SLOT.IDX]!;
    d.slow = k[SLOT.SLOW]!;
    d.flash = 0;
    d.impact = k[SLOT.IMPACT]!;
    d.reserve = k[SLOT.RESERVE]!;
    d.arbitrageSol = k[SLOT.ARBITRAGE]!;
    d.logDiscount = k[SLOT.LOG_DISCOUNT]!;
    w.inputs.soldSol = 0;
    o.dexPrice = dex;
    const lastRaw = rawWords[words[currentWord]!]!;
    const solo = k[SLOT.SOLO]!;
    if (solo < 0) {
      o.roundPrice = center;
      o.roundLow = center;
      o.roundConf = k[SLOT.ROUND_CONF]!;
      o.lastCleanT = t;
      o.lastCleanDex = dex;
      o.fresh = 9;
      o.quorumTsPending = 0;
      for (let m = 0; m < 9; m++) o.cleanZ[m] = words[lastRaw + m]!;
      for (let m = 0; m < 9; m++) o.sortedZ[m] = words[sortedWord + m]!;
    } else this.soloEnd(o, solo, t, dex, k[SLOT.AGREED_T]!, k[SLOT.AVAILABLE] === 1, words, lastRaw, sortedWord);
    o.available = k[SLOT.AVAILABLE] === 1;
    o.marketPrice = k[SLOT.MARKET_PRICE]!;
    o.spot = k[SLOT.SPOT]!;
    o.low = k[SLOT.LOW]!;
    o.confidence = k[SLOT.CONFIDENCE]!;
    o.ema = k[SLOT.EMA]!;
    o.emaLow = k[SLOT.EMA_LOW]!;
    o.marketEmaTs = k[SLOT.EMA_TS]!;
    o.marketPriceTs = k[SLOT.PRICE_TS]!;
    o.keepSince = k[SLOT.KEEP_SINCE]!;
    o.keep = k[SLOT.KEEP_W]!;
    w.writeView(t, dex, false);
    this.index = k[SLOT.INDEX]!;
    this.insurance = k[SLOT.INSURANCE]!;
    this.bunkerSteps = k[SLOT.BUNKER_STEPS]!;
    this.maxDiscount = k[SLOT.MAX_DISCOUNT]!;
    this.bucketLo = k[SLOT.BUCKET_LO]!;
    this.bucketHi = k[SLOT.BUCKET_HI]!;
    this.seriesLeft = k[SLOT.SERIES_LEFT]!;
    // The time buckets the run closed, from the lane's series.
    const series = lanes[lane]!.series;
    for (let at = this.seriesAt; at < k[SLOT.SERIES_AT]!; at++) {
      this.seriesDepeg[at] = series[3 * at]!;
      this.seriesDepegMin[at] = series[3 * at + 1]!;
      this.seriesDepegMax[at] = series[3 * at + 2]!;
    }
    this.seriesAt = k[SLOT.SERIES_AT]!;
    if (k[SLOT.PHASE] !== 0) {
      // A crossing: the world's part of step s is done, the engine's part goes the models' way.
      this.step(s, w.view);
      return s + 1;
    }
    this.tNow = t - this.openT;
    this.prices.maint = k[SLOT.MAINT]!;
    this.prices.init = k[SLOT.INIT]!;
    return s;
  }

  /**
   * The kernel's rounds with member `out`'s publisher out, written back as the general round leaves
   * them: the other members' last observations (the last round's noises at `raw`, in member order), its
   * buffers (the fresh prices sorted, their times) and, from the last round that agreed (at `agreedT`,
   * −1 if none did in this run), the fresh times the quorum's time is taken from should a round fail.
   */
  private soloEnd(
    o: CalmOracle,
    out: number,
    t: number,
    dex: number,
    agreedT: number,
    agreed: boolean,
    words: Int32Array,
    raw: number,
    sorted: number,
  ): void {
    let j = 0;
    for (let m = 0; m < 9; m++) {
      if (m === out) continue;
      o.price[m] = memberPrice(dex, o.quantum, words[raw + j]!);
      o.ts[m] = t - o.lag[m]!;
      o.scratchTs[j] = o.ts[m]!;
      if (agreedT >= 0) o.lastFreshTs[j] = agreedT - o.lag[m]!;
      j++;
    }
    for (let i = 0; i < 8; i++) o.scratch[i] = memberPrice(dex, o.quantum, words[sorted + i]!);
    o.fresh = 8;
    o.quorumTsPending = agreed ? 8 : 0;
  }

  /** Queues sub-account `i`, found liquidatable at `step` (by the detector, in id order). */
  enqueue(i: number, step: number): void {
    this.intact = undefined;
    this.state[i] = PENDING;
    const liq = this.params.liquidators;
    let delay = this.delaySteps;
    if (liq.delayJitterSecs > 0) {
      const secs = liq.delaySecs + liq.delayJitterSecs * (2 * this.rng!.uniform() - 1);
      delay = secs > 0 ? Math.ceil(secs / this.stepSecs - 1e-9) : 0;
    }
    this.readyStep[i] = step + delay;
    this.queue[this.qlen++] = i;
  }

  /**
   * The liquidators work through the queue in order (detection step, then id), skipping sub-accounts
   * still in their delay, until their capital, transactions or the DEX depth of the step run out.
   */
  private serve(s: number, snap: MarketSnapshot, price: number): void {
    const liq = this.params.liquidators;
    if (liq.count === 0) return;
    const risk = this.params.risk;
    const lt = risk.lt;
    const index = this.index;
    const dex = snap.dexPrice;
    const plan = this.plan;
    const sellFraction = liq.sellFraction;
    const perBot = liq.capacitySolPerStep;
    let capital = liq.count * perBot;
    let txLeft = liq.count * liq.maxLiquidationsPerStep;
    let depth = snap.dexDepthSol;
    let soldLrt = 0;
    let repaid = 0;
    let spent = false;
    // A liquidation earns repay·((1 + b·(1 − insuranceShare))·dex/p − 1): when even the largest bonus
    // cannot make up for the DEX price being below the maintenance price, none can pay this step.
    const hopeless = (1 + risk.bonusMax * (1 - risk.insuranceShare)) * dex < price * (1 - 1e-12);
    const queue = this.queue;
    const next = this.queueNext;
    const qlen = this.qlen;
    let w = 0;
    for (let r = 0; r < qlen; r++) {
      if (spent) {
        // Out of capital, transactions or depth: the rest waits, in order.
        next.set(queue.subarray(r, qlen), w);
        w += qlen - r;
        break;
      }
      const i = queue[r]!;
      if (this.readyStep[i]! > s) {
        next[w++] = i;
        continue;
      }
      const debt = this.shares[i]! * index;
      const c = this.coll[i]!;
      if (!approx.isLiquidatable(debt, c, price, lt)) {
        this.state[i] = HEALTHY;
        this.detector.healthy?.(this, i);
        continue;
      }
      if (hopeless) {
        this.unprofitable++;
        next[w++] = i;
        continue;
      }
      if (txLeft <= 0 || capital <= MIN_CHUNK_SOL || (sellFraction > 0 && depth <= MIN_CHUNK_SOL)) {
        spent = true;
        next[w++] = i;
        continue;
      }
      if (!approx.liquidationPlan(debt, c, price, risk, capital < perBot ? capital : perBot, plan)) {
        next[w++] = i;
        continue;
      }
      let sold = (plan.seize - plan.toInsurance) * sellFraction;
      if (sold * dex > depth) {
        // Shrink the repayment so that the sale fits the depth left (the plan is monotone in maxRepay).
        if (!approx.liquidationPlan(debt, c, price, risk, plan.repay * (depth / (sold * dex)) * (1 - 1e-9), plan)) {
          next[w++] = i;
          continue;
        }
        sold = (plan.seize - plan.toInsurance) * sellFraction;
      }
      // Profit: the LRT received, at the DEX price, over the SOL repaid.
      if ((plan.seize - plan.toInsurance) * dex - plan.repay < liq.minProfitSol) {
        this.unprofitable++;
        next[w++] = i;
        continue;
      }
      const collAfter = plan.seize >= c ? 0 : c - plan.seize;
      const debtAfter = plan.repay >= debt ? 0 : debt - plan.repay;
      const valueAfter = collAfter * price;
      const settleable =
        debtAfter > 0 && valueAfter < debtAfter && (valueAfter < risk.minDebt || valueAfter <= this.insurance);
      if (!settleable && debtAfter > 0 && !approx.ltvLower(debtAfter, valueAfter, debt, c * price)) {
        next[w++] = i;
        continue;
      }
      // Apply: the repayment burns shares, the seized LRT leaves the vault.
      const burned = debtAfter === 0 ? this.shares[i]! : plan.repay / index;
      this.shares[i] = debtAfter === 0 ? 0 : this.shares[i]! - burned;
      this.totalShares -= burned;
      this.coll[i] = collAfter;
      capital -= plan.repay;
      txLeft--;
      depth -= sold * dex;
      soldLrt += sold;
      repaid += plan.repay;
      this.insuranceLrt += plan.toInsurance;
      this.liquidations++;
      this.volume += plan.repay;
      this.seriesCount[this.seriesAt]!++;
      this.seriesVolume[this.seriesAt] = this.seriesVolume[this.seriesAt]! + plan.repay;
      if (this.firstLiq[i]! < 0) {
        this.firstLiq[i] = this.tNow;
        this.liquidatedAccounts++;
        const b = this.pop.bucket[i]!;
        this.bucketLiquidated[b]!++;
        this.bucketTimeSum[b] = this.bucketTimeSum[b]! + this.tNow;
      }
      if (debtAfter === 0) {
        this.state[i] = CLOSED;
      } else if (settleable) {
        this.settle(i, price);
      } else if (!approx.isLiquidatable(this.shares[i]! * index, collAfter, price, lt)) {
        this.state[i] = HEALTHY;
        this.detector.healthy?.(this, i);
      } else {
        next[w++] = i; // still liquidatable: first in line next step
      }
    }
    this.queue = next;
    this.queueNext = queue;
    this.qlen = w;
    this.fb.lrtSoldSol = soldLrt * snap.fairRate;
    this.fb.netBorrowSol = -repaid;
  }

  /**
   * A settleable sub-account (`SubAccount::settle`): the insurance takes the collateral left, paying its
   * value at `price` toward the debt from its SOL (as far as it goes); the rest of the debt is written
   * off — insurance first, then socialised — and counts as bad debt.
   */
  private settle(i: number, price: number): void {
    const c = this.coll[i]!;
    this.insuranceLrt += c;
    this.coll[i] = 0;
    const owed = this.shares[i]! * this.index;
    const value = c * price;
    const bought = Math.min(value, this.insurance, owed);
    this.insurance -= bought;
    const debt = owed - bought;
    const covered = debt < this.insurance ? debt : this.insurance;
    this.insurance -= covered;
    this.badDebt += debt;
    this.covered += covered;
    this.socialized += debt - covered;
    this.totalShares -= this.shares[i]!;
    this.shares[i] = 0;
    this.state[i] = CLOSED;
  }

  /**
   * Every sub-account at the horizon: the users' equity at `redeem` per leverage bucket into
   * `bucketEquityEnd`, the equity left at `mark` summed into `horizonSums[0]` and the debt it does not
   * cover into `horizonSums[1]` (a loop of its own, see `follow`).
   */
  private markBook(mark: number, redeem: number): void {
    const bucket = this.pop.bucket;
    const sums = this.horizonSums;
    const equityEnd = this.bucketEquityEnd;
    const index = this.index;
    const shares = this.shares;
    const coll = this.coll;
    // The two sums in locals: summed in a typed array, each addition waited for the last one's store.
    let marked = sums[0]!;
    let shortfall = sums[1]!;
    for (let i = 0; i < this.n; i++) {
      const debt = shares[i]! * index;
      const e = coll[i]! * mark - debt;
      if (e >= 0) marked += e;
      else shortfall -= e;
      const r = coll[i]! * redeem - debt;
      if (r > 0) equityEnd[bucket[i]!]! += r;
    }
    sums[0] = marked;
    sums[1] = shortfall;
  }

  private finish(last: MarketSnapshot, path: number): PathOutcome {
    const horizon = last.t - this.openT;
    // Two marks. The protocol's shortfall and the insurance's LRT use min(oracle, DEX): what the
    // collateral fetches now. Users' equity (net APY) uses what the LRT redeems for — the true rate
    // with the current epoch's reward accrued — so a steady DEX discount (an exit cost paid once, if
    // ever) is not annualised into the yield and a horizon that ends mid-epoch loses nothing (issue 14).
    // The mark-to-market return is reported apart, not annualised.
    const mark = last.fairRate < last.dexPrice ? last.fairRate : last.dexPrice;
    const redeem = last.redemptionRate ?? last.trueRate;
    const nb = this.pop.buckets.length;
    const sums = this.horizonSums;
    sums.fill(0);
    const equityEnd = this.bucketEquityEnd;
    equityEnd.fill(0);
    this.markBook(mark, redeem);
    const marked = sums[0]!;
    const shortfall = sums[1]!;
    const equity0 = this.bucketEquity0;
    let e0 = 0;
    let e1 = 0;
    for (let b = 0; b < nb; b++) {
      e0 += equity0[b]!;
      e1 += equityEnd[b]!;
    }
    const beyond = this.socialized + (shortfall > this.insurance ? shortfall - this.insurance : 0);
    return {
      path,
      horizonSecs: horizon,
      badDebt: this.badDebt,
      coveredByInsurance: this.covered,
      socialized: this.socialized,
      shortfall,
      protocolLoss: this.badDebt + shortfall,
      lossBeyondInsurance: beyond,
      insuranceEnd: this.insurance,
      insuranceLrtSol: this.insuranceLrt * mark,
      liquidations: this.liquidations,
      liquidatedAccounts: this.liquidatedAccounts,
      liquidationVolume: this.volume,
      unprofitableAttempts: this.unprofitable,
      peakUtilization: this.peakUtil,
      bunkerSecs: this.bunkerSteps * this.stepSecs,
      staleSecs: this.staleSteps * this.stepSecs,
      maxDiscount: this.maxDiscount,
      netApy: horizon > 0 && e0 > 0 ? ((e1 - e0) / e0) * (approx.YEAR_SECS / horizon) : 0,
      markToMarketReturn: e0 > 0 ? marked / e0 - 1 : 0,
      bucketAccounts: plainArray(this.bucketAccounts),
      bucketLiquidated: plainArray(this.bucketLiquidated),
      bucketTimeSum: plainArray(this.bucketTimeSum),
      bucketEquity0: plainArray(equity0),
      bucketEquityEnd: plainArray(equityEnd),
      seriesCount: plainArray(this.seriesCount),
      seriesVolume: plainArray(this.seriesVolume),
      seriesDepeg: plainArray(this.seriesDepeg),
      seriesDepegMin: plainArray(this.seriesDepegMin),
      seriesDepegMax: plainArray(this.seriesDepegMax),
    };
  }
}

/** A typed array's values in a plain array: a loop, at a quarter of `Array.from`'s cost (which iterates). */
function plainArray(values: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) out.push(values[i]!);
  return out;
}

/** @deprecated The name of `PathEngine` before it took a detector (kept for `@lantern/sim` users). */
export { PathEngine as PathCore };
