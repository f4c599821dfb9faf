// Benchmark (not a test): the simulator's standard workload — 10,000 paths × 30 days at 1-minute steps
// × 10,000 sub-accounts (the `baseline` scenario) — on both cores, and a single-thread breakdown
// against the random-number bound — the faster of (a) a loop that only draws the same random numbers as
// the world does on the same paths and (a′) the same with two paths' streams in turn — with (b) the
// world alone, (c) the naive per-account engine, and (f) the workload's random numbers drawn alone, the
// fastest way, on as many workers, just before and just after it (with the host's steal time over
// each); then, per core, against the vectorised
// NumPy peer of the same baseline world (bench/peers/baseline_world.py), rounds alternating; and the
// budget ratios of DESIGN.md §6 from this one run. `npm run bench:sim [-- --scale 0.05]`.
//
// --scale f runs f × 10,000 paths of the full-size workload and extrapolates the wall time of the
// whole workload linearly (paths are independent and identically sized); the output says so.
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import {
  type Feedback,
  type MarketSnapshot,
  type World,
  prepareJob,
  pathStreams,
  type Job,
  createWorld,
  Xoshiro128,
  createRng,
  streamState,
  runScenario,
  typescriptWorkerEntry,
  loadScenario,
  PathEngine,
  type Scenario,
} from "@lantern/sim";
import { numpyPeer } from "./peers/numpy.js";
import {
  type Counts,
  type DrawMethod,
  drawMethods,
  drawOnly,
  drawPairOnly,
  drawPaths,
  normalSums,
} from "./sim-draws.js";
import { unitsNsPerStep } from "./sim-units.js";

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "0.05" },
    scenario: { type: "string", default: "baseline" },
    sample: { type: "string", default: "16" },
    naive: { type: "string", default: "3" },
    /** Section 3: rounds against the NumPy peer (0 skips it), Lantern paths and peer paths × days per round. */
    "peer-rounds": { type: "string", default: "3" },
    "peer-lantern-paths": { type: "string", default: "64" },
    "peer-paths": { type: "string", default: "2000" },
    "peer-days": { type: "string", default: "2" },
    workers: { type: "string" },
    /** Internal: print the world's draws on the sample's paths as JSON and exit (see `countDraws`). */
    "count-draws": { type: "boolean", default: false },
  },
});
const scale = Number(values.scale);
if (!(scale > 0 && scale <= 1)) throw new RangeError("--scale must be in (0, 1]");
const STANDARD_PATHS = 10_000;
const SEED = 1;
const workers = values.workers ? Number(values.workers) : availableParallelism();

const scenario: Scenario = loadScenario(values.scenario!);
const steps = Math.round((scenario.horizonDays * 86_400) / scenario.stepSecs);
const paths = Math.max(2, Math.round(STANDARD_PATHS * scale));

/** A stream that counts the top-level draws the world makes (by kind), to replay them bare. */
class CountingRng extends Xoshiro128 {
  counts: Counts = { uniform: 0, normal: 0, exponential: 0, uniformPositive: 0, poisson: 0, poissonMean: 0 };
  private depth = 0;
  private count<T>(kind: keyof Counts, f: () => T): T {
    if (this.depth === 0) this.counts[kind]++;
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }
  override uniform(): number {
    return this.count("uniform", () => super.uniform());
  }
  override normal(): number {
    return this.count("normal", () => super.normal());
  }
  override uniformPositive(): number {
    return this.count("uniformPositive", () => super.uniformPositive());
  }
  override exponential(rate: number): number {
    if (!(rate > 0)) return super.exponential(rate); // draws nothing
    return this.count("exponential", () => super.exponential(rate));
  }
  override poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (this.depth === 0) this.counts.poissonMean += lambda;
    return this.count("poisson", () => super.poisson(lambda));
  }
}

/** The world alone, read as the engine reads it (`advance`: its own snapshot, no copy). */
function worldOnly(path: number): number {
  const world = createWorld(scenario, createRng(SEED, path));
  const fb: Feedback = { lrtSoldSol: 0, netBorrowSol: 0 };
  let acc = 0;
  for (let k = 0; k < world.steps; k++) acc += world.advance(fb).dexPrice;
  return acc;
}

/**
 * The world's draws on each of the first `sample` paths, by kind, with the engine's feedback as in a
 * real run. Counted in a child process: a counting stream in this one would make every model's calls
 * to its stream see two classes, and the world measured below would not be the one a worker runs.
 */
