/**
 * The committee members' market price rounds: once per step every publishing member observes the
 * DEX price (with its own noise and latency) and the feed takes, as on chain, the median of the fresh
 * observations (price > 0, at most `maxPriceAgeSecs` old), their robust low (the lower median) and
 * band (the median absolute deviation from the median). A band wider than `maxConfidenceBps` of the
 * median means the members disagree: the market price is cleared (consumers see none until a round
 * agrees). Otherwise the EMAs of the median and of the low move (half-life `emaHalfLifeSecs`, counting
 * at most `maxPriceAgeSecs` since the last round). With fewer than `quorum` fresh observations nothing
 * changes and the market price lapses (consumers see none).
 *
 * Members misbehave by role (scripted in `committee.roles`): offline members publish nothing, late
 * ones publish with a latency drawn from `lateLagSecs` (past `maxPriceAgeSecs` = stale), colluding
 * ones shift their observations by `colludingDeviationBps`. Publishers also fail at random
 * (`outagesPerMemberPerYear`, exponential durations) and scripted faults multiply a member's price by
 * `factor` — Pyth, 20 Sep 2021: two BTC/USD publishers published near-zero prices for ~2 minutes
 * (decimal-handling bugs) and the aggregate printed $5,402 with a very wide confidence.
 *
 * Two implementations of the same round, chosen per world:
 * - exact: the sdk's `freshPrices` + `updateMarket` (median, confidence, EMA in bigint WAD, bit for
 *   bit the program), prices converted with `toWad`;
 * - fast (default): the same arithmetic in floats, with the EMA's decay weight taken from the sdk's
 *   integer `decay()` for each elapsed time (memoised). It differs from exact by float rounding only
 *   (≤ 1e-12 relative, checked by the tests) and draws the same random numbers.
 */
import { freshPrices, updateMarket, type MarketState } from "@lantern/sdk/math";
import * as approx from "../engine/approx.js";
import type { ModelRng } from "../rng.js";
import type { CommitteeSpec, MarketOracleSpec, MemberRole } from "../scenario.js";
import type { RoleScript } from "./committee.js";
import { fromWad, toWad } from "./committee.js";
import { DAY_SECS } from "./paths.js";

// The round's float twins of the sdk (median, lower median, deviation, agreement, EMA weight) live in
// engine/approx.ts; their public names here are the same bindings.
export {
  deviation as deviationSorted,
  emaKeep,
  lowerMedian as lowerMedianSorted,
  median as medianSorted,
  roundAgrees as agreesF,
} from "../engine/approx.js";

/** Sorts the first `n` entries ascending (insertion sort: n ≤ 16 here). */
export function sortPrefix(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    let w = a[j]!;
    while (w > v) {
      a[j + 1] = w;
      if (--j < 0) break;
      w = a[j]!;
    }
    a[j + 1] = v;
  }
}

/** Member noise is quantised to 2^-24 standard deviations (so the clean path can sort integers). */
export const Z_SCALE = 16_777_216;

