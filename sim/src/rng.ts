/**
 * Seeded random streams for the simulator.
 *
 * - Generator: xoshiro128** (Blackman & Vigna), 128-bit state, 32-bit outputs, pure 32-bit integer
 *   arithmetic (Math.imul), which V8 compiles to a handful of machine instructions.
 * - Streams: the state of a path's stream is a bijective 128-bit mix of (seed, path index, stream
 *   index) only, so path k draws the same numbers whichever worker, shard or order runs it, and two
 *   different (seed, path, stream) triples never share a starting state.
 * - Normal: the Marsaglia–Tsang ziggurat (128 layers) on one 32-bit draw (7 bits pick the layer, the
 *   other 25 bits the position, so the layer index and the value are independent bits); the tail and
 *   wedges by exact rejection. Uniform: 53-bit resolution in [0, 1).
 * - Poisson: inversion by sequential search below mean 30, Hörmann's PTRS transformed rejection above.
 * - Antithetic twin: the same stream with every normal negated and every uniform u mapped to 1 − u
 *   (so exponential waits and small-mean Poisson counts become their antithetic counterparts; a
 *   rejection loop that runs a different number of rounds desynchronises the pair from there on,
 *   which only weakens the pairing, never the distribution).
 */
import type { Rng } from "./contract.js";

export type { Rng };

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;
const TWO_POW_52 = 4503599627370496;

/** Chris Wellons' "lowbias32" integer hash: a bijection on 32-bit words with full avalanche. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/**
 * The starting state of stream (seed, path, stream): four words built from the inputs without loss,
 * then four rounds of invertible word hashing and mixing (each step a bijection on 128 bits), so
 * distinct inputs give distinct states and a one-bit change flips about half of every word.
 */
export function streamState(seed: number, path: number, stream = 0): Uint32Array {
  checkIndex("seed", seed, Number.MAX_SAFE_INTEGER);
  checkIndex("path", path, Number.MAX_SAFE_INTEGER);
  checkIndex("stream", stream, 2047);
  let a = seed >>> 0;
  let b = Math.floor(seed / TWO_POW_32) >>> 0;
  let c = path >>> 0;
  let d = (Math.floor(path / TWO_POW_32) | (stream << 21)) >>> 0;
  for (let round = 0; round < 4; round++) {
    a = mix32((a + 0x9e3779b9 * (round + 1)) >>> 0);
    b = mix32((b ^ 0x85ebca6b) >>> 0);
    c = mix32((c + 0xc2b2ae35) >>> 0);
    d = mix32((d ^ 0x27d4eb2f) >>> 0);
    a = (a + d) >>> 0;
    b = (b ^ a) >>> 0;
    c = (c + b) >>> 0;
    d = (d ^ c) >>> 0;
  }
  if ((a | b | c | d) === 0) a = 1; // xoshiro's one forbidden state
  return Uint32Array.of(a, b, c, d);
}

