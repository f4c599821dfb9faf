/**
 * The simulator's library API (used by the CLI and the TUI).
 *
 * `runScenario` runs the paths of a scenario over worker threads (both cores by default) and returns
 * the statistics; with `shard: {index, count}` it runs only that shard's share of the paths and
 * returns partial aggregates, which `mergePartials` combines exactly. Paths are split by index into
 * units (a path, or an antithetic pair), units into shards and blocks; every path's randomness
 * depends on (seed, path index) only and the aggregates are exact, so the result is byte-identical
 * for any number of workers and any sharding.
 */
import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { build } from "esbuild";
import type { Policy } from "./contract.js";
import { calmKernelModule } from "./engine/calmWasm.js";
import type { EngineParams } from "./engine/types.js";
import {
  type EngineKind,
  type JobPlan,
  type JobSpec,
  newAggregate,
  planJob,
  prepareJob,
  runUnits,
  unitCount,
  unitSize,
} from "./job.js";
import { rateTable } from "./models/borrowRate.js";
import {
  listScenarios,
  loadScenario,
  overrideScenario,
  parseScenario,
  scenarioHash,
  type Scenario,
} from "./scenario.js";
import { Aggregate, statistics, type AggregateJson, type PathRow, type Statistics } from "./stats.js";
import { SIM_VERSION } from "./version.js";

export const POLICIES: readonly Policy[] = ["FairRate", "Market", "MinOfBoth"];

export interface ShardSpec {
  /** 0-based shard number (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX). */
  index: number;
  count: number;
}

export interface RunOptions {
  /** A scenario object, or a name from sim/scenarios, or a path to a scenario file. */
  scenario: Scenario | string;
  /** Dotted-path overrides of the scenario, e.g. `{ "risk.ltBps": 9200 }` (validated). */
  overrides?: Record<string, unknown>;
  /** Number of paths (default: the scenario's `paths`). */
  paths?: number;
  /** Seed (default: the scenario's `seed`). */
  seed?: number;
  /** Worker threads (default: the available cores); 1 runs in the calling thread. */
  workers?: number;
  /** Pricing policy (default: the scenario's `policy`). */
  policy?: Policy;
  /** Run only this shard of the paths (returns partial aggregates). */
  shard?: ShardSpec | string;
  /** Antithetic variates (default true): path 2j+1 mirrors path 2j. */
  antithetic?: boolean;
  /** `fast` (default) or the `naive` reference engine. */
  engine?: EngineKind;
  /** Keep one row of outcomes per path (`SimResult.perPath`; the CLI writes paths.csv). */
  perPath?: boolean;
  /** Stops the run (rejects with an AbortError). */
  signal?: AbortSignal;
}

export interface Progress {
  /** Paths finished / to run in this call. */
  done: number;
  total: number;
  elapsedMs: number;
  /** Estimated time left, ms (null until a path finished). */
  etaMs: number | null;
  pathsPerSec: number;
}

/** What identifies a run; identical in every shard of it. */
export interface RunMeta {
  simulator: "lantern-sim";
  version: string;
  scenario: { name: string; description: string; hash: string };
  overrides: Record<string, unknown>;
  seed: number;
  policy: Policy;
  paths: number;
  antithetic: boolean;
  engine: EngineKind;
  /** Per-path rows kept (partials with and without them do not merge). */
  perPath: boolean;
  subAccounts: number;
  horizonDays: number;
  stepSecs: number;
  engineParams: EngineParams;
}

export interface SimResult {
  kind: "lantern-sim-result";
  meta: RunMeta;
  statistics: Statistics;
  /** One row per path in path order, when the run was asked for them (`perPath`). */
  perPath?: PathRow[];
}

export interface SimPartial {
  kind: "lantern-sim-partial";
  meta: RunMeta;
  /** The units (paths, or antithetic pairs) this partial covers, as sorted disjoint [from, to) ranges. */
  units: [number, number][];
  aggregate: AggregateJson;
}

export type RunOutput = SimResult | SimPartial;

