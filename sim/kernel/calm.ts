// The calm-step kernel in WebAssembly (AssemblyScript; built by `npm run sim:kernel` into calm.wasm).
//
// It runs the calm steps of `PathEngine` (sim/src/engine/core.ts): the OU discount, the DEX price, the
// clean 9-member round (or, while one member's publisher is out, the round of the other eight) with its
// EMAs, the borrow index, the pool's hourly update, the maintenance price
// against the frontier's top and the observations — the same floating-point expressions in the same
// order as the models, and the same draws from the path's xoshiro128** stream, so the results are bit
// for bit those of the models. The exponential and the logarithm are V8's own `Math.exp` and `Math.log`
// (fdlibm's, below, bit for bit: test/sim/calm.test.ts checks both).
//
// It holds two paths at once, one per lane: each lane's state lives in its own bank of linear memory
// (lane A's at 0, lane B's at `LANE_B`, the same layout), which the engine writes before a run and reads
// after. `run(lane)` runs one lane; `runPair()` runs both, their arithmetic side by side in SIMD lanes
// (f64x2, and i32x4 for the members' median) while both take the plain calm step, and one lane at a
// time through the same scalar steps as `run` for the rest. Paths are independent and each lane draws
// from its own stream, so a lane's results are the same run alone or paired. A run stops where the
// engine must act — at the end of a lane's calm steps, at a frontier crossing, at the hourly update of a
// pool whose target is scripted (the pool model's own step), before the step in which a committee frame
// starts (the committee's own step), and where the EMA's weight for a new interval is needed (the sdk's
// exact decay) — and says which lane must (`SECOND_LANE` added for B). The time buckets' records go to
// each lane's series in memory, which the engine reads after the run.

// fdlibm's exp (FreeBSD e_exp.c), as V8 implements `Math.exp` (src/base/ieee754.cc), exp(1) included.
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const INV_LN2: f64 = 1.44269504088896338700e0;
const P1: f64 = 1.66666666666666019037e-1;
const P2: f64 = -2.77777777770155933842e-3;
const P3: f64 = 6.61375632143793436117e-5;
const P4: f64 = -1.65339022054652515390e-6;
const P5: f64 = 4.13813679705723846039e-8;
const E: f64 = 2.718281828459045;
const HUGE: f64 = 1.0e300;
const TWO_M1000: f64 = 9.33263618503218878990e-302;
const TWO_1023: f64 = 8.988465674311579539e307;

@inline function fdlibmExp(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  let hx = <u32>(bits >>> 32);
  const xsb = <i32>(hx >>> 31);
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) {
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | <u32>bits) != 0) return x + x;
      return xsb == 0 ? x : 0.0;
    }
    if (x > 7.09782712893383973096e2) return HUGE * HUGE;
    if (x < -7.45133219101941108420e2) return TWO_M1000 * TWO_M1000;
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) {
    if (hx < 0x3ff0a2b2) {
      if (x == 1.0) return E;
      hi = x - (xsb != 0 ? -LN2_HI : LN2_HI);
      lo = xsb != 0 ? -LN2_LO : LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = i32(INV_LN2 * x + (xsb != 0 ? -0.5 : 0.5));
      const kf = <f64>k;
      hi = x - kf * LN2_HI;
      lo = kf * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    if (HUGE + x > 1.0) return 1.0 + x;
  }
  const t = x * x;
  const twopk = reinterpret<f64>(<u64>(<u32>(0x3ff00000 + ((k >= -1021 ? k : k + 1000) << 20))) << 32);
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - (lo - (x * c) / (2.0 - c) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * TWO_1023;
    return y * twopk;
  }
  return y * twopk * TWO_M1000;
}

/** V8's `Math.exp`, for the parity test (test/sim/calm.test.ts). */
export function exp(x: f64): f64 {
  return fdlibmExp(x);
}

// fdlibm's log (FreeBSD e_log.c), as V8 implements `Math.log` (src/base/ieee754.cc). In the kernel, not
// imported: a call out of WebAssembly into JavaScript cost more than the logarithm, three times an
// hour of each path (the pool's update).
const TWO54: f64 = 1.8014398509481984e16;
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;

