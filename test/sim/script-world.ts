// Scripted worlds for the engine tests (not the simulator's models): a deterministic one whose fair
// rate, prices and borrow rate are given as functions of the step, and a seeded random one with
// depeg jumps, slashing, missing market rounds and price impact from liquidators' sales (cascades).
import type { Feedback, MarketSnapshot, Rng, World } from "@lantern/sim";

export interface ScriptSpec {
  steps: number;
  stepSecs: number;
  fair: (step: number) => number;
  /** The feed's pessimistic rate (a held loss); absent = the fair rate. */
  pessimistic?: (step: number) => number;
  dex?: (step: number) => number;
  market?: (step: number) => MarketSnapshot["market"];
  apr?: (step: number) => number;
  depth?: number;
}

export class ScriptWorld implements World {
  readonly steps: number;
  readonly stepSecs: number;
  private k = 0;
  readonly feedback: Feedback[] = [];

  constructor(private readonly spec: ScriptSpec) {
    this.steps = spec.steps;
    this.stepSecs = spec.stepSecs;
  }

  step(feedback: Feedback): MarketSnapshot {
    this.feedback.push({ ...feedback });
    const k = this.k++;
    const fair = this.spec.fair(k);
    const dex = this.spec.dex?.(k) ?? fair;
    return {
      t: (k + 1) * this.stepSecs,
      trueRate: fair,
      fairRate: fair,
      pessimisticRate: this.spec.pessimistic?.(k),
      stale: false,
      bunker: false,
      market: this.spec.market ? this.spec.market(k) : { spot: dex, low: dex, confidence: 0, ema: dex, emaLow: dex },
      dexPrice: dex,
      borrowApr: this.spec.apr?.(k) ?? 0,
      utilization: 0.5,
      dexDepthSol: this.spec.depth ?? 1e12,
    };
  }
}

export interface RandomSpec {
  steps: number;
  stepSecs: number;
  /** Per-step probability of a depeg jump and its mean size. */
  jumpProb: number;
  jumpSize: number;
  /** Per-step probability of a slashing of the fair rate and its mean size. */
  slashProb: number;
  slashSize: number;
  vol: number;
  /** Discount widening per SOL sold by liquidators. */
  impactPerSol: number;
  depth: number;
  /** Probability that a step has no market price round. */
  noMarketProb: number;
}

export class RandomWorld implements World {
  readonly steps: number;
  readonly stepSecs: number;
  private k = 0;
  private fair = 1;
  private discount = -0.002;
  private ema = 1;
  private util = 0.6;

  constructor(
    private readonly rng: Rng,
    private readonly spec: RandomSpec,
  ) {
    this.steps = spec.steps;
    this.stepSecs = spec.stepSecs;
  }

  step(feedback: Feedback): MarketSnapshot {
    const s = this.spec;
    const r = this.rng;
    this.k++;
    this.fair *= 1 + (0.07 * s.stepSecs) / 31_536_000;
    if (r.uniform() < s.slashProb) this.fair *= 1 - s.slashSize * r.uniform();
    this.discount += 0.05 * (-0.002 - this.discount) + s.vol * r.normal() - s.impactPerSol * feedback.lrtSoldSol;
    if (r.uniform() < s.jumpProb) this.discount -= s.jumpSize * r.uniform();
    if (this.discount < -0.9) this.discount = -0.9;
    if (this.discount > 0.01) this.discount = 0.01;
    const dex = this.fair * (1 + this.discount);
    this.ema += 0.1 * (dex - this.ema);
    this.util = Math.min(0.99, Math.max(0, this.util + 0.01 * r.normal() - feedback.netBorrowSol * 1e-6));
    // A 0.1% band under the median and under the EMA: the consumer's lows.
    const band = 0.001 * dex;
    const market =
      r.uniform() < s.noMarketProb
        ? null
        : { spot: dex, low: dex - band, confidence: band, ema: this.ema, emaLow: this.ema - band };
    return {
      t: this.k * s.stepSecs,
      trueRate: this.fair,
      fairRate: this.fair,
      stale: r.uniform() < 0.01,
      bunker: this.discount < -0.05,
      market,
      dexPrice: dex,
      borrowApr: 0.02 + 0.2 * this.util * this.util,
      utilization: this.util,
      dexDepthSol: s.depth,
    };
  }
}
