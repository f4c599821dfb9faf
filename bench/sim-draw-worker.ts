// A worker thread of bench/sim.ts's two-core bound: draws the random numbers of its share of the
// workload's paths (each path as many as the sampled path it cycles to), when told to start.
import { parentPort, workerData } from "node:worker_threads";
import { type Counts, type DrawMethod, drawPaths } from "./sim-draws.js";

const { seed, from, to, counts, method } = workerData as {
  seed: number;
  from: number;
  to: number;
  counts: Counts[];
  method: DrawMethod;
};
// Warm up on the first two sampled paths, then wait for the start.
drawPaths(seed, 0, 2, counts, method);
parentPort!.once("message", () => parentPort!.postMessage(drawPaths(seed, from, to, counts, method)));
parentPort!.postMessage("ready");