function countDraws(sample: number): Counts[] {
  if (values["count-draws"]) {
    const job = prepareJob({
      scenario,
      seed: SEED,
      policy: scenario.policy,
      paths: sample,
      antithetic: false,
      engine: "fast",
    });
    const counts: Counts[] = [];
    for (let p = 0; p < sample; p++) {
      const rng = new CountingRng(streamState(SEED, p));
      job.engine.run(createWorld(scenario, rng), p, pathStreams(job.spec, p).engine);
      counts.push(rng.counts);
    }
    return counts;
  }
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), "--count-draws"],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  );
  if (child.status !== 0) throw new Error(`counting the draws failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Counts[];
}

if (values["count-draws"]) {
  console.log(JSON.stringify(countDraws(Number(values.sample))));
  process.exit(0);
}

function engineRun(job: Job, path: number): number {
  const streams = pathStreams(job.spec, path);
  return job.engine.run(createWorld(scenario, streams.world), path, streams.engine).liquidations;
}

/** Two paths run two at a time, as the runner runs them (`PathEngine.runPaired`); their liquidations. */
function engineRunPair(job: Job, pair: readonly [number, number]): number {
  let liquidations = 0;
  PathEngine.runPaired(
    [job.engine, job.partner],
    2,
    (i) => {
      const path = pair[i]!;
      const streams = pathStreams(job.spec, path);
      return { world: createWorld(scenario, streams.world), path, rng: streams.engine };
    },
    (_i, outcome) => {
      liquidations += outcome.liquidations;
    },
  );
  return liquidations;
}

/** A recorded path replayed to the engine: the engine's own cost, without the world's. */
class ReplayWorld implements World {
  private k = 0;
  constructor(
    private readonly snaps: MarketSnapshot[],
    readonly stepSecs: number,
  ) {}
  get steps(): number {
    return this.snaps.length;
  }
  step(_feedback: Feedback): MarketSnapshot {
    return this.snaps[this.k++]!;
  }
}

function record(path: number): MarketSnapshot[] {
  const world = createWorld(scenario, createRng(SEED, path));
  const fb: Feedback = { lrtSoldSol: 0, netBorrowSol: 0 };
  const out: MarketSnapshot[] = [];
  for (let k = 0; k < world.steps; k++) out.push(world.step(fb));
  return out;
}

const ms = (f: () => unknown) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

console.log(
  `Simulator benchmark: scenario ${scenario.name}, ${scenario.population.subAccounts.toLocaleString("en-US")} sub-accounts, ${scenario.horizonDays} days at ${scenario.stepSecs} s = ${steps.toLocaleString("en-US")} steps per path, policy ${scenario.policy}`,
);

let boundRatio = Number.NaN;

/**
 * The random numbers of section 1's workload drawn on as many worker threads as it ran on, by the fastest
 * method: each path as many of each kind as the sampled path it cycles to. Timed from the start signal
 * (the workers loaded and warmed up) to the last worker's end.
 */
async function boundOnAllCores(counts: Counts[], method: DrawMethod): Promise<number> {
  // An even share, so that the pairs of paths drawn together are the workload's pairs.
  const share = 2 * Math.ceil(paths / workers / 2);
  const threads = Array.from(
    { length: workers },
    (_, w) =>
      new Worker(typescriptWorkerEntry(new URL("./sim-draw-worker.ts", import.meta.url)), {
        workerData: { seed: SEED, from: w * share, to: Math.min(paths, (w + 1) * share), counts, method },
      }),
  );
  try {
    await Promise.all(threads.map((t) => once(t, "message")));
    const started = process.hrtime.bigint();
    const done = Promise.all(threads.map((t) => once(t, "message")));
    for (const t of threads) t.postMessage("start");
    await done;
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await Promise.all(threads.map((t) => t.terminate()));
  }
}

/**
 * The share of this machine's CPU time its hypervisor gave to others while `f` ran (Linux's steal time,
 * /proc/stat), NaN where it is not reported: on a shared 2-core VM it rises when both cores are busy, and
 * it slows the workload and the bound alike only when they run in the same minutes.
 */
async function withSteal<T>(f: () => Promise<T>): Promise<{ result: T; steal: number }> {
  const ticks = (): number[] => {
    try {
      return readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    } catch {
      return [];
    }
  };
  const before = ticks();
  const result = await f();
  const after = ticks();
  const delta = after.map((v, i) => v - before[i]!);
  const total = delta.reduce((a, b) => a + b, 0);
  return { result, steal: delta.length === 8 && total > 0 ? delta[7]! / total : Number.NaN };
}
const pct = (x: number) => (Number.isNaN(x) ? "not reported" : `${(x * 100).toFixed(1)}%`);

// The world's draws on a sample of paths (section 2 replays them bare), and the fastest way to draw them.
const sample = Number(values.sample);
const counts = countDraws(sample);
// Each method warmed up first: a WebAssembly function runs its first calls unoptimised.
const methodNs = drawMethods.map((m) =>
  median([0, 1, 2, 3].map(() => ms(() => drawPaths(SEED, 0, 2, counts, m))).slice(1)),
);
const method: DrawMethod = drawMethods[methodNs.indexOf(Math.min(...methodNs))]!;
const methodNote = {
  js: "each path alone by JavaScript's generator",
  kernel: "each path alone by the kernel's generator",
  kernelPairs: "two paths' streams in turn by the kernel's generator",
}[method];

// 1. The workload on all cores, through the library API (workers, aggregation included), with its
// random numbers drawn alone on as many workers just before and just after it (f): the host's slow
// minutes then weigh on both sides of the ratio.
let workloadSecs = Number.NaN;
let cores = { before: Number.NaN, after: Number.NaN, ratio: Number.NaN };
{
  const before = await withSteal(() => boundOnAllCores(counts, method));
  const started = process.hrtime.bigint();
  const { result, steal } = await withSteal(() => runScenario({ scenario, paths, seed: SEED, workers }));
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const after = await withSteal(() => boundOnAllCores(counts, method));
  workloadSecs = secs;
  cores = { before: before.result, after: after.result, ratio: secs / ((before.result + after.result) / 2) };
  const stealNote = `the host took ${pct(steal)} of the CPU time meanwhile (steal); ${pct(before.steal)} and ${pct(after.steal)} during the bound's runs`;
  const pathSteps = paths * steps;
  const full = (secs * STANDARD_PATHS) / paths;
  console.log(
    `\n1. ${paths.toLocaleString("en-US")} paths (scale ${scale} of the standard ${STANDARD_PATHS.toLocaleString("en-US")}) on ${workers} workers: ${secs.toFixed(1)} s`,
  );
  console.log(
    `   ${fmt(pathSteps / secs)} path-steps/s (${fmt((pathSteps * scenario.population.subAccounts) / secs / 1e6)} M sub-account-steps/s)`,
  );
  console.log(
    `   standard workload (${STANDARD_PATHS.toLocaleString("en-US")} paths × ${steps.toLocaleString("en-US")} steps × ${scenario.population.subAccounts.toLocaleString("en-US")} sub-accounts): ${scale === 1 ? "measured" : "extrapolated"} ${(full / 60).toFixed(1)} min`,
  );
  if (result.kind === "lantern-sim-result")
    console.log(
      `   liquidations per path: ${result.statistics.metrics.liquidations.estimate.toFixed(2)}; P(any bad debt) ${result.statistics.probabilities.anyBadDebt.estimate}`,
    );
  console.log(`   ${stealNote}`);
}

