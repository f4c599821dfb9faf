/**
 * The WebAssembly calm kernel (sim/kernel/calm.ts, built into calm.wasm by `npm run sim:kernel`): its
 * memory's slots, as the kernel names them, and its `run`. One instance per thread; a path's engine
 * writes the slots before a run and reads them after (`PathEngine.calm`).
 */
import { readFileSync } from "node:fs";
import { MIN_LOG as MIN_LOG_VALUE } from "../models/discount.js";
import { Z_SCALE as Z_SCALE_VALUE } from "../models/marketOracle.js";
import { type Xoshiro128, ZIGGURAT } from "../rng.js";
import { FILTER_SLACK as FILTER_SLACK_VALUE } from "./frontier.js";

/** The kernel's instance in this thread: its memory's views and its exports. */
export interface CalmKernel {
  /** The f64 slots (index k at byte 8·k; the indices below). */
  readonly slots: Float64Array;
  /**
   * The i32 words: the stream's state at `STREAM_WORD`; the last two rounds' noises in member order at
   * `RAW_WORDS`, the last at `RAW_WORDS[words[CURRENT_WORD]]`; after a run, the last sorted at
   * `SORTED_WORD`.
   */
  readonly words: Int32Array;
  /** Runs calm steps from the slots until this side must act; returns why it stopped (`END`, …). */
  readonly run: () => number;
  readonly drawNormals: (n: number, sign: number) => number;
  readonly exp: (x: number) => number;
}

export const STREAM_WORD = 1024 / 4;
export const RAW_WORDS = [1088 / 4, 1152 / 4] as const;
export const SORTED_WORD = 1216 / 4;
export const CURRENT_WORD = 1280 / 4;

let loaded: CalmKernel | undefined;

/** The kernel, instantiated on first use (so a missing module is reported where the simulator runs). */
export function calmKernel(): CalmKernel {
  loaded ??= instantiate(new URL("../../kernel/calm.wasm", import.meta.url));
  return loaded;
}

function instantiate(file: URL): CalmKernel {
  let wasm: WebAssembly.Module;
  try {
    wasm = new WebAssembly.Module(readFileSync(file));
  } catch (e) {
    throw new Error(
      `The simulator's calm kernel (${file.pathname}) could not be loaded: ${(e as Error).message}. It is part of the repository; run \`npm run sim:kernel\` to rebuild it from sim/kernel/calm.ts.`,
    );
  }
  // JavaScript's own log (the kernel's exp is V8's algorithm): its results are bit for bit the models'.
  const instance = new WebAssembly.Instance(wasm, { env: { log: Math.log } });
  const memory = instance.exports.memory as WebAssembly.Memory;
  const slots = new Float64Array(memory.buffer, 0, 128);
  const tables = new Float64Array(memory.buffer, 2048, 3 * 128);
  tables.set(ZIGGURAT.KN, 0);
  tables.set(ZIGGURAT.WN, 128);
  tables.set(ZIGGURAT.FN, 256);
  // The constants the kernel shares with the models: set once, from their one home.
  slots[Z_SCALE] = Z_SCALE_VALUE;
  slots[MIN_LOG] = MIN_LOG_VALUE;
  slots[FILTER_SLACK] = FILTER_SLACK_VALUE;
  slots[ZIG_R] = ZIGGURAT.R;
  return {
    slots,
    words: new Int32Array(memory.buffer, 0, 2048 / 4),
    run: instance.exports.run as () => number,
    drawNormals: instance.exports.drawNormals as (n: number, sign: number) => number,
    exp: instance.exports.exp as (x: number) => number,
  };
}

/** The kernel's exponential: fdlibm's, as V8's `Math.exp` (test/sim/calm.test.ts checks them bit for bit). */
export function kernelExp(x: number): number {
  return calmKernel().exp(x);
}

/** Why a run stopped. */
export const END = 0;
export const CROSSED = 1;
export const POOL = 2;
export const SERIES = 3;
export const KEEP = 4;

/** The slots (sim/kernel/calm.ts). */
export const STEP_SECS = 0;
export const UNTIL = 1;
export const STALE_AFTER = 2;
export const TRUE_RATE = 3;
export const HAS_FLOOR = 4;
export const FLOOR = 5;
export const LEVEL = 6;
export const SD = 7;
export const SLOW_DECAY = 8;
export const SLOW_NOISE = 9;
export const IMPACT_DECAY = 10;
export const DEPTH = 11;
export const RESERVE_MAX = 12;
export const REFILL = 13;
export const QUANTUM = 14;
export const MAX_CONF = 15;
export const QUORUM_LAG = 16;
export const TOTAL_SHARES = 17;
export const RESERVE_FACTOR = 18;
export const PRICING = 19;
export const PESS = 20;
export const BUNKER = 21;
export const OPEN_FAIR = 22;
export const LAST_STEP = 23;
export const BUCKET_STEPS = 24;
export const TOP = 25;
export const STEPS = 26;
export const SIGN = 27;
export const Z_SCALE = 28;
export const MIN_LOG = 29;
export const FILTER_SLACK = 71;
export const ZIG_R = 72;
export const IDX = 30;
export const S = 31;
export const SLOW = 32;
export const IMPACT = 33;
export const RESERVE = 34;
export const ARBITRAGE = 35;
export const LOG_DISCOUNT = 36;
export const DEX = 37;
export const AVAILABLE = 38;
export const MARKET_PRICE = 39;
export const SPOT = 40;
export const LOW = 41;
export const CONFIDENCE = 42;
export const EMA = 43;
export const EMA_LOW = 44;
export const EMA_TS = 45;
export const PRICE_TS = 46;
export const KEEP_SINCE = 47;
export const KEEP_W = 48;
export const CENTER = 49;
export const ROUND_CONF = 50;
export const LAZY = 51;
export const UNTIL_UPDATE = 52;
export const GROWTH = 53;
export const INDEX = 54;
export const INSURANCE = 55;
export const BUNKER_STEPS = 56;
export const MAX_DISCOUNT = 57;
export const BUCKET_LO = 58;
export const BUCKET_HI = 59;
export const SERIES_LEFT = 60;
export const SERIES_AT = 61;
export const MAINT = 62;
export const INIT = 63;
export const T = 64;
export const PHASE = 65;
export const OUT_DEPEG = 66;
export const OUT_LO = 67;
export const OUT_HI = 68;
export const SINCE = 69;
export const PREVIOUS_DEX = 70;

/**
 * The sum of `n` normals drawn from `rng` by the kernel, as its calm steps draw them (the same numbers as
 * `rng.normal()`): the random-number bound of a world whose normals the kernel draws (bench/sim.ts).
 */
export function kernelNormalSum(rng: Xoshiro128, n: number): number {
  const { words, drawNormals } = calmKernel();
  rng.saveState(words, STREAM_WORD);
  const sum = drawNormals(n, rng.mirror);
  rng.loadState(words, STREAM_WORD);
  return sum;
}
