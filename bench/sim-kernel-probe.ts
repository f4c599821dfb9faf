// Probe (not a test, not the simulator): how fast could a fused calm-step kernel be? One function with
// the calm step's arithmetic in local variables — the OU discount (1 normal), the DEX price (one
// `Math.exp`), a clean 9-member round (9 normals, quantised, sorted by the branch-free network, the
// median, the agreement gate on a bound of the band as the kernel has it — the band itself only when
// the bound fails —, both EMAs), the borrow index and the
// reserve factor, the MinOfBoth price against the frontier's top, and the path's observations — with
// no events (no epochs, frames, jumps, flash dips, regime switches, outages or hourly pool update),
// measured in one process, rounds interleaved, against (a) the same 10 normals per step alone and
// (c) the simulator's world + fast engine on the baseline (what runs). It is a lower bound on what a
// fused kernel would cost: the real one must also check, every step, that no event is due.
// `npx tsx bench/sim-kernel-probe.ts [--paths 8] [--rounds 5]`
import { parseArgs } from "node:util";
import { cleanDeviation, createRng, loadScenario, prepareJob, runPath, sort9 } from "@lantern/sim";

const { values } = parseArgs({
  options: { paths: { type: "string", default: "8" }, rounds: { type: "string", default: "5" } },
});
const paths = Number(values.paths);
const rounds = Number(values.rounds);
const STEPS = 43_200;
const Z_SCALE = 16_777_216;

/** The bound: 10 normals per step from the path's stream. */
function drawOnly(path: number): number {
  const rng = createRng(1, path);
  let acc = 0;
  for (let k = 0; k < STEPS * 10; k++) acc += rng.normal();
  return acc;
}

/** The fused calm step, every step, for one path (same draws per step as the bound). */
function fused(path: number): number {
  const rng = createRng(1, path);
  const z = new Int32Array(9);
  const a = 2 ** (-60 / (1.5 * 48 * 3600));
  const noise = 8e-4 * Math.sqrt(1 - a * a);
  const level = -20e-4;
  const impactDecay = 2 ** (-60 / (20 * 60));
  const quantum = 2e-4 / Z_SCALE;
  const keep = 2 ** (-60 / 3600);
  const growth = 1 + 0.03 / 525_600;
  const floorLog = Math.log(1 - 30e-4);
  const topTheta = 0.9677;
  let slow = level;
  let impact = 0;
  let ema = 0;
  let emaLow = 0;
  let index = 1;
  let insurance = 20_000;
  let maxDiscount = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let crossings = 0;
  const trueRate = 1;
  const fair = 1;
  for (let k = 1; k <= STEPS; k++) {
    slow = level + (slow - level) * a + noise * rng.normal();
    impact *= impactDecay;
    let total = slow + impact;
    if (total < floorLog) {
      impact += floorLog - total;
      total = floorLog;
    }
    const dex = trueRate * Math.exp(total);
    for (let m = 0; m < 9; m++) z[m] = (rng.normal() * Z_SCALE) | 0;
    sort9(z);
    const center = dex * (1 + quantum * z[4]!);
    const spread = center - dex * (1 + quantum * z[0]!);
    if (spread <= 0.02 * center || cleanDeviation(z, dex, quantum) <= 0.02 * center) {
      ema = ema === 0 ? center : ema * keep + center * (1 - keep);
      emaLow = emaLow === 0 ? center : emaLow * keep + center * (1 - keep);
    }
    const before = index;
    index = before * growth;
    insurance += 1e6 * (index - before) * 0.1;
    const price = fair < emaLow ? fair : emaLow;
    if (topTheta > (price / index) * (1 - 1e-12)) crossings++;
    const discount = 1 - dex / trueRate;
    if (discount > maxDiscount) maxDiscount = discount;
    const depeg = dex / fair - 1;
    if (depeg < lo) lo = depeg;
    if (depeg > hi) hi = depeg;
  }
  return ema + emaLow + insurance + maxDiscount + lo + hi + crossings;
}

const scenario = loadScenario("baseline");
const job = prepareJob({ scenario, seed: 1, policy: "MinOfBoth", paths, antithetic: true, engine: "fast" });
const ms = (f: () => unknown) => {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
for (let p = 0; p < 2; p++) {
  drawOnly(p);
  fused(p);
  runPath(job, p);
}
const t = { draw: [] as number[], fused: [] as number[], sim: [] as number[] };
for (let r = 0; r < rounds; r++)
  for (let p = 0; p < paths; p++) {
    t.draw.push(ms(() => drawOnly(p)));
    t.fused.push(ms(() => fused(p)));
    t.sim.push(ms(() => runPath(job, p)));
  }
const ns = (xs: number[]) => (median(xs) * 1e6) / STEPS;
const [d, f, s] = [ns(t.draw), ns(t.fused), ns(t.sim)];
console.log(`one thread, median of ${rounds} interleaved rounds × ${paths} paths, ns per path-step:`);
console.log(`  a. 10 normals only (the bound)                 ${d.toFixed(0).padStart(5)}`);
console.log(`  f. fused calm kernel (probe, no event checks)  ${f.toFixed(0).padStart(5)} = ${(f / d).toFixed(2)}× a`);
console.log(`  c. world + fast engine (what runs)             ${s.toFixed(0).padStart(5)} = ${(s / d).toFixed(2)}× a`);
