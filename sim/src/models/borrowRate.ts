/**
 * The SOL lending pool seen from outside the population: lenders' supply, other borrowers' demand,
 * the population's net borrowing, and the borrow rate from the pool's kinked curve.
 *
 * - Supply `S`: log-OU around its initial level (half-life `supplyHalfLifeDays`; random net flows with
 *   daily sd `supplyFlowSdPctPerDay`) plus scripted deposits/withdrawals (`flows`). Withdrawals only
 *   take cash: the supply never falls below the debt (utilisation ≤ 100%).
 * - External debt: logit(utilisation of the other borrowers) is an OU reverting to
 *   logit(`utilization`), or the scripted `utilizationPath` plus an OU deviation around it (followed as
 *   scripted, issue 14), with half-life `utilizationHalfLifeDays`
 *   and stationary sd `utilizationSd`; new borrowing stops at `maxUtilizationBps` (as on chain), a
 *   supply withdrawal lifts utilisation at once (the debt stays).
 * - The population's net borrowing (Feedback.netBorrowSol, cumulated) adds to the debt; the initial
 *   population debt is part of the initial `utilization`.
 * - Borrow APR: the sdk's `borrowRate(curve, utilisationBps)` (bigint WAD, the program's curve),
 *   tabulated once per curve for every basis point of utilisation (utilisation rounded up to a bps,
 *   as the program's `utilization_bps`), so a lookup is exact and O(1).
 * The random parts move once an hour (utilisation is slow); the feedback acts every step.
 */
import { borrowRate, type RateCurve } from "@lantern/sdk/math";
import type { ModelRng } from "../rng.js";
import type { PoolSpec } from "../scenario.js";
import { DAY_SECS, PathCursor } from "./paths.js";

const tables = new Map<string, Float64Array>();

/** Entries of a rate table: one per bps of utilisation, 0 … 10,000. */
export const RATE_TABLE_ENTRIES = 10_001;

const curveKey = (curve: RateCurve) =>
  JSON.stringify([
    curve.kink1UtilizationBps,
    curve.kink1RateBps,
    curve.kink2UtilizationBps,
    curve.kink2RateBps,
    curve.maxRateBps,
  ]);

/** Annual borrow rate (fraction) at every utilisation bps 0..10,000, from the sdk's curve. */
export function rateTable(curve: RateCurve): Float64Array {
  const key = curveKey(curve);
  let table = tables.get(key);
  if (!table) {
    table = new Float64Array(RATE_TABLE_ENTRIES);
    for (let bps = 0; bps <= 10_000; bps++) table[bps] = Number(borrowRate(curve, BigInt(bps))) / 1e18;
    tables.set(key, table);
  }
  return table;
}

/**
 * Uses `table`, computed by `rateTable(curve)` elsewhere (a worker's parent), as this thread's table of
 * `curve`: the same numbers, without 10,001 evaluations of the sdk's curve in code not yet compiled.
 */
export function useRateTable(curve: RateCurve, table: Float64Array): void {
  if (table.length !== RATE_TABLE_ENTRIES) throw new RangeError(`a rate table has ${RATE_TABLE_ENTRIES} entries`);
  tables.set(curveKey(curve), table);
}

/** Borrow APR (fraction) at a utilisation (fraction), rounded up to a bps as on chain. */
export function aprAt(table: Float64Array, utilization: number): number {
  const bps = Math.min(10_000, Math.max(0, Math.ceil(utilization * 10_000 - 1e-9)));
  return table[bps]!;
}

const logit = (u: number) => Math.log(u / (1 - u));
const clampU = (u: number) => Math.min(1 - 1e-6, Math.max(1e-6, u));

export class BorrowRateModel {
  // Numeric state starts as a number where it is declared, so V8 keeps it unboxed (see DiscountModel).
  /** Lenders' assets, SOL. */
  supply = 0;
  /** Other borrowers' debt as a fraction of the supply. */
  externalUtilization = 0;
  /** The population's net borrowing since t = 0, SOL. */
  populationDelta = 0;
  utilization = 0;
  apr = 0;
  /** Highest utilisation so far. */
  peakUtilization = 0;

  private readonly table: Float64Array;
  private readonly target: PathCursor;
  private readonly initialSupply: number;
  private readonly updateEvery: number;
  /** Steps left until the next hourly update of the random parts. */
  private untilUpdate = 0;
  /** The first step computes the utilisation from the debt and the supply, as every moving step does. */
  private unsettled = true;
  private readonly uDecay: number;
  private readonly uNoise: number;
  private readonly sDecay: number;
  private readonly sNoise: number;
  private readonly flows: { t: number; pct: number }[];
  private flowIndex = 0;
  /** Time of the next scripted flow (Infinity after the last). */
  private nextFlowAt = 0;
  private logSupply = 0;
  /** The target's logit at the previous update: a scripted path is followed, the deviation reverts. */
  private prevMean = 0;

