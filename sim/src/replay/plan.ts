/**
 * The model's side of a live replay: one path of a scenario (same seed, same path index, the population
 * scaled to `n` sub-accounts) run through the simulator's own world and engine, recording what the
 * scenario driver plays on chain (every step's exogenous state: true rate, DEX price, committee and
 * oracle state) and what the model predicts (per sub-account liquidations, bad debt, the path outcome).
 *
 * Nothing here duplicates a model: the world is `createWorld`, the engine is `FastEngine`, the streams
 * are `pathStreams` and the book is `buildPopulation`, exactly as `npm run sim -- run --per-path` uses
 * them. The recording wraps the world (`World.step`) and reads the engine's public book arrays.
 */
import type { Feedback, MarketSnapshot, World } from "../contract.js";
import { FastEngine } from "../engine/fast.js";
import { pricesF } from "../engine/math.js";
import { engineParams } from "../engine/params.js";
import { buildPopulation, POPULATION_STREAM } from "../engine/population.js";
import type { EngineParams, PathOutcome, Population } from "../engine/types.js";
import { pathStreams } from "../job.js";
import { createWorld } from "../models/world.js";
import { createRng } from "../rng.js";
import { loadScenario, overrideScenario, type Scenario } from "../scenario.js";

/**
 * Scenario fields a replay sets on both sides. The driver plays the scripted committee (roles, faults)
 * with the real member processes, but it cannot know the model's random per-frame absences and publisher
 * outages (private draws of the committee and oracle models), so both sides run without them. The draws
 * themselves still happen (the models draw for every member and frame), so the rest of the path is the
 * same path as `sim run` draws.
 */
export const REPLAY_OVERRIDES: Readonly<Record<string, unknown>> = Object.freeze({
  "committee.offlinePerFrame": 0,
  "committee.latePerFrame": 0,
  "oracle.outagesPerMemberPerYear": 0,
});

export interface ReplayPlanOptions {
  /** A scenario name, a file path or a scenario object. */
  scenario: string | Scenario;
  path: number;
  seed?: number;
  /** Size of the book (the scenario's population, drawn at this size). */
  subAccounts: number;
  /** Extra `--set` overrides, applied after the replay's own. */
  overrides?: Record<string, unknown>;
}

/** The world at the end of one model step, as the driver needs it. */
export interface StepRecord {
  /** Seconds since the start of the path (the first step ends at `stepSecs`). */
  t: number;
  trueRate: number;
  fairRate: number;
  pessimisticRate: number;
  dexPrice: number;
  market: MarketSnapshot["market"];
  bunker: boolean;
  held: boolean;
  stale: boolean;
  utilization: number;
  borrowApr: number;
  redemptionRate: number;
  /** The maintenance price the engine used (NaN: none). */
  maintPrice: number;
  /** The highest liquidation price among the sub-accounts still open after this step (0: none). */
  frontierPrice: number;
  /** SOL repaid by the model's liquidators during this step. */
  repaidSol: number;
}

/** One liquidation of the model: which sub-account, when (seconds after opening), how much. */
export interface ModelLiquidation {
  subAccount: number;
  atSecs: number;
  repaidSol: number;
  /** Collateral that left the sub-account (to the liquidator and the insurance), LRT. */
  seizedLrt: number;
  /**
   * How long the sub-account had been liquidatable at the model's maintenance price before its
   * liquidators acted (their delay, capacity and profitability at the DEX price), seconds.
   */
  waitedSecs: number;
  /** The sub-account's liquidation price just before (debt / (collateral · LT)), SOL per LRT. */
  thresholdPrice: number;
  /**
   * When the model's maintenance price crossed that price, seconds after opening: `nearSecs`, the last
   * time before the crossing it was `CROSSING_BAND` above it; `deepSecs`, the first time after it was
   * `CROSSING_BAND` below (the liquidation time if it never was within a day). A chain whose maintenance
   * price agrees with the model's within the band crosses between the two.
   */
  nearSecs: number;
  deepSecs: number;
  /** The crossing came with a report or a guardian confirmation (the rate moved within 45 min before it). */
  reportDriven: boolean;
}