function fdlibmLog(x: f64): f64 {
  let hx = <i32>(reinterpret<u64>(x) >>> 32);
  const lx = <u32>reinterpret<u64>(x);
  let k: i32 = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = <i32>(reinterpret<u64>(x) >>> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  // x normalised into [√2/2, √2): its high word replaced.
  x = reinterpret<f64>((<u64>(<u32>(hx | (i ^ 0x3ff00000))) << 32) | (reinterpret<u64>(x) & 0xffffffff));
  k += i >> 20;
  const f = x - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) {
    if (f == 0) return k == 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - r : dk * LN2_HI - (r - dk * LN2_LO - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k == 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

/** V8's `Math.log`, for the parity test (test/sim/calm.test.ts). */
export function log(x: f64): f64 {
  return fdlibmLog(x);
}

// The memory's layout, exported with the slots and the exit codes below: sim/src/engine/calmWasm.ts
// reads the layout from these exports and checks its own table of slots and codes against them at load.
// A lane's bank: f64 slots at bank + 8·k, then i32 words at these offsets within the bank — the stream's
// state (4 words), the last two rounds' raw noises, one round sorted, which raw buffer is the last.
export const STREAM: usize = 1024;
export const RAW_A: usize = 1088;
export const RAW_B: usize = 1152;
export const SORTED: usize = 1216;
export const CURRENT: usize = 1280; // which raw buffer holds the last step's noises (0: A, 1: B)
// In lane A's bank only: the two-lane step's last two rounds, alternately at PAIRS and PAIRS + 72, member
// k's noises of both lanes side by side at + 8k (i32x4 lanes 0 and 1 of the median network's input).
const PAIRS: usize = 1536;
// The ziggurat's tables (128 doubles each), copied from sim/src/rng.ts.
export const KN: usize = 2048;
export const WN: usize = 3072;
export const FN: usize = 4096;
// Each lane's pool's rate table (10,001 doubles, 80,008 bytes: the APR at each bps of utilisation).
export const TABLE_A: usize = 65536;
export const TABLE_B: usize = 145552;
// Each lane's series of time buckets (engine.seriesDepeg, …Min, …Max): three doubles a bucket, for as
// many buckets as a path can have (EngineParams.seriesBuckets ≤ SERIES_CAPACITY).
export const SERIES_CAPACITY: i32 = 10_000;
export const SERIES_A: usize = 262144;
export const SERIES_B: usize = 524288;
// The two-lane step's loop-invariant vectors (`held`), 16 bytes each, up to HELD_CAPACITY of them.
export const HELD: usize = 764288;
export const HELD_CAPACITY: i32 = 48;
// Lane B's bank (lane A's is at 0). The constants the lanes share (Z_SCALE, MIN_LOG, FILTER_SLACK,
// ZIG_R) and the bounds' outputs (OUT_A, OUT_B) are lane A's slots.
export const LANE_B: usize = 5120;

export const END: i32 = 0;
export const CROSSED: i32 = 1;
export const POOL: i32 = 2;
export const KEEP: i32 = 4;
export const FRAME: i32 = 6;
/** Added to the exit code when lane B must act (`runPair`). */
export const SECOND_LANE: i32 = 8;
/** A lane's step in progress is done (within `runPair`, never returned). */
const BOUNDARY: i32 = 5;

// Slot indices (checked against sim/src/engine/calmWasm.ts's `SLOT` when the module is loaded).
export const STEP_SECS: i32 = 0;
export const UNTIL: i32 = 1;
export const STALE_AFTER: i32 = 2;
export const TRUE_RATE: i32 = 3;
export const HAS_FLOOR: i32 = 4;
export const FLOOR: i32 = 5;
export const LEVEL: i32 = 6;
export const SD: i32 = 7;
export const SLOW_DECAY: i32 = 8;
export const SLOW_NOISE: i32 = 9;
export const IMPACT_DECAY: i32 = 10;
export const DEPTH: i32 = 11;
export const RESERVE_MAX: i32 = 12;
export const REFILL: i32 = 13;
export const QUANTUM: i32 = 14;
export const MAX_CONF: i32 = 15;
export const QUORUM_LAG: i32 = 16;
export const TOTAL_SHARES: i32 = 17;
export const RESERVE_FACTOR: i32 = 18;
export const PRICING: i32 = 19;
export const PESS: i32 = 20;
export const BUNKER: i32 = 21;
export const OPEN_FAIR: i32 = 22;
export const LAST_STEP: i32 = 23;
export const BUCKET_STEPS: i32 = 24;
export const TOP: i32 = 25;
export const STEPS: i32 = 26;
export const SIGN: i32 = 27;
export const Z_SCALE: i32 = 28;
export const MIN_LOG: i32 = 29;
export const FILTER_SLACK: i32 = 71;
export const ZIG_R: i32 = 72;
export const OUT_A: i32 = 73;
export const OUT_B: i32 = 74;
export const IDX: i32 = 30;
export const S: i32 = 31;
export const SLOW: i32 = 32;
export const IMPACT: i32 = 33;
export const RESERVE: i32 = 34;
export const ARBITRAGE: i32 = 35;
export const LOG_DISCOUNT: i32 = 36;
export const DEX: i32 = 37;
export const AVAILABLE: i32 = 38;
export const MARKET_PRICE: i32 = 39;
export const SPOT: i32 = 40;
export const LOW: i32 = 41;
export const CONFIDENCE: i32 = 42;
export const EMA: i32 = 43;
export const EMA_LOW: i32 = 44;
export const EMA_TS: i32 = 45;
export const PRICE_TS: i32 = 46;
export const KEEP_SINCE: i32 = 47;
export const KEEP_W: i32 = 48;
export const CENTER: i32 = 49;
export const ROUND_CONF: i32 = 50;
export const LAZY: i32 = 51;
export const UNTIL_UPDATE: i32 = 52;
export const GROWTH: i32 = 53;
export const INDEX: i32 = 54;
export const INSURANCE: i32 = 55;
export const BUNKER_STEPS: i32 = 56;
export const MAX_DISCOUNT: i32 = 57;
export const BUCKET_LO: i32 = 58;
export const BUCKET_HI: i32 = 59;
export const SERIES_LEFT: i32 = 60;
export const SERIES_AT: i32 = 61;
export const MAINT: i32 = 62;
export const INIT: i32 = 63;
export const T: i32 = 64;
export const PHASE: i32 = 65;
export const SINCE: i32 = 69;
export const PREVIOUS_DEX: i32 = 70;
// The pool's hourly update (BorrowRateModel.move), run here when its target is not scripted.
export const POOL_RUNS: i32 = 75;
export const SUPPLY: i32 = 76;
export const EXTERNAL_U: i32 = 77;
export const POPULATION_DELTA: i32 = 78;
export const INITIAL_SUPPLY: i32 = 79;
export const LOG_SUPPLY: i32 = 80;
export const S_DECAY: i32 = 81;
export const S_NOISE: i32 = 82;
export const U_DECAY: i32 = 83;
export const U_NOISE: i32 = 84;
export const PREV_MEAN: i32 = 85;
export const TARGET_U: i32 = 86;
export const MAX_U: i32 = 87;
export const UPDATE_EVERY: i32 = 88;
export const UTILIZATION: i32 = 89;
export const POOL_PEAK: i32 = 90;
export const APR: i32 = 91;
export const ENGINE_PEAK: i32 = 92;
export const YEAR: i32 = 93;
// The rounds with one member's publisher out: that member (−1: clean rounds), and the time of the last
// such round that agreed in this run (−1: none did).
export const SOLO: i32 = 94;
export const AGREED_T: i32 = 95;
// The next committee frame's start: the run stops before the step it falls in (`FRAME`).
export const FRAME_AT: i32 = 96;

// Where a resumed run picks up within a step.
const PHASE_NEXT_STEP = 0;
const PHASE_EMA = 1;
const PHASE_POOL = 2;
const PHASE_ENGINE = 3;

@inline function get(bank: usize, k: i32): f64 {
  return load<f64>(bank + (<usize>k << 3));
}

@inline function put(bank: usize, k: i32, v: f64): void {
  store<f64>(bank + (<usize>k << 3), v);
}

// xoshiro128** on the words of the stream at `st` in memory (sim/src/rng.ts `nextInt32`).
@inline function nextInt32(st: usize): i32 {
  const s0 = load<i32>(st);
  const s1 = load<i32>(st, 4);
  let s2 = load<i32>(st, 8);
  let s3 = load<i32>(st, 12);
  const x = s1 * 5;
  const result = rotl<i32>(x, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  store<i32>(st, s0 ^ s3);
  store<i32>(st, s1 ^ s2, 4);
  store<i32>(st, s2 ^ t, 8);
  store<i32>(st, rotl<i32>(s3, 11), 12);
  return result;
}

function rawUniform(st: usize): f64 {
  const hi = <u32>nextInt32(st) >>> 5;
  const lo = <u32>nextInt32(st) >>> 6;
  return (<f64>hi * 67108864 + <f64>lo) / 9007199254740992;
}

// The ziggurat's slow path (rng.ts `normalSlow`).
function normalSlow(st: usize, j: i32, i: i32): f64 {
  const r = get(0, ZIG_R);
  for (;;) {
    const x = <f64>j * load<f64>(WN + (<usize>i << 3));
    if (i == 0) {
      let tx: f64;
      let ty: f64;
      do {
        tx = -fdlibmLog(1 - rawUniform(st)) / r;
        ty = -fdlibmLog(1 - rawUniform(st));
      } while (ty + ty < tx * tx);
      return j > 0 ? r + tx : -r - tx;
    }
    const fi = load<f64>(FN + (<usize>i << 3));
    if (fi + rawUniform(st) * (load<f64>(FN + (<usize>(i - 1) << 3)) - fi) < fdlibmExp(-0.5 * x * x)) return x;
    const u = nextInt32(st);
    i = u & 127;
    j = u >> 7;
    if (<f64>abs<i32>(j) < load<f64>(KN + (<usize>i << 3))) return <f64>j * load<f64>(WN + (<usize>i << 3));
  }
  return 0; // unreachable: the loop returns
}

// rng.ts `normal` from the stream at `st`: the antithetic twin's sign applied as there.
@inline function normalAt(st: usize, sign: f64): f64 {
  const u = nextInt32(st);
  if (inZigguratLayer(u)) return zigguratNormal(u, sign);
  return sign * normalSlow(st, u >> 7, u & 127);
}

// The word `u` falls inside its ziggurat layer's rectangle: its normal is `zigguratNormal` (the fast path).
@inline function inZigguratLayer(u: i32): bool {
  return <f64>abs<i32>(u >> 7) < load<f64>(KN + (<usize>(u & 127) << 3));
}

@inline function zigguratNormal(u: i32, sign: f64): f64 {
  return sign * <f64>(u >> 7) * load<f64>(WN + (<usize>(u & 127) << 3));
}

@inline function memberPrice(dex: f64, quantum: f64, q: i32): f64 {
  return dex * (1 + quantum * <f64>q);
}

// models/marketOracle.ts `cleanDeviation` on a sorted buffer.
function cleanDeviation(sorted: usize, dex: f64, quantum: f64): f64 {
  const center = memberPrice(dex, quantum, load<i32>(sorted, 16));
  const a0 = center - memberPrice(dex, quantum, load<i32>(sorted, 12));
  const a1 = center - memberPrice(dex, quantum, load<i32>(sorted, 8));
  const a2 = center - memberPrice(dex, quantum, load<i32>(sorted, 4));
  const a3 = center - memberPrice(dex, quantum, load<i32>(sorted, 0));
  const b0 = memberPrice(dex, quantum, load<i32>(sorted, 20)) - center;
  const b1 = memberPrice(dex, quantum, load<i32>(sorted, 24)) - center;
  const b2 = memberPrice(dex, quantum, load<i32>(sorted, 28)) - center;
  const b3 = memberPrice(dex, quantum, load<i32>(sorted, 32)) - center;
  return min(min(min(min(a3, b3), max(a0, b2)), max(a1, b1)), max(a2, b0));
}

@inline function lo(a: i32, b: i32): i32 {
  return select<i32>(a, b, a < b);
}

@inline function hi(a: i32, b: i32): i32 {
  return select<i32>(b, a, a < b);
}

/** marketOracle.ts `sort9`: the 9 noises at `raw` sorted into `sorted`. */
function sort9(raw: usize, sorted: usize): void {
  let x0 = load<i32>(raw, 0);
  let x1 = load<i32>(raw, 4);
  let x2 = load<i32>(raw, 8);
  let x3 = load<i32>(raw, 12);
  let x4 = load<i32>(raw, 16);
  let x5 = load<i32>(raw, 20);
  let x6 = load<i32>(raw, 24);
  let x7 = load<i32>(raw, 28);
  let x8 = load<i32>(raw, 32);
  let t: i32 = 0;
  t = lo(x0, x3); x3 = hi(x0, x3); x0 = t;
  t = lo(x1, x7); x7 = hi(x1, x7); x1 = t;
  t = lo(x2, x5); x5 = hi(x2, x5); x2 = t;
  t = lo(x4, x8); x8 = hi(x4, x8); x4 = t;
  t = lo(x0, x7); x7 = hi(x0, x7); x0 = t;
  t = lo(x2, x4); x4 = hi(x2, x4); x2 = t;
  t = lo(x3, x8); x8 = hi(x3, x8); x3 = t;
  t = lo(x5, x6); x6 = hi(x5, x6); x5 = t;
  t = lo(x0, x2); x2 = hi(x0, x2); x0 = t;
  t = lo(x1, x3); x3 = hi(x1, x3); x1 = t;
  t = lo(x4, x5); x5 = hi(x4, x5); x4 = t;
  t = lo(x7, x8); x8 = hi(x7, x8); x7 = t;
  t = lo(x1, x4); x4 = hi(x1, x4); x1 = t;
  t = lo(x3, x6); x6 = hi(x3, x6); x3 = t;
  t = lo(x5, x7); x7 = hi(x5, x7); x5 = t;
  t = lo(x0, x1); x1 = hi(x0, x1); x0 = t;
  t = lo(x2, x4); x4 = hi(x2, x4); x2 = t;
  t = lo(x3, x5); x5 = hi(x3, x5); x3 = t;
  t = lo(x6, x8); x8 = hi(x6, x8); x6 = t;
  t = lo(x2, x3); x3 = hi(x2, x3); x2 = t;
  t = lo(x4, x5); x5 = hi(x4, x5); x4 = t;
  t = lo(x6, x7); x7 = hi(x6, x7); x6 = t;
  t = lo(x1, x2); x2 = hi(x1, x2); x1 = t;
  t = lo(x3, x4); x4 = hi(x3, x4); x3 = t;
  t = lo(x5, x6); x6 = hi(x5, x6); x5 = t;
  store<i32>(sorted, x0, 0);
  store<i32>(sorted, x1, 4);
  store<i32>(sorted, x2, 8);
  store<i32>(sorted, x3, 12);
  store<i32>(sorted, x4, 16);
  store<i32>(sorted, x5, 20);
  store<i32>(sorted, x6, 24);
  store<i32>(sorted, x7, 28);
  store<i32>(sorted, x8, 32);
}

/**
 * The band of the clean round whose noises are at `raw` (marketOracle.ts `cleanDeviation` of them sorted
 * into `sorted`).
 */
function bandOf(raw: usize, sorted: usize, dex: f64, quantum: f64): f64 {
  sort9(raw, sorted);
  return cleanDeviation(sorted, dex, quantum);
}

/**
 * A lane's round in the one-lane step: the 9 members' quantised noises drawn from the stream at `st`
 * into `raw` (the two-lane step draws both lanes' rounds with `drawPairs`).
 */
function drawRound(st: usize, sign: f64, scale: f64, raw: usize): void {
  store<i32>(raw, i32(normalAt(st, sign) * scale), 0);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 4);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 8);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 12);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 16);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 20);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 24);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 28);
  store<i32>(raw, i32(normalAt(st, sign) * scale), 32);
}

