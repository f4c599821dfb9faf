/**
 * Mergeable, exact aggregates of path outcomes, and the statistics computed from them.
 *
 * Exactness: every sum of amounts is kept as an exact float expansion (Shewchuk's partials, the
 * algorithm behind Python's `math.fsum`) whose value is the correctly rounded exact sum; counts are
 * integers; extremes are min/max; quantiles keep the sorted multiset of per-path losses (zeros as a
 * count). None of these depends on the order in which paths were added or aggregates merged, so a run
 * split over any number of workers or shards yields the very same numbers, bit for bit, as one run.
 *
 * Units: with antithetic variates, path 2j and its mirror 2j+1 form one unit and the confidence
 * intervals of means use the variance of unit means (the pairs are independent, the two paths in a
 * pair are not); without, every path is a unit. Probabilities use Wilson intervals whose sample size
 * is the number of paths divided by the design effect of the pairs (the variance of the pair means
 * over the variance independent paths would give, never taken below 1): a pair whose paths share
 * their events counts as one draw, not two, so the interval widens instead of lying (issue 14 — the
 * old independent-paths interval covered the truth ~78% of the time when the rng duplicated a pair's
 * events). VaR/ES use all paths as draws from the loss distribution (each path is
 * marginally exact under antithetic sampling); their intervals are order-statistic (VaR) and
 * asymptotic-normal (ES, Manistre–Hancock) and assume independent paths.
 */
import type { PathOutcome } from "./engine/types.js";

export const Z95 = 1.959963984540054;

/** A sum of floats kept exact (non-overlapping partials); `value()` is the correctly rounded sum. */
export class ExactSum {
  private partials: number[] = [];

  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`cannot sum a non-finite value (${x})`);
    const p = this.partials;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    // Usually as many partials come out as went in: setting the length is a runtime call, so only on change.
    p[i] = x;
    if (p.length !== i + 1) p.length = i + 1;
  }

  merge(other: ExactSum): void {
    for (const x of other.partials) this.add(x);
  }

  value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
    return hi;
  }

  toJSON(): number[] {
    return [...this.partials];
  }

  static from(partials: readonly number[]): ExactSum {
    const s = new ExactSum();
    for (const x of partials) s.add(x);
    return s;
  }
}