/** How far apart the chain's and the model's maintenance prices may be at a crossing (relative). */
export const CROSSING_BAND = 5e-4;

export interface ModelOutcome {
  outcome: PathOutcome;
  liquidations: ModelLiquidation[];
  /** Per sub-account at the horizon: debt (SOL) and collateral (LRT). */
  debtSol: number[];
  collateral: number[];
  /** The opening fair rate and the last step's state. */
  openFair: number;
  last: StepRecord;
}

export interface ReplayPlan {
  scenario: Scenario;
  seed: number;
  path: number;
  population: Population;
  params: EngineParams;
  stepSecs: number;
  steps: StepRecord[];
  model: ModelOutcome;
}

/** A world that records every snapshot and lets the plan see the engine's book between steps. */
class RecordingWorld implements World {
  readonly stepSecs: number;
  readonly steps: number;
  readonly snapshots: MarketSnapshot[] = [];

  constructor(
    private readonly inner: World,
    private readonly onStep: (snapshot: MarketSnapshot) => void,
  ) {
    this.stepSecs = inner.stepSecs;
    this.steps = inner.steps;
  }

  step(feedback: Feedback): MarketSnapshot {
    const snapshot = this.inner.step(feedback);
    this.onStep(snapshot);
    this.snapshots.push(snapshot);
    return snapshot;
  }
}

