/**
 * One run's unit of work, shared by the main thread and the workers: the population, the engine
 * parameters and the per-path random streams, all derived from (scenario, seed, path index) only.
 *
 * Streams: path p draws the world from `createRng(seed, p)` and the engine's own randomness
 * (liquidators' delay jitter) from stream 1 of the same path. With antithetic variates, paths 2j and
 * 2j+1 form a unit: 2j+1 uses the antithetic twins of 2j's streams. The population is drawn once
 * from (seed, path 0, stream 2047).
 */
import type { Policy, Rng } from "./contract.js";
import { PathEngine } from "./engine/core.js";
import { FastEngine } from "./engine/fast.js";
import { NaiveEngine } from "./engine/naive.js";
import { engineParams } from "./engine/params.js";
import { buildPopulation, POPULATION_STREAM } from "./engine/population.js";
import type { EngineParams, PathOutcome, Population } from "./engine/types.js";
import { createWorld } from "./models/world.js";
import { createRng } from "./rng.js";
import type { Scenario } from "./scenario.js";
import { Aggregate } from "./stats.js";

export type EngineKind = "fast" | "naive";

/** Everything a worker needs (structured-clonable). */
export interface JobSpec {
  scenario: Scenario;
  seed: number;
  policy: Policy;
  paths: number;
  antithetic: boolean;
  engine: EngineKind;
  /** Keep one row of outcomes per path (`--per-path`). */
  perPath?: boolean;
}

export const ENGINE_STREAM = 1;

/** What a run needs before it has engines: its spec, the book and the engine parameters (validated). */
export interface JobPlan {
  spec: JobSpec;
  population: Population;
  params: EngineParams;
}

export interface Job extends JobPlan {
  engine: FastEngine | NaiveEngine;
  /** A second engine, for paths run two at a time (`runUnits`). */
  partner: FastEngine | NaiveEngine;
}

/**
 * The plan of `spec`: the book drawn (or `population`, when given: the one `planJob(spec)` drew, a
 * worker's parent's) and the engine parameters, validated. A run on workers needs no engines of its own.
 */
export function planJob(spec: JobSpec, population?: Population): JobPlan {
  return {
    spec,
    population:
      population ?? buildPopulation(spec.scenario.population, createRng(spec.seed, 0, { stream: POPULATION_STREAM })),
    params: engineParams(spec.scenario, spec.policy),
  };
}

/** The job of `spec`: its plan (`planJob`) and two engines for the paths. */
export function prepareJob(spec: JobSpec, population?: Population): Job {
  const plan = planJob(spec, population);
  const build = () =>
    spec.engine === "naive"
      ? new NaiveEngine(plan.population, plan.params)
      : new FastEngine(plan.population, plan.params);
  return { ...plan, engine: build(), partner: build() };
}

/** Paths per unit: 2 with antithetic variates (a path and its mirror), else 1. */
export function unitSize(spec: Pick<JobSpec, "antithetic">): number {
  return spec.antithetic ? 2 : 1;
}

export function unitCount(spec: Pick<JobSpec, "antithetic" | "paths">): number {
  return Math.ceil(spec.paths / unitSize(spec));
}

/** The world's and the engine's streams for path `path`. */
export function pathStreams(spec: Pick<JobSpec, "seed" | "antithetic">, path: number): { world: Rng; engine: Rng } {
  const base = spec.antithetic ? path - (path % 2) : path;
  const antithetic = spec.antithetic && path % 2 === 1;
  return {
    world: createRng(spec.seed, base, { antithetic }),
    engine: createRng(spec.seed, base, { stream: ENGINE_STREAM, antithetic }),
  };
}

export function runPath(job: Job, path: number): PathOutcome {
  const streams = pathStreams(job.spec, path);
  const world = createWorld(job.spec.scenario, streams.world);
  return job.engine.run(world, path, streams.engine);
}

export function newAggregate(job: JobPlan): Aggregate {
  return new Aggregate(
    { buckets: job.population.buckets, bucketLeverage: job.population.bucketLeverage },
    { perPath: job.spec.perPath ?? false },
  );
}

/**
 * Runs units [from, to) into `agg`, calling `onPath` after every path. The paths run two at a time
 * (`PathEngine.runPaired`), each exactly as alone; the units are added in order.
 */
export function runUnits(job: Job, from: number, to: number, agg: Aggregate, onPath?: () => void): void {
  const size = unitSize(job.spec);
  const first = from * size;
  const count = Math.max(0, Math.min(to * size, job.spec.paths) - first);
  const outcomes: (PathOutcome | undefined)[] = new Array(count).fill(undefined);
  let unit = 0;
  PathEngine.runPaired(
    [job.engine, job.partner],
    count,
    (i) => {
      const path = first + i;
      const streams = pathStreams(job.spec, path);
      return { world: createWorld(job.spec.scenario, streams.world), path, rng: streams.engine };
    },
    (i, outcome) => {
      outcomes[i] = outcome;
      onPath?.();
      // The units whose paths are all done, in order.
      for (; unit < to - from; unit++) {
        const paths = outcomes.slice(unit * size, Math.min((unit + 1) * size, count));
        if (paths.includes(undefined)) break;
        agg.addUnit(paths as PathOutcome[]);
        outcomes.fill(undefined, unit * size, (unit + 1) * size);
      }
    },
  );
}
