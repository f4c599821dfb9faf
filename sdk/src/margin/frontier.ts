/**
 * The liquidation frontier: which sub-accounts of one market are (or just became) liquidatable, in
 * O(log n + k) instead of a scan.
 *
 * With one collateral and one debt, sub-account i (debt shares s, collateral C) is liquidatable at
 * maintenance price p and borrow index I, exactly as `math/health.rs` decides it, iff
 *
 *     D = ceil(s·I / W) > 0   and   D·BPS > V·LT   with   V = floor(C·p / W)
 *   ⟺ C·p < ceil(D·BPS / LT)·W                          (W = WAD, LT in bps)
 *
 * Writing x = p/I and θ_i = s·BPS/(C·LT) (the brief's `debt_shares/(C·LT)` with LT as a fraction), the
 * two roundings only ever move the boundary up, by less than W·(BPS+LT)/(C·LT·I):
 *
 *     x < θ_i                    ⟹ liquidatable           (lower key l_i = θ_i)
 *     liquidatable               ⟹ x < θ_i + W·(BPS+LT)/(C·LT·I) ≤ u_i
 *
 * where u_i uses the index the frontier was built at (I ≥ I_base: the borrow index never falls). The
 * entries are kept sorted by u_i; a query walks only the entries whose u_i lies above the new x (and,
 * for "newly liquidatable", below the old x widened by the largest relative band ρ = u/l − 1 an
 * ordinary entry may have), decides most of them by comparing keys and re-checks the rest exactly.
 * Keys are integers (x, l, u scaled by 2^64, rounded conservatively), so no float is involved.
 *
 * Entries whose band is wide (debt below ~0.002 SOL, where ρ > 2^-20), with no collateral, or with
 * amounts beyond 2^60 (where the program's u64 conversions could overflow), sit in a small exceptional
 * set that every query checks exactly; queries at a price or index of 16 or more (WAD) fall back to an
 * exact scan. A sub-account whose check overflows cannot be liquidated by the program (the
 * instruction fails), so the frontier never reports it. Query cost: O(log n + k + b + e), with b the
 * entries inside the thin bands around the old and new x and e the exceptional ones (both ≈ 0 with
 * the program's minimum debt).
 */
import { isLanternError } from "../math/errors.js";
import { BPS, WAD } from "../math/fixed.js";
import { isLiquidatable } from "./health.js";
import { debtAmount } from "./shares.js";

/** Keys are x, θ scaled by 2^64. */
const SCALE = 1n << 64n;
/** Ordinary entries have a relative band u/l − 1 of at most 1/RHO_INVERSE. */
const RHO_INVERSE = 1n << 20n;
/** Amounts below this cannot overflow the program's u64 conversions at a price and index below PRICE_CAP. */
const AMOUNT_CAP = 1n << 60n;
const PRICE_CAP = 16n * WAD;

/** The exact test the program applies (`debt_amount` then `is_liquidatable`); an overflow is "no". */
export function canLiquidate(
  debtShares: bigint,
  collateral: bigint,
  price: bigint,
  borrowIndex: bigint,
  ltBps: number,
): boolean {
  try {
    return isLiquidatable(debtAmount(debtShares, borrowIndex), collateral, price, ltBps);
  } catch (error) {
    if (isLanternError(error, "MathOverflow")) return false;
    throw error;
  }
}

/**
 * `SubAccount::debt` then `health::is_liquidatable`, errors included (`MathOverflow`), as the program
 * evaluates a sub-account of `debtShares` and `collateral`.
 */
export function subAccountLiquidatable(
  debtShares: bigint,
  collateral: bigint,
  price: bigint,
  borrowIndex: bigint,
  ltBps: number,
): boolean {
  return isLiquidatable(debtAmount(debtShares, borrowIndex), collateral, price, ltBps);
}

/** A maintenance price and a borrow index: where the frontier is evaluated. */
export interface FrontierPoint {
  price: bigint;
  borrowIndex: bigint;
}

export interface FrontierPosition<K> {
  id: K;
  debtShares: bigint;
  collateral: bigint;
}