/**
 * `n` normals from each lane's stream, one from each in turn, the numbers `normalAt` draws. Both streams'
 * words stay in locals (in memory only around the ziggurat's slow path), so the two streams' chains of
 * dependent operations overlap: drawn from memory in turn they ran 1.2× slower, and with the rounds
 * interleaved that way the whole step ran at a third of the speed (measured).
 * `T` = i32: each normal × `scale`, truncated (as the models' `| 0`: |z| stays far below 2^7), both lanes'
 * side by side at `pairs` + 8k (both lanes' rounds, `runBoth`, which copies a lane's into its raw buffers
 * only where they are read: `unpair`);
 * `T` = f64: their sums in lane A's OUT_A and OUT_B (the bound a′, bench/sim.ts).
 */
// A stream's four words, held in a caller's locals, back into memory at `st` (`drawPairs`).
@inline function storeStream(st: usize, s0: i32, s1: i32, s2: i32, s3: i32): void {
  store<i32>(st, s0);
  store<i32>(st, s1, 4);
  store<i32>(st, s2, 8);
  store<i32>(st, s3, 12);
}

@inline function drawPairs<T>(n: i32, signA: f64, signB: f64, scale: f64, pairs: usize): void {
  const stA = STREAM;
  const stB = LANE_B + STREAM;
  let a0 = load<i32>(stA);
  let a1 = load<i32>(stA, 4);
  let a2 = load<i32>(stA, 8);
  let a3 = load<i32>(stA, 12);
  let b0 = load<i32>(stB);
  let b1 = load<i32>(stB, 4);
  let b2 = load<i32>(stB, 8);
  let b3 = load<i32>(stB, 12);
  let sumA: f64 = 0;
  let sumB: f64 = 0;
  for (let k = 0; k < n; k++) {
    // xoshiro128** (`nextInt32`) on both streams.
    const ua = rotl<i32>(a1 * 5, 7) * 9;
    const ta = a1 << 9;
    a2 ^= a0;
    a3 ^= a1;
    a1 ^= a2;
    a0 ^= a3;
    a2 ^= ta;
    a3 = rotl<i32>(a3, 11);
    const ub = rotl<i32>(b1 * 5, 7) * 9;
    const tb = b1 << 9;
    b2 ^= b0;
    b3 ^= b1;
    b1 ^= b2;
    b0 ^= b3;
    b2 ^= tb;
    b3 = rotl<i32>(b3, 11);
    let za: f64;
    if (inZigguratLayer(ua)) za = zigguratNormal(ua, signA);
    else {
      storeStream(stA, a0, a1, a2, a3);
      za = signA * normalSlow(stA, ua >> 7, ua & 127);
      a0 = load<i32>(stA);
      a1 = load<i32>(stA, 4);
      a2 = load<i32>(stA, 8);
      a3 = load<i32>(stA, 12);
    }
    let zb: f64;
    if (inZigguratLayer(ub)) zb = zigguratNormal(ub, signB);
    else {
      storeStream(stB, b0, b1, b2, b3);
      zb = signB * normalSlow(stB, ub >> 7, ub & 127);
      b0 = load<i32>(stB);
      b1 = load<i32>(stB, 4);
      b2 = load<i32>(stB, 8);
      b3 = load<i32>(stB, 12);
    }
    if (isInteger<T>()) {
      v128.store64_lane(pairs + (<usize>k << 3), i32x4.trunc_sat_f64x2_s_zero(f64x2.mul(pairOf(za, zb), f64x2.splat(scale))), 0);
    } else {
      sumA += za;
      sumB += zb;
    }
  }
  storeStream(stA, a0, a1, a2, a3);
  storeStream(stB, b0, b1, b2, b3);
  if (!isInteger<T>()) {
    put(0, OUT_A, sumA);
    put(0, OUT_B, sumB);
  }
}

// Lane `lane`'s noises of the round at `pairs` (both lanes' side by side) into `raw`, in member order.
function unpair(pairs: usize, lane: usize, raw: usize): void {
  for (let m: usize = 0; m < 9; m++) store<i32>(raw + (m << 2), load<i32>(pairs + (m << 3) + (lane << 2)));
}

/** The smallest of the last round's noises (set by `roundNoises`). */
let roundMin: i32 = 0;

/**
 * Draws the 9 members' quantised noises into `raw` (`drawRound`) and returns their median, the smallest in
 * `roundMin`: each row of three sorted, then the median by Devillard's 19-exchange network pruned to
 * the exchanges whose outputs are read (the full sort, `sort9`, only where the band is computed).
 */
@inline function roundNoises(st: usize, raw: usize, sign: f64, scale: f64): i32 {
  drawRound(st, sign, scale, raw);
  let x0 = load<i32>(raw, 0);
  let x1 = load<i32>(raw, 4);
  let x2 = load<i32>(raw, 8);
  let x3 = load<i32>(raw, 12);
  let x4 = load<i32>(raw, 16);
  let x5 = load<i32>(raw, 20);
  let x6 = load<i32>(raw, 24);
  let x7 = load<i32>(raw, 28);
  let x8 = load<i32>(raw, 32);
  let t: i32 = 0;
  t = lo(x1, x2); x2 = hi(x1, x2); x1 = t;
  t = lo(x4, x5); x5 = hi(x4, x5); x4 = t;
  t = lo(x7, x8); x8 = hi(x7, x8); x7 = t;
  t = lo(x0, x1); x1 = hi(x0, x1); x0 = t;
  t = lo(x3, x4); x4 = hi(x3, x4); x3 = t;
  t = lo(x6, x7); x7 = hi(x6, x7); x6 = t;
  t = lo(x1, x2); x2 = hi(x1, x2); x1 = t;
  t = lo(x4, x5); x5 = hi(x4, x5); x4 = t;
  t = lo(x7, x8); x8 = hi(x7, x8); x7 = t;
  roundMin = lo(lo(x0, x3), x6);
  x3 = hi(x0, x3);
  x5 = lo(x5, x8);
  t = lo(x4, x7); x7 = hi(x4, x7); x4 = t;
  x6 = hi(x3, x6);
  x4 = hi(x1, x4);
  x2 = lo(x2, x5);
  x4 = lo(x4, x7);
  t = lo(x4, x2); x2 = hi(x4, x2); x4 = t;
  x4 = hi(x6, x4);
  return lo(x4, x2);
}

// The lane at `b`'s series of time buckets.
@inline function seriesOf(b: usize): usize {
  return b == 0 ? SERIES_A : SERIES_B;
}

// A time bucket's record: the depeg at its last step and its lowest and highest.
@inline function closeBucket(series: usize, at: f64, depeg: f64, lo: f64, hi: f64): void {
  const entry = series + <usize>(<i32>at) * 24;
  store<f64>(entry, depeg);
  store<f64>(entry, lo, 8);
  store<f64>(entry, hi, 16);
}

/**
 * Steps of the lane at `b` whose lowest and highest DEX prices are `low` and `high` (`runBoth`), folded
 * into the lane's deepest discount and its time bucket's lowest and highest depeg: within a run both are
 * monotone in the price (a division by a constant of the run, then a constant added), so they are the
 * discount and the depegs at those two prices, bit for bit. No steps (±∞) change nothing.
 */
