/**
 * The float liquidation frontier of the fast engine: the sdk's frontier (sdk/src/margin/frontier.ts)
 * on Float64Arrays. Sub-account i is liquidatable at maintenance price p and borrow index I iff
 * `s_i·I > C_i·p·LT`, i.e. `x = p/I < θ_i = s_i/(C_i·LT)`; healthy sub-accounts sit in a max-heap on θ,
 * so "who became liquidatable after this move" is the heap's top part: O(1) when nobody did (one
 * comparison with the top), O(k log n) for k that did.
 *
 * θ and x are rounded floats, so the heap is a conservative filter (it yields every key above
 * `x·(1 − 1e-12)`, far wider than the few ulps the two roundings can differ by) and the engine confirms
 * each candidate with the same `approx.isLiquidatable` the naive engine uses: both engines decide with the
 * very same expression, and the frontier can never miss a sub-account.
 */
export const FILTER_SLACK = 1e-12;

/**
 * The filter's threshold at maintenance price `price` and borrow index `index`: every key above it is a
 * candidate (`FastEngine.detect`; the calm kernel's one-lane step computes the same expression).
 */
export function frontierThreshold(price: number, index: number): number {
  return (price / index) * (1 - FILTER_SLACK);
}

export class FloatFrontier {
  /** Heap of account ids, and their θ at the same position. */
  private readonly ids: Int32Array;
  private readonly keys: Float64Array;
  /** Position of each account in the heap, −1 when absent. */
  readonly pos: Int32Array;
  private readonly stack: Int32Array;
  size = 0;
  /** Counts this frontier's changes. */
  private version = 0;
  /** The frontier this one was last copied from and that one's version then (undefined once this changed). */
  private copyOf: FloatFrontier | undefined;
  private copyOfVersion = 0;

  constructor(capacity: number) {
    this.ids = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.stack = new Int32Array(capacity + 1);
  }

  /** Largest θ, or −∞ when empty. */
  top(): number {
    return this.size > 0 ? this.keys[0]! : Number.NEGATIVE_INFINITY;
  }

  /** Replaces the content with accounts `0..n−1` whose θ is `theta[i]` (NaN = leave out): O(n). */
  rebuild(theta: Float64Array, n: number): void {
    this.changed();
    this.pos.fill(-1);
    let m = 0;
    for (let i = 0; i < n; i++) {
      const k = theta[i]!;
      if (!Number.isNaN(k)) {
        this.ids[m] = i;
        this.keys[m] = k;
        m++;
      }
    }
    this.size = m;
    for (let at = (m >> 1) - 1; at >= 0; at--) this.siftDown(at);
    for (let at = 0; at < m; at++) this.pos[this.ids[at]!] = at;
  }

  /** Becomes a copy of `other` (same capacity): O(n) without a comparison. */
  copyFrom(other: FloatFrontier): void {
    this.size = other.size;
    this.ids.set(other.ids.subarray(0, other.size));
    this.keys.set(other.keys.subarray(0, other.size));
    this.pos.set(other.pos);
    this.version++;
    this.copyOf = other;
    this.copyOfVersion = other.version;
  }

  /** `copyFrom(other)`, skipped while neither changed since this was copied from it (a path that crossed nothing). */
  restore(other: FloatFrontier): void {
    if (this.copyOf !== other || this.copyOfVersion !== other.version) this.copyFrom(other);
  }

  private changed(): void {
    this.version++;
    this.copyOf = undefined;
  }

  /** Adds (or re-keys) account `id` with key `theta`: O(log n). */
  insert(id: number, theta: number): void {
    this.changed();
    if (this.pos[id]! >= 0) this.remove(id);
    const at = this.size++;
    this.ids[at] = id;
    this.keys[at] = theta;
    this.pos[id] = at;
    this.siftUp(at);
  }

  /** Removes account `id` if present: O(log n). */
  remove(id: number): boolean {
    const at = this.pos[id]!;
    if (at < 0) return false;
    this.changed();
    this.pos[id] = -1;
    const last = --this.size;
    if (at !== last) {
      const movedId = this.ids[last]!;
      const movedKey = this.keys[last]!;
      this.ids[at] = movedId;
      this.keys[at] = movedKey;
      this.pos[movedId] = at;
      if (at > 0 && movedKey > this.keys[(at - 1) >> 1]!) this.siftUp(at);
      else this.siftDown(at);
    }
    return true;
  }

  /**
   * Writes into `out` the ids of every entry whose key is above `threshold` (in heap order) and
   * returns how many: a walk of the heap's top part, O(k).
   */
  above(threshold: number, out: Int32Array): number {
    if (this.size === 0 || !(this.keys[0]! > threshold)) return 0;
    const stack = this.stack;
    const keys = this.keys;
    const size = this.size;
    let sp = 0;
    let k = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const at = stack[--sp]!;
      out[k++] = this.ids[at]!;
      const l = 2 * at + 1;
      if (l < size && keys[l]! > threshold) stack[sp++] = l;
      if (l + 1 < size && keys[l + 1]! > threshold) stack[sp++] = l + 1;
    }
    return k;
  }

  private siftUp(at: number): void {
    const ids = this.ids;
    const keys = this.keys;
    const id = ids[at]!;
    const key = keys[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!(key > keys[parent]!)) break;
      ids[at] = ids[parent]!;
      keys[at] = keys[parent]!;
      this.pos[ids[at]!] = at;
      at = parent;
    }
    ids[at] = id;
    keys[at] = key;
    this.pos[id] = at;
  }

  private siftDown(at: number): void {
    const ids = this.ids;
    const keys = this.keys;
    const size = this.size;
    const id = ids[at]!;
    const key = keys[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && keys[child + 1]! > keys[child]!) child++;
      if (!(keys[child]! > key)) break;
      ids[at] = ids[child]!;
      keys[at] = keys[child]!;
      this.pos[ids[at]!] = at;
      at = child;
    }
    ids[at] = id;
    keys[at] = key;
    this.pos[id] = at;
  }
}