  constructor(
    private readonly spec: PoolSpec,
    stepSecs: number,
    private readonly rng: ModelRng,
  ) {
    this.table = rateTable(spec.curve);
    this.supply = spec.supplySol;
    this.initialSupply = spec.supplySol;
    this.externalUtilization = spec.utilization;
    this.utilization = spec.utilization;
    this.peakUtilization = spec.utilization;
    this.apr = aprAt(this.table, spec.utilization);
    this.target = new PathCursor(spec.utilizationPath, spec.utilization);
    this.prevMean = logit(clampU(this.target.at(0)));
    this.updateEvery = Math.max(1, Math.round(3600 / stepSecs));
    this.untilUpdate = this.updateEvery;
    const dt = this.updateEvery * stepSecs;
    this.uDecay = Math.pow(2, -dt / (spec.utilizationHalfLifeDays * DAY_SECS));
    this.uNoise = spec.utilizationSd * Math.sqrt(1 - this.uDecay * this.uDecay);
    this.sDecay = Math.pow(2, -dt / (spec.supplyHalfLifeDays * DAY_SECS));
    // Daily flow sd σ_d is the diffusion: per update, σ_d·√(dt/day), folded into the exact OU step.
    const kappa = Math.LN2 / (spec.supplyHalfLifeDays * DAY_SECS);
    const sigma = spec.supplyFlowSdPctPerDay / 100 / Math.sqrt(DAY_SECS);
    this.sNoise = sigma * Math.sqrt((1 - this.sDecay * this.sDecay) / (2 * kappa));
    this.flows = spec.flows.map((f) => ({ t: f.day * DAY_SECS, pct: f.pct })).sort((a, b) => a.t - b.t);
  }

  /** Total debt (SOL). */
  get debt(): number {
    return this.externalUtilization * this.supply + this.populationDelta;
  }

  private setSupply(next: number): void {
    // Lenders can only take cash: the supply stays at or above the debt.
    const debt = this.debt;
    const floor = Math.max(debt, 1e-9);
    const s = Math.max(next, floor);
    this.externalUtilization = (this.externalUtilization * this.supply) / s;
    this.supply = s;
    this.logSupply = Math.log(s / this.initialSupply);
  }

  /** Advances to the end of the step ending at `t` with the population's net borrowing in the step. */
  step(t: number, netBorrowSol: number): void {
    // Most steps move nothing (no net borrowing, no hourly update, no flow): the utilisation and the
    // rate stay as they are. This check is small enough to be inlined into the world's step, so the
    // number passed on is boxed only on the steps that move.
    const hourly = --this.untilUpdate === 0;
    if (hourly || netBorrowSol !== 0 || this.unsettled || t >= this.nextFlowAt) this.move(t, netBorrowSol, hourly);
  }

  private move(t: number, netBorrowSol: number, hourly: boolean): void {
    const spec = this.spec;
    this.unsettled = false;
    this.populationDelta += netBorrowSol;
    if (hourly) {
      this.untilUpdate = this.updateEvery;
      if (this.sNoise > 0 || this.logSupply !== 0) {
        const z = this.sNoise > 0 ? this.rng.normal() : 0;
        this.setSupply(this.initialSupply * Math.exp(this.logSupply * this.sDecay + this.sNoise * z));
      }
      // Other borrowers follow a scripted utilisation path as scripted (issue 14): the logit is the
      // script plus a deviation that reverts with the half-life — the deviation from the script's
      // previous value, so a moving script is not chased with a lag. A constant target is unchanged.
      const mean = logit(clampU(this.target.at(t)));
      const before = this.externalUtilization;
      const y = logit(clampU(before));
      const z = this.uNoise > 0 ? this.rng.normal() : 0;
      let next = 1 / (1 + Math.exp(-(mean + (y - this.prevMean) * this.uDecay + this.uNoise * z)));
      this.prevMean = mean;
      // New borrowing stops at the utilisation cap (repayments always go through).
      const cap = spec.maxUtilizationBps / 10_000 - this.populationDelta / this.supply;
      if (next > before && next > cap) next = Math.max(before, cap);
      this.externalUtilization = next;
    }
    // Scripted flows land last, so a withdrawal shows in this step's utilisation.
    while (this.flowIndex < this.flows.length && this.flows[this.flowIndex]!.t <= t) {
      this.setSupply(this.supply * (1 + this.flows[this.flowIndex++]!.pct / 100));
    }
    this.nextFlowAt = this.flowIndex < this.flows.length ? this.flows[this.flowIndex]!.t : Infinity;
    const u = Math.min(1, Math.max(0, this.debt / this.supply));
    this.utilization = u;
    if (u > this.peakUtilization) this.peakUtilization = u;
    this.apr = aprAt(this.table, u);
  }
}
