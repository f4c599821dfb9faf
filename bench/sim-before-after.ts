// Benchmark (not a test): this tree's simulator against another checkout's, in one process, rounds
// interleaved and the trees taking turns going first — so that load on the shared machine hits both
// alike. Per one thread, ns per path-step of (a) drawing 10 normals (about the world's draws per step:
// the random-number bound) and (b) whole paths of the scenario's world (`baseline` by default) with the
// fast engine and its book, into an aggregate (`prepareJob` + `runUnits`, what a worker does; `--paths`
// even, antithetic pairs). With `--workers N`, whole runs instead: `runScenario` of `--paths` paths on
// N workers, end to end (the workers' start, warm-up and aggregation included), ms per run.
// `npx tsx bench/sim-before-after.ts OTHER_CHECKOUT [--rounds 9] [--paths 4] [--scenario NAME] [--workers N]`,
// where OTHER_CHECKOUT is another copy of the repository with its dependencies installed (e.g. `git
// archive <commit> | tar -x` into a directory, then `npm ci` there).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import * as now from "@lantern/sim";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: "string", default: "9" },
    /** Rounds run first and not timed: a thread's first paths run slower while V8 compiles their code. */
    warmup: { type: "string", default: "4" },
    paths: { type: "string", default: "4" },
    scenario: { type: "string", default: "baseline" },
    workers: { type: "string" },
  },
});
if (positionals.length !== 1 || Number(values.paths) % 2 !== 0)
  throw new Error(
    "usage: sim-before-after.ts OTHER_CHECKOUT [--rounds 9] [--paths 4 (even)] [--scenario NAME] [--workers N]",
  );
const other = (await import(pathToFileURL(resolve(positionals[0]!, "sim/src/index.ts")).href)) as typeof now;
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const paths = Number(values.paths);
const STEPS = 43_200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
// The trees take turns going first (ABBA…): the one that runs second in a round was measured 1–3% faster
// even against itself.
const order = (r: number) => (r % 2 === 0 ? [0, 1] : [1, 0]);
/** This tree's speed against the other's, from their timed rounds (lower is faster). */
function speedup(otherTimes: number[], thisTimes: number[], unit: string): string {
  // Each round's two trees ran back to back: the median of the rounds' ratios pairs them.
  const ratios = otherTimes.map((x, i) => x / thisTimes[i]!);
  return `this tree is ${(median(otherTimes) / median(thisTimes)).toFixed(2)}× as fast ${unit} (the median of the rounds' own ratios: ${median(ratios).toFixed(3)}×)`;
}

if (values.workers !== undefined) {
  const workers = Number(values.workers);
  const sims = [other, now];
  const ms: number[][] = [[], []];
  const results: string[][] = [[], []];
  for (let r = 0; r < warmup + rounds; r++) {
    for (const k of order(r)) {
      const t = process.hrtime.bigint();
      const out = await sims[k]!.runScenario({ scenario: values.scenario!, paths, seed: 1, workers });
      if (r >= warmup) ms[k]!.push(Number(process.hrtime.bigint() - t) / 1e6);
      results[k]![r] = JSON.stringify(out.kind === "lantern-sim-result" ? out.statistics : out.aggregate);
    }
  }
  console.log(
    `${values.scenario}, ${paths} paths on ${workers} workers end to end, ${rounds} alternating rounds after ${warmup} untimed (median ms per run):`,
  );
  for (const [k, name] of ["other", "this"].entries())
    console.log(
      `  ${name.padEnd(5)} ${median(ms[k]!).toFixed(0)} ms   (rounds ${ms[k]!.map((x) => x.toFixed(0)).join(", ")})`,
    );
  console.log(`  ${speedup(ms[0]!, ms[1]!, "per run")}`);
  console.log(`  same statistics in both trees: ${results[0]!.join() === results[1]!.join() ? "yes" : "NO"}`);
  process.exit(0);
}

const trees = [
  { name: "other", sim: other },
  { name: "this", sim: now },
].map(({ name, sim }) => {
  const scenario = sim.loadScenario(values.scenario!);
  const job = sim.prepareJob({
    scenario,
    seed: 1,
    policy: "MinOfBoth",
    paths: 1_000,
    antithetic: true,
    engine: "fast",
  });
  return { name, sim, job, draws: [] as number[], paths: [] as number[] };
});

/** Runs `f` and records its ns per path-step in `times`; returns what `f` computed. */
const timed = (times: number[], f: () => number) => {
  const t = process.hrtime.bigint();
  const result = f();
  times.push(Number(process.hrtime.bigint() - t) / (paths * STEPS));
  return result;
};
// What the runs computed, per tree: the same seeds must give the same draws and aggregates in both.
const checks = trees.map(() => ({ draws: 0, aggregates: [] as string[] }));
for (let r = 0; r < warmup + rounds; r++) {
  for (const k of order(r)) {
    const tree = trees[k]!;
    checks[k]!.draws += timed(tree.draws, () => {
      let acc = 0;
      for (let p = 0; p < paths; p++) {
        const rng = tree.sim.createRng(1, r * paths + p);
        for (let n = 0; n < 10 * STEPS; n++) acc += rng.normal();
      }
      return acc;
    });
    const agg = tree.sim.newAggregate(tree.job);
    timed(tree.paths, () => {
      tree.sim.runUnits(tree.job, (r * paths) / 2, ((r + 1) * paths) / 2, agg);
      return 0;
    });
    checks[k]!.aggregates[r] = JSON.stringify(agg.toJSON());
  }
}
console.log(
  `${values.scenario}, one thread, ${rounds} interleaved rounds of ${paths} paths after ${warmup} untimed (median ns per path-step):`,
);
for (const t of trees) {
  const d = median(t.draws.slice(warmup));
  const w = median(t.paths.slice(warmup));
  console.log(
    `  ${t.name.padEnd(5)} draws ${d.toFixed(0).padStart(5)}   world + engine ${w.toFixed(0).padStart(5)} = ${(w / d).toFixed(2)}× its draws   (rounds ${t.paths
      .slice(warmup)
      .map((x) => x.toFixed(0))
      .join(", ")})`,
  );
}
const [a, b] = trees;
console.log(`  ${speedup(a!.paths.slice(warmup), b!.paths.slice(warmup), "per path-step")}`);
const same = checks[0]!.draws === checks[1]!.draws && checks[0]!.aggregates.join() === checks[1]!.aggregates.join();
console.log(`  same draws and aggregates in both trees: ${same ? "yes" : "NO"}`);
