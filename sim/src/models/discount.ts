/**
 * The market price of the LRT relative to its true value, and the DEX it trades on.
 *
 * The log discount `x = ln(dexPrice / trueRate)` is the sum of
 * - a slow component: an Ornstein–Uhlenbeck process, discretised exactly per step,
 *   `d' = L + (d − L)·a + sd·√(1 − a²)·Z` with `a = 2^(−Δt / halfLife)`, reverting to the level `L`
 *   — or, with a scripted `levelPath`, the script itself plus an OU deviation around it (reverting to
 *   0 with the same half-life): a replay follows its script as scripted, steps included, with noise
 *   and jumps around it, instead of chasing it as a slow mean-reversion target (issue 14: June 2022
 *   bottomed at 0.961 on 28 June that way, against the script's and history's 0.935 on 13–18 June);
 *   (−20 bps by default: about the cost of an instant exit) with a half-life of 1–2 epochs while
 *   redemption works and of weeks while it is queued (bunker mode halts withdrawal finalisation, or
 *   redemption does not exist, as for stETH before April 2023), plus persistent negative jumps;
 * - flash components: jumps that hold for a while and recover with a half-life of minutes (mSOL,
 *   12 Dec 2023: a ~$5–8M sale took mSOL/SOL from ~1.15 to ~0.99, −14%, back within ~20–30 min);
 * - the price impact of net sales: linear in the SOL sold against the depth that moves the price 1%,
 *   decaying as arbitrage refills the pool (slower while redemption is queued). Liquidators' sales
 *   (Feedback.lrtSoldSol) widen the discount here, which is what makes cascades possible;
 * - arbitrage through the restaking pool's instant unstake: while the feed is fresh and the reserve
 *   lasts, nobody sells below `fairRate·(1 − fee)`, because buying there and unstaking is a profit;
 *   the arbitrage drains the reserve (an LST pool drain is the reserve running out).
 * A Markov stress regime (entry rate, exponential duration; or scripted periods) lowers the level,
 * raises the volatility and the jump intensities and thins the DEX depth.
 */
import type { ModelRng } from "../rng.js";
import type { DexSpec, DiscountSpec, RestakingSpec } from "../scenario.js";
import { DAY_SECS, PathCursor, inWindows } from "./paths.js";

const YEAR_SECS = 31_536_000;
const BPS = 1e-4;
/** Lowest log discount the model produces (a price of ~0.09% of the true value). */
export const MIN_LOG = -7;

/** Per-step decay factor of a half-life (seconds); 0 for a half-life of 0. */
export function decayFactor(halfLifeSecs: number, dtSecs: number): number {
  return halfLifeSecs > 0 ? Math.pow(2, -dtSecs / halfLifeSecs) : 0;
}

interface Flash {
  value: number;
  holdUntil: number;
  decay: number;
}

/** What the rest of the world tells the discount model each step. */
export interface DiscountInputs {
  /** Redemption is queued (bunker mode, or the scenario's `redemptionQueued`). */
  queued: boolean;
  /** LRT sold by liquidators during the previous step, SOL. */
  soldSol: number;
  /**
   * The instant-unstake floor as a log discount, `ln(fairRate·(1 − fee) / trueRate)`, or `null` when
   * instant unstake is closed (stale feed).
   */
  floorLog: number | null;
}

export class DiscountModel {
  // Numeric state is initialised where it is declared: a declared-only field starts undefined, V8 then
  // keeps every number stored in it boxed, and a store in the per-step loop allocates.
  /** Slow component (log). */
  slow = 0;
  /** With a scripted level: the slow component's deviation from the script (log). */
  private dev = 0;
  /** Price impact of net flows (log): liquidators' sales minus arbitrage purchases, decaying. */
  impact = 0;
  /** Sum of the flash components (log). */
  flash = 0;
  /** Total log discount after the last step. */
  logDiscount = 0;
  /** SOL moving the price by 1% after the last step. */
  depth1Pct = 0;
  /** Instant-unstake reserve, SOL. */
  reserve = 0;
  /** SOL spent by arbitrage through the reserve so far. */
  arbitrageSol = 0;
  /** In the stress regime after the last step. */
  stress = false;