function foldPrices(b: usize, low: f64, high: f64): void {
  const discount = discountAt(low, get(b, TRUE_RATE));
  if (discount > get(b, MAX_DISCOUNT)) put(b, MAX_DISCOUNT, discount);
  const lo = depegAt(low, get(b, OPEN_FAIR));
  if (lo < get(b, BUCKET_LO)) put(b, BUCKET_LO, lo);
  const hi = depegAt(high, get(b, OPEN_FAIR));
  if (hi > get(b, BUCKET_HI)) put(b, BUCKET_HI, hi);
}

// The depeg at a DEX price against the fair rate the path opened at, and the discount against the true
// rate: the one-lane step's per step, the two-lane step's at a bucket's and a run's end (`foldPrices`).
@inline function depegAt(dex: f64, openFair: f64): f64 {
  return dex / openFair - 1;
}

@inline function discountAt(dex: f64, trueRate: f64): f64 {
  return 1 - dex / trueRate;
}

// A time bucket of the lane at `b` ends at a step of `runBoth` with this DEX price: its record, and the
// next bucket from scratch.
function endBucket(b: usize, dex: f64): void {
  const at = get(b, SERIES_AT);
  closeBucket(seriesOf(b), at, depegAt(dex, get(b, OPEN_FAIR)), get(b, BUCKET_LO), get(b, BUCKET_HI));
  put(b, SERIES_AT, at + 1);
  put(b, BUCKET_LO, Infinity);
  put(b, BUCKET_HI, -Infinity);
}

// The last round of the other eight members (`soloRound`): its median, lower median and band.
let soloPrice: f64 = 0;
let soloLow: f64 = 0;
let soloConf: f64 = 0;

// The price of the i-th lowest of the noises sorted at `sorted`.
@inline function priceAt(sorted: usize, i: i32, dex: f64, quantum: f64): f64 {
  return memberPrice(dex, quantum, load<i32>(sorted + (<usize>i << 2)));
}

/**
 * A round with one member's publisher out (marketOracle.ts `generalRound` and `fastRound` for eight fresh
 * members): the other eight's quantised noises drawn in member order into `raw`, sorted into `sorted`;
 * their prices rise with the noise, so the sorted noises give the sorted prices. Their median (the mean
 * of the middle two, approx.ts `median`), lower median and band (`deviation`) go to `soloPrice`,
 * `soloLow` and `soloConf`; returns whether the members agree (`roundAgrees`).
 */
function soloRound(st: usize, raw: usize, sorted: usize, sign: f64, scale: f64, dex: f64, quantum: f64, maxConf: f64): bool {
  for (let m: usize = 0; m < 8; m++) {
    const q = i32(normalAt(st, sign) * scale);
    store<i32>(raw + (m << 2), q);
    // Insertion into the sorted prefix.
    let j = m;
    while (j > 0 && load<i32>(sorted + ((j - 1) << 2)) > q) {
      store<i32>(sorted + (j << 2), load<i32>(sorted + ((j - 1) << 2)));
      j--;
    }
    store<i32>(sorted + (j << 2), q);
  }
  const low = priceAt(sorted, 3, dex, quantum);
  const center = low + (priceAt(sorted, 4, dex, quantum) - low) / 2;
  // The median absolute deviation: the deviations below and above the center are two ascending runs,
  // merged up to the middle two (approx.ts `deviation`, n = 8).
  let split: i32 = 0;
  while (split < 8 && priceAt(sorted, split, dex, quantum) <= center) split++;
  let lo = split - 1;
  let hi = split;
  let first: f64 = 0;
  for (let k = 0; k < 4; k++) {
    const below = lo >= 0 ? center - priceAt(sorted, lo, dex, quantum) : Infinity;
    const above = hi < 8 ? priceAt(sorted, hi, dex, quantum) - center : Infinity;
    if (below <= above) {
      lo--;
      first = below;
    } else {
      hi++;
      first = above;
    }
  }
  const below = lo >= 0 ? center - priceAt(sorted, lo, dex, quantum) : Infinity;
  const above = hi < 8 ? priceAt(sorted, hi, dex, quantum) - center : Infinity;
  const second = below <= above ? below : above;
  soloPrice = center;
  soloLow = low;
  soloConf = first + (second - first) / 2;
  return soloConf * 10_000 <= center * maxConf;
}

// The floor's lift of a lane's discount (DiscountModel.step): the instant-unstake arbitrage up to the
// floor while the reserve lasts, then the model's lower bound; its results in these globals.
let liftTotal: f64 = 0;
let liftImpact: f64 = 0;
let liftReserve: f64 = 0;
let liftArbitrage: f64 = 0;

@inline function lift(bank: usize, total: f64, impact: f64, reserve: f64, arbitrage: f64): void {
  if (get(bank, HAS_FLOOR) != 0 && total < get(bank, FLOOR) && reserve > 0) {
    const depth = get(bank, DEPTH);
    const wanted = ((get(bank, FLOOR) - total) / 0.01) * depth;
    const used = min(wanted, reserve);
    reserve -= used;
    arbitrage += used;
    const lift = (0.01 * used) / depth;
    impact += lift;
    total += lift;
  }
  const minLog = get(0, MIN_LOG);
  if (total < minLog) {
    impact += minLog - total;
    total = minLog;
  }
  liftTotal = total;
  liftImpact = impact;
  liftReserve = reserve;
  liftArbitrage = arbitrage;
}

// A lane's agreement when its round's quick test failed: the band of its round, and the previous
// round's where that is still owed (the models' lazy band); the confidence and the band in these globals.
let bandConfidence: f64 = 0;
let bandRoundConf: f64 = 0;

function agreesByBand(bank: usize, raw: usize, previous: usize, dex: f64, previousDex: f64, center: f64, lazy: bool): bool {
  const quantum = get(bank, QUANTUM);
  bandRoundConf = bandOf(raw, bank + SORTED, dex, quantum);
  const agrees = bandRoundConf * 10_000 <= center * get(bank, MAX_CONF);
  if (agrees) bandConfidence = bandRoundConf;
  else if (lazy) bandConfidence = bandOf(previous, bank + SORTED, previousDex, quantum);
  return agrees;
}

@inline function clampU(u: f64): f64 {
  return min(1 - 1e-6, max(1e-6, u));
}

@inline function logit(u: f64): f64 {
  return fdlibmLog(u / (1 - u));
}

/**
 * The pool's hourly update of the lane at `b` at time `t` (models/borrowRate.ts `move` with no net
 * borrowing and no flow due, its target not scripted): the supply's OU step, the other borrowers'
 * utilisation, the utilisation cap, the APR from the lane's rate table, and the borrow index's growth
 * over a step at that APR (approx.ts `growth`). The same expressions in the same order, the same draws.
 */
function poolHourly(b: usize, t: f64): void {
  const st = b + STREAM;
  const sign = get(b, SIGN);
  let supply = get(b, SUPPLY);
  let external = get(b, EXTERNAL_U);
  const delta = get(b, POPULATION_DELTA);
  const sNoise = get(b, S_NOISE);
  let logSupply = get(b, LOG_SUPPLY);
  put(b, UNTIL_UPDATE, get(b, UPDATE_EVERY));
  if (sNoise > 0 || logSupply != 0) {
    const z = sNoise > 0 ? normalAt(st, sign) : 0;
    const initial = get(b, INITIAL_SUPPLY);
    const next = initial * fdlibmExp(logSupply * get(b, S_DECAY) + sNoise * z);
    // setSupply: lenders can only take cash, the supply stays at or above the debt.
    const s = max(next, max(external * supply + delta, 1e-9));
    external = (external * supply) / s;
    supply = s;
    logSupply = fdlibmLog(s / initial);
  }
  const mean = logit(clampU(get(b, TARGET_U)));
  const before = external;
  const y = logit(clampU(before));
  const uNoise = get(b, U_NOISE);
  const z = uNoise > 0 ? normalAt(st, sign) : 0;
  let next = 1 / (1 + fdlibmExp(-(mean + (y - get(b, PREV_MEAN)) * get(b, U_DECAY) + uNoise * z)));
  const cap = get(b, MAX_U) / 10_000 - delta / supply;
  if (next > before && next > cap) next = max(before, cap);
  external = next;
  const u = min(1, max(0, (external * supply + delta) / supply));
  const bps = min(10_000, max(0, ceil(u * 10_000 - 1e-9)));
  const apr = load<f64>((b == 0 ? TABLE_A : TABLE_B) + (<usize>i32(bps) << 3));
  if (u > get(b, POOL_PEAK)) put(b, POOL_PEAK, u);
  if (u > get(b, ENGINE_PEAK)) put(b, ENGINE_PEAK, u);
  if (apr != get(b, APR)) {
    const x = (apr * get(b, STEP_SECS)) / get(0, YEAR);
    const x2 = (x * x) / 2;
    put(b, GROWTH, 1 + x + x2 + (x2 * x) / 3);
  }
  put(b, SUPPLY, supply);
  put(b, EXTERNAL_U, external);
  put(b, LOG_SUPPLY, logSupply);
  put(b, PREV_MEAN, mean);
  put(b, UTILIZATION, u);
  put(b, APR, apr);
}