/** Count, exact Σx and Σx², min and max. */
export class Moments {
  n = 0;
  s1 = new ExactSum();
  s2 = new ExactSum();
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(x: number): void {
    this.n++;
    this.s1.add(x);
    this.s2.add(x * x);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  merge(o: Moments): void {
    this.n += o.n;
    this.s1.merge(o.s1);
    this.s2.merge(o.s2);
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  mean(): number {
    return this.n > 0 ? this.s1.value() / this.n : 0;
  }

  /** Sample variance (n − 1), clamped at 0. */
  variance(): number {
    if (this.n < 2) return 0;
    const s1 = this.s1.value();
    const v = (this.s2.value() - (s1 * s1) / this.n) / (this.n - 1);
    return v > 0 ? v : 0;
  }

  toJSON(): MomentsJson {
    return {
      n: this.n,
      s1: this.s1.toJSON(),
      s2: this.s2.toJSON(),
      min: this.n > 0 ? this.min : null,
      max: this.n > 0 ? this.max : null,
    };
  }

  static from(j: MomentsJson): Moments {
    const m = new Moments();
    m.n = j.n;
    m.s1 = ExactSum.from(j.s1);
    m.s2 = ExactSum.from(j.s2);
    m.min = j.min ?? Number.POSITIVE_INFINITY;
    m.max = j.max ?? Number.NEGATIVE_INFINITY;
    return m;
  }
}

interface MomentsJson {
  n: number;
  s1: number[];
  s2: number[];
  min: number | null;
  max: number | null;
}

/** Per-unit numerator a and denominator b of a ratio estimator Σa/Σb, for its delta-method interval. */
export class RatioMoments {
  n = 0;
  a = new ExactSum();
  b = new ExactSum();
  aa = new ExactSum();
  bb = new ExactSum();
  ab = new ExactSum();

  add(a: number, b: number): void {
    this.n++;
    this.a.add(a);
    this.b.add(b);
    this.aa.add(a * a);
    this.bb.add(b * b);
    this.ab.add(a * b);
  }

  merge(o: RatioMoments): void {
    this.n += o.n;
    for (const k of ["a", "b", "aa", "bb", "ab"] as const) this[k].merge(o[k]);
  }

  toJSON(): Record<string, unknown> {
    return {
      n: this.n,
      a: this.a.toJSON(),
      b: this.b.toJSON(),
      aa: this.aa.toJSON(),
      bb: this.bb.toJSON(),
      ab: this.ab.toJSON(),
    };
  }

  static from(j: { n: number; a: number[]; b: number[]; aa: number[]; bb: number[]; ab: number[] }): RatioMoments {
    const r = new RatioMoments();
    r.n = j.n;
    r.a = ExactSum.from(j.a);
    r.b = ExactSum.from(j.b);
    r.aa = ExactSum.from(j.aa);
    r.bb = ExactSum.from(j.bb);
    r.ab = ExactSum.from(j.ab);
    return r;
  }
}

/** Scalar outcomes summarised with mean, spread and interval (name → how to read it from an outcome). */
export const SCALARS = {
  protocolLoss: (o: PathOutcome) => o.protocolLoss,
  badDebt: (o: PathOutcome) => o.badDebt,
  coveredByInsurance: (o: PathOutcome) => o.coveredByInsurance,
  socialized: (o: PathOutcome) => o.socialized,
  shortfall: (o: PathOutcome) => o.shortfall,
  lossBeyondInsurance: (o: PathOutcome) => o.lossBeyondInsurance,
  insuranceEnd: (o: PathOutcome) => o.insuranceEnd,
  insuranceLrtSol: (o: PathOutcome) => o.insuranceLrtSol,
  liquidations: (o: PathOutcome) => o.liquidations,
  liquidatedAccounts: (o: PathOutcome) => o.liquidatedAccounts,
  liquidationVolume: (o: PathOutcome) => o.liquidationVolume,
  unprofitableAttempts: (o: PathOutcome) => o.unprofitableAttempts,
  peakUtilization: (o: PathOutcome) => o.peakUtilization,
  bunkerHours: (o: PathOutcome) => o.bunkerSecs / 3600,
  staleHours: (o: PathOutcome) => o.staleSecs / 3600,
  maxDiscount: (o: PathOutcome) => o.maxDiscount,
  netApy: (o: PathOutcome) => o.netApy,
  markToMarketReturn: (o: PathOutcome) => o.markToMarketReturn,
} as const;
export type ScalarName = keyof typeof SCALARS;
export const SCALAR_NAMES = Object.keys(SCALARS) as ScalarName[];

/** A lamport: amounts below it count as zero. */
const LAMPORT = 1e-9;

export const INDICATORS = {
  anyBadDebt: (o: PathOutcome) => o.protocolLoss > LAMPORT,
  badDebtBeyondInsurance: (o: PathOutcome) => o.lossBeyondInsurance > LAMPORT,
  anyLiquidation: (o: PathOutcome) => o.liquidations > 0,
  anySocialized: (o: PathOutcome) => o.socialized > LAMPORT,
} as const;
export type IndicatorName = keyof typeof INDICATORS;
export const INDICATOR_NAMES = Object.keys(INDICATORS) as IndicatorName[];

/** Depeg histogram bins: 5 bps wide over [−100%, +50%]. */
const DEPEG_BIN = 0.0005;
const DEPEG_BINS = 3000;

export function depegBin(v: number): number {
  const b = Math.floor((v + 1) / DEPEG_BIN);
  return b < 0 ? 0 : b >= DEPEG_BINS ? DEPEG_BINS - 1 : b;
}

/** The bin's midpoint, as a depeg fraction. */
export function depegValue(bin: number): number {
  return (bin + 0.5) * DEPEG_BIN - 1;
}

/**
 * Paths per depeg bin of one time bucket: counts in a typed array over the bins seen so far (a window that
 * grows as needed). Every path adds three bins to each of 120 buckets, and a map's lookup and update
 * cost ten times an array's increment; a bucket's paths fall in a few dozen bins, so the window stays
 * small where all 3,000 bins would make each aggregate 8.6 MB to allocate and to scan.
 */
export class DepegHistogram {
  /** The bin `counts[0]` counts. */
  private first = 0;
  private counts = new Float64Array(0);

  add(bin: number, count = 1): void {
    if (bin < this.first || bin >= this.first + this.counts.length) this.cover(bin, bin + 1);
    this.counts[bin - this.first]! += count;
  }

  merge(o: DepegHistogram): void {
    const n = o.counts.length;
    if (n === 0) return;
    if (o.first < this.first || o.first + n > this.first + this.counts.length) this.cover(o.first, o.first + n);
    const at = o.first - this.first;
    for (let b = 0; b < n; b++) this.counts[at + b]! += o.counts[b]!;
  }

  /** The bins with paths in them, in order, with their counts. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let b = 0; b < this.counts.length; b++) if (this.counts[b]! > 0) out.push([this.first + b, this.counts[b]!]);
    return out;
  }

  /** Widens the window to hold bins `from`…`to − 1`, with room to grow as much again on the side it grew. */
  private cover(from: number, to: number): void {
    const n = this.counts.length;
    const lo = n === 0 ? from : Math.min(this.first, from);
    const hi = n === 0 ? to : Math.max(this.first + n, to);
    const room = Math.max(8, hi - lo);
    const first = Math.max(0, n > 0 && lo < this.first ? lo - room : lo);
    const last = Math.min(DEPEG_BINS, n > 0 && hi > this.first + n ? hi + room : hi);
    const counts = new Float64Array(last - first);
    if (n > 0) counts.set(this.counts, this.first - first);
    this.first = first;
    this.counts = counts;
  }

  static from(entries: readonly (readonly [number, number])[]): DepegHistogram {
    const h = new DepegHistogram();
    for (const [bin, count] of entries) {
      if (!(Number.isInteger(bin) && bin >= 0 && bin < DEPEG_BINS))
        throw new RangeError(`a depeg histogram has bins 0 to ${DEPEG_BINS - 1}, got ${bin}`);
      if (!(Number.isSafeInteger(count) && count > 0))
        throw new RangeError(`a depeg histogram counts paths (a whole number above 0), got ${count} in bin ${bin}`);
      h.add(bin, count);
    }
    return h;
  }
}

/** The shape every outcome of a run shares. */
export interface Shape {
  buckets: string[];
  bucketLeverage: number[];
  bucketAccounts: number[];
  seriesLength: number;
  horizonSecs: number;
}

/** One path's outcome in a row (`--per-path`): what VaR checks and replays need, path by path. */
export interface PathRow {
  path: number;
  protocolLoss: number;
  badDebt: number;
  socialized: number;
  shortfall: number;
  liquidations: number;
  liquidatedAccounts: number;
  liquidationVolume: number;
  netApy: number;
  markToMarketReturn: number;
  peakUtilization: number;
  /** Deepest DEX discount to the true rate. */
  maxDiscount: number;
  /** Lowest DEX price over the opening fair rate − 1 (over the recorded steps). */
  minDepeg: number;
}

export const PATH_ROW_FIELDS: readonly (keyof PathRow)[] = [
  "path",
  "protocolLoss",
  "badDebt",
  "socialized",
  "shortfall",
  "liquidations",
  "liquidatedAccounts",
  "liquidationVolume",
  "netApy",
  "markToMarketReturn",
  "peakUtilization",
  "maxDiscount",
  "minDepeg",
];

export function pathRow(o: PathOutcome): PathRow {
  let minDepeg = Number.POSITIVE_INFINITY;
  for (const v of o.seriesDepegMin) if (v < minDepeg) minDepeg = v;
  return {
    path: o.path,
    protocolLoss: o.protocolLoss,
    badDebt: o.badDebt,
    socialized: o.socialized,
    shortfall: o.shortfall,
    liquidations: o.liquidations,
    liquidatedAccounts: o.liquidatedAccounts,
    liquidationVolume: o.liquidationVolume,
    netApy: o.netApy,
    markToMarketReturn: o.markToMarketReturn,
    peakUtilization: o.peakUtilization,
    maxDiscount: o.maxDiscount,
    minDepeg: Number.isFinite(minDepeg) ? minDepeg : 0,
  };
}

export class Aggregate {
  paths = 0;
  units = 0;
  shape: Shape | undefined;
  readonly pathScalars = new Map<ScalarName, Moments>();
  readonly unitScalars = new Map<ScalarName, Moments>();
  readonly indicatorCounts = new Map<IndicatorName, number>();
  /** Per indicator: the unit means (share of a unit's paths with the event), for the design effect. */
  readonly unitIndicators = new Map<IndicatorName, Moments>();
  bucketLiq: Moments[] = [];
  bucketApy: Moments[] = [];
  bucketTtl: RatioMoments[] = [];
  /** Non-zero per-path protocol losses (sorted when read) and the number of zero-loss paths. */
  losses: number[] = [];
  zeroLosses = 0;
  seriesCount: number[] = [];
  seriesVolume: ExactSum[] = [];
  /** Per time bucket: paths per depeg bin (the bucket's last value, its min and its max). */
  seriesDepeg: DepegHistogram[] = [];
  seriesDepegMin: DepegHistogram[] = [];
  seriesDepegMax: DepegHistogram[] = [];

  /** Per-path rows (`--per-path`), or null when not kept. */
  perPath: PathRow[] | null = null;

  /** Leverage bucket labels and representative leverage (from the population); `perPath` keeps rows. */
  constructor(
    private readonly labels: { buckets: string[]; bucketLeverage: number[] } = { buckets: [], bucketLeverage: [] },
    options: { perPath?: boolean } = {},
  ) {
    if (options.perPath) this.perPath = [];
    for (const k of SCALAR_NAMES) {
      this.pathScalars.set(k, new Moments());
      this.unitScalars.set(k, new Moments());
    }
    for (const k of INDICATOR_NAMES) {
      this.indicatorCounts.set(k, 0);
      this.unitIndicators.set(k, new Moments());
    }
  }

  private init(o: PathOutcome): void {
    this.open({
      buckets: [...this.labels.buckets],
      bucketLeverage: [...this.labels.bucketLeverage],
      bucketAccounts: [...o.bucketAccounts],
      seriesLength: o.seriesCount.length,
      horizonSecs: o.horizonSecs,
    });
  }

  /** Takes `shape` and empty sums for its leverage and time buckets. */
  private open(shape: Shape): void {
    const nb = shape.bucketAccounts.length;
    const series = <T>(make: () => T) => Array.from({ length: shape.seriesLength }, make);
    this.shape = shape;
    this.bucketLiq = Array.from({ length: nb }, () => new Moments());
    this.bucketApy = Array.from({ length: nb }, () => new Moments());
    this.bucketTtl = Array.from({ length: nb }, () => new RatioMoments());
    this.seriesCount = series(() => 0);
    this.seriesVolume = series(() => new ExactSum());
    this.seriesDepeg = series(() => new DepegHistogram());
    this.seriesDepegMin = series(() => new DepegHistogram());
    this.seriesDepegMax = series(() => new DepegHistogram());
  }

  /** One unit: a single path, or an antithetic pair. */
  addUnit(outcomes: readonly PathOutcome[]): void {
    if (outcomes.length === 0) return;
    if (!this.shape) this.init(outcomes[0]!);
    const shape = this.shape!;
    const m = outcomes.length;
    for (const o of outcomes) {
      if (o.bucketAccounts.length !== shape.bucketAccounts.length || o.seriesCount.length !== shape.seriesLength) {
        throw new Error("path outcomes of different shapes cannot be aggregated");
      }
    }
    this.paths += m;
    this.units++;
    for (const k of SCALAR_NAMES) {
      const f = SCALARS[k];
      const path = this.pathScalars.get(k)!;
      let sum = 0;
      for (const o of outcomes) {
        const x = f(o);
        path.add(x);
        sum += x;
      }
      this.unitScalars.get(k)!.add(sum / m);
    }
    for (const k of INDICATOR_NAMES) {
      let c = 0;
      for (const o of outcomes) if (INDICATORS[k](o)) c++;
      this.indicatorCounts.set(k, this.indicatorCounts.get(k)! + c);
      this.unitIndicators.get(k)!.add(c / m);
    }
    const nb = shape.bucketAccounts.length;
    for (let b = 0; b < nb; b++) {
      const accounts = shape.bucketAccounts[b]!;
      let liq = 0;
      let apy = 0;
      let ta = 0;
      let tb = 0;
      for (const o of outcomes) {
        liq += accounts > 0 ? o.bucketLiquidated[b]! / accounts : 0;
        const e0 = o.bucketEquity0[b]!;
        apy += e0 > 0 && o.horizonSecs > 0 ? ((o.bucketEquityEnd[b]! - e0) / e0) * (31_536_000 / o.horizonSecs) : 0;
        ta += o.bucketTimeSum[b]! / 3600;
        tb += o.bucketLiquidated[b]!;
      }
      this.bucketLiq[b]!.add(liq / m);
      this.bucketApy[b]!.add(apy / m);
      this.bucketTtl[b]!.add(ta / m, tb / m);
    }
    if (this.perPath) for (const o of outcomes) this.perPath.push(pathRow(o));
    for (const o of outcomes) {
      if (o.protocolLoss > 0) this.losses.push(o.protocolLoss);
      else this.zeroLosses++;
      for (let t = 0; t < shape.seriesLength; t++) {
        this.seriesCount[t]! += o.seriesCount[t]!;
        this.seriesVolume[t]!.add(o.seriesVolume[t]!);
        this.seriesDepeg[t]!.add(depegBin(o.seriesDepeg[t]!));
        this.seriesDepegMin[t]!.add(depegBin(o.seriesDepegMin[t]!));
        this.seriesDepegMax[t]!.add(depegBin(o.seriesDepegMax[t]!));
      }
    }
  }

  merge(o: Aggregate): void {
    if (o.paths === 0) return;
    if (!this.shape) this.open(structuredClone(o.shape!));
    else if (JSON.stringify(this.shape) !== JSON.stringify(o.shape)) {
      throw new Error("cannot merge aggregates of differently shaped runs (population or horizon differ)");
    }
    this.paths += o.paths;
    this.units += o.units;
    if (o.perPath) {
      if (!this.perPath) this.perPath = [];
      for (const r of o.perPath) this.perPath.push(r);
    }
    for (const k of SCALAR_NAMES) {
      this.pathScalars.get(k)!.merge(o.pathScalars.get(k)!);
      this.unitScalars.get(k)!.merge(o.unitScalars.get(k)!);
    }
    for (const k of INDICATOR_NAMES) {
      this.indicatorCounts.set(k, this.indicatorCounts.get(k)! + o.indicatorCounts.get(k)!);
      this.unitIndicators.get(k)!.merge(o.unitIndicators.get(k)!);
    }
    this.bucketLiq.forEach((m, b) => {
      m.merge(o.bucketLiq[b]!);
    });
    this.bucketApy.forEach((m, b) => {
      m.merge(o.bucketApy[b]!);
    });
    this.bucketTtl.forEach((m, b) => {
      m.merge(o.bucketTtl[b]!);
    });
    for (const x of o.losses) this.losses.push(x);
    this.zeroLosses += o.zeroLosses;
    for (let t = 0; t < this.seriesCount.length; t++) {
      this.seriesCount[t]! += o.seriesCount[t]!;
      this.seriesVolume[t]!.merge(o.seriesVolume[t]!);
      this.seriesDepeg[t]!.merge(o.seriesDepeg[t]!);
      this.seriesDepegMin[t]!.merge(o.seriesDepegMin[t]!);
      this.seriesDepegMax[t]!.merge(o.seriesDepegMax[t]!);
    }
  }

  /** The per-path rows in path order (null when not kept). */
  sortedRows(): PathRow[] | null {
    return this.perPath ? [...this.perPath].sort((a, b) => a.path - b.path) : null;
  }

  sortedLosses(): number[] {
    return [...this.losses].sort((a, b) => a - b);
  }

  toJSON(): AggregateJson {
    const obj = (m: Map<string, { toJSON(): unknown }>) => Object.fromEntries([...m].map(([k, v]) => [k, v.toJSON()]));
    return {
      paths: this.paths,
      units: this.units,
      shape: this.shape ?? null,
      pathScalars: obj(this.pathScalars) as Record<string, MomentsJson>,
      unitScalars: obj(this.unitScalars) as Record<string, MomentsJson>,
      indicatorCounts: Object.fromEntries(this.indicatorCounts),
      unitIndicators: obj(this.unitIndicators) as Record<string, MomentsJson>,
      bucketLiq: this.bucketLiq.map((m) => m.toJSON()),
      bucketApy: this.bucketApy.map((m) => m.toJSON()),
      bucketTtl: this.bucketTtl.map((m) => m.toJSON()) as AggregateJson["bucketTtl"],
      losses: this.sortedLosses(),
      zeroLosses: this.zeroLosses,
      seriesCount: this.seriesCount,
      seriesVolume: this.seriesVolume.map((s) => s.toJSON()),
      seriesDepeg: this.seriesDepeg.map((h) => h.entries()),
      seriesDepegMin: this.seriesDepegMin.map((h) => h.entries()),
      seriesDepegMax: this.seriesDepegMax.map((h) => h.entries()),
      ...(this.perPath ? { perPath: this.sortedRows()! } : {}),
    };
  }

  static fromJSON(j: AggregateJson): Aggregate {
    const a = new Aggregate();
    a.paths = j.paths;
    a.units = j.units;
    a.shape = j.shape ?? undefined;
    for (const k of SCALAR_NAMES) {
      if (!j.pathScalars[k] || !j.unitScalars[k])
        throw new Error(`partial results lack the statistic "${k}" (written by another simulator version?)`);
      a.pathScalars.set(k, Moments.from(j.pathScalars[k]));
      a.unitScalars.set(k, Moments.from(j.unitScalars[k]));
    }
    for (const k of INDICATOR_NAMES) {
      const u = j.unitIndicators?.[k];
      if (!u)
        throw new Error(`partial results lack the statistic "${k}" per unit (written by another simulator version?)`);
      a.indicatorCounts.set(k, j.indicatorCounts[k] ?? 0);
      a.unitIndicators.set(k, Moments.from(u));
    }
    a.bucketLiq = j.bucketLiq.map(Moments.from);
    a.bucketApy = j.bucketApy.map(Moments.from);
    a.bucketTtl = j.bucketTtl.map(RatioMoments.from);
    a.losses = [...j.losses];
    a.zeroLosses = j.zeroLosses;
    a.seriesCount = [...j.seriesCount];
    a.seriesVolume = j.seriesVolume.map(ExactSum.from);
    a.seriesDepeg = j.seriesDepeg.map(DepegHistogram.from);
    if (!j.seriesDepegMin || !j.seriesDepegMax)
      throw new Error(
        "partial results lack the depeg extremes per time bucket (written by another simulator version?)",
      );
    a.seriesDepegMin = j.seriesDepegMin.map(DepegHistogram.from);
    a.seriesDepegMax = j.seriesDepegMax.map(DepegHistogram.from);
    if (j.perPath) a.perPath = j.perPath.map((r) => ({ ...r }));
    return a;
  }
}

export interface AggregateJson {
  paths: number;
  units: number;
  shape: Shape | null;
  pathScalars: Record<string, MomentsJson>;
  unitScalars: Record<string, MomentsJson>;
  indicatorCounts: Record<string, number>;
  unitIndicators: Record<string, MomentsJson>;
  bucketLiq: MomentsJson[];
  bucketApy: MomentsJson[];
  bucketTtl: { n: number; a: number[]; b: number[]; aa: number[]; bb: number[]; ab: number[] }[];
  losses: number[];
  zeroLosses: number;
  seriesCount: number[];
  seriesVolume: number[][];
  seriesDepeg: [number, number][][];
  seriesDepegMin: [number, number][][];
  seriesDepegMax: [number, number][][];
  /** Present only when the run keeps per-path rows. */
  perPath?: PathRow[];
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface Estimate {
  estimate: number;
  /** 95% confidence interval; null when it cannot be computed (fewer than two units). */
  ci: [number, number] | null;
}

export interface Proportion extends Estimate {
  count: number;
  paths: number;
  /**
   * The design effect the interval used: the variance of the estimate from the units (antithetic
   * pairs) over the variance independent paths would give, floored at 1 (1 without pairs).
   */
  designEffect: number;
}

export interface MeanStat extends Estimate {
  sd: number;
  min: number | null;
  max: number | null;
}

/** Wilson score interval of a proportion. */
export function wilson(count: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  return wilsonFraction(count / n, n, z);
}

/**
 * A proportion with its 95% interval: Wilson over the effective number of paths n / deff, where deff
 * is the pairs' design effect (see `Proportion.designEffect`). deff is floored at 1 so that a pair
 * never counts as more than two independent paths: the variance ratio estimated from few events is
 * noisy, and an interval must not become narrower than the truth because of it.
 */
export function proportionStat(count: number, paths: number, unit: Moments): Proportion {
  if (paths === 0) return { estimate: 0, ci: null, count, paths, designEffect: 1 };
  const p = count / paths;
  let deff = 1;
  if (unit.n < paths && unit.n >= 2 && p > 0 && p < 1) {
    const pairs = unit.variance() / unit.n;
    const independent = (p * (1 - p)) / paths;
    deff = Math.max(1, pairs / independent);
  }
  const nEff = paths / deff;
  return { estimate: p, ci: wilsonFraction(p, nEff), count, paths, designEffect: deff };
}

/** Wilson score interval for an observed share p over a (possibly fractional) effective sample size n. */
function wilsonFraction(p: number, n: number, z = Z95): [number, number] {
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Mean of per-path values with the interval from unit means. */
export function meanStat(path: Moments, unit: Moments): MeanStat {
  const mean = unit.mean();
  const se = unit.n >= 2 ? Math.sqrt(unit.variance() / unit.n) : Number.NaN;
  // A quantity that is never negative (amounts, counts) has a non-negative mean.
  const floor = path.n > 0 && path.min >= 0 ? 0 : Number.NEGATIVE_INFINITY;
  return {
    estimate: mean,
    ci: !Number.isNaN(se) ? [Math.max(floor, mean - Z95 * se), mean + Z95 * se] : null,
    sd: Math.sqrt(path.variance()),
    min: path.n > 0 ? path.min : null,
    max: path.n > 0 ? path.max : null,
  };
}

export function ratioStat(r: RatioMoments): Estimate & { count: number } {
  const b = r.b.value();
  const count = b;
  if (r.n === 0 || b === 0) return { estimate: 0, ci: null, count: 0 };
  const a = r.a.value();
  const R = a / b;
  if (r.n < 2) return { estimate: R, ci: null, count };
  const bMean = b / r.n;
  const s = (r.aa.value() - 2 * R * r.ab.value() + R * R * r.bb.value()) / (r.n - 1);
  const se = Math.sqrt(Math.max(0, s) / r.n) / bMean;
  return { estimate: R, ci: [R - Z95 * se, R + Z95 * se], count };
}

export interface TailStat {
  level: number;
  var: Estimate;
  es: Estimate;
}

/**
 * VaR and ES at `level` of the loss distribution given by `zeros` zero losses and the sorted non-zero
 * `losses`: the tail is the worst m = ⌈(1−level)·n⌉ paths; VaR is the smallest loss in it, ES their mean.
 */
export function tail(zeros: number, losses: readonly number[], level: number): TailStat {
  const n = zeros + losses.length;
  const at = (k: number) => (k < zeros ? 0 : losses[k - zeros]!); // k-th smallest, 0-based
  if (n === 0) return { level, var: { estimate: 0, ci: null }, es: { estimate: 0, ci: null } };
  const m = Math.max(1, Math.ceil((1 - level) * n - 1e-9));
  const varIndex = n - m;
  const v = at(varIndex);
  const sum = new ExactSum();
  const sum2 = new ExactSum();
  for (let k = varIndex; k < n; k++) {
    const x = at(k);
    sum.add(x);
    sum2.add(x * x);
  }
  const es = sum.value() / m;
  // Order-statistic interval for the quantile: ranks n·level ± z·√(n·level·(1−level)).
  const half = Z95 * Math.sqrt(n * level * (1 - level));
  const lo = Math.max(0, Math.floor(n * level - half) - 1);
  const hi = Math.min(n - 1, Math.ceil(n * level + half));
  const varCi: [number, number] | null = n >= 2 ? [at(lo), at(hi)] : null;
  let esCi: [number, number] | null = null;
  if (m >= 2) {
    const tailVar = Math.max(0, (sum2.value() - (sum.value() * sum.value()) / m) / (m - 1));
    const se = Math.sqrt((tailVar + level * (es - v) * (es - v)) / (n * (1 - level)));
    esCi = [Math.max(0, es - Z95 * se), es + Z95 * se];
  }
  return { level, var: { estimate: v, ci: varCi }, es: { estimate: es, ci: esCi } };
}

/** Quantile of a histogram (bin → count) as a bin midpoint. */
function histQuantile(sorted: [number, number][], total: number, q: number): number {
  const target = q * total;
  let acc = 0;
  for (const [bin, c] of sorted) {
    acc += c;
    if (acc >= target) return depegValue(bin);
  }
  return sorted.length > 0 ? depegValue(sorted[sorted.length - 1]![0]) : 0;
}

export const FAN_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

export interface Statistics {
  paths: number;
  units: number;
  probabilities: Record<IndicatorName, Proportion>;
  loss: { mean: MeanStat; tails: TailStat[]; max: number };
  metrics: Record<ScalarName, MeanStat>;
  /**
   * Variance of the estimator with independent paths over the one with antithetic units: > 1, the pairs
   * helped (as many independent paths as gain × paths); 1, no effect; < 1, the pairs hurt — their two
   * paths move together, so the run holds fewer independent draws than paths (the intervals account
   * for it). null when it cannot be estimated (no pairs, or no variation).
   */
  antitheticGain: {
    netApy: number | null;
    protocolLoss: number | null;
    liquidationVolume: number | null;
    anyLiquidation: number | null;
    anyBadDebt: number | null;
  };
  leverage: {
    bucket: string;
    leverage: number;
    accounts: number;
    liquidationProbability: Estimate;
    timeToLiquidationHours: Estimate & { count: number };
    netApy: Estimate;
  }[];
  series: {
    bucketSecs: number;
    /** Liquidations and SOL repaid per time bucket, averaged over paths. */
    liquidations: number[];
    volume: number[];
    /** Quantiles (FAN_QUANTILES) of the DEX price over the opening fair rate − 1 at each time bucket's end. */
    depeg: Record<string, number[]>;
    /**
     * The same quantiles of each path's lowest value within the bucket (`depegMin`) and of its highest
     * (`depegMax`), plus `p0` (the lowest over all paths) and `p100` (the highest): the chart draws the
     * lower bands from the minima and the upper from the maxima, so a short wick is never hidden by
     * where it falls in a bucket.
     */
    depegMin: Record<string, number[]>;
    depegMax: Record<string, number[]>;
  };
  lossHistogram: { edges: number[]; counts: number[]; zeros: number };
}

function gain(path: Moments, unit: Moments): number | null {
  if (unit.n < 2 || path.n < 2 || unit.n === path.n) return null;
  const vu = unit.variance() / unit.n;
  const vp = path.variance() / path.n;
  if (vu === 0) return vp === 0 ? 1 : null;
  return vp / vu;
}

/**
 * The share of a bucket's sub-accounts liquidated, with its interval. A bucket without sub-accounts has
 * no interval. When every path agrees (none liquidated, or all) the spread of the path shares is 0, but
 * that is not certainty: the interval is then the Wilson interval of "no path had one" (or "every path
 * liquidated all") over the units, e.g. [0%, 0.37%] after 1,000 quiet units — never [0%, 0%].
 */
function bucketShare(accounts: number, liq: Moments, se: number): Estimate {
  const mean = liq.mean();
  if (accounts === 0 || liq.n === 0) return { estimate: 0, ci: null };
  if (liq.max === 0) return { estimate: 0, ci: [0, wilson(0, liq.n)[1]] };
  if (liq.min === 1) return { estimate: 1, ci: [wilson(liq.n, liq.n)[0], 1] };
  if (Number.isNaN(se)) return { estimate: mean, ci: null };
  return { estimate: mean, ci: [Math.max(0, mean - Z95 * se), Math.min(1, mean + Z95 * se)] };
}

/** `gain` for a proportion: independent paths' p(1−p)/(n−1) over the unit means' variance. */
function proportionGain(p: Proportion, unit: Moments): number | null {
  const n = p.paths;
  if (unit.n < 2 || n < 2 || unit.n === n || p.estimate === 0 || p.estimate === 1) return null;
  const vu = unit.variance() / unit.n;
  const vp = (p.estimate * (1 - p.estimate)) / (n - 1);
  return vu === 0 ? null : vp / vu;
}

export function statistics(agg: Aggregate): Statistics {
  const shape = agg.shape;
  const n = agg.paths;
  const probabilities = Object.fromEntries(
    INDICATOR_NAMES.map((k) => {
      const c = agg.indicatorCounts.get(k)!;
      return [k, proportionStat(c, n, agg.unitIndicators.get(k)!)];
    }),
  ) as Record<IndicatorName, Proportion>;
  const metrics = Object.fromEntries(
    SCALAR_NAMES.map((k) => [k, meanStat(agg.pathScalars.get(k)!, agg.unitScalars.get(k)!)]),
  ) as Record<ScalarName, MeanStat>;
  const losses = agg.sortedLosses();
  const tails = [0.95, 0.99].map((lvl) => tail(agg.zeroLosses, losses, lvl));
  const leverage = shape
    ? shape.bucketAccounts.map((accounts, b) => {
        const liq = agg.bucketLiq[b]!;
        const apy = agg.bucketApy[b]!;
        const ttl = ratioStat(agg.bucketTtl[b]!);
        const liqSe = liq.n >= 2 ? Math.sqrt(liq.variance() / liq.n) : Number.NaN;
        const apySe = apy.n >= 2 ? Math.sqrt(apy.variance() / apy.n) : Number.NaN;
        return {
          bucket: shape.buckets[b] ?? String(b),
          leverage: shape.bucketLeverage[b] ?? 0,
          accounts,
          liquidationProbability: bucketShare(accounts, liq, liqSe),
          timeToLiquidationHours: ttl,
          netApy: {
            estimate: apy.mean(),
            ci: !Number.isNaN(apySe)
              ? ([apy.mean() - Z95 * apySe, apy.mean() + Z95 * apySe] as [number, number])
              : null,
          },
        };
      })
    : [];
  const len = shape?.seriesLength ?? 0;
  const depeg: Record<string, number[]> = {};
  for (const q of FAN_QUANTILES) depeg[`p${Math.round(q * 100)}`] = [];
  const depegMin: Record<string, number[]> = { p0: [] };
  const depegMax: Record<string, number[]> = { p100: [] };
  for (const q of FAN_QUANTILES) {
    depegMin[`p${Math.round(q * 100)}`] = [];
    depegMax[`p${Math.round(q * 100)}`] = [];
  }
  for (let t = 0; t < len; t++) {
    const sorted = agg.seriesDepeg[t]!.entries();
    for (const q of FAN_QUANTILES) depeg[`p${Math.round(q * 100)}`]!.push(histQuantile(sorted, n, q));
    const lo = agg.seriesDepegMin[t]!.entries();
    const hi = agg.seriesDepegMax[t]!.entries();
    for (const q of FAN_QUANTILES) {
      depegMin[`p${Math.round(q * 100)}`]!.push(histQuantile(lo, n, q));
      depegMax[`p${Math.round(q * 100)}`]!.push(histQuantile(hi, n, q));
    }
    depegMin.p0!.push(lo.length > 0 ? depegValue(lo[0]![0]) : 0);
    depegMax.p100!.push(hi.length > 0 ? depegValue(hi[hi.length - 1]![0]) : 0);
  }
  return {
    paths: n,
    units: agg.units,
    probabilities,
    loss: { mean: metrics.protocolLoss, tails, max: losses.length > 0 ? losses[losses.length - 1]! : 0 },
    metrics,
    antitheticGain: {
      netApy: gain(agg.pathScalars.get("netApy")!, agg.unitScalars.get("netApy")!),
      protocolLoss: gain(agg.pathScalars.get("protocolLoss")!, agg.unitScalars.get("protocolLoss")!),
      liquidationVolume: gain(agg.pathScalars.get("liquidationVolume")!, agg.unitScalars.get("liquidationVolume")!),
      anyLiquidation: proportionGain(probabilities.anyLiquidation, agg.unitIndicators.get("anyLiquidation")!),
      anyBadDebt: proportionGain(probabilities.anyBadDebt, agg.unitIndicators.get("anyBadDebt")!),
    },
    leverage,
    series: {
      bucketSecs: shape && len > 0 ? shape.horizonSecs / len : 0,
      liquidations: agg.seriesCount.map((c) => (n > 0 ? c / n : 0)),
      volume: agg.seriesVolume.map((s) => (n > 0 ? s.value() / n : 0)),
      depeg,
      depegMin,
      depegMax,
    },
    lossHistogram: lossHistogram(agg.zeroLosses, losses),
  };
}

/** 30 equal bins over the non-zero losses (zero-loss paths counted apart). */
export function lossHistogram(zeros: number, sorted: readonly number[], bins = 30): Statistics["lossHistogram"] {
  if (sorted.length === 0) return { edges: [], counts: [], zeros };
  const lo = 0;
  const hi = sorted[sorted.length - 1]!;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (const x of sorted) counts[Math.min(bins - 1, Math.floor((x - lo) / width))]!++;
  return { edges, counts, zeros };
}