export class UnknownScenarioError extends Error {
  override readonly name = "UnknownScenarioError";
  constructor(
    readonly scenario: string,
    readonly known: string[],
  ) {
    super(
      `There is no scenario called "${scenario}". Known scenarios: ${known.join(", ") || "(none found in sim/scenarios)"}.`,
    );
  }
}

/** A scenario by name, file path or object, with overrides applied (and validated). */
export function resolveScenario(scenario: Scenario | string, overrides: Record<string, unknown> = {}): Scenario {
  let s: Scenario;
  if (typeof scenario === "string") {
    const known = listScenarios().map((e) => e.name);
    const looksLikeFile = scenario.endsWith(".json") || scenario.includes("/");
    if (!looksLikeFile && !known.includes(scenario)) throw new UnknownScenarioError(scenario, known);
    s = loadScenario(scenario);
  } else {
    s = parseScenario(scenario, scenario.name);
  }
  return Object.keys(overrides).length > 0 ? overrideScenario(s, overrides) : s;
}

/** Parses "k/N" (k from 0, as a Kubernetes Indexed Job's completion index). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new RangeError(`--shard must look like k/N (for example 0/4), got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new RangeError(`--shard ${text}: the number of shards N must be at least 1`);
  if (index >= count)
    throw new RangeError(
      `--shard ${text}: shards are numbered from 0 to ${count - 1} (like a Kubernetes Indexed Job's JOB_COMPLETION_INDEX)`,
    );
  return { index, count };
}

/** The units [from, to) of shard `index` of `count` over `units` units. */
export function shardRange(units: number, shard: ShardSpec): [number, number] {
  return [Math.floor((shard.index * units) / shard.count), Math.floor(((shard.index + 1) * units) / shard.count)];
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RangeError(`${name} must be an integer between ${min} and ${max}, got ${value}`);
}

/**
 * The entry of a worker thread whose module is TypeScript (`module`: a .ts file's URL). The simulator
 * runs as TypeScript (tsx, vitest), and Node 20 does not apply `--import` loaders to a worker's entry
 * module, so the worker starts from a tiny ES module (a data: URL) that registers tsx's loader and then
 * imports the module.
 */