  private readonly level: PathCursor;
  private readonly depthPath: PathCursor;
  private readonly slowDecay: [number, number];
  private readonly slowNoise: [number, number];
  private readonly impactDecay: [number, number];
  private readonly flashDecay: number;
  private markovStress = false;
  private nextSwitch = 0;
  /**
   * The regime's multiplier of the jump and flash intensities. A double from the start (NaN here, 1 in
   * the constructor): set to the stress regime's factor, a small integer field would become a double at
   * a path's first switch, which changes the model's layout and deoptimised the calm kernel (that
   * reads this model) some 60 times a path for the next dozen paths of a worker.
   */
  private intensity = Number.NaN;
  private nextJump = 0;
  private nextFlash = 0;
  private readonly flashes: Flash[] = [];
  private readonly events: { t: number; value: number; persistent: boolean; hold: number; decay: number }[];
  private eventIndex = 0;
  /** Time of the next scripted event (Infinity after the last). */
  private nextEventAt = 0;
  /** The regime's OU sd and level (log), set by `updateRegime`. */
  private sd = 0;
  private regimeLevel = 0;
  private readonly drains: { t: number; sol: number }[];
  private readonly hasLevelPath: boolean;
  private readonly hasDepthPath: boolean;
  private readonly hasStressPeriods: boolean;
  private readonly refillPerStep: number;
  private drainIndex = 0;

  constructor(
    private readonly spec: DiscountSpec,
    private readonly dex: DexSpec,
    private readonly restaking: RestakingSpec,
    epochSecs: number,
    dtSecs: number,
    private readonly rng: ModelRng,
  ) {
    this.slow = spec.initialBps * BPS;
    this.logDiscount = this.slow;
    this.level = new PathCursor(spec.levelPath, spec.levelBps);
    this.dev = this.slow - this.level.at(0) * BPS;
    this.sd = spec.sdBps * BPS;
    this.regimeLevel = spec.levelBps * BPS;
    this.intensity = 1;
    this.depthPath = new PathCursor(dex.depthPath, 1);
    this.depth1Pct = dex.depth1PctSol * this.depthPath.at(0);
    this.reserve = restaking.reserveSol;
    this.hasLevelPath = spec.levelPath.length > 0;
    this.hasDepthPath = dex.depthPath.length > 0;
    this.hasStressPeriods = spec.stressPeriods.length > 0;
    this.refillPerStep = (restaking.reserveRefillSolPerDay * dtSecs) / DAY_SECS;
    const working = decayFactor(spec.halfLifeEpochs * epochSecs, dtSecs);
    const queued = decayFactor(spec.queuedHalfLifeDays * DAY_SECS, dtSecs);
    this.slowDecay = [working, queued];
    this.slowNoise = [Math.sqrt(1 - working * working), Math.sqrt(1 - queued * queued)];
    this.impactDecay = [
      decayFactor(dex.impactHalfLifeMinutes * 60, dtSecs),
      decayFactor(dex.queuedImpactHalfLifeMinutes * 60, dtSecs),
    ];
    this.flashDecay = decayFactor(spec.flash.halfLifeMinutes * 60, dtSecs);
    this.nextSwitch = rng.exponential(spec.stress.entryPerYear / YEAR_SECS);
    this.nextJump = rng.exponential(spec.jumps.perYear / YEAR_SECS);
    this.nextFlash = rng.exponential(spec.flash.perYear / YEAR_SECS);
    this.events = spec.events
      .map((e) => ({
        t: e.day * DAY_SECS,
        value: e.bps * BPS,
        persistent: e.kind === "persistent",
        hold: e.holdMinutes * 60,
        decay: decayFactor(e.halfLifeMinutes * 60, dtSecs),
      }))
      .sort((a, b) => a.t - b.t);
    this.drains = restaking.drains.map((d) => ({ t: d.day * DAY_SECS, sol: d.sol })).sort((a, b) => a.t - b.t);
  }

