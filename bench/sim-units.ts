// What a worker does, timed: paths as units of antithetic pairs into an aggregate, two at a time in the
// kernel's lanes (`runUnits`). Shared by the benchmarks that compare Lantern per core (sim.ts, sim-peers.ts).
import { type Job, newAggregate, runUnits } from "@lantern/sim";

/** ns per path-step of paths `first … first + paths − 1` (`first` and `paths` even) of `steps` steps each. */
export function unitsNsPerStep(job: Job, first: number, paths: number, steps: number): number {
  if (first % 2 !== 0 || paths % 2 !== 0) throw new RangeError("paths run in antithetic pairs: give an even count");
  const t = process.hrtime.bigint();
  runUnits(job, first / 2, (first + paths) / 2, newAggregate(job));
  return Number(process.hrtime.bigint() - t) / (paths * steps);
}
