// The calm-step kernel in WebAssembly (AssemblyScript; built by `npm run sim:kernel` into calm.wasm).
//
// It runs the steps of `PathEngine.calm` (sim/src/engine/core.ts): the OU discount, the DEX price, the
// clean 9-member round with its EMAs, the borrow index, the maintenance price against the frontier's top
// and the observations — the same floating-point expressions in the same order as the models, and the
// same draws from the path's xoshiro128** stream, so the results are bit for bit those of the models.
// The exponential is V8's own `Math.exp` (fdlibm's, below, bit for bit: test/sim/calm.test.ts checks it);
// the logarithm, needed only in the ziggurat's tail, is JavaScript's `Math.log`, imported.
//
// State lives in linear memory at fixed offsets (below); the engine writes it before a run and reads it
// after. A run stops where the engine must act: at the end of the calm steps, at a frontier crossing,
// at the pool's hourly update (the pool model's own step), at the end of a series bucket, and where the
// EMA's weight for a new interval is needed (the sdk's exact decay).

@external("env", "log") declare function jsLog(x: f64): f64;

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

// The memory's layout, exported with the slots and the exit codes below: sim/src/engine/calmWasm.ts
// reads the layout from these exports and checks its own table of slots and codes against them at load.
// f64 slots at F + 8·k.
const F: usize = 0;
// i32 words: the stream's state (4 words), the last two rounds' raw noises, one round sorted (scratch).
export const STREAM: usize = 1024;
// A second stream's state, for the bound of two paths drawn at once (`drawNormalsPair`).
export const STREAM_B: usize = 1344;
export const RAW_A: usize = 1088;
export const RAW_B: usize = 1152;
export const SORTED: usize = 1216;
export const CURRENT: usize = 1280; // which raw buffer holds the last step's noises (0: A, 1: B)
// The ziggurat's tables (128 doubles each), copied from sim/src/rng.ts.
export const KN: usize = 2048;
export const WN: usize = 3072;
export const FN: usize = 4096;

export const END: i32 = 0;
export const CROSSED: i32 = 1;
export const POOL: i32 = 2;
export const SERIES: i32 = 3;
export const KEEP: i32 = 4;

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
export const OUT_DEPEG: i32 = 66;
export const OUT_LO: i32 = 67;
export const OUT_HI: i32 = 68;
export const SINCE: i32 = 69;
export const PREVIOUS_DEX: i32 = 70;

// Where a resumed run picks up within a step.
const PHASE_NEXT_STEP = 0;
const PHASE_EMA = 1;
const PHASE_POOL = 2;
const PHASE_ENGINE = 3;

@inline function get(k: i32): f64 {
  return load<f64>(F + (<usize>k << 3));
}

