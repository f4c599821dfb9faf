/**
 * The WebAssembly calm kernel (sim/kernel/calm.ts, built into calm.wasm by `npm run sim:kernel`): its
 * memory's slots and exit codes, as the kernel names them, and its exports. One instance per thread,
 * with two lanes: a path's engine writes its lane's slots before a run and reads them after
 * (`PathEngine.calmBegin` and `calmEnd`; `PathEngine.runPaired` runs two paths at once).
 */
import { readFileSync } from "node:fs";
import { RATE_TABLE_ENTRIES } from "../models/borrowRate.js";
import { MIN_LOG as MIN_LOG_VALUE } from "../models/discount.js";
import { Z_SCALE as Z_SCALE_VALUE } from "../models/marketOracle.js";
import { type Xoshiro128, ZIGGURAT } from "../rng.js";
import { YEAR_SECS } from "./approx.js";
import { FILTER_SLACK as FILTER_SLACK_VALUE } from "./frontier.js";
import { MAX_SERIES_BUCKETS } from "./params.js";

/** The kernel's f64 slots (index k at byte 8·k). */
export const SLOT = {
  STEP_SECS: 0,
  UNTIL: 1,
  STALE_AFTER: 2,
  TRUE_RATE: 3,
  HAS_FLOOR: 4,
  FLOOR: 5,
  LEVEL: 6,
  SD: 7,
  SLOW_DECAY: 8,
  SLOW_NOISE: 9,
  IMPACT_DECAY: 10,
  DEPTH: 11,
  RESERVE_MAX: 12,
  REFILL: 13,
  QUANTUM: 14,
  MAX_CONF: 15,
  QUORUM_LAG: 16,
  TOTAL_SHARES: 17,
  RESERVE_FACTOR: 18,
  PRICING: 19,
  PESS: 20,
  BUNKER: 21,
  OPEN_FAIR: 22,
  LAST_STEP: 23,
  BUCKET_STEPS: 24,
  TOP: 25,
  STEPS: 26,
  SIGN: 27,
  Z_SCALE: 28,
  MIN_LOG: 29,
  IDX: 30,
  S: 31,
  SLOW: 32,
  IMPACT: 33,
  RESERVE: 34,
  ARBITRAGE: 35,
  LOG_DISCOUNT: 36,
  DEX: 37,
  AVAILABLE: 38,
  MARKET_PRICE: 39,
  SPOT: 40,
  LOW: 41,
  CONFIDENCE: 42,
  EMA: 43,
  EMA_LOW: 44,
  EMA_TS: 45,
  PRICE_TS: 46,
  KEEP_SINCE: 47,
  KEEP_W: 48,
  CENTER: 49,
  ROUND_CONF: 50,
  LAZY: 51,
  UNTIL_UPDATE: 52,
  GROWTH: 53,
  INDEX: 54,
  INSURANCE: 55,
  BUNKER_STEPS: 56,
  MAX_DISCOUNT: 57,
  BUCKET_LO: 58,
  BUCKET_HI: 59,
  SERIES_LEFT: 60,
  SERIES_AT: 61,
  MAINT: 62,
  INIT: 63,
  T: 64,
  PHASE: 65,
  SINCE: 69,
  PREVIOUS_DEX: 70,
  FILTER_SLACK: 71,
  ZIG_R: 72,
  OUT_A: 73,
  OUT_B: 74,
  POOL_RUNS: 75,
  SUPPLY: 76,
  EXTERNAL_U: 77,
  POPULATION_DELTA: 78,
  INITIAL_SUPPLY: 79,
  LOG_SUPPLY: 80,
  S_DECAY: 81,
  S_NOISE: 82,
  U_DECAY: 83,
  U_NOISE: 84,
  PREV_MEAN: 85,
  TARGET_U: 86,
  MAX_U: 87,
  UPDATE_EVERY: 88,
  UTILIZATION: 89,
  POOL_PEAK: 90,
  APR: 91,
  ENGINE_PEAK: 92,
  YEAR: 93,
  SOLO: 94,
  AGREED_T: 95,
  FRAME_AT: 96,
} as const;

/** Why a run stopped; `runPair` adds `SECOND_LANE` when lane B must act. */
export const EXIT = {
  END: 0,
  CROSSED: 1,
  POOL: 2,
  KEEP: 4,
  FRAME: 6,
  SECOND_LANE: 8,
} as const;

