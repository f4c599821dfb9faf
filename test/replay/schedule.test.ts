// The replay's clock (docs/replay.md, time compression): the chain stops every fine stride around the
// model's liquidations, at every checkpoint, and takes long strides only where the EMA a long stride feeds
// stays within its allowance of a fine chain's. Pure: no chain.
import { replayPlan, replaySchedule, SCHEDULE_DEFAULTS } from "@lantern/sim";
import { describe, expect, it } from "vitest";

describe("replay schedule", () => {
  const plan = replayPlan({ scenario: "mass-slashing-5", path: 0, subAccounts: 20 });
  const frame = plan.scenario.committee.frameHours * 3600;
  const horizon = plan.steps[plan.steps.length - 1]!.t;
  const checkpoints: number[] = [];
  for (let f = frame; f <= horizon; f += frame) checkpoints.push(f);
  const stops = replaySchedule(plan, { fine: 60, maxStrideSecs: frame, checkpoints });
  const strideEnding = (t: number) => {
    const i = stops.findIndex((s) => s >= t);
    return stops[i]! - (i > 0 ? stops[i - 1]! : 0);
  };

  it("stops every fine stride from before each model liquidation to after it", () => {
    expect(plan.model.liquidations.length).toBeGreaterThan(0);
    for (const l of plan.model.liquidations) {
      const t = l.atSecs + plan.steps[0]!.t;
      for (const x of [t - SCHEDULE_DEFAULTS.padBeforeSecs + 60, t, t + SCHEDULE_DEFAULTS.padAfterSecs])
        expect(strideEnding(x), `the stride around ${x} s (a liquidation at ${t} s)`).toBe(60);
    }
  });

  it("stops at every checkpoint and at the horizon, ascending, far fewer times than every minute", () => {
    for (const c of checkpoints) expect(stops).toContain(c);
    expect(stops[stops.length - 1]).toBe(horizon);
    for (let i = 1; i < stops.length; i++) expect(stops[i]!).toBeGreaterThan(stops[i - 1]!);
    expect(stops.length).toBeLessThan(horizon / 60 / 20);
  });

  it("feeds the EMA within its allowance of a chain fed every minute at every stop", () => {
    const halfLife = plan.scenario.oracle.emaHalfLifeSecs;
    const at = (t: number) => plan.steps[Math.round(t / 60) - 1]!.dexPrice;
    let fine = plan.steps[0]!.dexPrice;
    let coarse = fine;
    let last = 0;
    let worst = 0;
    for (const s of stops) {
      for (let t = last + 60; t <= s; t += 60)
        fine = fine * 2 ** (-60 / halfLife) + at(t) * (1 - 2 ** (-60 / halfLife));
      const d = 2 ** (-(s - last) / halfLife);
      coarse = coarse * d + at(s) * (1 - d);
      worst = Math.max(worst, Math.abs(coarse / fine - 1));
      last = s;
    }
    expect(worst).toBeLessThanOrEqual(SCHEDULE_DEFAULTS.maxEmaBps * 1e-4 + 1e-12);
  });
});