// 2. Single-thread breakdown on a sample of paths, interleaved rounds, median per path.
{
  const job = prepareJob({
    scenario,
    seed: SEED,
    policy: scenario.policy,
    paths: sample,
    antithetic: false,
    engine: "fast",
  });
  const naiveJob = prepareJob({
    scenario,
    seed: SEED,
    policy: scenario.policy,
    paths: sample,
    antithetic: false,
    engine: "naive",
  });
  const perStep = (c: Counts) => c.normal + c.uniform + c.uniformPositive + c.exponential + c.poisson;
  const draws = counts.reduce((a, c) => a + perStep(c), 0) / (sample * steps);
  const c0 = counts[0]!;
  // Warm up every variant.
  for (let p = 0; p < 2; p++) {
    drawOnly(SEED, p, counts[p]!, normalSums.js);
    drawOnly(SEED, p, counts[p]!, normalSums.kernel);
    drawPairOnly(SEED, [0, 1], [counts[0]!, counts[1]!]);
    worldOnly(p);
    engineRun(job, p);
  }
  // A thread's first paths run slower while V8 compiles their code (the first dozen 2–7× slower here):
  // warm the engine up on paths outside the sample, as a worker is warm after its first paths.
  for (let p = 0; p < 24; p += 2) {
    engineRunPair(job, [sample + p, sample + p + 1]);
    engineRun(job, sample + p);
  }
  const rounds = 3;
  const t = {
    draw: [] as number[],
    drawKernel: [] as number[],
    drawPair: [] as number[],
    world: [] as number[],
    fast: [] as number[],
    single: [] as number[],
  };
  for (let r = 0; r < rounds; r++) {
    for (let p = 0; p < sample; p++) {
      t.draw.push(ms(() => drawOnly(SEED, p, counts[p]!, normalSums.js)));
      t.drawKernel.push(ms(() => drawOnly(SEED, p, counts[p]!, normalSums.kernel)));
      // Per path of a pair (the sample's paths p and p ^ 1), once per pair.
      if (p % 2 === 1) {
        const pair: [number, number] = [p - 1, p];
        t.drawPair.push(ms(() => drawPairOnly(SEED, pair, [counts[p - 1]!, counts[p]!])) / 2);
        t.fast.push(ms(() => engineRunPair(job, pair)) / 2);
      }
      t.single.push(ms(() => engineRun(job, p)));
    }
  }
  // The world alone runs every step through the models, after the rest: interleaved, its steps would
  // train the models' shared code on the calm steps the kernel runs in a path with the engine.
  for (let r = 0; r < rounds; r++) for (let p = 0; p < sample; p++) t.world.push(ms(() => worldOnly(p)));
  const nsPerStep = (xs: number[]) => (median(xs) * 1e6) / steps;
  const drawJs = nsPerStep(t.draw);
  const drawKernel = nsPerStep(t.drawKernel);
  const draw = Math.min(drawJs, drawKernel);
  const drawPair = nsPerStep(t.drawPair);
  const world = nsPerStep(t.world);
  const fast = nsPerStep(t.fast);
  const single = nsPerStep(t.single);
  // The bound: the faster of drawing each path alone (a) and two paths' streams in turn (a′).
  const bound = Math.min(draw, drawPair);
  const boundName = bound === draw ? "a" : "a′";
  boundRatio = fast / bound;
  const naivePaths = Number(values.naive);
  const naiveTimes: number[] = [];
  const fastSame: number[] = [];
  for (let p = 0; p < naivePaths; p++) {
    naiveTimes.push(ms(() => engineRun(naiveJob, p)));
    fastSame.push(ms(() => engineRun(job, p)));
  }
  const naive = nsPerStep(naiveTimes);
  const fastN = nsPerStep(fastSame);
  // The engines alone, on a recorded path (the world's zero-feedback snapshots, replayed).
  const snaps = record(0);
  const replay = (j: Job) => j.engine.run(new ReplayWorld(snaps, scenario.stepSecs), 0, pathStreams(j.spec, 0).engine);
  replay(job);
  const fastAlone: number[] = [];
  const naiveAlone: number[] = [];
  for (let r = 0; r < 5; r++) fastAlone.push(ms(() => replay(job)));
  for (let r = 0; r < 2; r++) naiveAlone.push(ms(() => replay(naiveJob)));
  const fastEngine = nsPerStep(fastAlone);
  const naiveEngine = nsPerStep(naiveAlone);
  console.log(`\n2. One thread, median over ${sample} paths × ${rounds} interleaved rounds (ns per path-step):`);
  console.log(
    `   draws per step: ${draws.toFixed(1)} (path 0: ${c0.normal} normal, ${c0.uniform} uniform, ${c0.uniformPositive} uniformPositive, ${c0.exponential} exponential, ${c0.poisson} poisson)`,
  );
  console.log(
    `   a. drawing the same random numbers only     ${draw.toFixed(0).padStart(6)} ns   (${fmt(1e9 / draw)} steps/s): the faster of JavaScript ${drawJs.toFixed(0)} ns and the WebAssembly kernel's generator ${drawKernel.toFixed(0)} ns`,
  );
  console.log(
    `   a′. the same numbers, two paths' streams drawn in turn ${drawPair.toFixed(0).padStart(3)} ns per path-step = ${(draw / drawPair).toFixed(2)}× a's speed (above 1: one stream's chain of dependent draws, not the generator's work, limits a)`,
  );
  console.log(
    `   the random-number bound: the faster of a and a′, ${boundName} = ${bound.toFixed(0)} ns; the ratios below are to it`,
  );
  console.log(
    `   b. world models alone (no positions)         ${world.toFixed(0).padStart(6)} ns   = ${(world / bound).toFixed(2)}×`,
  );
  console.log(
    `   c. world + fast engine (${scenario.population.subAccounts.toLocaleString("en-US")} sub-accounts)    ${fast.toFixed(0).padStart(6)} ns   = ${(fast / bound).toFixed(2)}× (goal ≤ 2×; ${(fast / draw).toFixed(2)}× a); c − b ${(fast - world).toFixed(0)} ns (c runs calm steps in the fused kernel, b through the models)`,
  );
  console.log(
    `      paths two at a time in the kernel's two lanes, as the runner runs them; one at a time ${single.toFixed(0)} ns = ${(single / bound).toFixed(2)}×, so pairs run ${(single / fast).toFixed(2)}× as fast`,
  );
  console.log(
    `   d. world + naive engine (${naivePaths} paths)            ${naive.toFixed(0).padStart(6)} ns   = ${(naive / fastN).toFixed(1)}× c on the same paths (${fastN.toFixed(0)} ns)`,
  );
  console.log(
    `   e. engines alone on a replayed path: fast ${fastEngine.toFixed(1)} ns (= ${(fastEngine / bound).toFixed(2)}×), naive ${naiveEngine.toFixed(0)} ns = ${(naiveEngine / fastEngine).toFixed(0)}× fast`,
  );
  console.log(
    `   f. section 1's random numbers alone on ${workers} workers (${methodNote}), just before and just after it: ${cores.before.toFixed(1)} s and ${cores.after.toFixed(1)} s (the workload took ${workloadSecs.toFixed(1)} s = ${cores.ratio.toFixed(2)}× their mean)`,
  );
}

