/**
 * The replay's clock: at which path times the chain stops (a "tick": the DEX price is served, the chain
 * warped there, a price round and the liquidator awaited). Pure: computed from the model's path before
 * the chain moves (docs/replay.md, time compression).
 *
 * A stop costs a wall second or two (a committee price round and the liquidator), so a 30-day path cannot
 * stop every minute. Between two stops the chain sees one price round: its EMA moves by the whole stride
 * toward the price served for the stop (the driver serves the next stop's price ahead, see the driver), and
 * the liquidator acts at the stop only. A stride is therefore faithful when
 * - the EMA it produces at the stop is within `emaBps` of the EMA a chain stopping every `fine` seconds
 *   would have (the DEX path is known: both are computed here);
 * - the model liquidates nothing within `padBeforeSecs` after it or `padAfterSecs` before it (around a
 *   liquidation the chain stops every `fine` seconds, so the time and the price of the liquidation are the
 *   fine chain's);
 * - the model's maintenance price stays at least `marginBps` above the book's liquidation frontier over it
 *   (where the model grazes the frontier without liquidating, the chain may liquidate: it stops every
 *   `fine` seconds there too — or at the stride this rule allows, whichever is longer; see `graze`).
 * The longest stride of the ladder `fine·2^k ≤ maxStrideSecs` that meets all three is taken; checkpoints
 * (frame starts, role and fault boundaries, guardian confirmations) are always stops.
 */
import type { ReplayPlan } from "./plan.js";

export interface ScheduleOptions {
  /** The finest stride (the `--speed`): chain seconds per stop where it matters. */
  fine: number;
  /** The longest stride (a frame: the chain's price age). */
  maxStrideSecs: number;
  /** Stops that must be made whatever the path (frame starts, role and fault boundaries, confirmations). */
  checkpoints: number[];
  /** The EMA at each stop within this of a fine chain's (relative, bps). */
  emaBps?: number;
  /** The EMA's allowance far from the frontier (bps): the final EMA is compared. */
  maxEmaBps?: number;
  /** The model's maintenance price this far above the frontier (bps) for a stride longer than `graze`. */
  marginBps?: number;
  /** The longest stride where the model grazes the frontier (within `marginBps`) without liquidating. */
  graze?: number;
  padBeforeSecs?: number;
  padAfterSecs?: number;
}

/** Strides tried, in multiples of the fine stride (longest first wins while every rule holds). */
const LADDER = [2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440, 2880];

export const SCHEDULE_DEFAULTS = {
  emaBps: 2,
  maxEmaBps: 10,
  marginBps: 10,
  graze: 900,
  padBeforeSecs: 900,
  padAfterSecs: 300,
} as const;

/**
 * The stops, ascending, from the first step's end to the horizon (included). The EMA is compared with a
 * chain that stops every `fine` seconds and is fed the DEX price at each stop (the chain's EMA half-life).
 */