/** Runs the model on the replayed path and records what the driver needs. */
export function replayPlan(o: ReplayPlanOptions): ReplayPlan {
  const base = typeof o.scenario === "string" ? loadScenario(o.scenario) : o.scenario;
  const scenario = overrideScenario(base, {
    ...REPLAY_OVERRIDES,
    "population.subAccounts": o.subAccounts,
    ...o.overrides,
  });
  const seed = o.seed ?? scenario.seed;
  if (!Number.isInteger(o.path) || o.path < 0) throw new RangeError(`The path index must be 0 or more, got ${o.path}.`);
  const population = buildPopulation(scenario.population, createRng(seed, 0, { stream: POPULATION_STREAM }));
  const params = engineParams(scenario);
  const engine = new FastEngine(population, params);
  const streams = pathStreams({ seed, antithetic: true }, o.path);
  const n = population.equity.length;
  const lt = params.risk.lt;
  const prices = { maint: 0, init: 0 };

  // Liquidations show as falling debt shares between two looks at the book (users are passive).
  const shares = new Float64Array(n);
  const coll = new Float64Array(n);
  // Since when each sub-account has been liquidatable at the model's maintenance price (NaN: it is not).
  const since = new Float64Array(n).fill(Number.NaN);
  const liquidations: ModelLiquidation[] = [];
  let openT = Number.NaN;
  let lastT = 0;
  const frontier: number[] = [];
  const maint: number[] = [];
  const diffBook = (atT: number) => {
    for (let i = 0; i < n; i++) {
      const now = engine.shares[i]!;
      if (now < shares[i]! - 1e-12) {
        liquidations.push({
          subAccount: i,
          atSecs: atT - openT,
          repaidSol: (shares[i]! - now) * engine.index,
          seizedLrt: coll[i]! - engine.coll[i]!,
          waitedSecs: Number.isNaN(since[i]!) ? 0 : atT - since[i]!,
          thresholdPrice: (shares[i]! * engine.index) / (coll[i]! * lt),
          nearSecs: 0,
          deepSecs: 0,
          reportDriven: false,
        });
        since[i] = Number.NaN;
      }
      // Still liquidatable after the step at the step's maintenance price: the liquidators left it.
      const c = engine.coll[i]!;
      const m = maint[maint.length - 1]!;
      if (now > 0 && c > 0 && (now * engine.index) / (c * lt) > m) {
        if (Number.isNaN(since[i]!)) since[i] = atT;
      } else since[i] = Number.NaN;
      shares[i] = now;
      coll[i] = engine.coll[i]!;
    }
  };
  const world = new RecordingWorld(createWorld(scenario, streams.world), (snapshot) => {
    if (Number.isNaN(openT)) openT = snapshot.t;
    else diffBook(lastT);
    lastT = snapshot.t;
    const fair = snapshot.pessimisticRate ?? snapshot.fairRate;
    maint.push(pricesF(params.policy, fair, snapshot.market, prices).maint);
  });
  // The book is read after the engine applied each step: through the next snapshot's callback.
  const recordFrontier = () => {
    let highest = 0;
    for (let i = 0; i < n; i++) {
      const c = engine.coll[i]!;
      if (engine.shares[i]! > 0 && c > 0) {
        const p = (engine.shares[i]! * engine.index) / (c * lt);
        if (p > highest) highest = p;
      }
    }
    frontier.push(highest);
  };
  const stepping = world.step.bind(world);
  world.step = (feedback: Feedback) => {
    if (world.snapshots.length > 0) recordFrontier();
    return stepping(feedback);
  };
  const outcome = engine.run(world, o.path, streams.engine);
  diffBook(lastT);
  recordFrontier();
  // The crossing of each liquidation's threshold by the maintenance price, from the recorded series.
  const stepOf = (secs: number) => Math.round((secs + openT) / scenario.stepSecs) - 1;
  for (const l of liquidations) {
    const at = stepOf(l.atSecs);
    const from = stepOf(l.atSecs - l.waitedSecs);
    const day = Math.round(86_400 / scenario.stepSecs);
    let near = from;
    while (near > 0 && near > from - day && !(maint[near - 1]! >= l.thresholdPrice * (1 + CROSSING_BAND))) near--;
    let deep = from;
    while (deep < maint.length - 1 && deep < from + day && !(maint[deep]! <= l.thresholdPrice * (1 - CROSSING_BAND)))
      deep++;
    if (!(maint[deep]! <= l.thresholdPrice * (1 - CROSSING_BAND))) deep = at;
    const t = (j: number) => world.snapshots[j]!.t - openT;
    l.nearSecs = t(near);
    l.deepSecs = t(Math.max(deep, from));
    const rate = (j: number) => world.snapshots[j]!.pessimisticRate ?? world.snapshots[j]!.fairRate;
    const back = Math.max(0, from - Math.round(2_700 / scenario.stepSecs));
    for (let j = back; j < from; j++) if (rate(j + 1) !== rate(j)) l.reportDriven = true;
  }
  const repaid = new Map<number, number>();
  for (const l of liquidations) repaid.set(l.atSecs + openT, (repaid.get(l.atSecs + openT) ?? 0) + l.repaidSol);

  const steps: StepRecord[] = world.snapshots.map((s, i) => ({
    t: s.t,
    trueRate: s.trueRate,
    fairRate: s.fairRate,
    pessimisticRate: s.pessimisticRate ?? s.fairRate,
    dexPrice: s.dexPrice,
    market: s.market ? { ...s.market } : null,
    bunker: s.bunker,
    held: s.held ?? false,
    stale: s.stale,
    utilization: s.utilization,
    borrowApr: s.borrowApr,
    redemptionRate: s.redemptionRate ?? s.trueRate,
    maintPrice: maint[i]!,
    frontierPrice: frontier[i] ?? 0,
    repaidSol: repaid.get(s.t) ?? 0,
  }));
  const debtSol = Array.from(engine.shares, (s) => s * engine.index);
  return {
    scenario,
    seed,
    path: o.path,
    population,
    params,
    stepSecs: scenario.stepSecs,
    steps,
    model: {
      outcome,
      liquidations,
      debtSol,
      collateral: Array.from(engine.coll),
      openFair: steps[0]!.fairRate,
      last: steps[steps.length - 1]!,
    },
  };
}

/** The step whose state holds at path time `t` (the last step that ended at or before `t`). */
export function stepAt(plan: Pick<ReplayPlan, "steps" | "stepSecs">, t: number): StepRecord {
  const i = Math.min(plan.steps.length - 1, Math.max(0, Math.floor(t / plan.stepSecs) - 1));
  return plan.steps[i]!;
}
