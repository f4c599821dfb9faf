/**
 * The scan detector: every step, every open sub-account is checked (`debt > value·LT`). With it the
 * engine is the correctness reference of the frontier detector (identical outcomes) and its speed
 * baseline (O(n) per step instead of O(1) when nothing crosses). It keeps no index of its own.
 */
import type { Rng, World } from "../contract.js";
import * as approx from "./approx.js";
import { type Detector, HEALTHY, PathEngine } from "./core.js";
import type { EngineParams, PathOutcome, Population } from "./types.js";

export const scanDetector: Detector = {
  detect(book: PathEngine, step: number, price: number): void {
    const { shares, coll, state, index } = book;
    const lt = book.params.risk.lt;
    for (let i = 0; i < book.n; i++) {
      if (state[i] === HEALTHY && approx.isLiquidatable(shares[i]! * index, coll[i]!, price, lt)) book.enqueue(i, step);
    }
  },
};

/** The engine with the scan detector: the reference. */
export class NaiveEngine extends PathEngine {
  constructor(pop: Population, params: EngineParams) {
    super(pop, params, scanDetector);
  }
}

export function runPathNaive(
  world: World,
  pop: Population,
  params: EngineParams,
  path: number,
  rng?: Rng,
): PathOutcome {
  return new NaiveEngine(pop, params).run(world, path, rng);
}