export function replaySchedule(plan: ReplayPlan, o: ScheduleOptions): number[] {
  const step = plan.stepSecs;
  const fine = Math.max(step, Math.round(o.fine / step) * step);
  const emaTol = (o.emaBps ?? SCHEDULE_DEFAULTS.emaBps) * 1e-4;
  const maxEmaTol = (o.maxEmaBps ?? SCHEDULE_DEFAULTS.maxEmaBps) * 1e-4;
  const margin = 1 + (o.marginBps ?? SCHEDULE_DEFAULTS.marginBps) * 1e-4;
  const graze = Math.max(fine, o.graze ?? SCHEDULE_DEFAULTS.graze);
  const padBefore = o.padBeforeSecs ?? SCHEDULE_DEFAULTS.padBeforeSecs;
  const padAfter = o.padAfterSecs ?? SCHEDULE_DEFAULTS.padAfterSecs;
  const steps = plan.steps;
  const horizon = steps[steps.length - 1]!.t;
  const halfLife = plan.scenario.oracle.emaHalfLifeSecs;
  const at = (t: number) => steps[Math.min(steps.length - 1, Math.max(0, Math.round(t / step) - 1))]!;
  const decay = (secs: number) => 2 ** (-secs / halfLife);

  // The fine chain's EMA at every multiple of `fine` (fed the DEX price of each stop).
  const fineEma = new Map<number, number>();
  let e = steps[0]!.dexPrice;
  const dFine = decay(fine);
  for (let t = fine; t <= horizon + fine; t += fine) {
    e = e * dFine + at(t).dexPrice * (1 - dFine);
    fineEma.set(t, e);
  }
  const fineEmaAt = (t: number) => {
    const below = Math.floor(t / fine) * fine;
    return fineEma.get(below) ?? fineEma.get(below + fine) ?? e;
  };

  // Where a long stride is not allowed: near a model liquidation (fine) or grazing the frontier.
  const n = steps.length;
  const nearLiquidation = new Uint8Array(n);
  const grazing = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = steps[i]!;
    if (s.repaidSol > 0) {
      const from = Math.max(0, i - Math.ceil(padBefore / step));
      const to = Math.min(n - 1, i + Math.ceil(padAfter / step));
      for (let j = from; j <= to; j++) nearLiquidation[j] = 1;
    }
    if (s.frontierPrice > 0 && !Number.isNaN(s.maintPrice) && s.maintPrice < s.frontierPrice * margin) grazing[i] = 1;
  }
  // Prefix sums: "any flagged step in (a, b]" in O(1).
  const prefix = (flags: Uint8Array) => {
    const p = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) p[i + 1] = p[i]! + flags[i]!;
    return (a: number, b: number) => {
      const i = Math.max(0, Math.round(a / step)); // steps ending after a: index ≥ a/step
      const j = Math.min(n, Math.round(b / step)); // steps ending at or before b
      return j > i && p[j]! - p[i]! > 0;
    };
  };
  const anyNear = prefix(nearLiquidation);
  const anyGrazing = prefix(grazing);
  // The closest the model's maintenance price comes to the frontier over (a, b] (relative; Infinity: no book).
  const closest = (a: number, b: number) => {
    let m = Number.POSITIVE_INFINITY;
    for (let i = Math.max(0, Math.round(a / step)); i < Math.min(n, Math.round(b / step)); i++) {
      const s = steps[i]!;
      if (s.frontierPrice > 0 && !Number.isNaN(s.maintPrice)) m = Math.min(m, s.maintPrice / s.frontierPrice - 1);
    }
    return m;
  };

  const stops = [...new Set(o.checkpoints.filter((c) => c > 0 && c < horizon))].sort((a, b) => a - b);
  const out: number[] = [];
  let t = 0;
  let ema = steps[0]!.dexPrice;
  let c = 0;
  while (t < horizon) {
    while (c < stops.length && stops[c]! <= t) c++;
    const limit = Math.min(horizon, stops[c] ?? horizon);
    let chosen = Math.min(fine, limit - t);
    // The ladder's strides, then the checkpoint itself, shortest first: the longest that keeps every rule.
    const candidates = LADDER.map((k) => fine * k).filter((x) => x < limit - t && x <= o.maxStrideSecs);
    if (limit - t <= o.maxStrideSecs) candidates.push(limit - t);
    for (const s of candidates) {
      const next = t + s;
      if (anyNear(t, next)) break;
      if (s > graze && anyGrazing(t, next)) break;
      // The EMA matters as far as it decides liquidations: within a third of the model's distance to the
      // frontier over the stride, never worse than `maxEmaBps` (the final EMA is a metric), never asked
      // to be better than `emaBps`.
      const allowed = Math.min(maxEmaTol, Math.max(emaTol, closest(t, next) / 3));
      const d = decay(s);
      const chainEma = ema * d + at(next).dexPrice * (1 - d);
      if (Math.abs(chainEma / fineEmaAt(next) - 1) > allowed) break;
      chosen = s;
    }
    // A stride of the ladder that stops short of a checkpoint: take the checkpoint when it is closer than a fine stride beyond.
    let next = t + chosen;
    if (limit - next < fine) next = limit;
    const d = decay(next - t);
    ema = ema * d + at(next).dexPrice * (1 - d);
    out.push(next);
    t = next;
  }
  return out;
}