/** No debt: never liquidatable. */
const NONE = 0;
/** Kept in the sorted index. */
const ORDINARY = 1;
/** Checked exactly by every query. */
const EXCEPTIONAL = 2;
type Bucket = typeof NONE | typeof ORDINARY | typeof EXCEPTIONAL;

interface Entry<K> {
  id: K;
  debtShares: bigint;
  collateral: bigint;
  bucket: Bucket;
  /** floor(θ·2^64) and ceil(u·2^64) (ordinary entries only). */
  lower: bigint;
  upper: bigint;
  /** Tie-break among equal upper keys, so every entry has a unique position. */
  seq: number;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return q * b === a ? q : q + 1n;
}

function before<K>(a: Entry<K>, upper: bigint, seq: number): boolean {
  return a.upper < upper || (a.upper === upper && a.seq < seq);
}

export class LiquidationFrontier<K = string> {
  readonly ltBps: number;
  readonly baseBorrowIndex: bigint;
  private readonly lt: bigint;
  private readonly byId = new Map<K, Entry<K>>();
  /** Ordinary entries sorted by (upper, seq). */
  private sorted: Entry<K>[] = [];
  private readonly exceptional = new Set<Entry<K>>();
  private nextSeq = 0;

  /**
   * A frontier for one market (its liquidation threshold `ltBps`), valid for borrow indexes at or
   * above `baseBorrowIndex` (use the pool's current index; rebuild if the threshold changes).
   */
  constructor(params: { ltBps: number; baseBorrowIndex: bigint }) {
    if (!(params.ltBps > 0 && params.ltBps <= 65_535)) throw new RangeError("ltBps must be in 1..=65535");
    if (params.baseBorrowIndex <= 0n) throw new RangeError("baseBorrowIndex must be positive");
    this.ltBps = params.ltBps;
    this.lt = BigInt(params.ltBps);
    this.baseBorrowIndex = params.baseBorrowIndex;
  }

  /** A frontier over `positions`, sorted once (O(n log n)). */
  static from<K>(
    positions: Iterable<FrontierPosition<K>>,
    params: { ltBps: number; baseBorrowIndex: bigint },
  ): LiquidationFrontier<K> {
    const frontier = new LiquidationFrontier<K>(params);
    for (const p of positions) {
      if (frontier.byId.has(p.id)) frontier.remove(p.id);
      const entry = frontier.entry(p.id, p.debtShares, p.collateral);
      frontier.byId.set(p.id, entry);
      if (entry.bucket === ORDINARY) frontier.sorted.push(entry);
      else if (entry.bucket === EXCEPTIONAL) frontier.exceptional.add(entry);
    }
    frontier.sorted.sort((a, b) => (a.upper < b.upper ? -1 : a.upper > b.upper ? 1 : a.seq - b.seq));
    return frontier;
  }

  get size(): number {
    return this.byId.size;
  }

  /** Sub-accounts that every query re-checks exactly (dust debt, no collateral, huge amounts). */
  get exceptionalCount(): number {
    return this.exceptional.size;
  }

  has(id: K): boolean {
    return this.byId.has(id);
  }

  /** Adds a sub-account or updates its debt shares and collateral: O(log n) search plus an array move. */
  upsert(id: K, debtShares: bigint, collateral: bigint): void {
    this.remove(id);
    const entry = this.entry(id, debtShares, collateral);
    this.byId.set(id, entry);
    if (entry.bucket === ORDINARY) {
      this.sorted.splice(this.lowerBound(entry.upper, entry.seq), 0, entry);
    } else if (entry.bucket === EXCEPTIONAL) {
      this.exceptional.add(entry);
    }
  }

  remove(id: K): boolean {
    const entry = this.byId.get(id);
    if (entry === undefined) return false;
    this.byId.delete(id);
    if (entry.bucket === ORDINARY) {
      const at = this.lowerBound(entry.upper, entry.seq);
      if (this.sorted[at] !== entry) throw new Error("frontier index out of order");
      this.sorted.splice(at, 1);
    } else if (entry.bucket === EXCEPTIONAL) {
      this.exceptional.delete(entry);
    }
    return true;
  }

