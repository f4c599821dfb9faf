/**
 * The fast engine: healthy sub-accounts sit in a float liquidation frontier (a max-heap on
 * θ = debt shares/(collateral·LT)), so a step where nobody crosses costs one comparison with the top
 * and a step where k sub-accounts cross costs O(k log n) — never O(n). Liquidations, accounting and
 * outcomes are the shared `PathCore`; the naive engine (naive.ts) is the same with a full scan, and
 * both return identical outcomes.
 */
import type { Rng, World } from "../contract.js";
import { HEALTHY, PathCore } from "./core.js";
import { FILTER_SLACK, FloatFrontier } from "./frontier.js";
import { isLiquidatableF } from "./math.js";
import type { EngineParams, PathOutcome, Population } from "./types.js";

export class FastEngine extends PathCore {
  private readonly frontier: FloatFrontier;
  /** The frontier as the book opens at `openedAt` (the same for every path that opens at that rate). */
  private readonly opened: FloatFrontier;
  private openedAt = Number.NaN;
  private readonly theta: Float64Array;
  private readonly found: Int32Array;
  private readonly lt: number;

  constructor(pop: Population, params: EngineParams) {
    super(pop, params);
    this.frontier = new FloatFrontier(this.n);
    this.opened = new FloatFrontier(this.n);
    this.theta = new Float64Array(this.n);
    this.found = new Int32Array(this.n);
    this.lt = params.risk.lt;
  }

  private key(i: number): number {
    return this.shares[i]! / (this.coll[i]! * this.lt);
  }

  protected onOpen(): void {
    if (this.openedAt !== this.openFair) {
      this.frontier.rebuild(this.openingThetas(), this.n);
      this.opened.copyFrom(this.frontier);
      this.openedAt = this.openFair;
    } else this.frontier.copyFrom(this.opened);
  }

  /** θ of every open sub-account, NaN for the others (a loop of its own, see `PathCore.follow`). */
  private openingThetas(): Float64Array {
    const theta = this.theta;
    for (let i = 0; i < this.n; i++) theta[i] = this.state[i] === HEALTHY ? this.key(i) : Number.NaN;
    return theta;
  }

  protected detect(step: number, price: number): void {
    const index = this.index;
    const x = price / index;
    const threshold = x * (1 - FILTER_SLACK);
    const frontier = this.frontier;
    if (!(frontier.top() > threshold)) return;
    const found = this.found;
    const k = frontier.above(threshold, found);
    // Confirm each candidate with the exact expression the naive engine uses; enqueue in id order.
    let m = 0;
    for (let j = 0; j < k; j++) {
      const i = found[j]!;
      if (isLiquidatableF(this.shares[i]! * index, this.coll[i]!, price, this.lt)) found[m++] = i;
    }
    if (m === 0) return;
    const hits = found.subarray(0, m);
    if (m > 1) hits.sort();
    for (let j = 0; j < m; j++) {
      const i = hits[j]!;
      frontier.remove(i);
      this.enqueue(i, step);
    }
  }

  protected onHealthy(i: number): void {
    this.frontier.insert(i, this.key(i));
  }

  protected onClosed(_i: number): void {}
}

/** One path with the fast engine (a fresh engine; reuse a `FastEngine` across paths to save allocations). */
export function runPathFast(world: World, pop: Population, params: EngineParams, path: number, rng?: Rng): PathOutcome {
  return new FastEngine(pop, params).run(world, path, rng);
}
