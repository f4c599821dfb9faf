// Live replays (docs/replay.md): three shipped scenarios — a flash depeg, a committee fault, a mass
// slashing — played one after another on one local chain with one real keeper fleet (its start is most of
// a replay's cost), at a small population, each compared with the model within the stated tolerances.
// Then the check is shown to be able to fail: the chain's outcome of the flash depeg against the model
// with the liquidation threshold a point off.
import { openReplaySession, type ReplayResult, type ReplaySession, recompare, replayTable } from "@lantern/sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const N = 8;
/**
 * Chain seconds per live tick: coarse, so the three replays fit CI's time (docs/replay.md, time
 * compression). The flash depeg's 25-minute wick needs ticks shorter than the wick; the committee fault's
 * and the slashing's market moves are persistent steps, for which an hour's tick (the EMA's half-life)
 * feeds the EMA exactly and moves a liquidation by at most a tick, inside the time tolerance.
 */
const SPEED = 600;
const HOURLY = 3_600;
const REPLAY_MS = 240_000;

let session: ReplaySession | undefined;

const replay = async (scenario: string, overrides: Record<string, unknown>, speed = SPEED) => {
  if (!session) throw new Error("the replay session did not open (see beforeAll)");
  const result = await session.replay({
    scenario,
    path: 0,
    subAccounts: N,
    speed,
    overrides,
    log: (l) => console.log(`${scenario}: ${l}`),
  });
  // The comparison in the run's log, as `sim replay` prints it: what a divergence is judged on.
  console.log(replayTable(result.report));
  return result;
};

const failing = (r: ReplayResult) =>
  r.comparison.rows
    .filter((row) => !row.ok)
    .map((row) => `${row.metric}: chain ${row.chain}, model ${row.model}`)
    .join("; ");

let flash: ReplayResult | undefined;
let slashing: ReplayResult | undefined;

beforeAll(async () => {
  session = await openReplaySession({ log: (l) => console.log(`session: ${l}`) });
}, 240_000);

afterAll(async () => {
  await session?.close();
}, 60_000);

// The mass slashing comes last: its decrease stays in the feed's decrease window for days, where a later
// replay's own decrease would be held sooner than in its model. Each replay opens a frame after the last.
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
    "a committee fault (stale-oracle): five members paused, the feed goes stale on chain as in the model",
    async () => {
      const r = await replay("stale-oracle", { horizonDays: 10 }, HOURLY);
      expect(failing(r)).toBe("");
      expect(r.plan.model.outcome.staleSecs).toBeGreaterThan(0);
      expect(r.chain.staleSecs).toBeGreaterThan(0);
    },
    REPLAY_MS,
  );

  it(
    "a mass slashing (mass-slashing-5): held, confirmed by the guardian, liquidations within tolerance",
    async () => {
      // Six hours past the guardian's confirmation (day 10.5): the confirmed decrease and its liquidations.
      const r = await replay("mass-slashing-5", { horizonDays: 10.75 }, HOURLY);
      slashing = r;
      expect(failing(r)).toBe("");
      expect(r.plan.model.outcome.bunkerSecs).toBeGreaterThan(0);
      expect(r.chain.bunkerSecs).toBeGreaterThan(0);
    },
    REPLAY_MS,
  );

  // Each replay that liquidates judges the model on its own chain outcome; a wrong model must be refuted by
  // at least one. One alone may not: a point of LT moves the flash depeg's volume by ~9 SOL and the
  // slashing's by ~13 SOL, while a replay's volume varies by a few SOL with where its ticks fall.
  it("a model with the liquidation threshold a point off fails the comparison with the same chain outcomes", () => {
    const played = [
      { result: flash, scenario: "msol-flash-depeg", speed: SPEED, horizonDays: 1.5 },
      { result: slashing, scenario: "mass-slashing-5", speed: HOURLY, horizonDays: 10.75 },
    ];
    const verdict = (p: (typeof played)[number], ltBps: number | undefined) => {
      expect(p.result, `the ${p.scenario} replay ran first`).toBeDefined();
      const overrides: Record<string, unknown> = { horizonDays: p.horizonDays };
      if (ltBps !== undefined)
        Object.assign(overrides, { "risk.ltBps": ltBps, "risk.targetLtvBps": Math.min(9200, ltBps - 100) });
      const options = { scenario: p.scenario, path: 0, subAccounts: N, speed: p.speed, overrides };
      return recompare(options, p.result!.chain).comparison.passed;
    };
    for (const p of played) expect(verdict(p, undefined), `${p.scenario}: the right model`).toBe(true);
    for (const ltBps of [9200, 9400])
      expect(
        played.map((p) => verdict(p, ltBps)),
        `LT ${ltBps / 100}% passed every replay`,
      ).toContain(false);
  });
});