  /** Advances to the end of the step ending at `t` (seconds). */
  step(t: number, inputs: DiscountInputs): void {
    const q = inputs.queued ? 1 : 0;
    // Events (regime switches, jumps, flashes, scripted events) have methods of their own: the common
    // step stays small, and the first event of a run does not make V8 recompile it.
    if (this.nextSwitch <= t || this.hasStressPeriods) this.updateRegime(t);

    // Slow component: exact OU step toward the level; with a script, the script plus an OU deviation.
    const sd = this.sd;
    if (this.hasLevelPath) {
      this.dev *= this.slowDecay[q]!;
      if (sd > 0) this.dev += sd * this.slowNoise[q]! * this.rng.normal();
      if (this.nextJump <= t) this.jump(t);
      this.slow = this.level.at(t) * BPS + this.dev;
    } else {
      const level = this.regimeLevel;
      this.slow = level + (this.slow - level) * this.slowDecay[q]!;
      if (sd > 0) this.slow += sd * this.slowNoise[q]! * this.rng.normal();
      if (this.nextJump <= t) this.jump(t);
    }

    // Flash components: hold, then recover.
    if (this.flashes.length > 0 || this.nextFlash <= t || this.nextEventAt <= t) this.moveFlashes(t);
    else this.flash = 0;

    // DEX depth, liquidators' sales, the reserve and its arbitrage.
    this.depth1Pct =
      this.dex.depth1PctSol *
      (this.stress ? this.dex.stressDepthFactor : 1) *
      (this.hasDepthPath ? this.depthPath.at(t) : 1);
    this.impact *= this.impactDecay[q]!;
    if (inputs.soldSol > 0) this.impact -= (0.01 * inputs.soldSol) / this.depth1Pct;
    const rs = this.restaking;
    if (this.reserve < rs.reserveSol) this.reserve = Math.min(rs.reserveSol, this.reserve + this.refillPerStep);
    while (this.drainIndex < this.drains.length && this.drains[this.drainIndex]!.t <= t) {
      this.reserve = Math.max(0, this.reserve - this.drains[this.drainIndex++]!.sol);
    }
    let total = this.slow + this.flash + this.impact;
    if (inputs.floorLog !== null && total < inputs.floorLog && this.reserve > 0) {
      const wanted = ((inputs.floorLog - total) / 0.01) * this.depth1Pct;
      const used = Math.min(wanted, this.reserve);
      this.reserve -= used;
      this.arbitrageSol += used;
      const lift = (0.01 * used) / this.depth1Pct;
      this.impact += lift;
      total += lift;
    }
    if (total < MIN_LOG) {
      this.impact += MIN_LOG - total;
      total = MIN_LOG;
    }
    this.logDiscount = total;
  }

  /** The Markov chain's switches up to `t`, or a scripted stress period; the regime's parameters. */
  private updateRegime(t: number): void {
    const spec = this.spec;
    while (this.nextSwitch <= t) {
      this.markovStress = !this.markovStress;
      const rate = this.markovStress ? 1 / (spec.stress.meanDays * DAY_SECS) : spec.stress.entryPerYear / YEAR_SECS;
      this.nextSwitch += this.rng.exponential(rate);
    }
    this.stress = this.markovStress || (this.hasStressPeriods && inWindows(spec.stressPeriods, t));
    this.sd = (this.stress ? spec.stress.sdBps : spec.sdBps) * BPS;
    this.regimeLevel = (this.stress ? spec.stress.levelBps : spec.levelBps) * BPS;
    const intensity = this.stress ? spec.stress.jumpFactor : 1;
    if (intensity !== this.intensity) {
      // Exponential waits are memoryless: redraw them at the new intensity from now.
      this.intensity = intensity;
      this.nextJump = t + this.rng.exponential((spec.jumps.perYear * intensity) / YEAR_SECS);
      this.nextFlash = t + this.rng.exponential((spec.flash.perYear * intensity) / YEAR_SECS);
    }
  }

  /** The persistent negative jumps up to `t`: of the slow component, or of its deviation from a script. */
  private jump(t: number): void {
    const spec = this.spec;
    while (this.nextJump <= t) {
      const size = spec.jumps.meanBps * BPS * this.rng.exponential(1);
      if (this.hasLevelPath) this.dev -= size;
      else this.slow -= size;
      this.nextJump += this.rng.exponential((spec.jumps.perYear * this.intensity) / YEAR_SECS);
    }
  }

  /** The flash components: holding ones, recovering ones, new ones up to `t` and the scripted events. */
  private moveFlashes(t: number): void {
    const spec = this.spec;
    let flash = 0;
    for (let i = this.flashes.length - 1; i >= 0; i--) {
      const f = this.flashes[i]!;
      if (t > f.holdUntil) f.value *= f.decay;
      if (Math.abs(f.value) < 1e-9) this.flashes.splice(i, 1);
      else flash += f.value;
    }
    while (this.nextFlash <= t) {
      const value = -spec.flash.meanBps * BPS * this.rng.exponential(1);
      this.flashes.push({ value, holdUntil: this.nextFlash, decay: this.flashDecay });
      flash += value;
      this.nextFlash += this.rng.exponential((spec.flash.perYear * this.intensity) / YEAR_SECS);
    }
    while (this.eventIndex < this.events.length && this.events[this.eventIndex]!.t <= t) {
      const e = this.events[this.eventIndex++]!;
      if (e.persistent) {
        this.slow += e.value;
        this.dev += e.value; // with a script, the jump is a deviation from it and reverts to it
      } else {
        this.flashes.push({ value: e.value, holdUntil: e.t + e.hold, decay: e.decay });
        flash += e.value;
      }
    }
    this.nextEventAt = this.eventIndex < this.events.length ? this.events[this.eventIndex]!.t : Infinity;
    this.flash = flash;
  }
}
