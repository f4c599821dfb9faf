/**
 * The frontier detector: healthy sub-accounts sit in a float liquidation frontier (a max-heap on
 * θ = debt shares/(collateral·LT)), so a step where nobody crosses costs one comparison with the top
 * and a step where k sub-accounts cross costs O(k log n) — never O(n). `FastEngine` is the engine with
 * it; with the scan detector (naive.ts) the same engine returns identical outcomes.
 */
import type { Rng, World } from "../contract.js";
import * as approx from "./approx.js";
import { type Detector, HEALTHY, PathEngine } from "./core.js";
import { FloatFrontier, frontierThreshold } from "./frontier.js";
import type { EngineParams, PathOutcome, Population } from "./types.js";

export class FrontierDetector implements Detector {
  private readonly frontier: FloatFrontier;
  /** The frontier as the book opens at `openedAt` (the same for every path that opens at that rate). */
  private readonly opened: FloatFrontier;
  private openedAt = Number.NaN;
  private readonly theta: Float64Array;
  private readonly found: Int32Array;

  constructor(
    n: number,
    private readonly lt: number,
  ) {
    this.frontier = new FloatFrontier(n);
    this.opened = new FloatFrontier(n);
    this.theta = new Float64Array(n);
    this.found = new Int32Array(n);
  }

  open(book: PathEngine): void {
    if (this.openedAt !== book.openFair) {
      this.frontier.rebuild(this.openingThetas(book), book.n);
      this.opened.copyFrom(this.frontier);
      this.openedAt = book.openFair;
    } else this.frontier.restore(this.opened);
  }

  detect(book: PathEngine, step: number, price: number): void {
    // Small enough to be inlined into the engine's step: most steps end at the comparison with the top.
    const threshold = frontierThreshold(price, book.index);
    if (this.frontier.top() > threshold) this.cross(book, step, price, threshold);
  }

  /** The frontier's top θ (the calm kernel compares each step's price with it). */
  calmTop(): number {
    return this.frontier.top();
  }

  healthy(book: PathEngine, i: number): void {
    this.frontier.insert(i, this.key(book, i));
  }

  /** The sub-accounts above `threshold`, confirmed with the scan's own test, queued in id order. */
  private cross(book: PathEngine, step: number, price: number, threshold: number): void {
    const frontier = this.frontier;
    const found = this.found;
    const index = book.index;
    const k = frontier.above(threshold, found);
    let m = 0;
    for (let j = 0; j < k; j++) {
      const i = found[j]!;
      if (approx.isLiquidatable(book.shares[i]! * index, book.coll[i]!, price, this.lt)) found[m++] = i;
    }
    if (m === 0) return;
    const hits = found.subarray(0, m);
    if (m > 1) hits.sort();
    for (let j = 0; j < m; j++) {
      const i = hits[j]!;
      frontier.remove(i);
      book.enqueue(i, step);
    }
  }

  private key(book: PathEngine, i: number): number {
    return book.shares[i]! / (book.coll[i]! * this.lt);
  }

  /**
   * θ of every open sub-account, NaN for the others. A loop of its own that ends the method: V8
   * compiles a running loop and keeps that code for the next path, and code after the loop that had
   * not run yet would throw it away again on every path.
   */
  private openingThetas(book: PathEngine): Float64Array {
    const theta = this.theta;
    for (let i = 0; i < book.n; i++) theta[i] = book.state[i] === HEALTHY ? this.key(book, i) : Number.NaN;
    return theta;
  }
}

/** The engine with the frontier detector: what runs. */
export class FastEngine extends PathEngine {
  constructor(pop: Population, params: EngineParams) {
    super(pop, params, new FrontierDetector(pop.equity.length, params.risk.lt));
  }
}

/** One path with the fast engine (a fresh engine; reuse a `FastEngine` across paths to save allocations). */
export function runPathFast(world: World, pop: Population, params: EngineParams, path: number, rng?: Rng): PathOutcome {
  return new FastEngine(pop, params).run(world, path, rng);
}
