// The liquidators' feedback reaches the world: what they sell moves the DEX price (cascades), what they
// repay moves the pool. Until the fix the engine cleared the feedback before the world read it, so no
// liquidation ever moved a price; these tests fail if that happens again.
import { describe, expect, it } from "vitest";
import {
  type Feedback,
  type MarketSnapshot,
  type PathOutcome,
  type Scenario,
  type World,
  createWorld,
  parseScenario,
  pathStreams,
  prepareJob,
} from "@lantern/sim";

/** A world that records the feedback it is given and, when `blind`, passes none on to the models. */
class Recorder implements World {
  readonly stepSecs: number;
  readonly steps: number;
  sold = 0;
  repaid = 0;
  constructor(
    private readonly inner: World,
    private readonly blind: boolean,
  ) {
    this.stepSecs = inner.stepSecs;
    this.steps = inner.steps;
  }
  step(feedback: Feedback): MarketSnapshot {
    this.sold += feedback.lrtSoldSol;
    this.repaid -= feedback.netBorrowSol;
    return this.inner.step(this.blind ? { lrtSoldSol: 0, netBorrowSol: 0 } : feedback);
  }
}

function run(scenario: Scenario, path: number, blind: boolean): { outcome: PathOutcome; world: Recorder } {
  const job = prepareJob({ scenario, seed: 11, policy: "MinOfBoth", paths: 2, antithetic: true, engine: "fast" });
  const streams = pathStreams(job.spec, path);
  const world = new Recorder(createWorld(scenario, streams.world), blind);
  return { outcome: job.engine.run(world, path, streams.engine), world };
}

/** A small book whose liquidations are large against the DEX: an 8% slashing at day 1. */
const stressed = (depth1PctSol: number) =>
  parseScenario({
    name: "feedback",
    horizonDays: 3,
    population: { subAccounts: 400 },
    fairRate: { slashings: [{ day: 1, pct: 8 }] },
    discount: { flash: { perYear: 0 }, jumps: { perYear: 0 }, stress: { entryPerYear: 0 } },
    dex: { depth1PctSol },
    restaking: { reserveSol: 0, reserveRefillSolPerDay: 0 },
  });

describe("liquidators' feedback", () => {
  it("reaches the world: every step's sales and repayments but the last one's", () => {
    const { outcome, world } = run(stressed(2_000), 0, false);
    expect(outcome.liquidations).toBeGreaterThan(100);
    // The world reads step s's feedback at step s + 1; this path's last step liquidates nobody.
    expect(world.repaid).toBeGreaterThan(0);
    expect(Math.abs(world.repaid - outcome.liquidationVolume)).toBeLessThanOrEqual(1e-9 * outcome.liquidationVolume);
    // LRT sold at the fair rate: the seized collateral is worth more than the debt it repaid.
    expect(world.sold).toBeGreaterThan(outcome.liquidationVolume);
  });

  it("large liquidations deepen the discount against an infinitely deep DEX and a blind world", () => {
    for (const path of [0, 1]) {
      const thin = run(stressed(2_000), path, false).outcome;
      const deep = run(stressed(1e10), path, false).outcome;
      const blind = run(stressed(2_000), path, true).outcome;
      expect(thin.liquidations).toBeGreaterThan(100);
      // Against the true rate (which carries the slashing) the DEX stays within ~0.5% without impact; the
      // liquidators' sales take it ~9% lower, and ~8 points lower against the opening rate.
      expect(thin.maxDiscount).toBeGreaterThan(deep.maxDiscount + 0.02);
      expect(thin.maxDiscount).toBeGreaterThan(blind.maxDiscount + 0.02);
      expect(Math.min(...thin.seriesDepegMin)).toBeLessThan(Math.min(...deep.seriesDepegMin) - 0.02);
      // The deeper discount reaches the market price and liquidates more of the book.
      expect(thin.liquidatedAccounts).toBeGreaterThan(deep.liquidatedAccounts);
    }
  });

  it("leaves paths without liquidations exactly as a world that ignores feedback", () => {
    const calm = parseScenario({
      name: "calm",
      horizonDays: 3,
      population: { subAccounts: 400 },
      dex: { depth1PctSol: 2_000 },
    });
    for (const path of [0, 1]) {
      const a = run(calm, path, false);
      expect(a.outcome.liquidations).toBe(0);
      expect(a.world.sold).toBe(0);
      expect(a.outcome).toEqual(run(calm, path, true).outcome);
    }
  });
});
