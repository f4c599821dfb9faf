/**
 * The fused calm step: a step of the world models in which no event is due — no epoch, slashing,
 * commission shock, report landing or confirmation, no regime switch, jump, flash dip, scripted event
 * or drain, no pool flow, the feed fresh, every member honest and publishing (the oracle's clean-round
 * window) or all but one whose publisher is out (its one-out window), no liquidation queued and no
 * feedback pending — is the same arithmetic every time: the OU discount, the DEX price, a clean
 * 9-member round (median, deviation, agreement gate, EMAs) or, while one member's publisher is out, the
 * general round of the other eight, the borrow index, the pool's hourly update and the observations.
 * `PathEngine` runs such steps in the WebAssembly kernel (sim/kernel/calm.ts; `calmBegin`, `calmExit`,
 * `calmEnd`) from a copy of the models' numeric state and writes it back before the next event, bit for
 * bit what the models compute (the same draws from the same stream, the same floating-point
 * expressions in the same order, V8's `Math.exp` and `Math.log` as fdlibm computes them). A frame start
 * (which leaves the feed as it is) and the hourly update of a pool whose target is scripted run through the
 * committee's and the pool model's own steps, the kernel waiting; every other step goes through the
 * models.
 *
 * The models' fields it reads and writes, as they are named in the models (private there: this file is
 * the one place outside them that may touch them, and the parity tests compare both ways).
 */
import type { MarketSnapshot } from "../contract.js";
import type { DiscountInputs } from "../models/discount.js";
import type { ModelRng } from "../rng.js";

export interface CalmFair {
  rate: number;
  nextEvent: number;
}

export interface CalmCommittee {
  readonly frameAt: number;
  feedEventAt(): number;
  /** The committee's step at `t`: frame starts (drawing from the world's stream) and feed events. */
  advanceTo(t: number, trueRate: number): void;
  readonly feedState: object;
  rng: ModelRng;
  staleAfter: number;
  fairRate: number;
  pessimisticRate: number;
  bunker: boolean;
  held: boolean;
}

export interface CalmDiscount {
  slow: number;
  impact: number;
  flash: number;
  logDiscount: number;
  depth1Pct: number;
  reserve: number;
  arbitrageSol: number;
  stress: boolean;
  slowDecay: [number, number];
  slowNoise: [number, number];
  impactDecay: [number, number];
  nextSwitch: number;
  nextJump: number;
  nextFlash: number;
  nextEventAt: number;
  flashes: unknown[];
  hasStressPeriods: boolean;
  hasLevelPath: boolean;
  hasDepthPath: boolean;
  drains: { t: number }[];
  drainIndex: number;
  sd: number;
  regimeLevel: number;
  refillPerStep: number;
  restaking: { reserveSol: number };
  rng: ModelRng;
}

export interface CalmOracle {
  n: number;
  exact: boolean;
  noise: number;
  quantum: number;
  cleanUntil: number;
  soloUntil: number;
  soloMember: number;
  spec: { maxConfidenceBps: number; maxPriceAgeSecs: number; emaHalfLifeSecs: number };
  rng: ModelRng;
  cleanZ: Int32Array;
  sortedZ: Int32Array;
  quorumLag: number;
  available: boolean;
  spot: number;
  low: number;
  confidence: number;
  ema: number;
  emaLow: number;
  fresh: number;
  marketPrice: number;
  marketPriceTs: number;
  marketEmaTs: number;
  keepSince: number;
  keep: number;
  lastCleanT: number;
  lastCleanDex: number;
  dexPrice: number;
  roundPrice: number;
  roundLow: number;
  roundConf: number;
  quorumTsPending: number;
  // The members' last observations and the general round's buffers (the rounds with one member out).
  readonly lag: Float64Array;
  readonly price: Float64Array;
  readonly ts: Float64Array;
  readonly scratch: Float64Array;
  readonly scratchTs: Float64Array;
  readonly lastFreshTs: Float64Array;
}

export interface CalmPool {
  untilUpdate: number;
  unsettled: boolean;
  nextFlowAt: number;
  apr: number;
  utilization: number;
  rng: ModelRng;
  step(t: number, netBorrowSol: number): void;
  // The hourly update's state, for the kernel to run it (a target that is not scripted).
  supply: number;
  externalUtilization: number;
  populationDelta: number;
  peakUtilization: number;
  logSupply: number;
  prevMean: number;
  readonly table: Float64Array;
  readonly target: { readonly scripted: boolean };
  readonly spec: { readonly utilization: number; readonly maxUtilizationBps: number };
  readonly initialSupply: number;
  readonly updateEvery: number;
  readonly sDecay: number;
  readonly sNoise: number;
  readonly uDecay: number;
  readonly uNoise: number;
}

/** `LanternWorld` as the calm kernel sees it. */
export interface CalmWorld {
  /** The world lets the engine run its calm steps (LanternWorld's option). */
  readonly calmKernel: boolean;
  index: number;
  readonly stepSecs: number;
  readonly fair: CalmFair;
  readonly committee: CalmCommittee;
  readonly discount: CalmDiscount;
  readonly oracle: CalmOracle;
  readonly pool: CalmPool;
  readonly inputs: DiscountInputs;
  readonly floorFair: number;
  readonly floorTrue: number;
  readonly floorClosed: boolean;
  readonly unstakeFeeLog: number;
  readonly queuedAlways: boolean;
  readonly view: Required<MarketSnapshot>;
  /** The world's snapshot of the step ending at `t` (the feed is fresh in a calm step). */
  writeView(t: number, dexPrice: number, stale: boolean): void;
}

export function isCalmWorld(world: object): world is CalmWorld {
  return typeof (world as Partial<CalmWorld>).calmKernel === "boolean";
}