  /** Every sub-account liquidatable at `at`. */
  liquidatableAt(at: FrontierPoint): K[] {
    this.checkIndex(at.borrowIndex);
    const out: K[] = [];
    if (!this.fast(at)) {
      for (const e of this.byId.values()) if (this.exact(e, at)) out.push(e.id);
      return out;
    }
    const xFloor = (at.price * SCALE) / at.borrowIndex;
    const xCeil = ceilDiv(at.price * SCALE, at.borrowIndex);
    const sorted = this.sorted;
    for (let i = this.upperBound(xFloor); i < sorted.length; i++) {
      const e = sorted[i]!;
      if (xCeil < e.lower || this.exact(e, at)) out.push(e.id);
    }
    for (const e of this.exceptional) if (this.exact(e, at)) out.push(e.id);
    return out;
  }

  /** The sub-accounts liquidatable at `to` that were not at `from` (a price and/or index move). */
  newlyLiquidatable(from: FrontierPoint, to: FrontierPoint): K[] {
    this.checkIndex(from.borrowIndex);
    this.checkIndex(to.borrowIndex);
    const out: K[] = [];
    if (!this.fast(from) || !this.fast(to)) {
      for (const e of this.byId.values()) if (this.exact(e, to) && !this.exact(e, from)) out.push(e.id);
      return out;
    }
    const toFloor = (to.price * SCALE) / to.borrowIndex;
    const toCeil = ceilDiv(to.price * SCALE, to.borrowIndex);
    const fromFloor = (from.price * SCALE) / from.borrowIndex;
    const fromCeil = ceilDiv(from.price * SCALE, from.borrowIndex);
    // Not liquidatable at `from` ⟹ θ ≤ x_from ⟹ u ≤ x_from·(1 + ρ_max).
    const limit = ceilDiv(from.price * SCALE * (RHO_INVERSE + 1n), from.borrowIndex * RHO_INVERSE);
    const sorted = this.sorted;
    for (let i = this.upperBound(toFloor); i < sorted.length; i++) {
      const e = sorted[i]!;
      if (e.upper > limit) break;
      if (!(toCeil < e.lower || this.exact(e, to))) continue;
      const before = e.upper <= fromFloor ? false : fromCeil < e.lower ? true : this.exact(e, from);
      if (!before) out.push(e.id);
    }
    for (const e of this.exceptional) if (this.exact(e, to) && !this.exact(e, from)) out.push(e.id);
    return out;
  }

  private entry(id: K, debtShares: bigint, collateral: bigint): Entry<K> {
    const entry: Entry<K> = { id, debtShares, collateral, bucket: NONE, lower: 0n, upper: 0n, seq: this.nextSeq++ };
    if (debtShares === 0n) return entry;
    const s = debtShares;
    const c = collateral;
    const lt = this.lt;
    const base = this.baseBorrowIndex;
    const wide = WAD * (BPS + lt) * RHO_INVERSE > s * BPS * base;
    if (c === 0n || s >= AMOUNT_CAP || c >= AMOUNT_CAP || wide) {
      entry.bucket = EXCEPTIONAL;
      return entry;
    }
    entry.bucket = ORDINARY;
    entry.lower = (s * BPS * SCALE) / (c * lt);
    entry.upper = ceilDiv((s * BPS * base + WAD * (BPS + lt)) * SCALE, c * lt * base);
    return entry;
  }

  private exact(e: Entry<K>, at: FrontierPoint): boolean {
    return e.bucket !== NONE && canLiquidate(e.debtShares, e.collateral, at.price, at.borrowIndex, this.ltBps);
  }

  /** Below the caps, ordinary entries cannot overflow and their keys decide exactly. */
  private fast(at: FrontierPoint): boolean {
    return at.price < PRICE_CAP && at.borrowIndex < PRICE_CAP;
  }

  private checkIndex(borrowIndex: bigint): void {
    if (borrowIndex < this.baseBorrowIndex) {
      throw new RangeError(
        `borrow index ${borrowIndex} is below the frontier's base ${this.baseBorrowIndex}: rebuild it`,
      );
    }
  }

  /** First position whose (upper, seq) is not before (upper, seq). */
  private lowerBound(upper: bigint, seq: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.sorted[mid]!, upper, seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position whose upper key is above `x`. */
  private upperBound(x: bigint): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.upper <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