/** Sorts the first `n` integers ascending (insertion sort). */
function sortIntPrefix(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * A member's observation of `dex` with the quantised noise `q`: `dex·(1 + σ·(q/2²⁴))`, written with
 * `quantum = σ/2²⁴` (exact: a power of two), which rounds the same and spares a division per member.
 */
export function memberPrice(dex: number, quantum: number, q: number): number {
  return dex * (1 + quantum * q);
}

/**
 * Sorts 9 integers (|x| < 2^30) with a 25-comparator network; each compare-exchange is branch-free
 * (`d = min(b − a, 0)`, a += d, b −= d), which beats a branching sort on random data by ~5×.
 */
export function sort9(a: Int32Array): void {
  let x0 = a[0]!,
    x1 = a[1]!,
    x2 = a[2]!,
    x3 = a[3]!,
    x4 = a[4]!,
    x5 = a[5]!,
    x6 = a[6]!,
    x7 = a[7]!,
    x8 = a[8]!;
  let d = 0;
  d = x3 - x0;
  d &= d >> 31;
  x0 += d;
  x3 -= d;
  d = x7 - x1;
  d &= d >> 31;
  x1 += d;
  x7 -= d;
  d = x5 - x2;
  d &= d >> 31;
  x2 += d;
  x5 -= d;
  d = x8 - x4;
  d &= d >> 31;
  x4 += d;
  x8 -= d;
  d = x7 - x0;
  d &= d >> 31;
  x0 += d;
  x7 -= d;
  d = x4 - x2;
  d &= d >> 31;
  x2 += d;
  x4 -= d;
  d = x8 - x3;
  d &= d >> 31;
  x3 += d;
  x8 -= d;
  d = x6 - x5;
  d &= d >> 31;
  x5 += d;
  x6 -= d;
  d = x2 - x0;
  d &= d >> 31;
  x0 += d;
  x2 -= d;
  d = x3 - x1;
  d &= d >> 31;
  x1 += d;
  x3 -= d;
  d = x5 - x4;
  d &= d >> 31;
  x4 += d;
  x5 -= d;
  d = x8 - x7;
  d &= d >> 31;
  x7 += d;
  x8 -= d;
  d = x4 - x1;
  d &= d >> 31;
  x1 += d;
  x4 -= d;
  d = x6 - x3;
  d &= d >> 31;
  x3 += d;
  x6 -= d;
  d = x7 - x5;
  d &= d >> 31;
  x5 += d;
  x7 -= d;
  d = x1 - x0;
  d &= d >> 31;
  x0 += d;
  x1 -= d;
  d = x4 - x2;
  d &= d >> 31;
  x2 += d;
  x4 -= d;
  d = x5 - x3;
  d &= d >> 31;
  x3 += d;
  x5 -= d;
  d = x8 - x6;
  d &= d >> 31;
  x6 += d;
  x8 -= d;
  d = x3 - x2;
  d &= d >> 31;
  x2 += d;
  x3 -= d;
  d = x5 - x4;
  d &= d >> 31;
  x4 += d;
  x5 -= d;
  d = x7 - x6;
  d &= d >> 31;
  x6 += d;
  x7 -= d;
  d = x2 - x1;
  d &= d >> 31;
  x1 += d;
  x2 -= d;
  d = x4 - x3;
  d &= d >> 31;
  x3 += d;
  x4 -= d;
  d = x6 - x5;
  d &= d >> 31;
  x5 += d;
  x6 -= d;
  a[0] = x0;
  a[1] = x1;
  a[2] = x2;
  a[3] = x3;
  a[4] = x4;
  a[5] = x5;
  a[6] = x6;
  a[7] = x7;
  a[8] = x8;
}

/**
 * The clean round of 9 members' band from their sorted quantised noises, without an array of prices
 * or a branch: the median is the 5th price, and the deviations below it (`center − p₃ … center − p₀`)
 * and above it (`p₅ − center … p₈ − center`) are two ascending runs a and b, so the median absolute
 * deviation — the 5th smallest of the nine, after the median's own 0 — is the 4th smallest of their
 * union: min(a₃, b₃, max(a₀, b₂), max(a₁, b₁), max(a₂, b₀)), bit for bit `deviationSorted` of the prices.
 * It is at most a₃ = center − p₀, which the calm kernel (engine/core.ts) checks first.
 */
export function cleanDeviation(sorted: Int32Array, dex: number, quantum: number): number {
  const center = memberPrice(dex, quantum, sorted[4]!);
  const a0 = center - memberPrice(dex, quantum, sorted[3]!);
  const a1 = center - memberPrice(dex, quantum, sorted[2]!);
  const a2 = center - memberPrice(dex, quantum, sorted[1]!);
  const a3 = center - memberPrice(dex, quantum, sorted[0]!);
  const b0 = memberPrice(dex, quantum, sorted[5]!) - center;
  const b1 = memberPrice(dex, quantum, sorted[6]!) - center;
  const b2 = memberPrice(dex, quantum, sorted[7]!) - center;
  const b3 = memberPrice(dex, quantum, sorted[8]!) - center;
  return Math.min(a3, b3, Math.max(a0, b2), Math.max(a1, b1), Math.max(a2, b0));
}

interface Fault {
  members: number[];
  from: number;
  to: number;
  factor: number;
}

export class MarketOracleModel {
  /** Market price available to consumers after the last round. */
  available = false;
  spot = 0;
  /** The round's robust low (lower median) and the EMA of it: what consumers price with. */
  low = 0;
  confidence = 0;
  ema = 0;
  emaLow = 0;
  /** Fresh observations in the last round. */
  fresh = 0;

  private readonly n: number;
  private readonly quorum: number;
  private readonly price: Float64Array;
  private readonly ts: Float64Array;
  private readonly lag: Float64Array;
  private readonly outageEnd: Float64Array;
  private readonly nextOutage: Float64Array;
  private readonly factor: Float64Array;
  private readonly roles: (MemberRole | undefined)[];
  private readonly boundaries: number[];
  private boundaryIndex = 0;
  private readonly faults: Fault[];
  private readonly scratch: Float64Array;
  private readonly scratchTs: Float64Array;
  private readonly outageRate: number;
  private readonly outageMean: number;
  private readonly noise: number;
  /** The noise per quantum of z (`memberPrice`). */
  private readonly quantum: number;
  private readonly colludeFactor: number;
  // Float state of the feed's market side.
  private marketPrice = 0;
  private marketPriceTs = -Infinity;
  private marketEmaTs = 0;
  private keepSince = Number.NaN;
  /** Rounds before this time take the clean fast path. */
  private cleanUntil = -Infinity;
  private lastCleanT = -1;
  /**
   * One member out by an outage (`soloMember`), the rest as in a clean round, its last observation stale:
   * the rounds until `soloUntil` are the general round of the other eight. Read by the engine's calm
   * kernel, which runs them (engine/calm.ts); the model's own rounds need no shortcut for them.
   */
  soloUntil = -Infinity;
  soloMember = -1;
  /** The DEX price of the round being taken, and the clean round's median, low and band. */
  private dexPrice = 0;
  private roundPrice = 0;
  private roundLow = 0;
  private roundConf = 0;
  private lastCleanDex = 0;
  private readonly cleanZ: Int32Array;
  private readonly sortedZ: Int32Array;
  /** The clean round's prices in order (from the sorted noises). */
  private readonly cleanPrices: Float64Array;
  /** Every honest member's fixed latency is within `maxPriceAgeSecs`. */
  private readonly lagsFresh: boolean;
  /** The quorum-th smallest fixed latency (the quorum-th newest observation in a clean round). */
  private readonly quorumLag: number;
  private keep = 0;
  private quorumTsPending = 0;
  private readonly lastFreshTs: Float64Array;
  // Exact state (bigint), when exact.
  private exactState: MarketState | undefined;

  constructor(
    private readonly spec: MarketOracleSpec,
    committee: CommitteeSpec,
    private readonly roleScript: RoleScript,
    private readonly rng: ModelRng,
    readonly exact = false,
    /** Allow the clean-round fast path (off only to test that it changes nothing). */
    private readonly allowClean = true,
  ) {
    const n = committee.members;
    this.n = n;
    this.quorum = committee.quorum;
    // The per-member arrays share two buffers: a world is built per path, and each typed array of more
    // than a few elements is a separate allocation outside V8's heap, freed by a sweeper.
    const floats = new Float64Array(10 * n);
    const member = (k: number) => floats.subarray(k * n, (k + 1) * n);
    this.price = member(0);
    this.ts = member(1).fill(-Infinity);
    this.lag = member(2);
    this.outageEnd = member(3);
    this.nextOutage = member(4);
    this.factor = member(5).fill(1);
    this.roles = new Array<MemberRole | undefined>(n).fill(undefined);
    this.scratch = member(6);
    this.scratchTs = member(7);
    this.lastFreshTs = member(8);
    this.cleanPrices = member(9);
    const ints = new Int32Array(2 * n);
    this.cleanZ = ints.subarray(0, n);
    this.sortedZ = ints.subarray(n, 2 * n);
    this.outageRate = spec.outagesPerMemberPerYear / approx.YEAR_SECS;
    this.outageMean = spec.outageMeanMinutes * 60;
    this.noise = spec.memberNoiseBps * 1e-4;
    this.quantum = this.noise / Z_SCALE;
    this.colludeFactor = 1 + spec.colludingDeviationBps * 1e-4;
    const [lo, hi] = spec.lagSecs;
    for (let m = 0; m < n; m++) {
      this.lag[m] = Math.round(lo + rng.uniform() * (hi - lo));
      this.nextOutage[m] = rng.exponential(this.outageRate);
    }
    const lags = Array.from(this.lag).sort((a, b) => a - b);
    this.lagsFresh = lags.every((l) => l <= spec.maxPriceAgeSecs);
    this.quorumLag = lags[Math.max(this.quorum - 1, 0)] ?? 0;
    this.faults = spec.faults.map((f) => ({
      members: f.members,
      from: f.fromDay * DAY_SECS,
      to: f.fromDay * DAY_SECS + f.hours * 3600,
      factor: f.factor,
    }));
    this.boundaries = [...new Set([0, ...roleScript.boundaries(), ...this.faults.flatMap((f) => [f.from, f.to])])].sort(
      (a, b) => a - b,
    );
    if (exact)
      this.exactState = {
        marketPrice: 0n,
        marketLow: 0n,
        marketConfidence: 0n,
        marketEma: 0n,
        marketEmaLow: 0n,
        marketPriceTs: 0n,
        marketEmaTs: 0n,
      };
  }

  private refreshRoles(t: number): void {
    for (let m = 0; m < this.n; m++) {
      this.roles[m] = this.roleScript.roleAt(m, t);
      this.factor[m] = 1;
    }
    for (const f of this.faults)
      if (t >= f.from && t < f.to) for (const m of f.members) this.factor[m] = this.factor[m]! * f.factor;
  }

  /** One price round at time `t` (seconds) with the DEX price `dexPrice`. */
  round(t: number, dexPrice: number): void {
    // Small enough to be inlined into the world's step; the price reaches the round through a field (a
    // number passed to a call that is not inlined is boxed, and this runs every step).
    this.dexPrice = dexPrice;
    if (t < this.cleanUntil) this.cleanRound(t);
    else this.generalRound(t);
  }

  private generalRound(t: number): void {
    const dexPrice = this.dexPrice;
    if (this.lastCleanT >= 0) {
      // Leaving the clean fast path: restore the observation times it did not write.
      for (let m = 0; m < this.n; m++) {
        this.ts[m] = this.lastCleanT - this.lag[m]!;
        const dex = this.lastCleanDex;
        this.price[m] = this.noise > 0 ? memberPrice(dex, this.quantum, this.cleanZ[m]!) : dex;
      }
      this.lastCleanT = -1;
    }
    let nextBoundary = Infinity;
    while (this.boundaryIndex < this.boundaries.length && this.boundaries[this.boundaryIndex]! <= t) {
      this.boundaryIndex++;
      this.refreshRoles(t);
    }
    if (this.boundaryIndex < this.boundaries.length) nextBoundary = this.boundaries[this.boundaryIndex]!;
    const spec = this.spec;
    const plain = !this.exact && this.allowClean && this.lagsFresh;
    // Members with another role or a fault, and members out by an outage (the last one of them).
    let odd = false;
    let outs = 0;
    let outMember = -1;
    let nextOutage = Infinity;
    for (let m = 0; m < this.n; m++) {
      if (t >= this.nextOutage[m]!) {
        const end = this.nextOutage[m]! + this.rng.exponential(1 / this.outageMean);
        this.outageEnd[m] = end;
        this.nextOutage[m] = end + this.rng.exponential(this.outageRate);
      }
      const role = this.roles[m];
      const out = t < this.outageEnd[m]!;
      if ((role !== undefined && role !== "honest") || this.factor[m] !== 1) odd = true;
      if (out) {
        outs++;
        outMember = m;
      }
      if (this.nextOutage[m]! < nextOutage) nextOutage = this.nextOutage[m]!;
      if (role === "offline" || out) continue;
      let lag = this.lag[m]!;
      if (role === "late") {
        const [lo, hi] = spec.lateLagSecs;
        lag = Math.round(lo + this.rng.uniform() * (hi - lo));
      }
      let p = dexPrice * this.factor[m]!;
      if (this.noise > 0) p = memberPrice(p, this.quantum, (this.rng.normal() * Z_SCALE) | 0);
      if (role === "colluding") p *= this.colludeFactor;
      this.price[m] = p;
      this.ts[m] = t - lag;
    }
    if (this.exact) this.exactRound(t);
    else this.fastRound(t);
    // Every member honest, publishing and fresh until the next role/fault boundary or outage: the
    // following rounds can skip the bookkeeping (same draws, same arithmetic).
    const until = Math.min(nextBoundary, nextOutage);
    this.cleanUntil = plain && !odd && outs === 0 ? until : -Infinity;
    // Or one member out until its outage ends, its observation already stale (so it stays out of every
    // round until then) and the other eight a quorum: each round until then is this one's arithmetic.
    const solo =
      plain &&
      !odd &&
      outs === 1 &&
      this.n - 1 >= this.quorum &&
      !(this.price[outMember]! > 0 && t - this.ts[outMember]! <= spec.maxPriceAgeSecs);
    this.soloMember = solo ? outMember : -1;
    this.soloUntil = solo ? Math.min(until, this.outageEnd[outMember]!) : -Infinity;
  }

  /**
   * A round in which every member is honest, publishing, unfaulted and fresh: the prices are
   * `dex·(1 + σ·z_m)`, increasing in z, so the order statistics come from sorting the integer noises
   * (branch-free for 9 members). Bit for bit the general fast path: the same draws, and every price
   * that reaches the median or the confidence is computed by the same expression.
   */
  private cleanRound(t: number): void {
    const dexPrice = this.dexPrice;
    const n = this.n;
    if (!(this.noise > 0)) {
      this.roundPrice = dexPrice;
      this.roundLow = dexPrice;
      this.roundConf = 0;
    } else if (n === 9) this.cleanNine();
    else this.cleanAny();
    this.lastCleanT = t;
    this.lastCleanDex = dexPrice;
    this.fresh = n;
    this.quorumTsPending = 0;
    const price = this.roundPrice;
    if (!approx.roundAgrees(price, this.roundConf, this.spec.maxConfidenceBps)) {
      this.disagree();
      return;
    }
    this.marketPrice = price;
    this.spot = price;
    this.low = this.roundLow;
    this.confidence = this.roundConf;
    this.moveEmas(t);
    this.marketPriceTs = t - this.quorumLag;
    this.available = true;
  }

  /** The members' quantised noises for a clean round, drawn in member order (kept, and a sorted copy). */
  private drawNoises(): Int32Array {
    const z = this.cleanZ;
    const sorted = this.sortedZ;
    for (let m = 0; m < this.n; m++) {
      const q = (this.rng.normal() * Z_SCALE) | 0;
      z[m] = q;
      sorted[m] = q;
    }
    return sorted;
  }

  /**
   * The clean round of 9 members: the median is the 5th price (also the low), the band
   * `cleanDeviation`. Results go to the round's fields: a number returned from a call that is not
   * inlined is boxed.
   */
  private cleanNine(): void {
    const sorted = this.drawNoises();
    sort9(sorted);
    const dex = this.dexPrice;
    const quantum = this.quantum;
    const center = memberPrice(dex, quantum, sorted[4]!);
    this.roundPrice = center;
    this.roundLow = center;
    this.roundConf = cleanDeviation(sorted, dex, quantum);
  }

  /** The clean round of any other number of members: prices rise with z, sorted noises give sorted prices. */
  private cleanAny(): void {
    const n = this.n;
    const sorted = this.drawNoises();
    sortIntPrefix(sorted, n);
    const prices = this.cleanPrices;
    for (let m = 0; m < n; m++) prices[m] = memberPrice(this.dexPrice, this.quantum, sorted[m]!);
    this.roundPrice = approx.median(prices, n);
    this.roundLow = approx.lowerMedian(prices, n);
    this.roundConf = approx.deviation(prices, n, this.roundPrice);
  }

  /**
   * The EMAs move toward the round's median and low (`marketPrice`, `low`, read from the fields: a
   * number passed to a call that is not inlined would be boxed), counting at most `maxPriceAgeSecs`
   * since the last round.
   */
  private moveEmas(t: number): void {
    const price = this.marketPrice;
    const low = this.low;
    const since = t - this.marketEmaTs;
    if (since !== this.keepSince) this.keepAfter(since);
    const keep = this.keep;
    // The first round seeds each average (sdk `emaUpdate` of 0).
    this.ema = this.ema === 0 ? price : this.ema * keep + price * (1 - keep);
    this.emaLow = this.emaLow === 0 ? low : this.emaLow * keep + low * (1 - keep);
    this.marketEmaTs = t;
  }

  /** The EMA weight `keep` for `since` seconds since the last move (rounds are evenly spaced: cached). */
  private keepAfter(since: number): void {
    const maxAge = this.spec.maxPriceAgeSecs;
    this.keepSince = since;
    this.keep = approx.emaKeep(since < 0 ? 0 : since > maxAge ? maxAge : since, this.spec.emaHalfLifeSecs);
  }

  /** The members disagree beyond `maxConfidenceBps`: no market price (the EMAs stay as they were). */
  private disagree(): void {
    this.marketPrice = 0;
    this.spot = 0;
    this.quorumTsPending = 0;
    this.available = false;
  }

  private fastRound(t: number): void {
    const maxAge = this.spec.maxPriceAgeSecs;
    const scratch = this.scratch;
    let k = 0;
    for (let m = 0; m < this.n; m++) {
      const p = this.price[m]!;
      const ts = this.ts[m]!;
      if (p > 0 && t - ts <= maxAge) {
        scratch[k] = p;
        this.scratchTs[k] = ts;
        k++;
      }
    }
    this.fresh = k;
    if (k >= this.quorum && k > 0) {
      sortPrefix(scratch, k);
      const price = approx.median(scratch, k);
      const low = approx.lowerMedian(scratch, k);
      const conf = approx.deviation(scratch, k, price);
      if (!approx.roundAgrees(price, conf, this.spec.maxConfidenceBps)) {
        this.disagree();
        return;
      }
      this.marketPrice = price;
      this.low = low;
      this.confidence = conf;
      this.moveEmas(t);
      // The quorum-th newest observation time matters only once a later round fails to update:
      // remember the fresh times and select it then.
      this.quorumTsPending = k;
      this.lastFreshTs.set(this.scratchTs.subarray(0, k));
      this.available = true;
    } else {
      if (this.quorumTsPending > 0) {
        const times = this.lastFreshTs;
        sortPrefix(times, this.quorumTsPending);
        this.marketPriceTs = times[this.quorumTsPending - this.quorum]!;
        this.quorumTsPending = 0;
      }
      this.available = this.marketPrice > 0 && t - this.marketPriceTs <= maxAge;
    }
    this.spot = this.marketPrice;
  }

  private exactRound(t: number): void {
    const members = [];
    for (let m = 0; m < this.n; m++) {
      const p = this.price[m]!;
      const ts = this.ts[m]!;
      members.push({
        price: p > 0 && Number.isFinite(ts) ? toWad(p) : 0n,
        priceTs: Number.isFinite(ts) ? BigInt(ts) : 0n,
      });
    }
    const now = BigInt(t);
    const fresh = freshPrices(
      { members, memberCount: this.n, quorum: this.quorum, limits: { maxPriceAgeSecs: this.spec.maxPriceAgeSecs } },
      now,
    );
    this.fresh = fresh.prices.length;
    const state = this.exactState!;
    const next = updateMarket(state, fresh.prices, fresh.quorumTs, this.quorum, now, this.spec).state;
    this.exactState = next;
    this.spot = fromWad(next.marketPrice);
    this.low = fromWad(next.marketLow);
    this.confidence = fromWad(next.marketConfidence);
    this.ema = fromWad(next.marketEma);
    this.emaLow = fromWad(next.marketEmaLow);
    this.available = next.marketPrice > 0n && now - next.marketPriceTs <= BigInt(this.spec.maxPriceAgeSecs);
  }
}
