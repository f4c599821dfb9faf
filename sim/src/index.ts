// `@lantern/sim`: the simulator's public surface — scenarios, the runner, the world models, the engines,
// the statistics and the reports. The command line is `sim/src/cli.ts` (`npm run sim`).
export * from "./contract.js";
export * from "./rng.js";
export * from "./scenario.js";
export * from "./stats.js";
export * from "./run.js";
export * from "./job.js";
export * from "./version.js";
export * from "./models/index.js";
export * from "./report/index.js";
export * from "./engine/core.js";
export {
  kernelCrossesFrontier,
  kernelExp,
  kernelLog,
  kernelNormalSum,
  kernelNormalSumPair,
  layoutConflicts as kernelLayoutConflicts,
  mismatchedExports as kernelMismatches,
} from "./engine/calmWasm.js";
export * from "./engine/fast.js";
export * from "./engine/naive.js";
export * from "./engine/frontier.js";
export * from "./engine/math.js";
export * from "./engine/params.js";
export * from "./engine/population.js";
export * from "./engine/types.js";
// Two modules define the same float year (365 days in seconds); name one so the star exports agree.
export { YEAR_SECS } from "./engine/math.js";
export * from "./replay/index.js";