export function typescriptWorkerEntry(module: URL): URL {
  const worker = module.href;
  const tsx = dirname(createRequire(import.meta.url).resolve("tsx/package.json"));
  const api = pathToFileURL(join(tsx, "dist", "esm", "api", "index.mjs")).href;
  const code = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(worker)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

let workerEntry: Promise<URL> | undefined;

/**
 * The entry of `runScenario`'s workers: worker.ts and everything it imports, bundled once per process by
 * esbuild (the transpiler tsx runs on) into one JavaScript module. A worker started through tsx's loader
 * (`typescriptWorkerEntry`) took ~0.25 s to start and ran a loader thread beside it, whose work competed
 * with the other worker's paths; a bundled one starts in a few tens of milliseconds and needs nothing
 * else. The bundle reads no file relative to itself: the calm kernel's module comes from this thread.
 */
function simWorkerEntry(): Promise<URL> {
  workerEntry ??= build({
    entryPoints: [fileURLToPath(new URL("./worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
  }).then(
    ({ outputFiles }) => new URL(`data:text/javascript,${encodeURIComponent(outputFiles[0]!.text)}`),
    (e: Error) => {
      workerEntry = undefined;
      throw new Error(`The simulator's worker could not be prepared (${e.message}); try --workers 1.`);
    },
  );
  return workerEntry;
}

function abortError(): Error {
  const e = new Error("The simulation was cancelled.");
  e.name = "AbortError";
  return e;
}

export async function runScenario(options: RunOptions, onProgress?: (p: Progress) => void): Promise<RunOutput> {
  // The workers' code is bundled in esbuild's process while this thread checks the options and draws the
  // book. Started before the checks: a run they refuse leaves the bundle for the next one (not a failure).
  const bundling = (options.workers ?? availableParallelism()) > 1 ? simWorkerEntry() : undefined;
  bundling?.catch(() => undefined);
  const overrides = options.overrides ?? {};
  const scenario = resolveScenario(options.scenario, overrides);
  const policy = options.policy ?? scenario.policy;
  if (!POLICIES.includes(policy))
    throw new RangeError(`The policy must be one of ${POLICIES.join(", ")}, got "${policy}".`);
  const paths = options.paths ?? scenario.paths;
  checkInt("paths", paths, 1, 100_000_000);
  const seed = options.seed ?? scenario.seed;
  checkInt("seed", seed, 0, Number.MAX_SAFE_INTEGER);
  const antithetic = options.antithetic ?? true;
  const engine = options.engine ?? "fast";
  const perPath = options.perPath ?? false;
  const spec: JobSpec = { scenario, seed, policy, paths, antithetic, engine, perPath };
  const shard = typeof options.shard === "string" ? parseShard(options.shard) : options.shard;
  const units = unitCount(spec);
  const [from, to] = shard ? shardRange(units, shard) : [0, units];
  // An explicit worker count is checked as given (0 or −1 is a mistake, not a request for one worker);
  // then it is capped at the number of units, which never changes the results.
  if (options.workers !== undefined) checkInt("workers", options.workers, 1, 1024);
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.max(1, to - from)));

  const entry = workers > 1 ? (bundling ?? simWorkerEntry()) : undefined;
  const plan = planJob(spec); // validates the engine parameters and draws the population
  const meta: RunMeta = {
    simulator: "lantern-sim",
    version: SIM_VERSION,
    scenario: { name: scenario.name, description: scenario.description, hash: scenarioHash(scenario) },
    overrides,
    seed,
    policy,
    paths,
    antithetic,
    engine,
    perPath,
    subAccounts: scenario.population.subAccounts,
    horizonDays: scenario.horizonDays,
    stepSecs: scenario.stepSecs,
    engineParams: plan.params,
  };

  const size = unitSize(spec);
  const total = Math.min(to * size, paths) - Math.min(from * size, paths);
  const started = Date.now();
  let done = 0;
  let lastReport = 0;
  const report = (force = false) => {
    if (!onProgress) return;
    const now = Date.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    const elapsedMs = now - started;
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    onProgress({
      done,
      total,
      elapsedMs,
      etaMs: done > 0 ? ((total - done) * elapsedMs) / done : null,
      pathsPerSec: rate,
    });
  };
  report(true);

  let agg: Aggregate;
  if (workers === 1) {
    const job = prepareJob(spec, plan.population);
    agg = newAggregate(job);
    // In this thread, in small blocks, yielding in between so that progress can be drawn.
    for (let u = from; u < to; ) {
      if (options.signal?.aborted) throw abortError();
      const end = Math.min(to, u + Math.max(1, Math.ceil(8 / size)));
      runUnits(job, u, end, agg, () => {
        done++;
        report();
      });
      u = end;
      await new Promise((r) => setImmediate(r));
    }
  } else {
    agg = await runOnWorkers(await entry!, plan, from, to, workers, options.signal, (paths) => {
      done += paths;
      report();
    });
  }
  report(true);

  const partial: SimPartial = { kind: "lantern-sim-partial", meta, units: [[from, to]], aggregate: agg.toJSON() };
  if (shard && !(from === 0 && to === units)) return partial;
  return finalize(meta, agg);
}

function finalize(meta: RunMeta, agg: Aggregate): SimResult {
  const rows = agg.sortedRows();
  return { kind: "lantern-sim-result", meta, statistics: statistics(agg), ...(rows ? { perPath: rows } : {}) };
}

/**
 * The units a worker is sent next when `remaining` are left for `workers`: a quarter of a fair share, at
 * most 64 (messages stay rare) and at least one. The blocks shrink toward the end, so the workers finish
 * within a unit or so of each other; with fixed blocks of 64 antithetic pairs (~0.5 s each here) one core
 * idled for a quarter of a second on average at the end of a run.
 */
export function workerBlock(remaining: number, workers: number): number {
  return Math.max(1, Math.min(64, remaining, Math.ceil(remaining / (workers * 4))));
}

async function runOnWorkers(
  url: URL,
  plan: JobPlan,
  from: number,
  to: number,
  count: number,
  signal: AbortSignal | undefined,
  onPaths: (n: number) => void,
): Promise<Aggregate> {
  const { spec, population } = plan;
  const kernel = calmKernelModule();
  let next = from;
  const threads: Worker[] = [];
  const result = new Aggregate();
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      signal?.addEventListener("abort", () => fail(abortError()), { once: true });
      const dispatch = (w: Worker) => {
        if (next < to) {
          const end = next + workerBlock(to - next, count);
          w.postMessage({ type: "run", from: next, to: end });
          next = end;
        } else {
          w.postMessage({ type: "finish" });
        }
      };
      for (let i = 0; i < count; i++) {
        const w = new Worker(url, { execArgv: [] });
        threads.push(w);
        w.on(
          "message",
          (msg: { type: string; paths?: number; aggregate?: AggregateJson; message?: string; stack?: string }) => {
            if (failed) return;
            switch (msg.type) {
              case "ready":
                dispatch(w);
                break;
              case "progress":
                onPaths(msg.paths!);
                break;
              case "done":
                onPaths(msg.paths!);
                dispatch(w);
                break;
              case "aggregate":
                result.merge(Aggregate.fromJSON(msg.aggregate!));
                if (++finished === count) resolve();
                break;
              case "error": {
                const e = new Error(msg.message);
                e.stack = msg.stack;
                fail(e);
                break;
              }
            }
          },
        );
        w.on("error", fail);
        w.on("exit", (code) => {
          if (code !== 0 && finished < count)
            fail(new Error(`A simulation worker stopped unexpectedly (exit code ${code}).`));
        });
      }
      // Made while the threads start.
      const table = rateTable(spec.scenario.pool.curve);
      for (const w of threads) w.postMessage({ type: "init", spec, kernel, population, rateTable: table });
    });
  } finally {
    // Not waited for: the aggregates are in, and a thread's exit takes ~15 ms.
    for (const w of threads) void w.terminate();
  }
  return result;
}