/**
 * Runs the calm steps of the lane whose bank is at `b` from its state in memory until the engine must
 * act, and returns why it stopped; with `toBoundary`, also when the step in progress is done (`BOUNDARY`).
 */
function runLane(b: usize, toBoundary: bool): i32 {
  const stepSecs = get(b, STEP_SECS);
  const until = get(b, UNTIL);
  const frameAt = get(b, FRAME_AT);
  const staleAfter = get(b, STALE_AFTER);
  const trueRate = get(b, TRUE_RATE);
  const level = get(b, LEVEL);
  const sd = get(b, SD);
  const slowDecay = get(b, SLOW_DECAY);
  const slowNoise = get(b, SLOW_NOISE);
  const impactDecay = get(b, IMPACT_DECAY);
  const reserveMax = get(b, RESERVE_MAX);
  const refill = get(b, REFILL);
  const quantum = get(b, QUANTUM);
  const maxConf = get(b, MAX_CONF);
  const quorumLag = get(b, QUORUM_LAG);
  const totalShares = get(b, TOTAL_SHARES);
  const reserveFactor = get(b, RESERVE_FACTOR);
  const pricing = i32(get(b, PRICING));
  const pess = get(b, PESS);
  const bunker = get(b, BUNKER) != 0;
  const openFair = get(b, OPEN_FAIR);
  const lastStep = get(b, LAST_STEP);
  const bucketSteps = get(b, BUCKET_STEPS);
  const top = get(b, TOP);
  const steps = get(b, STEPS);
  const sign = get(b, SIGN);
  const zScale = get(0, Z_SCALE);
  const filterSlack = get(0, FILTER_SLACK);
  let idx = get(b, IDX);
  let s = get(b, S);
  let slow = get(b, SLOW);
  let impact = get(b, IMPACT);
  let reserve = get(b, RESERVE);
  let arbitrage = get(b, ARBITRAGE);
  let logDiscount = get(b, LOG_DISCOUNT);
  let dex = get(b, DEX);
  let previousDex = get(b, PREVIOUS_DEX);
  let available = get(b, AVAILABLE) != 0;
  let marketPrice = get(b, MARKET_PRICE);
  let spot = get(b, SPOT);
  let low = get(b, LOW);
  let confidence = get(b, CONFIDENCE);
  let ema = get(b, EMA);
  let emaLow = get(b, EMA_LOW);
  let emaTs = get(b, EMA_TS);
  let priceTs = get(b, PRICE_TS);
  const keepSince = get(b, KEEP_SINCE);
  let center = get(b, CENTER);
  let roundConf = get(b, ROUND_CONF);
  let lazy = get(b, LAZY) != 0;
  let untilUpdate = get(b, UNTIL_UPDATE);
  let growth = get(b, GROWTH);
  let index = get(b, INDEX);
  let insurance = get(b, INSURANCE);
  let bunkerSteps = get(b, BUNKER_STEPS);
  let maxDiscount = get(b, MAX_DISCOUNT);
  let bucketLo = get(b, BUCKET_LO);
  let bucketHi = get(b, BUCKET_HI);
  let seriesLeft = get(b, SERIES_LEFT);
  let seriesAt = get(b, SERIES_AT);
  let maint = get(b, MAINT);
  let init = get(b, INIT);
  let t = get(b, T);
  let phase = i32(get(b, PHASE));
  let current = load<i32>(b + CURRENT);
  const solo = get(b, SOLO) >= 0;
  const st = b + STREAM;
  let code = END;
  for (;;) {
    if (phase == PHASE_NEXT_STEP) {
      if (toBoundary) {
        code = BOUNDARY;
        break;
      }
      if (!(s < steps)) break;
      const tNext = (idx + 1) * stepSecs;
      if (!(tNext < until) || tNext > staleAfter) break;
      if (tNext >= frameAt) {
        // The committee's step comes first in a step: this side runs it, then the run goes on.
        code = FRAME;
        break;
      }
      t = tNext;
      idx++;
      // The discount (DiscountModel.step without events): OU step, impact decay, reserve, floor.
      slow = level + (slow - level) * slowDecay;
      if (sd > 0) slow += sd * slowNoise * normalAt(st, sign);
      const flash: f64 = 0;
      impact *= impactDecay;
      if (reserve < reserveMax) reserve = min(reserveMax, reserve + refill);
      lift(b, slow + flash + impact, impact, reserve, arbitrage);
      impact = liftImpact;
      reserve = liftReserve;
      arbitrage = liftArbitrage;
      logDiscount = liftTotal;
      previousDex = dex;
      dex = trueRate * fdlibmExp(logDiscount);
      // The clean round: the raw buffers alternate, the previous step's stays at hand (`lazy`).
      current ^= 1;
      const raw = b + (current == 0 ? RAW_A : RAW_B);
      const previous = b + (current == 0 ? RAW_B : RAW_A);
      let agrees: bool;
      if (solo) {
        agrees = soloRound(st, raw, b + SORTED, sign, zScale, dex, quantum, maxConf);
        if (agrees) {
          confidence = soloConf;
          put(b, AGREED_T, t);
        }
      } else {
        center = memberPrice(dex, quantum, roundNoises(st, raw, sign, zScale));
        agrees = (center - memberPrice(dex, quantum, roundMin)) * 10_000 <= center * maxConf;
        if (agrees) lazy = true;
        else {
          bandConfidence = confidence;
          agrees = agreesByBand(b, raw, previous, dex, previousDex, center, lazy);
          confidence = bandConfidence;
          roundConf = bandRoundConf;
          lazy = false;
        }
      }
      if (!agrees) {
        marketPrice = 0;
        spot = 0;
        available = false;
        phase = PHASE_POOL;
      } else {
        marketPrice = solo ? soloPrice : center;
        spot = marketPrice;
        low = solo ? soloLow : center;
        phase = PHASE_EMA;
      }
    }
    if (phase == PHASE_EMA) {
      const since = t - emaTs;
      if (since != keepSince) {
        put(b, SINCE, since);
        code = KEEP;
        break;
      }
      const k = get(b, KEEP_W);
      ema = ema == 0 ? marketPrice : ema * k + marketPrice * (1 - k);
      emaLow = emaLow == 0 ? low : emaLow * k + low * (1 - k);
      emaTs = t;
      // The general round leaves the quorum's time to a round that fails (marketOracle.ts `fastRound`).
      if (!solo) priceTs = t - quorumLag;
      available = true;
      phase = PHASE_POOL;
    }
    if (phase == PHASE_POOL) {
      phase = PHASE_ENGINE;
      if (untilUpdate != 1) untilUpdate--;
      else if (get(b, POOL_RUNS) != 0) {
        poolHourly(b, t);
        untilUpdate = get(b, UNTIL_UPDATE);
        growth = get(b, GROWTH);
      } else {
        code = POOL;
        break;
      }
    }
    // The engine's step (PathEngine.step with no queue): the maintenance price against the frontier.
    const before = index;
    const after = before * growth;
    if (pricing == 0) {
      maint = pess;
      init = pess;
    } else if (!available) {
      maint = pricing == 1 ? NaN : pess;
      init = NaN;
    } else if (pricing == 1) {
      maint = emaLow;
      init = low < emaLow ? low : emaLow;
    } else {
      maint = pess < emaLow ? pess : emaLow;
      const fs = pess < low ? pess : low;
      init = fs < emaLow ? fs : emaLow;
    }
    if (maint == 0 || init == 0) {
      maint = NaN;
      init = NaN;
    }
    if (!isNaN(maint) && top > (maint / after) * (1 - filterSlack)) {
      code = CROSSED;
      break;
    }
    index = after;
    insurance += totalShares * (after - before) * reserveFactor;
    if (bunker) bunkerSteps++;
    const discount = discountAt(dex, trueRate);
    if (discount > maxDiscount) maxDiscount = discount;
    const depeg = depegAt(dex, openFair);
    if (depeg < bucketLo) bucketLo = depeg;
    if (depeg > bucketHi) bucketHi = depeg;
    phase = PHASE_NEXT_STEP;
    const last = s == lastStep;
    s++;
    if (--seriesLeft == 0 || last) {
      closeBucket(seriesOf(b), seriesAt, depeg, bucketLo, bucketHi);
      bucketLo = Infinity;
      bucketHi = -Infinity;
      seriesAt++;
      seriesLeft = bucketSteps;
    }
  }
  if ((code == END || code == CROSSED) && t != 0 && !solo) {
    // The models keep the last round's noises sorted too.
    sort9(b + (current == 0 ? RAW_A : RAW_B), b + SORTED);
    if (lazy) {
      roundConf = cleanDeviation(b + SORTED, dex, quantum);
      confidence = roundConf;
    }
  }
  put(b, IDX, idx);
  put(b, S, s);
  put(b, SLOW, slow);
  put(b, IMPACT, impact);
  put(b, RESERVE, reserve);
  put(b, ARBITRAGE, arbitrage);
  put(b, LOG_DISCOUNT, logDiscount);
  put(b, DEX, dex);
  put(b, PREVIOUS_DEX, previousDex);
  put(b, AVAILABLE, available ? 1 : 0);
  put(b, MARKET_PRICE, marketPrice);
  put(b, SPOT, spot);
  put(b, LOW, low);
  put(b, CONFIDENCE, confidence);
  put(b, EMA, ema);
  put(b, EMA_LOW, emaLow);
  put(b, EMA_TS, emaTs);
  put(b, PRICE_TS, priceTs);
  put(b, CENTER, center);
  put(b, ROUND_CONF, roundConf);
  put(b, LAZY, lazy ? 1 : 0);
  put(b, UNTIL_UPDATE, untilUpdate);
  put(b, INDEX, index);
  put(b, INSURANCE, insurance);
  put(b, BUNKER_STEPS, bunkerSteps);
  put(b, MAX_DISCOUNT, maxDiscount);
  put(b, BUCKET_LO, bucketLo);
  put(b, BUCKET_HI, bucketHi);
  put(b, SERIES_LEFT, seriesLeft);
  put(b, SERIES_AT, seriesAt);
  put(b, MAINT, maint);
  put(b, INIT, init);
  put(b, T, t);
  put(b, PHASE, <f64>phase);
  store<i32>(b + CURRENT, current);
  return code;
}

