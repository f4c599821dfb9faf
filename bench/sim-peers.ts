// Benchmark (not a test): Lantern's simulator against a vectorised NumPy implementation of the same
// baseline world (bench/peers/baseline_world.py), side by side in one run, one core each.
// `npx tsx bench/sim-peers.ts [--paths 64] [--peer-paths 2000] [--peer-days 2] [--rounds 3]`
//
// Lantern: world models + fast engine with the standard book (10,000 sub-accounts), 30-day paths at
// 1-minute steps, in this thread (`prepareJob` + `runUnits`, what a worker does: paths two at a time). NumPy: all paths at
// once, one time step at a time, same per-step work (see the peer's docstring). The figure compared is
// ns per path-step; rounds alternate the two so that load on the shared machine hits both alike, and
// the median round is reported. DESIGN.md §6's budget: Lantern ≥ 3× faster per core.
import { parseArgs } from "node:util";
import { loadScenario, prepareJob } from "@lantern/sim";
import { numpyPeer } from "./peers/numpy.js";
import { unitsNsPerStep } from "./sim-units.js";

const { values } = parseArgs({
  options: {
    paths: { type: "string", default: "64" },
    "peer-paths": { type: "string", default: "2000" },
    "peer-days": { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
  },
});
const paths = Number(values.paths);
const peerPaths = Number(values["peer-paths"]);
const peerDays = Number(values["peer-days"]);
const rounds = Number(values.rounds);

const scenario = loadScenario("baseline");
const steps = Math.round((scenario.horizonDays * 86_400) / scenario.stepSecs);
const job = prepareJob({ scenario, seed: 1, policy: "MinOfBoth", paths, antithetic: true, engine: "fast" });

function lantern(round: number): number {
  return unitsNsPerStep(job, round * paths, paths, steps);
}

function numpy(round: number): { ns: number; version: string } {
  return numpyPeer(peerPaths, peerDays, round + 1);
}

const l: number[] = [];
const n: number[] = [];
let version = "";
lantern(rounds); // warm-up (JIT)
for (let r = 0; r < rounds; r++) {
  l.push(lantern(r));
  const p = numpy(r);
  n.push(p.ns);
  version = p.version;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const lm = median(l);
const nm = median(n);
console.log(`baseline world + positions, one core each, ${rounds} alternating rounds (median):`);
console.log(
  `  Lantern (tsx, Node ${process.versions.node}): ${lm.toFixed(0)} ns per path-step (${paths} paths × ${steps} steps, 10,000 sub-accounts; rounds ${l.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(
  `  NumPy ${version}: ${nm.toFixed(0)} ns per path-step (${peerPaths} paths × ${Math.round((peerDays * 86_400) / 60)} steps vectorised; rounds ${n.map((x) => x.toFixed(0)).join(", ")})`,
);
console.log(`  Lantern is ${(nm / lm).toFixed(2)}× the NumPy peer's speed per core (budget: ≥ 3×).`);
