/**
 * The naive engine: every step, every open sub-account is checked (`debt > value·LT`). It is the
 * correctness reference of the fast engine (same `PathCore`, so identical outcomes) and its speed
 * baseline (O(n) per step instead of O(1) when nothing crosses).
 */
import type { Rng, World } from "../contract.js";
import { HEALTHY, PathCore } from "./core.js";
import { isLiquidatableF } from "./math.js";
import type { EngineParams, PathOutcome, Population } from "./types.js";

export class NaiveEngine extends PathCore {
  private readonly lt: number;

  constructor(pop: Population, params: EngineParams) {
    super(pop, params);
    this.lt = params.risk.lt;
  }

  protected onOpen(): void {}

  protected detect(step: number, price: number): void {
    const index = this.index;
    const { shares, coll, state } = this;
    for (let i = 0; i < this.n; i++) {
      if (state[i] === HEALTHY && isLiquidatableF(shares[i]! * index, coll[i]!, price, this.lt)) this.enqueue(i, step);
    }
  }

  protected onHealthy(_i: number): void {}

  protected onClosed(_i: number): void {}
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