/** Runs lane A's (0) or lane B's (1) calm steps alone until the engine must act; returns why it stopped. */
export function run(lane: i32): i32 {
  return runLane(lane == 0 ? 0 : LANE_B, false);
}

// Slot k of both lanes, lane A's in the low half.
@inline function both(k: i32): v128 {
  return f64x2.replace_lane(f64x2.splat(get(0, k)), 1, get(LANE_B, k));
}

@inline function pairOf(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

@inline function laneA(v: v128): f64 {
  return f64x2.extract_lane(v, 0);
}

@inline function laneB(v: v128): f64 {
  return f64x2.extract_lane(v, 1);
}

@inline function spill(k: i32, v: v128): void {
  put(0, k, laneA(v));
  put(LANE_B, k, laneB(v));
}

@inline function vlo(a: v128, b: v128): v128 {
  return i32x4.min_s(a, b);
}

@inline function vhi(a: v128, b: v128): v128 {
  return i32x4.max_s(a, b);
}

/**
 * The two-lane step's loop-invariant vector `v`, read back from memory (HELD + 16k): V8 keeps a vector
 * read from memory whole across the loop, where a vector built from two doubles or a constant is built
 * again at each use inside the loop (three instructions each, ~40 vectors a step; measured 1.02–1.05×).
 */
@inline function held(k: i32, v: v128): v128 {
  v128.store(HELD + (<usize>k << 4), v);
  return v128.load(HELD + (<usize>k << 4));
}

// An EMA's next value (marketOracle.ts): the weight `keep` on the last, `fresh` = 1 − keep on the price.
@inline function emaStep(ema: v128, price: v128, keep: v128, fresh: v128): v128 {
  return f64x2.add(f64x2.mul(ema, keep), f64x2.mul(price, fresh));
}

// Whether both lanes' EMAs had started when the two-lane step began (in lane A's bank).
const EMAS_STARTED: usize = 1680;

/**
 * The two-lane step's frontier test, the engine's `top > (maint / index)·(1 − slack)` multiplied out:
 * `top·index > maint·(1 − slack)·(1 − 2^-50)`, no division (`frontierSlack` is the product of the last two
 * factors). The last factor covers the roundings of the division it replaces (a few ulps), so the test
 * holds wherever the engine's does (test/sim/calm.test.ts puts tops an ulp above the engine's threshold),
 * and the engine, handed the step, confirms every candidate. An unpriced step (NaN) never crosses.
 */
@inline function crossesFrontier(top: v128, index: v128, maint: v128, slack: v128): v128 {
  return v128.and(f64x2.eq(maint, maint), f64x2.gt(f64x2.mul(top, index), f64x2.mul(maint, slack)));
}

@inline function frontierSlack(): f64 {
  return (1 - get(0, FILTER_SLACK)) * (1 - 4 * f64.EPSILON);
}

/** `crossesFrontier` for one lane (1: crossed), for the test of its margin. */
export function frontierCrossed(top: f64, index: f64, maint: f64): i32 {
  const crossed = crossesFrontier(f64x2.splat(top), f64x2.splat(index), f64x2.splat(maint), f64x2.splat(frontierSlack()));
  return i64x2.extract_lane(crossed, 0) != 0 ? 1 : 0;
}

// |x| from which fdlibm's exp reduces its argument (k ≠ 0), and below which it returns 1 + x.
const EXP_REDUCED: f64 = reinterpret<f64>(0x3fd62e4300000000);
const EXP_TINY: f64 = reinterpret<f64>(0x3e30000000000000);

/**
 * Both lanes' calm steps side by side while each is the plain one: both lanes step, their rounds agree,
 * their EMA intervals are the last ones, neither pool's target is scripted, neither crosses the frontier
 * (a pool's hourly update and a time bucket's end are done here). It stops at the first step where either lane does something else, with each lane's
 * state written back at the phase that lane reached, for `runLane` to go on from.
 */
function runBoth(): void {
  const stepSecs = held(0, both(STEP_SECS));
  const until = held(1, both(UNTIL));
  const frameAt = held(2, both(FRAME_AT));
  const staleAfter = held(3, both(STALE_AFTER));
  const trueRate = held(4, both(TRUE_RATE));
  const level = held(5, both(LEVEL));
  const sd = held(6, both(SD));
  const slowDecay = held(7, both(SLOW_DECAY));
  const slowNoise = held(8, both(SLOW_NOISE));
  const impactDecay = held(9, both(IMPACT_DECAY));
  const reserveMax = held(10, both(RESERVE_MAX));
  const refill = held(11, both(REFILL));
  const quantum = held(12, both(QUANTUM));
  const maxConf = held(13, both(MAX_CONF));
  const quorumLag = held(14, both(QUORUM_LAG));
  const totalShares = held(15, both(TOTAL_SHARES));
  const reserveFactor = held(16, both(RESERVE_FACTOR));
  // The lanes share the pricing policy (`PathEngine.runPaired` pairs engines of one policy only).
  const pricing = i32(get(0, PRICING));
  const pess = held(17, both(PESS));
  const bunker = held(18, f64x2.ne(both(BUNKER), f64x2.splat(0)));
  const lastStep = held(19, both(LAST_STEP));
  const top = held(20, both(TOP));
  const steps = held(21, both(STEPS));
  const signA = get(0, SIGN);
  const signB = get(LANE_B, SIGN);
  const drawsA = get(0, SD) > 0;
  const drawsB = get(LANE_B, SD) > 0;
  const minLog = held(22, f64x2.splat(get(0, MIN_LOG)));
  const zScale = get(0, Z_SCALE);
  const slack = held(23, f64x2.splat(frontierSlack()));
  const keepSince = held(24, both(KEEP_SINCE));
  const keep = held(25, both(KEEP_W));
  const fresh = held(39, f64x2.sub(f64x2.splat(1), both(KEEP_W)));
  let growth = both(GROWTH);
  const zero = held(26, f64x2.splat(0));
  const one = held(27, f64x2.splat(1));
  // Where a lane's floor may lift it (the lift itself tests the rest, one lane at a time).
  const lifts = held(28, v128.bitselect(both(FLOOR), f64x2.splat(-Infinity), f64x2.ne(both(HAS_FLOOR), zero)));
  const two = held(29, f64x2.splat(2));
  const tenThousand = held(30, f64x2.splat(10_000));
  const nan = held(31, f64x2.splat(NaN));
  const p1 = held(32, f64x2.splat(P1));
  const p2 = held(33, f64x2.splat(P2));
  const p3 = held(34, f64x2.splat(P3));
  const p4 = held(35, f64x2.splat(P4));
  const p5 = held(36, f64x2.splat(P5));
  const expTiny = held(37, f64x2.splat(EXP_TINY));
  const expReduced = held(38, f64x2.splat(EXP_REDUCED));
  const stA = STREAM;
  const stB = LANE_B + STREAM;
  const idx0 = both(IDX);
  let idx = idx0;
  const s0 = both(S);
  let s = s0;
  const t0 = both(T);
  let slow = both(SLOW);
  let impact = both(IMPACT);
  let reserve = both(RESERVE);
  let arbitrage = both(ARBITRAGE);
  let logDiscount = both(LOG_DISCOUNT);
  let dex = both(DEX);
  let previousDex = both(PREVIOUS_DEX);
  let available = both(AVAILABLE);
  let marketPrice = both(MARKET_PRICE);
  let spot = both(SPOT);
  let low = both(LOW);
  let ema = both(EMA);
  let emaLow = both(EMA_LOW);
  const emaTs0 = both(EMA_TS);
  let emaTs = emaTs0;
  const priceTs = both(PRICE_TS);
  let center = both(CENTER);
  let untilUpdate = both(UNTIL_UPDATE);
  let index = both(INDEX);
  let insurance = both(INSURANCE);
  const bunkerSteps = both(BUNKER_STEPS);
  // The lowest and highest DEX price since the time bucket's start or the run's (`foldPrices`).
  let lowDex = f64x2.splat(Infinity);
  let highDex = f64x2.splat(-Infinity);
  let seriesLeft = both(SERIES_LEFT);
  let maint = both(MAINT);
  let init = both(INIT);
  let confidenceA = get(0, CONFIDENCE);
  let confidenceB = get(LANE_B, CONFIDENCE);
  let roundConfA = get(0, ROUND_CONF);
  let roundConfB = get(LANE_B, ROUND_CONF);
  let lazyA = get(0, LAZY) != 0;
  let lazyB = get(LANE_B, LAZY) != 0;
  let currentA = load<i32>(CURRENT);
  let currentB = load<i32>(LANE_B + CURRENT);
  store<i32>(EMAS_STARTED, i64x2.all_true(v128.and(f64x2.ne(ema, zero), f64x2.ne(emaLow, zero))) ? 1 : 0);
  let phaseA = PHASE_NEXT_STEP;
  let phaseB = PHASE_NEXT_STEP;
  // The step's round and the round before (0 before this run's first step: the lanes' raw buffers hold it).
  let pairs: usize = 0;
  let previousPairs: usize = 0;
  for (;;) {
    const tNext = f64x2.mul(f64x2.add(idx, one), stepSecs);
    const steps_ = v128.and(v128.and(f64x2.lt(s, steps), f64x2.lt(tNext, until)), f64x2.lt(tNext, frameAt));
    if (!i64x2.all_true(v128.andnot(steps_, f64x2.gt(tNext, staleAfter)))) break;
    idx = f64x2.add(idx, one);
    // The discount: OU step, impact decay, reserve, floor.
    slow = f64x2.add(level, f64x2.mul(f64x2.sub(slow, level), slowDecay));
    const zA = drawsA ? normalAt(stA, signA) : 0;
    const zB = drawsB ? normalAt(stB, signB) : 0;
    // The clean rounds: each lane's raw buffers alternate, the previous step's stays at hand (`lazy`).
    currentA ^= 1;
    currentB ^= 1;
    const rawA = currentA == 0 ? RAW_A : RAW_B;
    const previousA = currentA == 0 ? RAW_B : RAW_A;
    const rawB = LANE_B + (currentB == 0 ? RAW_A : RAW_B);
    const previousB = LANE_B + (currentB == 0 ? RAW_B : RAW_A);
    previousPairs = pairs;
    pairs = pairs == PAIRS ? PAIRS + 72 : PAIRS;
    drawPairs<i32>(9, signA, signB, zScale, pairs);
    slow = v128.bitselect(f64x2.add(slow, f64x2.mul(f64x2.mul(sd, slowNoise), pairOf(zA, zB))), slow, f64x2.gt(sd, zero));
    impact = f64x2.mul(impact, impactDecay);
    reserve = v128.bitselect(f64x2.min(reserveMax, f64x2.add(reserve, refill)), reserve, f64x2.lt(reserve, reserveMax));
    let total = f64x2.add(f64x2.add(slow, zero), impact);
    if (v128.any_true(v128.or(f64x2.lt(total, lifts), f64x2.lt(total, minLog)))) {
      lift(0, laneA(total), laneA(impact), laneA(reserve), laneA(arbitrage));
      const totalA = liftTotal;
      const impactA = liftImpact;
      const reserveA = liftReserve;
      const arbitrageA = liftArbitrage;
      lift(LANE_B, laneB(total), laneB(impact), laneB(reserve), laneB(arbitrage));
      total = pairOf(totalA, liftTotal);
      impact = pairOf(impactA, liftImpact);
      reserve = pairOf(reserveA, liftReserve);
      arbitrage = pairOf(arbitrageA, liftArbitrage);
    }
    logDiscount = total;
    previousDex = dex;
    // fdlibm's exp: its k = 0 branch in both lanes at once, else each lane's own.
    const size = f64x2.abs(total);
    let e: v128;
    if (i64x2.all_true(v128.and(f64x2.ge(size, expTiny), f64x2.lt(size, expReduced)))) {
      const x2 = f64x2.mul(total, total);
      const c = f64x2.sub(
        total,
        f64x2.mul(x2, f64x2.add(p1, f64x2.mul(x2, f64x2.add(p2, f64x2.mul(x2, f64x2.add(p3, f64x2.mul(x2, f64x2.add(p4, f64x2.mul(x2, p5))))))))),
      );
      e = f64x2.sub(one, f64x2.sub(f64x2.div(f64x2.mul(total, c), f64x2.sub(c, two)), total));
    } else e = pairOf(fdlibmExp(laneA(total)), fdlibmExp(laneB(total)));
    dex = f64x2.mul(trueRate, e);
    let x0 = v128.load64_zero(pairs + 0);
    let x1 = v128.load64_zero(pairs + 8);
    let x2 = v128.load64_zero(pairs + 16);
    let x3 = v128.load64_zero(pairs + 24);
    let x4 = v128.load64_zero(pairs + 32);
    let x5 = v128.load64_zero(pairs + 40);
    let x6 = v128.load64_zero(pairs + 48);
    let x7 = v128.load64_zero(pairs + 56);
    let x8 = v128.load64_zero(pairs + 64);
    // `roundNoises`' network, both lanes at once.
    let m: v128;
    m = vlo(x1, x2); x2 = vhi(x1, x2); x1 = m;
    m = vlo(x4, x5); x5 = vhi(x4, x5); x4 = m;
    m = vlo(x7, x8); x8 = vhi(x7, x8); x7 = m;
    m = vlo(x0, x1); x1 = vhi(x0, x1); x0 = m;
    m = vlo(x3, x4); x4 = vhi(x3, x4); x3 = m;
    m = vlo(x6, x7); x7 = vhi(x6, x7); x6 = m;
    m = vlo(x1, x2); x2 = vhi(x1, x2); x1 = m;
    m = vlo(x4, x5); x5 = vhi(x4, x5); x4 = m;
    m = vlo(x7, x8); x8 = vhi(x7, x8); x7 = m;
    const smallest = vlo(vlo(x0, x3), x6);
    x3 = vhi(x0, x3);
    x5 = vlo(x5, x8);
    m = vlo(x4, x7); x7 = vhi(x4, x7); x4 = m;
    x6 = vhi(x3, x6);
    x4 = vhi(x1, x4);
    x2 = vlo(x2, x5);
    x4 = vlo(x4, x7);
    m = vlo(x4, x2); x2 = vhi(x4, x2); x4 = m;
    x4 = vhi(x6, x4);
    const median = vlo(x4, x2);
    // memberPrice: dex · (1 + quantum · q).
    center = f64x2.mul(dex, f64x2.add(one, f64x2.mul(quantum, f64x2.convert_low_i32x4_s(median))));
    const lowest = f64x2.mul(dex, f64x2.add(one, f64x2.mul(quantum, f64x2.convert_low_i32x4_s(smallest))));
    const quick = f64x2.le(f64x2.mul(f64x2.sub(center, lowest), tenThousand), f64x2.mul(center, maxConf));
    // Both rounds agree by the quick test (the rule); else each lane's band decides.
    if (i64x2.all_true(quick)) {
      lazyA = true;
      lazyB = true;
    } else {
      let agreesA = i64x2.extract_lane(quick, 0) != 0;
      let agreesB = i64x2.extract_lane(quick, 1) != 0;
      if (agreesA) lazyA = true;
      else {
        unpair(pairs, 0, rawA);
        if (previousPairs != 0) unpair(previousPairs, 0, previousA);
        bandConfidence = confidenceA;
        agreesA = agreesByBand(0, rawA, previousA, laneA(dex), laneA(previousDex), laneA(center), lazyA);
        confidenceA = bandConfidence;
        roundConfA = bandRoundConf;
        lazyA = false;
      }
      if (agreesB) lazyB = true;
      else {
        unpair(pairs, 1, rawB);
        if (previousPairs != 0) unpair(previousPairs, 1, previousB);
        bandConfidence = confidenceB;
        agreesB = agreesByBand(LANE_B, rawB, previousB, laneB(dex), laneB(previousDex), laneB(center), lazyB);
        confidenceB = bandConfidence;
        roundConfB = bandRoundConf;
        lazyB = false;
      }
      if (!(agreesA && agreesB)) {
        // A lane without a market price this round goes on from the pool's phase, the other from the EMA's.
        const agrees = i64x2.replace_lane(i64x2.splat(agreesA ? -1 : 0), 1, agreesB ? -1 : 0);
        marketPrice = v128.bitselect(center, zero, agrees);
        spot = marketPrice;
        low = v128.bitselect(center, low, agrees);
        available = v128.bitselect(available, zero, agrees);
        phaseA = agreesA ? PHASE_EMA : PHASE_POOL;
        phaseB = agreesB ? PHASE_EMA : PHASE_POOL;
        break;
      }
    }
    marketPrice = center;
    spot = center;
    low = center;
    phaseA = PHASE_EMA;
    phaseB = PHASE_EMA;
    if (!i64x2.all_true(f64x2.eq(f64x2.sub(tNext, emaTs), keepSince))) break;
    // An EMA starts at its first price; once both lanes' have started (as a run usually finds them) they
    // stay nonzero (a weighted mean of positive prices), and the test is a flag in memory, which costs the
    // draws' loop no register.
    if (load<i32>(EMAS_STARTED) != 0) {
      ema = emaStep(ema, marketPrice, keep, fresh);
      emaLow = emaStep(emaLow, low, keep, fresh);
    } else {
      ema = v128.bitselect(marketPrice, emaStep(ema, marketPrice, keep, fresh), f64x2.eq(ema, zero));
      emaLow = v128.bitselect(low, emaStep(emaLow, low, keep, fresh), f64x2.eq(emaLow, zero));
    }
    emaTs = tNext;
    available = one;
    phaseA = PHASE_POOL;
    phaseB = PHASE_POOL;
    const hourly = f64x2.eq(untilUpdate, one);
    if (v128.any_true(hourly)) {
      // Each lane whose pool updates this step: here, or (a scripted target) from the pool's phase.
      const hourlyA = i64x2.extract_lane(hourly, 0) != 0;
      const hourlyB = i64x2.extract_lane(hourly, 1) != 0;
      if ((hourlyA && get(0, POOL_RUNS) == 0) || (hourlyB && get(LANE_B, POOL_RUNS) == 0)) break;
      if (hourlyA) poolHourly(0, laneA(tNext));
      if (hourlyB) poolHourly(LANE_B, laneB(tNext));
      growth = both(GROWTH);
      untilUpdate = v128.bitselect(both(UNTIL_UPDATE), f64x2.sub(untilUpdate, one), hourly);
    } else untilUpdate = f64x2.sub(untilUpdate, one);
    phaseA = PHASE_ENGINE;
    phaseB = PHASE_ENGINE;
    // The engine's step: the maintenance price against the frontier (the market price is available).
    const before = index;
    const after = f64x2.mul(before, growth);
    let stepMaint = pess;
    let stepInit = pess;
    if (pricing == 1) {
      stepMaint = emaLow;
      stepInit = v128.bitselect(low, emaLow, f64x2.lt(low, emaLow));
    } else if (pricing != 0) {
      stepMaint = v128.bitselect(pess, emaLow, f64x2.lt(pess, emaLow));
      const fs = v128.bitselect(pess, low, f64x2.lt(pess, low));
      stepInit = v128.bitselect(fs, emaLow, f64x2.lt(fs, emaLow));
    }
    const unpriced = v128.or(f64x2.eq(stepMaint, zero), f64x2.eq(stepInit, zero));
    stepMaint = v128.bitselect(nan, stepMaint, unpriced);
    stepInit = v128.bitselect(nan, stepInit, unpriced);
    if (v128.any_true(crossesFrontier(top, after, stepMaint, slack))) break;
    const bucketEnds = v128.or(f64x2.eq(seriesLeft, one), f64x2.eq(s, lastStep));
    maint = stepMaint;
    init = stepInit;
    index = after;
    insurance = f64x2.add(insurance, f64x2.mul(f64x2.mul(totalShares, f64x2.sub(after, before)), reserveFactor));
    lowDex = f64x2.pmin(lowDex, dex);
    highDex = f64x2.pmax(highDex, dex);
    s = f64x2.add(s, one);
    seriesLeft = f64x2.sub(seriesLeft, one);
    if (v128.any_true(bucketEnds)) {
      // A time bucket ends in either lane (rare): the prices so far folded in, the bucket's record.
      if (i64x2.extract_lane(bucketEnds, 0) != 0) {
        foldPrices(0, laneA(lowDex), laneA(highDex));
        endBucket(0, laneA(dex));
      }
      if (i64x2.extract_lane(bucketEnds, 1) != 0) {
        foldPrices(LANE_B, laneB(lowDex), laneB(highDex));
        endBucket(LANE_B, laneB(dex));
      }
      lowDex = v128.bitselect(f64x2.splat(Infinity), lowDex, bucketEnds);
      highDex = v128.bitselect(f64x2.splat(-Infinity), highDex, bucketEnds);
      seriesLeft = v128.bitselect(both(BUCKET_STEPS), seriesLeft, bucketEnds);
    }
    phaseA = PHASE_NEXT_STEP;
    phaseB = PHASE_NEXT_STEP;
  }
  if (pairs != 0) {
    unpair(pairs, 0, currentA == 0 ? RAW_A : RAW_B);
    unpair(pairs, 1, LANE_B + (currentB == 0 ? RAW_A : RAW_B));
  }
  spill(IDX, idx);
  spill(S, s);
  // The time and the quorum's time, carried as the index and the EMA's time: a step's time is
  // (index + 1)·stepSecs, with the index one more after it; the EMA's time is the step's when it moves.
  spill(T, v128.bitselect(f64x2.mul(idx, stepSecs), t0, f64x2.ne(idx, idx0)));
  spill(SLOW, slow);
  spill(IMPACT, impact);
  spill(RESERVE, reserve);
  spill(ARBITRAGE, arbitrage);
  spill(LOG_DISCOUNT, logDiscount);
  spill(DEX, dex);
  spill(PREVIOUS_DEX, previousDex);
  spill(AVAILABLE, available);
  spill(MARKET_PRICE, marketPrice);
  spill(SPOT, spot);
  spill(LOW, low);
  spill(EMA, ema);
  spill(EMA_LOW, emaLow);
  spill(EMA_TS, emaTs);
  spill(PRICE_TS, v128.bitselect(f64x2.sub(emaTs, quorumLag), priceTs, f64x2.ne(emaTs, emaTs0)));
  spill(CENTER, center);
  spill(UNTIL_UPDATE, untilUpdate);
  spill(INDEX, index);
  spill(INSURANCE, insurance);
  // A step in bunker mode counts once (each completed step added one to s).
  spill(BUNKER_STEPS, v128.bitselect(f64x2.add(bunkerSteps, f64x2.sub(s, s0)), bunkerSteps, bunker));
  foldPrices(0, laneA(lowDex), laneA(highDex));
  foldPrices(LANE_B, laneB(lowDex), laneB(highDex));
  spill(SERIES_LEFT, seriesLeft);
  spill(MAINT, maint);
  spill(INIT, init);
  put(0, CONFIDENCE, confidenceA);
  put(LANE_B, CONFIDENCE, confidenceB);
  put(0, ROUND_CONF, roundConfA);
  put(LANE_B, ROUND_CONF, roundConfB);
  put(0, LAZY, lazyA ? 1 : 0);
  put(LANE_B, LAZY, lazyB ? 1 : 0);
  put(0, PHASE, <f64>phaseA);
  put(LANE_B, PHASE, <f64>phaseB);
  store<i32>(CURRENT, currentA);
  store<i32>(LANE_B + CURRENT, currentB);
}

// The lane at `b` can take a calm step from its state in memory (the scalar step's first test).
@inline function canStep(b: usize): bool {
  const tNext = (get(b, IDX) + 1) * get(b, STEP_SECS);
  return get(b, S) < get(b, STEPS) && tNext < get(b, UNTIL) && !(tNext > get(b, STALE_AFTER)) && tNext < get(b, FRAME_AT);
}

/**
 * Runs both lanes' calm steps until the engine must act for one of them; returns why it stopped, plus
 * `SECOND_LANE` when lane B must act. The other lane keeps its state in its bank, mid-step if it was,
 * and goes on when `runPair` is called again.
 */
export function runPair(): i32 {
  for (;;) {
    if (i32(get(0, PHASE)) != PHASE_NEXT_STEP) {
      const code = runLane(0, true);
      if (code != BOUNDARY) return code;
    }
    if (i32(get(LANE_B, PHASE)) != PHASE_NEXT_STEP) {
      const code = runLane(LANE_B, true);
      if (code != BOUNDARY) return code + SECOND_LANE;
    }
    // A lane whose rounds have a member out runs alone (`runBoth` takes clean rounds only).
    if (!canStep(0) || get(0, SOLO) >= 0) return runLane(0, false);
    if (!canStep(LANE_B) || get(LANE_B, SOLO) >= 0) return runLane(LANE_B, false) + SECOND_LANE;
    runBoth();
  }
  return END; // unreachable: the loop returns
}

/** Draws `n` normals from lane A's stream and returns their sum: the kernel's random-number bound (bench/sim.ts). */
export function drawNormals(n: i32, sign: f64): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) acc += normalAt(STREAM, sign);
  return acc;
}

/**
 * Draws `n` normals from each lane's stream, one from each in turn (`drawPairs`, as the lanes' rounds
 * draw them), and returns the sum of each in OUT_A and OUT_B: two paths' numbers at once, the
 * random-number bound of paths run in pairs (bench/sim.ts, a′).
 */
export function drawNormalsPair(n: i32, signA: f64, signB: f64): void {
  drawPairs<f64>(n, signA, signB, 1, 0);
}