// 3. Per core against the vectorised NumPy peer of the baseline world: Lantern's world + fast engine on
// the standard book in this thread, the peer in a child process, rounds alternating so that load on the
// shared machine hits both alike; the median round of each.
let numpyRatio = Number.NaN;
const peerRounds = Number(values["peer-rounds"]);
if (peerRounds > 0) {
  const baseline = loadScenario("baseline");
  const lanternPaths = Number(values["peer-lantern-paths"]);
  const peerPaths = Number(values["peer-paths"]);
  const peerDays = Number(values["peer-days"]);
  const baseSteps = Math.round((baseline.horizonDays * 86_400) / baseline.stepSecs);
  const job = prepareJob({
    scenario: baseline,
    seed: SEED,
    policy: "MinOfBoth",
    paths: (peerRounds + 1) * lanternPaths,
    antithetic: true,
    engine: "fast",
  });
  const lantern = (round: number) => unitsNsPerStep(job, round * lanternPaths, lanternPaths, baseSteps);
  lantern(peerRounds); // warm-up (JIT)
  const l: number[] = [];
  const n: number[] = [];
  let version = "";
  for (let r = 0; r < peerRounds; r++) {
    l.push(lantern(r));
    const p = numpyPeer(peerPaths, peerDays, r + 1);
    n.push(p.ns);
    version = p.version;
  }
  const lm = median(l);
  const nm = median(n);
  numpyRatio = nm / lm;
  console.log(`\n3. Per core against the NumPy peer of the baseline world, ${peerRounds} alternating rounds (median):`);
  console.log(
    `   Lantern, world + fast engine, ${baseline.population.subAccounts.toLocaleString("en-US")} sub-accounts, ${lanternPaths} paths × ${baseSteps.toLocaleString("en-US")} steps: ${lm.toFixed(0)} ns per path-step (rounds ${l.map((x) => x.toFixed(0)).join(" · ")})`,
  );
  console.log(
    `   NumPy ${version}, ${peerPaths.toLocaleString("en-US")} paths × ${Math.round((peerDays * 86_400) / 60).toLocaleString("en-US")} steps vectorised: ${nm.toFixed(0)} ns per path-step (rounds ${n.map((x) => x.toFixed(0)).join(" · ")})`,
  );
}

console.log("\nBudgets (DESIGN.md §6), from this run:");
console.log(
  `   end to end, one thread: ${boundRatio.toFixed(2)}× the random-number bound, the faster of a and a′ (budget ≤ 2×): ${boundRatio <= 2 ? "met" : "not met"}`,
);
console.log(
  `   end to end on ${workers} cores, workers' start-up and aggregation included: ${cores.ratio.toFixed(2)}× the same numbers drawn on ${workers} cores (budget ≤ 2×): ${cores.ratio <= 2 ? "met" : "not met"}`,
);
if (peerRounds > 0)
  console.log(
    `   per core: ${numpyRatio.toFixed(2)}× the NumPy peer's speed (budget ≥ 3×): ${numpyRatio >= 3 ? "met" : "not met"}`,
  );