function checkIndex(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer between 0 and ${max}, got ${value}`);
  }
}

// Ziggurat tables (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random Variables"),
// scaled to a 25-bit signed position: j in [−2^24, 2^24).
const ZIG_LAYERS = 128;
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_SCALE = 16777216; // 2^24
const KN = new Float64Array(ZIG_LAYERS);
const WN = new Float64Array(ZIG_LAYERS);
const FN = new Float64Array(ZIG_LAYERS);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * ZIG_SCALE;
  KN[1] = 0;
  WN[0] = q / ZIG_SCALE;
  WN[ZIG_LAYERS - 1] = dn / ZIG_SCALE;
  FN[0] = 1;
  FN[ZIG_LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = ZIG_LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * ZIG_SCALE;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / ZIG_SCALE;
  }
}

/** The ziggurat's tables, for the WebAssembly calm kernel (sim/kernel/calm.ts), which draws the same normals. */
export const ZIGGURAT = { KN, WN, FN, R: ZIG_R } as const;

/** log(k!) exactly for small k, by Stirling's series above. */
const LOG_FACT = new Float64Array(64);
for (let k = 1; k < LOG_FACT.length; k++) LOG_FACT[k] = LOG_FACT[k - 1]! + Math.log(k);
function logFactorial(k: number): number {
  if (k < LOG_FACT.length) return LOG_FACT[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** A xoshiro128** stream. Implements the contract's `Rng` plus a few helpers the models use. */
export class Xoshiro128 implements Rng {
  // The state words are int32 and start as 0 where they are declared, so V8 keeps them as small
  // integers (a declared-only field starts undefined and would be a generic field from then on).
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** +1 for the plain stream, −1 for its antithetic twin. */
  private readonly sign: number = 1;

  constructor(state: Uint32Array, antithetic = false) {
    if (state.length !== 4) throw new RangeError("xoshiro128** needs 4 state words");
    this.s0 = state[0]! | 0;
    this.s1 = state[1]! | 0;
    this.s2 = state[2]! | 0;
    this.s3 = state[3]! | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) throw new RangeError("xoshiro128** state must not be all zeros");
    this.sign = antithetic ? -1 : 1;
  }

  /** +1 for the plain stream, −1 for its antithetic twin (what every normal is multiplied by). */
  get mirror(): number {
    return this.sign;
  }

  /** Writes the state to `words[at … at + 3]`, where the WebAssembly calm kernel draws on from it. */
  saveState(words: Int32Array, at: number): void {
    words[at] = this.s0;
    words[at + 1] = this.s1;
    words[at + 2] = this.s2;
    words[at + 3] = this.s3;
  }

  /** Takes the state back from `words[at … at + 3]` after the kernel drew. */
  loadState(words: Int32Array, at: number): void {
    this.s0 = words[at]!;
    this.s1 = words[at + 1]!;
    this.s2 = words[at + 2]!;
    this.s3 = words[at + 3]!;
  }

  /** The next 32-bit output as a signed int32 (the raw generator). */
  nextInt32(): number {
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** The next 32-bit output as an unsigned integer. */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits (the antithetic twin returns 1 − u, in (0, 1]). */
  uniform(): number {
    const hi = this.nextInt32() >>> 5;
    const lo = this.nextInt32() >>> 6;
    const u = (hi * 67108864 + lo) / TWO_POW_53;
    return this.sign > 0 ? u : 1 - u;
  }

  /**
   * Uniform in the open interval (0, 1): safe under a logarithm, and mirrored exactly by the
   * antithetic twin (u → 1 − u), like `uniform()` and `normal()`. Event times and sizes (exponential
   * waits) come from here, so a pair's events are mirrored, not duplicated.
   *
   * 52 random bits k give the midpoint (k + ½)/2⁵² (exact in a double, never 0 or 1); the twin takes
   * k' = 2⁵² − 1 − k, whose midpoint is exactly 1 − u. (Issue 14: this used to flip the twin's
   * `1 − u` back, so both paths of a pair drew the same event times and sizes, which halved the
   * effective sample size of event-driven metrics while their intervals assumed all of it.)
   */
  uniformPositive(): number {
    const hi = this.nextInt32() >>> 6; // 26 bits
    const lo = this.nextInt32() >>> 6; // 26 bits
    const k = hi * 67108864 + lo; // 52 bits
    return this.sign > 0 ? (k + 0.5) / TWO_POW_52 : (TWO_POW_52 - 1 - k + 0.5) / TWO_POW_52;
  }

  /** Standard normal by the ziggurat. */
  normal(): number {
    const u = this.nextInt32();
    const i = u & 127;
    const j = u >> 7;
    if (Math.abs(j) < KN[i]!) return this.sign * j * WN[i]!;
    return this.sign * this.normalSlow(j, i);
  }

  private normalSlow(j: number, i: number): number {
    for (;;) {
      const x = j * WN[i]!;
      if (i === 0) {
        // The tail beyond R (Marsaglia 1964), sign from j.
        let tx: number;
        let ty: number;
        do {
          tx = -Math.log(this.rawUniformPositive()) / ZIG_R;
          ty = -Math.log(this.rawUniformPositive());
        } while (ty + ty < tx * tx);
        return j > 0 ? ZIG_R + tx : -ZIG_R - tx;
      }
      if (FN[i]! + this.rawUniform() * (FN[i - 1]! - FN[i]!) < Math.exp(-0.5 * x * x)) return x;
      const u = this.nextInt32();
      i = u & 127;
      j = u >> 7;
      if (Math.abs(j) < KN[i]!) return j * WN[i]!;
    }
  }

  private rawUniform(): number {
    const hi = this.nextInt32() >>> 5;
    const lo = this.nextInt32() >>> 6;
    return (hi * 67108864 + lo) / TWO_POW_53;
  }

  private rawUniformPositive(): number {
    return 1 - this.rawUniform();
  }

  /** Exponential with the given rate (mean 1/rate); +Infinity for a rate of 0. */
  exponential(rate: number): number {
    if (!(rate > 0)) return Infinity;
    return -Math.log(this.uniformPositive()) / rate;
  }

  /** Poisson count with mean `lambda` (0 for lambda ≤ 0). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      // Inversion by sequential search: one uniform per draw.
      let u = this.uniform();
      let p = Math.exp(-lambda);
      let k = 0;
      while (u > p) {
        u -= p;
        k++;
        p *= lambda / k;
        if (p === 0) break; // u beyond the representable tail
      }
      return k;
    }
    // PTRS (Hörmann 1993, "The transformed rejection method for generating Poisson random variables").
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const U = this.uniform() - 0.5;
      const V = this.uniform();
      const us = 0.5 - Math.abs(U);
      const k = Math.floor(((2 * a) / us + b) * U + lambda + 0.43);
      if (us >= 0.07 && V <= vr) return k;
      if (k < 0 || (us < 0.013 && V > us)) continue;
      if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k))
        return k;
    }
  }
}

export interface StreamOptions {
  /** Sub-stream of the path (0 by default), e.g. one for the world and one for the population. */
  stream?: number;
  /** The antithetic twin of the stream (negated normals, 1 − u uniforms). */
  antithetic?: boolean;
}

/**
 * The random stream of path `path` under `seed`: depends on (seed, path, stream) only, so results are
 * identical for any number of workers and shards.
 */
export function createRng(seed: number, path: number, options: StreamOptions = {}): Xoshiro128 {
  return new Xoshiro128(streamState(seed, path, options.stream ?? 0), options.antithetic ?? false);
}

/**
 * Adapts any contract `Rng` to the helpers the models need (an `Xoshiro128` is returned as is).
 */
export interface ModelRng extends Rng {
  uniformPositive(): number;
  exponential(rate: number): number;
}

export function asModelRng(rng: Rng): ModelRng {
  if (rng instanceof Xoshiro128) return rng;
  return {
    uniform: () => rng.uniform(),
    normal: () => rng.normal(),
    poisson: (lambda: number) => rng.poisson(lambda),
    uniformPositive(): number {
      const u = rng.uniform();
      return u > 0 ? u : Number.MIN_VALUE;
    },
    exponential(rate: number): number {
      if (!(rate > 0)) return Infinity;
      return -Math.log(this.uniformPositive()) / rate;
    },
  };
}