/** The memory's layout, read from the module's exports (byte offsets; a bank's words within the bank). */
const LAYOUT = [
  "STREAM",
  "RAW_A",
  "RAW_B",
  "SORTED",
  "CURRENT",
  "KN",
  "WN",
  "FN",
  "LANE_B",
  "TABLE_A",
  "TABLE_B",
  "SERIES_A",
  "SERIES_B",
  "SERIES_CAPACITY",
  "HELD",
  "HELD_CAPACITY",
] as const;

/**
 * The names among a module's exported numbers that disagree with `SLOT`, `EXIT` and the layout — a slot,
 * code or offset the module lacks, a slot or code it numbers another way, a number it has beyond them — so a kernel and a simulator out of step are
 * refused at load instead of computing with each other's slots.
 */
export function mismatchedExports(exported: ReadonlyMap<string, number>): string[] {
  const expected: Record<string, number> = { ...SLOT, ...EXIT };
  const known = new Set<string>([...Object.keys(expected), ...LAYOUT]);
  return [
    ...Object.entries(expected)
      .filter(([name, value]) => exported.get(name) !== value)
      .map(([name]) => name),
    ...LAYOUT.filter((name) => !exported.has(name)),
    ...[...exported.keys()].filter((name) => !known.has(name)),
  ];
}

/**
 * Where the regions of the kernel's memory that `exported` lays out overlap each other or run past the
 * memory's `bytes`: each lane's bank (as large as lane A's, which ends where the ziggurat's tables
 * start), the three tables, each lane's rate table, each lane's series (which must hold a path's
 * largest series) and the two-lane step's held vectors — so a layout that would let one lane's data
 * overwrite another's is refused at load.
 */
export function layoutConflicts(exported: ReadonlyMap<string, number>, bytes: number): string[] {
  const at = (name: string) => exported.get(name) ?? Number.NaN;
  const bank = at("KN");
  const regions: [string, number, number][] = [
    ["lane A", 0, bank],
    ["KN", at("KN"), 128 * 8],
    ["WN", at("WN"), 128 * 8],
    ["FN", at("FN"), 128 * 8],
    ["lane B", at("LANE_B"), bank],
    ["TABLE_A", at("TABLE_A"), RATE_TABLE_ENTRIES * 8],
    ["TABLE_B", at("TABLE_B"), RATE_TABLE_ENTRIES * 8],
    ["SERIES_A", at("SERIES_A"), at("SERIES_CAPACITY") * 3 * 8],
    ["SERIES_B", at("SERIES_B"), at("SERIES_CAPACITY") * 3 * 8],
    ["HELD", at("HELD"), at("HELD_CAPACITY") * 16],
  ];
  const conflicts: string[] = [];
  if (!(at("SERIES_CAPACITY") >= MAX_SERIES_BUCKETS))
    conflicts.push(`a lane's series holds fewer than ${MAX_SERIES_BUCKETS} time buckets`);
  regions.forEach(([name, start, size], i) => {
    if (!(start >= 0 && start + size <= bytes)) conflicts.push(`${name} is outside the memory`);
    for (const [other, otherStart, otherSize] of regions.slice(i + 1))
      if (start < otherStart + otherSize && otherStart < start + size) conflicts.push(`${name} overlaps ${other}`);
  });
  return conflicts;
}

/** One lane's bank in the kernel's memory: its slots and where its words are in `CalmKernel.words`. */
export interface CalmLane {
  /** The f64 slots (`SLOT`). */
  readonly slots: Float64Array;
  /**
   * The stream's state at `streamWord`; the last two rounds' noises in member order at `rawWords`, the
   * last at `rawWords[words[currentWord]]`; after a run, the last sorted at `sortedWord`.
   */
  readonly streamWord: number;
  readonly rawWords: readonly [number, number];
  readonly sortedWord: number;
  readonly currentWord: number;
  /** The lane's pool's rate table (its APR at each bps of utilisation), copied in by `useTable`. */
  useTable(table: Float64Array): void;
  /** The lane's time buckets, three doubles each: the depeg at the bucket's last step, its lowest, its highest. */
  readonly series: Float64Array;
}

