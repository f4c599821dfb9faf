// A worker thread of bench/sim.ts's two-core bound: draws the random numbers of its share of the
// workload's paths (each path as many as the sampled path it cycles to), when told to start.
import { parentPort, workerData } from "node:worker_threads";
import { type Counts, drawOnly, normalSums } from "./sim-draws.js";

const { seed, from, to, counts, generator } = workerData as {
  seed: number;
  from: number;
  to: number;
  counts: Counts[];
  generator: keyof typeof normalSums;
};
const normals = normalSums[generator];
// Warm up on the first sampled path, then wait for the start.
drawOnly(seed, from, counts[0]!, normals);
parentPort!.once("message", () => {
  let acc = 0;
  for (let p = from; p < to; p++) acc += drawOnly(seed, p, counts[p % counts.length]!, normals);
  parentPort!.postMessage(acc);
});
parentPort!.postMessage("ready");
