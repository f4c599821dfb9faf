/**
 * The book of sub-accounts (the scenario's `population`): equity log-normal around a median, truncated
 * to [min, max]; leverage uniform on [min, max], or one of `values` with probabilities ∝ `weights`.
 * Drawn once per run from its own stream (seed, path 0, stream POPULATION_STREAM), so every path and
 * every worker or shard starts from the same book.
 */
import type { Rng } from "../contract.js";
import type { Population, PopulationSpec } from "./types.js";

export const POPULATION_STREAM = 2047;

export function buildPopulation(spec: PopulationSpec, rng: Rng): Population {
  const n = spec.subAccounts;
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`population.subAccounts must be a positive integer, got ${n}`);
  const equity = new Float64Array(n);
  const leverage = new Float64Array(n);
  const bucket = new Int32Array(n);
  const l = spec.leverage;
  let buckets: string[];
  let bucketLeverage: number[];
  if (l.values.length > 0) {
    const levels = [...new Set(l.values)].sort((a, b) => a - b);
    const weights = l.values.map((_, i) => (l.weights.length > 0 ? l.weights[i]! : 1));
    const total = weights.reduce((a, b) => a + b, 0);
    const cumulative: number[] = [];
    let acc = 0;
    for (const w of weights) {
      acc += w / total;
      cumulative.push(acc);
    }
    buckets = levels.map((x) => `${x}×`);
    bucketLeverage = levels;
    const last = l.values.length - 1;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      let k = 0;
      while (k < last && (u >= cumulative[k]! || weights[k] === 0)) k++;
      leverage[i] = l.values[k]!;
      bucket[i] = levels.indexOf(l.values[k]!);
    }
  } else {
    // Integer-wide buckets [b, b+1) over the range (one bucket for a single leverage).
    const first = Math.floor(l.min);
    const count = Math.max(1, Math.ceil(l.max) - first);
    buckets = [];
    bucketLeverage = [];
    for (let b = 0; b < count; b++) {
      const lo = Math.max(first + b, l.min);
      const hi = Math.min(first + b + 1, l.max);
      buckets.push(l.min === l.max ? `${l.min}×` : `${first + b}–${first + b + 1}×`);
      bucketLeverage.push((lo + hi) / 2);
    }
    for (let i = 0; i < n; i++) {
      const x = l.min + (l.max - l.min) * rng.uniform();
      leverage[i] = x;
      bucket[i] = Math.min(count - 1, Math.max(0, Math.floor(x) - first));
    }
  }
  const { median, sigma, min, max } = spec.equitySol;
  for (let i = 0; i < n; i++) {
    const x = median * Math.exp(sigma * rng.normal());
    equity[i] = x < min ? min : x > max ? max : x;
  }
  return { equity, leverage, bucket, buckets, bucketLeverage };
}