/** The kernel's instance in this thread: its memory's views and its exports. */
export interface CalmKernel {
  /** Lane A (0) and lane B (1). Lane A's slots also hold the constants both share. */
  readonly lanes: readonly [CalmLane, CalmLane];
  /** The kernel's i32 words. */
  readonly words: Int32Array;
  /** Runs one lane's calm steps until this side must act; returns why it stopped (`EXIT`). */
  readonly run: (lane: number) => number;
  /** Runs both lanes' calm steps until this side must act for one; `EXIT` plus `SECOND_LANE` for lane B. */
  readonly runPair: () => number;
  readonly drawNormals: (n: number, sign: number) => number;
  readonly drawNormalsPair: (n: number, signA: number, signB: number) => void;
  readonly exp: (x: number) => number;
  readonly log: (x: number) => number;
  /** The two-lane step's frontier test for one lane (1: the step goes to the engine). */
  readonly frontierCrossed: (top: number, index: number, maint: number) => number;
}

/** The compiled kernel and the file it came from (named in errors). */
export interface CalmKernelModule {
  readonly module: WebAssembly.Module;
  readonly file: string;
}

let compiled: CalmKernelModule | undefined;
let loaded: CalmKernel | undefined;

/**
 * The kernel's compiled module, read on first use. A worker is handed its parent's (`useCalmKernelModule`):
 * the threads share one compilation, so the optimising compiler works on the kernel once, not per thread.
 */
export function calmKernelModule(): CalmKernelModule {
  if (!compiled) {
    const file = new URL("../../kernel/calm.wasm", import.meta.url);
    try {
      compiled = { module: new WebAssembly.Module(readFileSync(file)), file: file.pathname };
    } catch (e) {
      throw new Error(
        `The simulator's calm kernel (${file.pathname}) could not be loaded: ${(e as Error).message}. It is part of the repository; run \`npm run sim:kernel\` to rebuild it from sim/kernel/calm.ts.`,
      );
    }
  }
  return compiled;
}

/** Uses a module compiled elsewhere (a worker's parent's) from now on; before the kernel's first use. */
export function useCalmKernelModule(kernel: CalmKernelModule): void {
  if (loaded && compiled?.module !== kernel.module) throw new Error("the calm kernel is already instantiated");
  compiled = kernel;
}

/** The kernel, instantiated on first use (so a missing module is reported where the simulator runs). */
export function calmKernel(): CalmKernel {
  loaded ??= instantiate(calmKernelModule());
  return loaded;
}