/** Sorted, merged ranges; throws if two overlap (the same paths counted twice). */
function unionRanges(ranges: [number, number][]): [number, number][] {
  const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a < last[1])
      throw new Error(`The partial results overlap (units ${a}–${b - 1} appear twice): was a shard merged twice?`);
    if (last && a === last[1]) last[1] = b;
    else out.push([a, b]);
  }
  return out;
}

/**
 * Merges partial results of one run (same scenario, hash, seed, policy, paths, version): a full
 * result when they cover every path, otherwise a larger partial.
 */
export function mergePartials(parts: readonly SimPartial[]): RunOutput {
  if (parts.length === 0) throw new Error("There is nothing to merge: give at least one partial result file.");
  const first = parts[0]!;
  const key = JSON.stringify(first.meta);
  for (const p of parts) {
    if (p.kind !== "lantern-sim-partial")
      throw new Error("Only partial results (written by `sim run --shard k/N`) can be merged.");
    if (JSON.stringify(p.meta) !== key) {
      const diff = (
        [
          "version",
          "scenario",
          "seed",
          "policy",
          "paths",
          "antithetic",
          "engine",
          "perPath",
          "overrides",
          "engineParams",
        ] as const
      ).find((k) => JSON.stringify(p.meta[k]) !== JSON.stringify(first.meta[k]));
      throw new Error(
        `These partial results come from different runs (their ${diff ?? "settings"} differ), so they cannot be merged.`,
      );
    }
  }
  const units = unionRanges(parts.flatMap((p) => p.units.map((r) => [...r] as [number, number])));
  const agg = new Aggregate();
  for (const p of parts) agg.merge(Aggregate.fromJSON(p.aggregate));
  const total = unitCount({ paths: first.meta.paths, antithetic: first.meta.antithetic });
  if (units.length === 1 && units[0]![0] === 0 && units[0]![1] === total) return finalize(first.meta, agg);
  return { kind: "lantern-sim-partial", meta: first.meta, units, aggregate: agg.toJSON() };
}
