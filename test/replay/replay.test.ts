// Live replays (docs/replay.md): three shipped scenarios — a mass slashing, a flash depeg, a committee
// fault — each played on a local chain of its own with the real keeper fleet, at a small population, and
// compared with the model within the stated tolerances. Then the check is shown to be able to fail: the
// chain's outcome of the flash depeg against the model with the liquidation threshold a point off.
import { type ReplayResult, recompare, runReplay } from "@lantern/sim";
import { describe, expect, it } from "vitest";

const N = 8;
/**
 * Chain seconds per live tick: coarse, so the three replays fit CI's time (docs/replay.md, time
 * compression); the flash depeg's 25-minute wick needs ticks shorter than the wick.
 */
const SPEED = 600;
const SLOW_SPEED = 1_800;
const REPLAY_MS = 420_000;

const replay = (scenario: string, overrides: Record<string, unknown>, speed = SPEED) =>
  runReplay({
    scenario,
    path: 0,
    subAccounts: N,
    speed,
    overrides,
    log: (l) => console.log(`${scenario}: ${l}`),
  });

const failing = (r: ReplayResult) =>
  r.comparison.rows
    .filter((row) => !row.ok)
    .map((row) => `${row.metric}: chain ${row.chain}, model ${row.model}`)
    .join("; ");

let flash: ReplayResult | undefined;

describe("live replay", () => {
  it(
    "a flash depeg (msol-flash-depeg): the chain liquidates what the model liquidates",
    async () => {
      flash = await replay("msol-flash-depeg", { horizonDays: 1.5 });
      expect(failing(flash)).toBe("");
      expect(flash.chain.notOpened).toEqual([]);
      // The path's wick reaches the 9–10× sub-accounts in both: the replay is not comparing two empty books.
      expect(flash.plan.model.liquidations.length).toBeGreaterThan(0);
      expect(flash.chain.liquidations.length).toBeGreaterThan(0);
    },
    REPLAY_MS,
  );

  it(
    "a mass slashing (mass-slashing-5): held, confirmed by the guardian, liquidations within tolerance",
    async () => {
      const r = await replay("mass-slashing-5", { horizonDays: 11 }, SLOW_SPEED);
      expect(failing(r)).toBe("");
      expect(r.plan.model.outcome.bunkerSecs).toBeGreaterThan(0);
      expect(r.chain.bunkerSecs).toBeGreaterThan(0);
    },
    REPLAY_MS,
  );

  it(
    "a committee fault (stale-oracle): five members paused, the feed goes stale on chain as in the model",
    async () => {
      const r = await replay("stale-oracle", { horizonDays: 10 }, SLOW_SPEED);
      expect(failing(r)).toBe("");
      expect(r.plan.model.outcome.staleSecs).toBeGreaterThan(0);
      expect(r.chain.staleSecs).toBeGreaterThan(0);
    },
    REPLAY_MS,
  );

  it("a model with the liquidation threshold a point off fails the comparison with the same chain outcome", () => {
    expect(flash, "the flash-depeg replay ran first").toBeDefined();
    const options = { scenario: "msol-flash-depeg", path: 0, subAccounts: N, speed: SPEED };
    const right = recompare({ ...options, overrides: { horizonDays: 1.5 } }, flash!.chain);
    expect(right.comparison.passed).toBe(true);
    for (const ltBps of [9200, 9400]) {
      const wrong = recompare(
        {
          ...options,
          overrides: { horizonDays: 1.5, "risk.ltBps": ltBps, "risk.targetLtvBps": Math.min(9200, ltBps - 100) },
        },
        flash!.chain,
      );
      expect(wrong.comparison.passed, `LT ${ltBps / 100}% still passed`).toBe(false);
    }
  });
});