function instantiate({ module: wasm, file }: CalmKernelModule): CalmKernel {
  const instance = new WebAssembly.Instance(wasm, {});
  const exported = new Map<string, number>();
  for (const [name, value] of Object.entries(instance.exports))
    if (value instanceof WebAssembly.Global) exported.set(name, Number(value.value));
  const wrong = mismatchedExports(exported);
  if (wrong.length > 0)
    throw new Error(
      `The simulator's calm kernel (${file}) does not match the simulator (${wrong.join(", ")}): keep SLOT and EXIT in sim/src/engine/calmWasm.ts in step with sim/kernel/calm.ts and run \`npm run sim:kernel\`.`,
    );
  const at = (name: (typeof LAYOUT)[number]) => exported.get(name)!;
  const memory = instance.exports.memory as WebAssembly.Memory;
  const conflicts = layoutConflicts(exported, memory.buffer.byteLength);
  if (conflicts.length > 0)
    throw new Error(
      `The simulator's calm kernel (${file}) lays out its memory so that lanes would overwrite each other (${conflicts.join("; ")}): fix the offsets in sim/kernel/calm.ts (and --initialMemory in scripts/sim-kernel.mjs) and run \`npm run sim:kernel\`.`,
    );
  const lane = (bank: number, tableAt: number, seriesAt: number): CalmLane => {
    const tableView = new Float64Array(memory.buffer, tableAt, RATE_TABLE_ENTRIES);
    let loaded: Float64Array | undefined;
    return {
      slots: new Float64Array(memory.buffer, bank, 128),
      streamWord: (bank + at("STREAM")) / 4,
      rawWords: [(bank + at("RAW_A")) / 4, (bank + at("RAW_B")) / 4],
      sortedWord: (bank + at("SORTED")) / 4,
      currentWord: (bank + at("CURRENT")) / 4,
      series: new Float64Array(memory.buffer, seriesAt, at("SERIES_CAPACITY") * 3),
      useTable(table) {
        if (table === loaded) return;
        if (table.length !== RATE_TABLE_ENTRIES) throw new RangeError(`a rate table has ${RATE_TABLE_ENTRIES} entries`);
        tableView.set(table);
        loaded = table;
      },
    };
  };
  const lanes = [lane(0, at("TABLE_A"), at("SERIES_A")), lane(at("LANE_B"), at("TABLE_B"), at("SERIES_B"))] as const;
  new Float64Array(memory.buffer, at("KN"), 128).set(ZIGGURAT.KN);
  new Float64Array(memory.buffer, at("WN"), 128).set(ZIGGURAT.WN);
  new Float64Array(memory.buffer, at("FN"), 128).set(ZIGGURAT.FN);
  // The constants the kernel shares with the models: set once, from their one home.
  const shared = lanes[0].slots;
  shared[SLOT.Z_SCALE] = Z_SCALE_VALUE;
  shared[SLOT.MIN_LOG] = MIN_LOG_VALUE;
  shared[SLOT.FILTER_SLACK] = FILTER_SLACK_VALUE;
  shared[SLOT.ZIG_R] = ZIGGURAT.R;
  shared[SLOT.YEAR] = YEAR_SECS;
  return {
    lanes,
    words: new Int32Array(memory.buffer, 0, (at("LANE_B") + at("KN")) / 4),
    run: instance.exports.run as (lane: number) => number,
    runPair: instance.exports.runPair as () => number,
    drawNormals: instance.exports.drawNormals as (n: number, sign: number) => number,
    drawNormalsPair: instance.exports.drawNormalsPair as (n: number, signA: number, signB: number) => void,
    exp: instance.exports.exp as (x: number) => number,
    log: instance.exports.log as (x: number) => number,
    frontierCrossed: instance.exports.frontierCrossed as (top: number, index: number, maint: number) => number,
  };
}

/**
 * Whether the kernel's two-lane step hands the engine a step whose maintenance price is `maint` at borrow
 * index `index`, the frontier's top being `top` (its division-free test; test/sim/calm.test.ts checks it
 * flags every step the engine's `frontierThreshold` does).
 */
export function kernelCrossesFrontier(top: number, index: number, maint: number): boolean {
  return calmKernel().frontierCrossed(top, index, maint) === 1;
}

/** The kernel's exponential: fdlibm's, as V8's `Math.exp` (test/sim/calm.test.ts checks them bit for bit). */
export function kernelExp(x: number): number {
  return calmKernel().exp(x);
}

/** The kernel's logarithm: fdlibm's, as V8's `Math.log` (test/sim/calm.test.ts checks them bit for bit). */
export function kernelLog(x: number): number {
  return calmKernel().log(x);
}

/**
 * The sum of `n` normals drawn from `rng` by the kernel, as its calm steps draw them (the same numbers as
 * `rng.normal()`): the random-number bound of a world whose normals the kernel draws (bench/sim.ts).
 */
export function kernelNormalSum(rng: Xoshiro128, n: number): number {
  const { words, lanes, drawNormals } = calmKernel();
  rng.saveState(words, lanes[0].streamWord);
  const sum = drawNormals(n, rng.mirror);
  rng.loadState(words, lanes[0].streamWord);
  return sum;
}

/**
 * The sums of `n` normals drawn from each of two streams by the kernel, one from each in turn (the same
 * numbers as each stream's `normal()`): two paths' draws at once, whose chains of dependent operations
 * can overlap: the random-number bound of paths drawn two at a time (bench/sim.ts, a′).
 */
export function kernelNormalSumPair(a: Xoshiro128, b: Xoshiro128, n: number): [number, number] {
  const { words, lanes, drawNormalsPair } = calmKernel();
  const [laneA, laneB] = lanes;
  a.saveState(words, laneA.streamWord);
  b.saveState(words, laneB.streamWord);
  drawNormalsPair(n, a.mirror, b.mirror);
  a.loadState(words, laneA.streamWord);
  b.loadState(words, laneB.streamWord);
  return [laneA.slots[SLOT.OUT_A]!, laneA.slots[SLOT.OUT_B]!];
}