@inline function put(k: i32, v: f64): void {
  store<f64>(F + (<usize>k << 3), v);
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
  const r = get(ZIG_R);
  for (;;) {
    const x = <f64>j * load<f64>(WN + (<usize>i << 3));
    if (i == 0) {
      let tx: f64;
      let ty: f64;
      do {
        tx = -jsLog(1 - rawUniform(st)) / r;
        ty = -jsLog(1 - rawUniform(st));
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
  const i = u & 127;
  const j = u >> 7;
  if (<f64>abs<i32>(j) < load<f64>(KN + (<usize>i << 3))) return sign * <f64>j * load<f64>(WN + (<usize>i << 3));
  return sign * normalSlow(st, j, i);
}

// A normal from the path's stream.
@inline function normal(sign: f64): f64 {
  return normalAt(STREAM, sign);
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

/** marketOracle.ts `sort9`: the 9 noises at `raw` sorted into SORTED. */
function sort9(raw: usize): void {
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
  store<i32>(SORTED, x0, 0);
  store<i32>(SORTED, x1, 4);
  store<i32>(SORTED, x2, 8);
  store<i32>(SORTED, x3, 12);
  store<i32>(SORTED, x4, 16);
  store<i32>(SORTED, x5, 20);
  store<i32>(SORTED, x6, 24);
  store<i32>(SORTED, x7, 28);
  store<i32>(SORTED, x8, 32);
}

/** The band of the clean round whose noises are at `raw` (marketOracle.ts `cleanDeviation` of them sorted). */
function bandOf(raw: usize, dex: f64, quantum: f64): f64 {
  sort9(raw);
  return cleanDeviation(SORTED, dex, quantum);
}

/** The smallest of the last round's noises (set by `roundNoises`). */
let roundMin: i32 = 0;

/**
 * Draws the 9 members' quantised noises into `raw` and returns their median, the smallest in
 * `roundMin`: each row of three sorted, then the median by Devillard's 19-exchange network pruned to
 * the exchanges whose outputs are read (the full sort, `sort9`, only where the band is computed).
 */
@inline function roundNoises(raw: usize, sign: f64, scale: f64): i32 {
  let x0 = i32(normal(sign) * scale);
  let x1 = i32(normal(sign) * scale);
  let x2 = i32(normal(sign) * scale);
  let x3 = i32(normal(sign) * scale);
  let x4 = i32(normal(sign) * scale);
  let x5 = i32(normal(sign) * scale);
  let x6 = i32(normal(sign) * scale);
  let x7 = i32(normal(sign) * scale);
  let x8 = i32(normal(sign) * scale);
  store<i32>(raw, x0, 0);
  store<i32>(raw, x1, 4);
  store<i32>(raw, x2, 8);
  store<i32>(raw, x3, 12);
  store<i32>(raw, x4, 16);
  store<i32>(raw, x5, 20);
  store<i32>(raw, x6, 24);
  store<i32>(raw, x7, 28);
  store<i32>(raw, x8, 32);
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

/** Runs calm steps from the state in memory until the engine must act; returns why it stopped. */
export function run(): i32 {
  const stepSecs = get(STEP_SECS);
  const until = get(UNTIL);
  const staleAfter = get(STALE_AFTER);
  const trueRate = get(TRUE_RATE);
  const hasFloor = get(HAS_FLOOR) != 0;
  const floor = get(FLOOR);
  const level = get(LEVEL);
  const sd = get(SD);
  const slowDecay = get(SLOW_DECAY);
  const slowNoise = get(SLOW_NOISE);
  const impactDecay = get(IMPACT_DECAY);
  const depth = get(DEPTH);
  const reserveMax = get(RESERVE_MAX);
  const refill = get(REFILL);
  const quantum = get(QUANTUM);
  const maxConf = get(MAX_CONF);
  const quorumLag = get(QUORUM_LAG);
  const totalShares = get(TOTAL_SHARES);
  const reserveFactor = get(RESERVE_FACTOR);
  const pricing = i32(get(PRICING));
  const pess = get(PESS);
  const bunker = get(BUNKER) != 0;
  const openFair = get(OPEN_FAIR);
  const lastStep = get(LAST_STEP);
  const bucketSteps = get(BUCKET_STEPS);
  const top = get(TOP);
  const steps = get(STEPS);
  const sign = get(SIGN);
  const zScale = get(Z_SCALE);
  const minLog = get(MIN_LOG);
  const filterSlack = get(FILTER_SLACK);
  let idx = get(IDX);
  let s = get(S);
  let slow = get(SLOW);
  let impact = get(IMPACT);
  let reserve = get(RESERVE);
  let arbitrage = get(ARBITRAGE);
  let logDiscount = get(LOG_DISCOUNT);
  let dex = get(DEX);
  let previousDex = get(PREVIOUS_DEX);
  let available = get(AVAILABLE) != 0;
  let marketPrice = get(MARKET_PRICE);
  let spot = get(SPOT);
  let low = get(LOW);
  let confidence = get(CONFIDENCE);
  let ema = get(EMA);
  let emaLow = get(EMA_LOW);
  let emaTs = get(EMA_TS);
  let priceTs = get(PRICE_TS);
  const keepSince = get(KEEP_SINCE);
  const keep = get(KEEP_W);
  let center = get(CENTER);
  let roundConf = get(ROUND_CONF);
  let lazy = get(LAZY) != 0;
  let untilUpdate = get(UNTIL_UPDATE);
  const growth = get(GROWTH);
  let index = get(INDEX);
  let insurance = get(INSURANCE);
  let bunkerSteps = get(BUNKER_STEPS);
  let maxDiscount = get(MAX_DISCOUNT);
  let bucketLo = get(BUCKET_LO);
  let bucketHi = get(BUCKET_HI);
  let seriesLeft = get(SERIES_LEFT);
  let seriesAt = get(SERIES_AT);
  let maint = get(MAINT);
  let init = get(INIT);
  let t = get(T);
  let phase = i32(get(PHASE));
  let current = load<i32>(CURRENT);
  let code = END;
  for (;;) {
    if (phase == PHASE_NEXT_STEP) {
      if (!(s < steps)) break;
      const tNext = (idx + 1) * stepSecs;
      if (!(tNext < until) || tNext > staleAfter) break;
      t = tNext;
      idx++;
      // The discount (DiscountModel.step without events): OU step, impact decay, reserve, floor.
      slow = level + (slow - level) * slowDecay;
      if (sd > 0) slow += sd * slowNoise * normal(sign);
      const flash: f64 = 0;
      impact *= impactDecay;
      if (reserve < reserveMax) reserve = min(reserveMax, reserve + refill);
      let total = slow + flash + impact;
      if (hasFloor && total < floor && reserve > 0) {
        const wanted = ((floor - total) / 0.01) * depth;
        const used = min(wanted, reserve);
        reserve -= used;
        arbitrage += used;
        const lift = (0.01 * used) / depth;
        impact += lift;
        total += lift;
      }
      if (total < minLog) {
        impact += minLog - total;
        total = minLog;
      }
      logDiscount = total;
      previousDex = dex;
      dex = trueRate * fdlibmExp(logDiscount);
      // The clean round: the raw buffers alternate, the previous step's stays at hand (`lazy`).
      current ^= 1;
      const raw = current == 0 ? RAW_A : RAW_B;
      const previous = current == 0 ? RAW_B : RAW_A;
      center = memberPrice(dex, quantum, roundNoises(raw, sign, zScale));
      let agrees = (center - memberPrice(dex, quantum, roundMin)) * 10_000 <= center * maxConf;
      if (agrees) lazy = true;
      else {
        roundConf = bandOf(raw, dex, quantum);
        agrees = roundConf * 10_000 <= center * maxConf;
        if (agrees) confidence = roundConf;
        else if (lazy) confidence = bandOf(previous, previousDex, quantum);
        lazy = false;
      }
      if (!agrees) {
        marketPrice = 0;
        spot = 0;
        available = false;
        phase = PHASE_POOL;
      } else {
        marketPrice = center;
        spot = center;
        low = center;
        const since = t - emaTs;
        phase = PHASE_EMA;
        if (since != keepSince) {
          put(SINCE, since);
          code = KEEP;
          break;
        }
      }
    }
    if (phase == PHASE_EMA) {
      const k = get(KEEP_W);
      ema = ema == 0 ? marketPrice : ema * k + marketPrice * (1 - k);
      emaLow = emaLow == 0 ? low : emaLow * k + low * (1 - k);
      emaTs = t;
      priceTs = t - quorumLag;
      available = true;
      phase = PHASE_POOL;
    }
    if (phase == PHASE_POOL) {
      phase = PHASE_ENGINE;
      if (untilUpdate == 1) {
        code = POOL;
        break;
      }
      untilUpdate--;
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
    const discount = 1 - dex / trueRate;
    if (discount > maxDiscount) maxDiscount = discount;
    const depeg = dex / openFair - 1;
    if (depeg < bucketLo) bucketLo = depeg;
    if (depeg > bucketHi) bucketHi = depeg;
    phase = PHASE_NEXT_STEP;
    const last = s == lastStep;
    s++;
    if (--seriesLeft == 0 || last) {
      put(OUT_DEPEG, depeg);
      put(OUT_LO, bucketLo);
      put(OUT_HI, bucketHi);
      bucketLo = Infinity;
      bucketHi = -Infinity;
      seriesAt++;
      seriesLeft = bucketSteps;
      code = SERIES;
      break;
    }
  }
  if ((code == END || code == CROSSED) && t != 0) {
    // The models keep the last round's noises sorted too.
    sort9(current == 0 ? RAW_A : RAW_B);
    if (lazy) {
      roundConf = cleanDeviation(SORTED, dex, quantum);
      confidence = roundConf;
    }
  }
  put(IDX, idx);
  put(S, s);
  put(SLOW, slow);
  put(IMPACT, impact);
  put(RESERVE, reserve);
  put(ARBITRAGE, arbitrage);
  put(LOG_DISCOUNT, logDiscount);
  put(DEX, dex);
  put(PREVIOUS_DEX, previousDex);
  put(AVAILABLE, available ? 1 : 0);
  put(MARKET_PRICE, marketPrice);
  put(SPOT, spot);
  put(LOW, low);
  put(CONFIDENCE, confidence);
  put(EMA, ema);
  put(EMA_LOW, emaLow);
  put(EMA_TS, emaTs);
  put(PRICE_TS, priceTs);
  put(CENTER, center);
  put(ROUND_CONF, roundConf);
  put(LAZY, lazy ? 1 : 0);
  put(UNTIL_UPDATE, untilUpdate);
  put(INDEX, index);
  put(INSURANCE, insurance);
  put(BUNKER_STEPS, bunkerSteps);
  put(MAX_DISCOUNT, maxDiscount);
  put(BUCKET_LO, bucketLo);
  put(BUCKET_HI, bucketHi);
  put(SERIES_LEFT, seriesLeft);
  put(SERIES_AT, seriesAt);
  put(MAINT, maint);
  put(INIT, init);
  put(T, t);
  put(PHASE, <f64>phase);
  store<i32>(CURRENT, current);
  return code;
}

/** Draws `n` normals from the stream in memory and returns their sum: the kernel's random-number bound (bench/sim.ts). */
export function drawNormals(n: i32, sign: f64): f64 {
  let acc: f64 = 0;
  for (let i = 0; i < n; i++) acc += normal(sign);
  return acc;
}

/**
 * Draws `n` normals from each of two streams (`STREAM`, `STREAM_B`), one from each in turn, and returns
 * the sum of each in OUT_A and OUT_B: two paths' numbers at once, to measure how much one stream's draws
 * waiting on each other limit the bound (bench/sim.ts, a′).
 */
export function drawNormalsPair(n: i32, signA: f64, signB: f64): void {
  let a: f64 = 0;
  let b: f64 = 0;
  for (let i = 0; i < n; i++) {
    a += normalAt(STREAM, signA);
    b += normalAt(STREAM_B, signB);
  }
  put(OUT_A, a);
  put(OUT_B, b);
}
