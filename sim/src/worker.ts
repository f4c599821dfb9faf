/** A worker thread of `runScenario`: runs the blocks of units it is sent, then returns its aggregate. */
import { parentPort } from "node:worker_threads";
import { type CalmKernelModule, useCalmKernelModule } from "./engine/calmWasm.js";
import type { Population } from "./engine/types.js";
import { newAggregate, prepareJob, runUnits, type Job, type JobSpec } from "./job.js";
import { useRateTable } from "./models/borrowRate.js";
import type { Aggregate } from "./stats.js";

type Message =
  | { type: "init"; spec: JobSpec; kernel: CalmKernelModule; population: Population; rateTable: Float64Array }
  | { type: "run"; from: number; to: number }
  | { type: "finish" };

let job: Job | undefined;
let agg: Aggregate | undefined;

parentPort!.on("message", (msg: Message) => {
  try {
    if (msg.type === "init") {
      // What the parent has made already: the kernel compiled, the book drawn, the pool's rate table.
      useCalmKernelModule(msg.kernel);
      useRateTable(msg.spec.scenario.pool.curve, msg.rateTable);
      job = prepareJob(msg.spec, msg.population);
      agg = newAggregate(job);
      parentPort!.postMessage({ type: "ready" });
    } else if (msg.type === "run") {
      let pending = 0;
      let last = Date.now();
      runUnits(job!, msg.from, msg.to, agg!, () => {
        pending++;
        const now = Date.now();
        if (now - last >= 100) {
          parentPort!.postMessage({ type: "progress", paths: pending });
          pending = 0;
          last = now;
        }
      });
      parentPort!.postMessage({ type: "done", paths: pending });
    } else if (msg.type === "finish") {
      parentPort!.postMessage({ type: "aggregate", aggregate: agg!.toJSON() });
    }
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({ type: "error", message: e.message, stack: e.stack });
  }
});
