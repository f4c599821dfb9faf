// The simulator's world models: random streams, scenario files, and each model against the rule it
// implements (the sdk's protocol math where the protocol applies, analytic results elsewhere).
// Pure computation, no chain: the whole file runs in a few seconds.
import { describe, expect, it } from "vitest";
import { borrowRate, DEFAULT_RATE_CURVE, decay, medianRound, roundAgrees } from "@lantern/sdk";
import {
  type MarketSnapshot,
  BorrowRateModel,
  aprAt,
  rateTable,
  useRateTable,
  CommitteeModel,
  fromWad,
  toWad,
  DiscountModel,
  FairRateModel,
  commissionCut,
  agreesF,
  deviationSorted,
  lowerMedianSorted,
  emaKeep,
  medianSorted,
  sortPrefix,
  createWorld,
  type Xoshiro128,
  createRng,
  streamState,
  ScenarioError,
  defaultScenario,
  describeSchema,
  listScenarios,
  loadScenario,
  overrideScenario,
  parseScenario,
  scenarioHash,
  type Scenario,
} from "@lantern/sim";

const DAY = 86_400;
const YEAR = 31_536_000;
const calm = { lrtSoldSol: 0, netBorrowSol: 0 };

/** The defaults with dotted overrides. */
function scenario(overrides: Record<string, unknown> = {}): Scenario {
  return overrideScenario(defaultScenario(), overrides);
}

/** A committee with no random misbehaviour, driven by an explicit true-rate path. */
function quietCommittee(overrides: Record<string, unknown> = {}): CommitteeModel {
  const s = scenario({ "committee.offlinePerFrame": 0, "committee.latePerFrame": 0, ...overrides });
  return new CommitteeModel(s.committee, s.fairRate.initialRate, createRng(1, 0));
}

function runCommittee(
  c: CommitteeModel,
  days: number,
  trueRate: (t: number) => number,
  stepSecs = 600,
  each?: (t: number) => void,
): void {
  for (let t = stepSecs; t <= days * DAY; t += stepSecs) {
    c.advanceTo(t, trueRate(t));
    each?.(t);
  }
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe("random streams", () => {
  it("depend on (seed, path) only: the same numbers in any creation order", () => {
    const draw = (r: Xoshiro128) => [r.nextUint32(), r.uniform(), r.normal(), r.poisson(3), r.normal()];
    const a = createRng(42, 7);
    const b = createRng(42, 8);
    const first = draw(a);
    draw(b);
    expect(draw(createRng(42, 7))).toEqual(first);
    expect(draw(createRng(42, 8))).not.toEqual(first);
    expect(draw(createRng(43, 7))).not.toEqual(first);
    expect(draw(createRng(42, 7, { stream: 1 }))).not.toEqual(first);
    // Interleaving two streams does not change either.
    const x = createRng(9, 1);
    const y = createRng(9, 2);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < 100; i++) {
      xs.push(x.normal());
      ys.push(y.normal());
    }
    const x2 = createRng(9, 1);
    expect(Array.from({ length: 100 }, () => x2.normal())).toEqual(xs);
  });

  it("give distinct, well-mixed starting states to neighbouring paths", () => {
    const seen = new Set<string>();
    let flipped = 0;
    for (let p = 0; p < 5_000; p++) {
      const s = streamState(1, p);
      seen.add(s.join(","));
      const t = streamState(1, p + 1);
      for (let w = 0; w < 4; w++) flipped += popcount(s[w]! ^ t[w]!);
    }
    expect(seen.size).toBe(5_000);
    // Avalanche: about half of the 128 bits differ between consecutive paths.
    expect(flipped / 5_000 / 128).toBeGreaterThan(0.45);
    expect(flipped / 5_000 / 128).toBeLessThan(0.55);
    expect(() => streamState(1.5, 0)).toThrow(/seed must be an integer/);
  });

  it("draw uniforms, normals and Poisson counts with the right moments", () => {
    const r = createRng(2024, 0);
    const n = 400_000;
    let su = 0;
    let minU = 1;
    let maxU = 0;
    let s1 = 0;
    let s2 = 0;
    let s4 = 0;
    let tail3 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      su += u;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      s4 += z * z * z * z;
      if (Math.abs(z) > 3) tail3++;
    }
    expect(minU).toBeGreaterThanOrEqual(0);
    expect(maxU).toBeLessThan(1);
    expect(Math.abs(su / n - 0.5)).toBeLessThan(0.003);
    expect(Math.abs(s1 / n)).toBeLessThan(0.006);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(s4 / n - 3)).toBeLessThan(0.06);
    // P(|Z| > 3) = 0.0026998; sd of the estimate ≈ 8e-5.
    expect(Math.abs(tail3 / n - 0.0027)).toBeLessThan(0.0004);
    // Ziggurat layers: the distribution in 0.5-wide bins matches Φ.
    const bins = new Float64Array(16);
    const m = 200_000;
    for (let i = 0; i < m; i++) {
      const b = Math.floor((r.normal() + 4) * 2);
      if (b >= 0 && b < 16) bins[b]!++;
    }
    for (let b = 0; b < 16; b++) {
      const p = phi(b / 2 - 3.5) - phi(b / 2 - 4);
      expect(Math.abs(bins[b]! / m - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / m) + 1e-5);
    }
    for (const lambda of [0.3, 4, 25, 80, 1_000]) {
      let s = 0;
      let ss = 0;
      let bad = 0;
      const k = 20_000;
      for (let i = 0; i < k; i++) {
        const x = r.poisson(lambda);
        if (!(Number.isInteger(x) && x >= 0)) bad++;
        s += x;
        ss += x * x;
      }
      expect(bad).toBe(0);
      const mean = s / k;
      const variance = ss / k - mean * mean;
      expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / k));
      expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.06);
    }
    expect(r.poisson(0)).toBe(0);
  });

  it("antithetic twins negate normals and mirror uniforms", () => {
    const a = createRng(5, 3);
    const b = createRng(5, 3, { antithetic: true });
    for (let i = 0; i < 1_000; i++) {
      expect(b.normal()).toBe(-a.normal());
      expect(b.uniform()).toBeCloseTo(1 - a.uniform(), 15);
    }
  });

  it("antithetic twins mirror event draws too: uniformPositive u → 1 − u exactly, exponential waits and sizes", () => {
    // Issue 14: the twin's uniformPositive() used to return the plain stream's value, so a pair drew
    // the same event times and sizes (slashings, jumps, flash dips, outages, stress regimes).
    const a = createRng(9, 4);
    const b = createRng(9, 4, { antithetic: true });
    let same = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = a.uniformPositive();
      const v = b.uniformPositive();
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
      expect(v).toBe(1 - u); // exact: both are midpoints of the same 2^-52 grid
      if (u === v) same++;
      const x = a.exponential(2);
      const y = b.exponential(2);
      // The twin's wait is the mirrored quantile: F(y) = 1 − F(x) with F(x) = 1 − e^{−2x}.
      expect(Math.exp(-2 * y)).toBeCloseTo(1 - Math.exp(-2 * x), 12);
    }
    expect(same).toBe(0);
  });
});

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v; v &= v - 1) c++;
  return c;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
function phi(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp((-x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

describe("scenario files", () => {
  it("every shipped scenario loads, validates and is documented", () => {
    const entries = listScenarios();
    const names = entries.map((e) => e.name);
    for (const required of [
      "baseline",
      "june-2022-steth-replay",
      "ftx-week-solana",
      "msol-flash-depeg",
      "lst-pool-drain",
      "borrow-rate-spike",
      "mass-slashing-0.1",
      "mass-slashing-1",
      "mass-slashing-5",
      "mass-slashing-33",
      "collusion-5-of-9",
      "publisher-fault-2-members",
      "stale-oracle",
      "delayed-negative-rebase",
      "liquidity-crunch",
      "commission-rug",
    ]) {
      expect(names).toContain(required);
    }
    for (const entry of entries) {
      const s = loadScenario(entry.name);
      expect(s.name).toBe(entry.name);
      expect(s.description.length).toBeGreaterThan(40);
      expect(s.source.length).toBeGreaterThan(0);
      expect(loadScenario(entry.file)).toEqual(s);
    }
  });

  it("rejects invalid values with the field and the allowed range", () => {
    const issues = (raw: unknown): string[] => {
      try {
        parseScenario(raw);
      } catch (error) {
        expect(error).toBeInstanceOf(ScenarioError);
        return (error as ScenarioError).issues;
      }
      return [];
    };
    expect(issues({ discount: { halfLifeEpochs: -3 } })).toEqual([
      "discount.halfLifeEpochs must be between 0.1 and 100, got -3",
    ]);
    expect(issues({ committee: { members: 9.5 } })).toEqual([
      "committee.members must be an integer between 1 and 16, got 9.5",
    ]);
    expect(issues({ policy: "Oracle" })).toEqual([
      'policy must be one of "FairRate", "Market", "MinOfBoth", got "Oracle"',
    ]);
    expect(issues({ pool: { utilization: "high" } })).toEqual([
      'pool.utilization must be a number between 0 and 1, got "high"',
    ]);
    expect(issues({ discount: { halfLife: 2 } })[0]).toMatch(
      /^unknown field discount\.halfLife \(allowed: initialBps, levelBps, halfLifeEpochs/,
    );
    expect(issues({ fairRate: { slashings: [{ pct: 5 }] } })).toEqual([
      "fairRate.slashings[0].day is required (a number between 0 and 3650)",
    ]);
    expect(issues({ fairRate: { slashings: [{ day: 3, pct: 120 }] } })).toEqual([
      "fairRate.slashings[0].pct must be between 0 and 100, got 120",
    ]);
    expect(issues({ committee: { quorum: 4 } })).toEqual([
      "committee.quorum must be an integer between 5 and 9 (more than half of committee.members), got 4",
    ]);
    expect(issues({ committee: { voteDelayMinutes: [30, 5] } })).toEqual([
      "committee.voteDelayMinutes[1] must be between 30 (committee.voteDelayMinutes[0]) and 10080, got 5",
    ]);
    expect(issues({ risk: { ltBps: 9_100 } })).toEqual([
      "risk.ltBps must be between 9201 (above risk.targetLtvBps) and 9599, got 9100",
    ]);
    expect(issues({ population: { leverage: { max: 12 } } })).toEqual([
      "population.leverage.max must be between 1 and 10 (1 / (1 − risk.ltvInitBps)), got 12",
    ]);
    expect(issues({ stepSecs: 7 })).toEqual(["stepSecs must divide 86400 (e.g. 1, 10, 60, 300, 3600), got 7"]);
    expect(issues({ committee: { roles: [{ members: [9], role: "offline" }] } })).toEqual([
      "committee.roles[0].members[0] must be an integer between 0 and 8, got 9",
    ]);
    // Several problems are reported together.
    expect(issues({ horizonDays: 0, seed: -1 })).toHaveLength(2);
    expect(() => loadScenario("no-such-scenario")).toThrow(/shipped scenarios: .*baseline/);
  });

  it("hashes the canonical JSON with defaults filled in", () => {
    const a = parseScenario({ name: "x", discount: { levelBps: -30, sdBps: 8 } });
    const b = parseScenario({ discount: { sdBps: 8, levelBps: -30 }, name: "x", policy: "MinOfBoth" });
    expect(scenarioHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(scenarioHash(a)).toBe(scenarioHash(b));
    expect(scenarioHash(a)).not.toBe(scenarioHash(overrideScenario(a, { "discount.levelBps": -31 })));
    expect(scenarioHash(loadScenario("baseline"))).toBe(scenarioHash(loadScenario("baseline")));
    expect(overrideScenario(a, { policy: "FairRate" }).policy).toBe("FairRate");
    expect(() => overrideScenario(a, { "risk.nope": 1 })).toThrow(/unknown field risk\.nope/);
    expect(describeSchema().find((r) => r.path === "discount.halfLifeEpochs")).toEqual({
      path: "discount.halfLifeEpochs",
      default: "1.5",
      allowed: "0.1..100",
    });
  });
});

describe("fair rate", () => {
  it("grows by the staking APR per epoch, exactly without noise", () => {
    const s = scenario({ "fairRate.mevNoiseAprPct": 0 });
    const m = new FairRateModel(s.fairRate, createRng(1, 0));
    m.advanceTo(365 * DAY);
    const epochs = Math.floor((365 * 24) / 48);
    expect(relErr(m.rate, Math.pow(1 + 0.07 * ((48 * 3600) / YEAR), epochs))).toBeLessThan(1e-12);
  });

  it("drifts at the APR on average with MEV noise", () => {
    const s = scenario({ "fairRate.mevNoiseAprPct": 3 });
    const growth: number[] = [];
    for (let p = 0; p < 300; p++) {
      const m = new FairRateModel(s.fairRate, createRng(11, p));
      m.advanceTo(YEAR);
      growth.push(m.rate);
    }
    const mean = growth.reduce((a, b) => a + b, 0) / growth.length;
    const expected = Math.pow(1 + 0.07 * ((48 * 3600) / YEAR), Math.floor(YEAR / (48 * 3600)));
    const sd = Math.sqrt(growth.reduce((a, b) => a + (b - mean) ** 2, 0) / growth.length);
    expect(sd).toBeGreaterThan(0);
    expect(Math.abs(mean - expected)).toBeLessThan((4 * sd) / Math.sqrt(growth.length));
  });

  it("applies scripted and random slashings as jumps and commission shocks to rewards only", () => {
    const s = scenario({
      "fairRate.aprPct": 0,
      "fairRate.mevNoiseAprPct": 0,
      "fairRate.slashings": [{ day: 3.5, pct: 5 }],
    });
    const m = new FairRateModel(s.fairRate, createRng(1, 0));
    m.advanceTo(3.5 * DAY - 1);
    expect(m.rate).toBe(1);
    m.advanceTo(3.5 * DAY);
    expect(m.rate).toBeCloseTo(0.95, 15);
    expect(m.slashings).toBe(1);

    // ~5 random slashings per year, mean 1%: the log-loss per year matches.
    const r = scenario({
      "fairRate.aprPct": 0,
      "fairRate.mevNoiseAprPct": 0,
      "fairRate.slashing": { perYear: 5, meanPct: 1, maxPct: 100 },
    });
    let events = 0;
    for (let p = 0; p < 200; p++) {
      const mm = new FairRateModel(r.fairRate, createRng(3, p));
      mm.advanceTo(YEAR);
      events += mm.slashings;
    }
    expect(Math.abs(events / 200 - 5)).toBeLessThan(5 * Math.sqrt(5 / 200));

    expect(commissionCut(50, 100, 5)).toBeCloseTo(0.5, 15);
    expect(commissionCut(10, 5, 5)).toBe(0);
    const rug = scenario({
      "fairRate.mevNoiseAprPct": 0,
      "fairRate.commissionShocks": [{ day: 0, epochs: 5, stakeSharePct: 100, commissionPct: 100 }],
    });
    const rugged = new FairRateModel(rug.fairRate, createRng(1, 0));
    rugged.advanceTo(10 * DAY);
    expect(rugged.rate).toBe(1); // five epochs without rewards
    rugged.advanceTo(12 * DAY);
    expect(rugged.rate).toBeGreaterThan(1);
  });
});

describe("market discount", () => {
  const quiet = (overrides: Record<string, unknown> = {}) =>
    scenario({
      "discount.jumps.perYear": 0,
      "discount.flash.perYear": 0,
      "discount.stress.entryPerYear": 0,
      "restaking.reserveSol": 0,
      ...overrides,
    });
  const model = (s: Scenario, seed = 1, path = 0) =>
    new DiscountModel(s.discount, s.dex, s.restaking, s.fairRate.epochHours * 3600, s.stepSecs, createRng(seed, path));
  const open = { queued: false, soldSol: 0, floorLog: null };

  it("reverts to its level with the half-life of 1.5 epochs, or weeks while queued", () => {
    const s = quiet({ "discount.sdBps": 0, "discount.initialBps": -520 });
    const working = model(s);
    const queued = model(s);
    const halfLife = 1.5 * 48 * 3600;
    for (let t = 60; t <= halfLife; t += 60) {
      working.step(t, open);
      queued.step(t, { ...open, queued: true });
    }
    // −20 + (−500)·½ = −270 bps after one half-life.
    expect(working.logDiscount * 1e4).toBeCloseTo(-270, 9);
    // Queued: half-life 21 days, so after 3 days the gap is 500·2^(−3/21).
    expect(queued.logDiscount * 1e4).toBeCloseTo(-20 - 500 * Math.pow(2, -3 / 21), 9);
  });

  it("has the stationary level and sd on average, and the half-life in expectation", () => {
    const s = quiet({ "discount.sdBps": 10, "discount.initialBps": -220 });
    const n = 200;
    let at3 = 0;
    let sum = 0;
    let sq = 0;
    let count = 0;
    for (let p = 0; p < n; p++) {
      const m = model(s, 5, p);
      for (let t = 60; t <= 30 * DAY; t += 60) {
        m.step(t, open);
        if (t === 3 * DAY) at3 += m.logDiscount * 1e4;
        if (t > 15 * DAY && t % 3600 === 0) {
          sum += m.logDiscount * 1e4;
          sq += (m.logDiscount * 1e4) ** 2;
          count++;
        }
      }
    }
    // E[d(3 days)] = −20 − 200·½; paths' spread at that time ≈ 10 bps → SE ≈ 0.7 bps.
    expect(Math.abs(at3 / n - -120)).toBeLessThan(3);
    const mean = sum / count;
    expect(Math.abs(mean - -20)).toBeLessThan(1.5);
    expect(Math.abs(Math.sqrt(sq / count - mean * mean) - 10)).toBeLessThan(1);
  });

  it("widens with liquidators' sales against the depth, which recover with arbitrage", () => {
    const s = quiet({ "discount.sdBps": 0 });
    const m = model(s);
    m.step(60, open);
    const before = m.logDiscount;
    m.step(120, { ...open, soldSol: 10_000 }); // half the 1% depth of 20,000 SOL
    expect((before - m.logDiscount) * 1e4).toBeCloseTo(50 * Math.pow(2, 0), 6);
    for (let t = 180; t <= 120 + 20 * 60; t += 60) m.step(t, open);
    expect((before - m.logDiscount) * 1e4).toBeCloseTo(25, 1); // impact half-life 20 minutes
  });

  it("cannot fall below the instant-unstake floor while the reserve lasts, which drains it", () => {
    const s = quiet({ "discount.sdBps": 0, "restaking.reserveSol": 50_000, "restaking.reserveRefillSolPerDay": 0 });
    const m = model(s);
    const floor = Math.log(1 - 0.003);
    m.step(60, { ...open, floorLog: floor, soldSol: 40_000 }); // −200 bps of impact
    expect(m.logDiscount).toBeCloseTo(floor, 12);
    expect(m.reserve).toBeCloseTo(50_000 - ((floor - (-0.002 - 0.02)) / 0.01) * 20_000, 6);
    m.step(120, { ...open, floorLog: floor, soldSol: 100_000 });
    expect(m.reserve).toBe(0);
    expect(m.logDiscount).toBeLessThan(floor - 0.01);
  });

  it("switches into the stress regime and takes scripted flashes that recover", () => {
    const s = quiet({
      "discount.sdBps": 0,
      "discount.stressPeriods": [{ fromDay: 1, toDay: 2 }],
      "discount.events": [{ day: 3, bps: -1400, kind: "flash", holdMinutes: 8, halfLifeMinutes: 5 }],
    });
    const m = model(s);
    const seen: { t: number; d: number; stress: boolean }[] = [];
    for (let t = 60; t <= 4 * DAY; t += 60) {
      m.step(t, open);
      seen.push({ t, d: m.logDiscount * 1e4, stress: m.stress });
    }
    expect(seen.find((x) => x.t === 1.5 * DAY)!.stress).toBe(true);
    expect(seen.find((x) => x.t === 2.5 * DAY)!.stress).toBe(false);
    const at = (t: number) => seen.find((x) => x.t === t)!.d;
    expect(at(3 * DAY) - at(3 * DAY - 60)).toBeCloseTo(-1400, 0);
    expect(at(3 * DAY + 8 * 60) - at(3 * DAY - 60)).toBeCloseTo(-1400, 0); // held for 8 minutes
    expect(at(3 * DAY + 13 * 60) - at(3 * DAY - 60)).toBeCloseTo(-700, 0); // then a 5-minute half-life
  });
});

describe("committee reports through the sdk's sanity rules", () => {
  it("reports a pure drop within the budget as that drop, with bunker mode for one frame", () => {
    const c = quietCommittee();
    runCommittee(c, 3.9, () => 1);
    expect(c.fairRate).toBe(1);
    runCommittee(c, 4.5, (t) => (t >= 3.5 * DAY ? 0.995 : 1));
    expect(c.fairRate).toBe(0.995);
    expect(c.bunker).toBe(true);
    expect(c.stats.held).toBe(0);
    const c2 = quietCommittee();
    runCommittee(c2, 6, (t) => (t >= 3.5 * DAY ? 0.995 : 1));
    expect(c2.fairRate).toBe(0.995);
    expect(c2.bunker).toBe(false); // the next clean report turns it off
  });

  it("holds a drop beyond the budget until the guardian confirms it, then reports it exactly", () => {
    for (const x of [0.02, 0.05, 0.33]) {
      const c = quietCommittee();
      const truth = (t: number) => (t >= 3.5 * DAY ? 1 - x : 1);
      let heldSeen = false;
      let staleSeen = false;
      let mismatches = 0;
      runCommittee(c, 7, truth, 300, (t) => {
        heldSeen ||= c.held;
        staleSeen ||= c.staleAt(t);
        if (c.staleAt(t) !== c.sdkStale(t) || (c.held && c.fairRate !== 1)) mismatches++;
      });
      expect(mismatches).toBe(0);
      expect(heldSeen).toBe(true);
      expect(c.stats.confirmations).toBe(1);
      expect(relErr(c.fairRate, 1 - x)).toBeLessThan(1e-12);
      expect(fromWad(c.feedState.reportedRate)).toBeCloseTo(1 - x, 12);
      // 12 h of guardian delay after a report ~minutes into day 4: past the 36 h report age.
      expect(staleSeen).toBe(true);
    }
    // A guardian that never confirms leaves the feed on the old rate and stale.
    const never = quietCommittee({ "committee.guardian.confirms": "never" });
    runCommittee(never, 8, (t) => (t >= 3.5 * DAY ? 0.9 : 1));
    expect(never.fairRate).toBe(1);
    expect(never.staleAt(8 * DAY)).toBe(true);
    expect(never.bunker).toBe(true);
  });

  it("caps an upward colluding drift at the annual increase limit, compounded per report", () => {
    const c = quietCommittee({
      "committee.roles": [{ members: [0, 1, 2, 3, 4], role: "colluding" }],
      "committee.collusion.direction": "up",
    });
    runCommittee(c, 60.5, () => 1);
    const perReport = (1_500 / 10_000) * (DAY / YEAR);
    const bound = Math.pow(1 + perReport, 60);
    expect(c.stats.colludingReports).toBe(60);
    expect(c.fairRate).toBeLessThanOrEqual(bound * (1 + 1e-12));
    expect(relErr(c.fairRate, bound)).toBeLessThan(1e-9); // they reach it: the bound is tight
  });

  it("caps a downward colluding drift at the decrease budget in every window, never held", () => {
    const c = quietCommittee({ "committee.roles": [{ members: [0, 1, 2, 3, 4], role: "colluding" }] });
    const history: { t: number; fair: number }[] = [];
    runCommittee(
      c,
      60.5,
      () => 1,
      600,
      (t) => history.push({ t, fair: c.fairRate }),
    );
    expect(c.stats.held).toBe(0);
    // 100 bps per 18-day window: reports on days 1, 19, 37 and 55 take the whole budget.
    expect(relErr(c.fairRate, Math.pow(0.99, 4))).toBeLessThan(1e-9);
    for (let i = 0; i < history.length; i += 36) {
      const { t, fair } = history[i]!;
      const windowMax = Math.max(...history.filter((h) => h.t > t - 18 * DAY && h.t <= t).map((h) => h.fair));
      expect(fair / windowMax).toBeGreaterThanOrEqual(0.99 - 1e-12);
    }
  });

  it("goes stale without a quorum, and honest members clamp increases to the annual limit", () => {
    const c = quietCommittee({
      "committee.roles": [{ members: [0, 1, 2, 3, 4], role: "offline", fromDay: 2, toDay: 6 }],
    });
    const staleDays: number[] = [];
    runCommittee(
      c,
      8,
      () => 1,
      3600,
      (t) => {
        if (c.staleAt(t)) staleDays.push(t / DAY);
        expect(c.staleAt(t)).toBe(c.sdkStale(t));
      },
    );
    expect(staleDays[0]).toBeCloseTo(2.5 + 1 / 24, 6); // 36 h after the day-1 report's reference time
    expect(staleDays[staleDays.length - 1]).toBeLessThan(6.1);
    expect(c.stats.missed).toBe(4);

    // A +1% jump in a day: 1500 bps/yr allows ~4.1 bps per daily report.
    const clamped = quietCommittee();
    runCommittee(clamped, 3.5, (t) => (t >= 0.5 * DAY ? 1.01 : 1));
    expect(clamped.stats.rejected).toBe(0);
    expect(relErr(clamped.fairRate, Math.pow(1 + 0.15 / 365, 3))).toBeLessThan(1e-9);
    const strict = quietCommittee({ "committee.clampToLimits": false });
    runCommittee(strict, 3.5, (t) => (t >= 0.5 * DAY ? 1.01 : 1));
    expect(strict.stats.rejected).toBe(3);
    expect(strict.fairRate).toBe(1);
  });

  it("converts rates at the seam without loss beyond 1e-12", () => {
    for (const r of [0.1, 0.95, 1, 1.0000000001, 1.2345678901234, 9.99])
      expect(relErr(fromWad(toWad(r)), r)).toBeLessThan(1e-12);
  });
});

describe("market oracle", () => {
  it("computes the median, the robust low, the band and the agreement as the sdk does", () => {
    const r = createRng(8, 0);
    let disagreed = 0;
    for (let k = 0; k < 400; k++) {
      const n = 1 + (k % 16);
      // Mostly tight rounds, some with a minority of wild outliers, some dispersed beyond 2%.
      const spread = k % 3 === 0 ? 0.05 : 0.005;
      const values = Array.from({ length: n }, (_, i) =>
        k % 5 === 0 && i < (n - 1) / 2 ? 10 ** (6 * r.uniform() - 3) : 1 + spread * r.normal(),
      );
      const sorted = Float64Array.from(values);
      sortPrefix(sorted, n);
      const wad = values.map(toWad).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const exact = medianRound(wad);
      const price = medianSorted(sorted, n);
      // toWad quantises to 1e-12 SOL: compare absolutely (relatively above 1).
      const close = (x: number, y: bigint) => Math.abs(x - fromWad(y)) < 1e-11 * Math.max(1, fromWad(y));
      expect(close(price, exact.price)).toBe(true);
      expect(close(lowerMedianSorted(sorted, n), exact.low)).toBe(true);
      const band = deviationSorted(sorted, n, price);
      expect(close(band, exact.confidence)).toBe(true);
      // The merge is the sort: the same deviations, ordered.
      const deviations = Array.from(sorted, (v) => Math.abs(v - price)).sort((a, b) => a - b);
      const mid = (n - 1) >> 1;
      const sortedBand =
        n % 2 === 1 ? deviations[mid]! : deviations[mid]! + (deviations[mid + 1]! - deviations[mid]!) / 2;
      expect(band).toBe(sortedBand);
      const agrees = roundAgrees(exact, 200);
      // Away from the 2% boundary the float and the exact gate agree.
      if (Math.abs(band / price - 0.02) > 1e-9) expect(agreesF(price, band, 200)).toBe(agrees);
      if (!agrees) disagreed++;
    }
    expect(disagreed).toBeGreaterThan(20);
    expect(emaKeep(60, 3600)).toBeCloseTo(Math.pow(2, -1 / 60), 15);
    expect(emaKeep(60, 3600)).toBe(Number(decay(60n, 3600n)) / 1e18);
  });

  it("fast path equals the sdk's bigint rounds on the same stream, faults and outages included", () => {
    // Calm (mostly the clean fast path) and troubled (every branch), same draws either way.
    const calmDay = scenario({ horizonDays: 0.5 });
    const a = createWorld(calmDay, createRng(3, 2));
    const b = createWorld(calmDay, createRng(3, 2), { exactOracle: true });
    for (let i = 0; i < a.steps; i++) {
      const x = a.step(calm).market!;
      const y = b.step(calm).market!;
      expect(
        Math.max(
          relErr(x.spot, y.spot),
          relErr(x.low, y.low),
          relErr(x.ema, y.ema),
          relErr(x.emaLow, y.emaLow),
          Math.abs(x.confidence - y.confidence),
        ),
      ).toBeLessThan(1e-12);
    }
    const s = scenario({
      horizonDays: 1,
      "oracle.outagesPerMemberPerYear": 2_000,
      "oracle.faults": [{ members: [7, 8], fromDay: 0.2, hours: 2, factor: 1e-6 }],
      "committee.roles": [
        { members: [6], role: "late", fromDay: 0.5, toDay: 0.7 },
        { members: [0, 1, 2, 3], role: "offline", fromDay: 0.8, toDay: 0.85 },
        { members: [5], role: "colluding", fromDay: 0.1, toDay: 0.9 },
      ],
      "oracle.colludingDeviationBps": -300,
    });
    const fast = createWorld(s, createRng(3, 1));
    const exact = createWorld(s, createRng(3, 1), { exactOracle: true });
    let unavailable = 0;
    let wide = 0;
    for (let i = 0; i < fast.steps; i++) {
      const a = fast.step(calm);
      const b = exact.step(calm);
      expect(a.market === null).toBe(b.market === null);
      if (a.market && b.market) {
        expect(relErr(a.market.spot, b.market.spot)).toBeLessThan(1e-12);
        expect(relErr(a.market.low, b.market.low)).toBeLessThan(1e-12);
        expect(relErr(a.market.ema, b.market.ema)).toBeLessThan(1e-12);
        expect(relErr(a.market.emaLow, b.market.emaLow)).toBeLessThan(1e-12);
        expect(Math.abs(a.market.confidence - b.market.confidence)).toBeLessThan(1e-12);
        if (a.market.confidence > 0.1) wide++;
        // The Byzantine rule: the low a consumer uses stays near the honest observations (DEX ± the
        // colluder's 3% and the members' noise), whatever the near-zero or colluding minority submits.
        expect(a.market.low / a.dexPrice).toBeGreaterThan(0.96);
        expect(a.market.low / a.dexPrice).toBeLessThan(1.01);
      } else unavailable++;
      expect(a.dexPrice).toBe(b.dexPrice);
    }
    expect(unavailable).toBeGreaterThan(0); // 5 of 9 fresh at most while four are offline and some out
    // A minority of near-zero publishers cannot widen the band (median absolute deviation).
    expect(wide).toBe(0);
  });

  it("takes a clean-round fast path that is bit for bit the general one", () => {
    for (const members of [9, 7, 10]) {
      const s = scenario({
        horizonDays: 1,
        "committee.members": members,
        "committee.quorum": Math.floor(members / 2) + 1,
        "oracle.outagesPerMemberPerYear": 300,
      });
      const fast = createWorld(s, createRng(4, members));
      const general = createWorld(s, createRng(4, members), { oracleFastPath: false });
      for (let i = 0; i < fast.steps; i++) expect(fast.step(calm)).toEqual(general.step(calm));
    }
  });

  it("keeps the median with 2 of 9 near-zero publishers when the other 7 are fresh", () => {
    const s = scenario({
      horizonDays: 0.5,
      "oracle.outagesPerMemberPerYear": 0,
      "oracle.faults": [{ members: [7, 8], fromDay: 0.1, hours: 2, factor: 1e-6 }],
    });
    const w = createWorld(s, createRng(1, 0));
    for (let i = 0; i < w.steps; i++) {
      const x = w.step(calm);
      expect(x.market).not.toBeNull();
      expect(relErr(x.market!.spot, x.dexPrice)).toBeLessThan(0.001);
      expect(relErr(x.market!.low, x.dexPrice)).toBeLessThan(0.001);
      expect(x.market!.confidence / x.market!.spot).toBeLessThan(0.001);
    }
  });

  it("with exactly a quorum fresh, one wild member moves neither the low nor the band (the review's attack)", () => {
    for (const factor of [1e-9, 1_000]) {
      const s = scenario({
        horizonDays: 0.25,
        "oracle.outagesPerMemberPerYear": 0,
        "committee.roles": [{ members: [0, 1, 2, 3], role: "offline", fromDay: 0, toDay: 1 }],
        "oracle.faults": [{ members: [8], fromDay: 0, hours: 24, factor }],
      });
      for (const exactOracle of [false, true]) {
        const w = createWorld(s, createRng(2, 0), { exactOracle });
        for (let i = 0; i < w.steps; i++) {
          const x = w.step(calm);
          expect(x.market).not.toBeNull();
          expect(relErr(x.market!.low, x.dexPrice)).toBeLessThan(0.002);
          expect(relErr(x.market!.emaLow, x.dexPrice)).toBeLessThan(0.002);
          expect(x.market!.confidence / x.market!.spot).toBeLessThan(0.002);
        }
      }
    }
  });

  it("gives no market price while honest members disagree beyond max_confidence_bps", () => {
    // σ = 10% between venues: the median absolute deviation (≈ 0.67σ) is far above the 2% limit.
    const dispersed = scenario({ horizonDays: 0.25, "oracle.memberNoiseBps": 1_000 });
    const tight = scenario({ horizonDays: 0.25, "oracle.memberNoiseBps": 1_000, "oracle.maxConfidenceBps": 10_000 });
    for (const exactOracle of [false, true]) {
      const a = createWorld(dispersed, createRng(5, 0), { exactOracle });
      const b = createWorld(tight, createRng(5, 0), { exactOracle });
      let none = 0;
      for (let i = 0; i < a.steps; i++) {
        if (a.step(calm).market === null) none++;
        expect(b.step(calm).market).not.toBeNull();
      }
      expect(none / a.steps).toBeGreaterThan(0.9);
    }
  });
});

describe("borrow rate", () => {
  it("is the sdk's kinked curve at every basis point", () => {
    const table = rateTable(DEFAULT_RATE_CURVE);
    for (const bps of [0, 1, 4_000, 7_999, 8_000, 8_500, 9_000, 9_999, 10_000])
      expect(table[bps]).toBe(Number(borrowRate(DEFAULT_RATE_CURVE, BigInt(bps))) / 1e18);
    expect(aprAt(table, 0.8)).toBeCloseTo(0.04, 15);
    expect(aprAt(table, 0.9)).toBeCloseTo(0.07, 15);
    expect(aprAt(table, 1)).toBeCloseTo(0.5, 15);
    expect(aprAt(table, 0.80001)).toBe(table[8_001]); // rounded up to a bps, as on chain
  });

  it("takes a table made elsewhere (a worker's parent's) as its curve's, and refuses one of the wrong size", () => {
    const curve = { ...DEFAULT_RATE_CURVE, maxRateBps: DEFAULT_RATE_CURVE.maxRateBps + 1 };
    const made = Float64Array.from(rateTable(curve));
    useRateTable(curve, made);
    expect(rateTable(curve)).toBe(made);
    expect(() => useRateTable(curve, new Float64Array(10_000))).toThrow(/a rate table has 10001 entries/);
    expect(rateTable(curve)).toBe(made);
  });

  it("mean-reverts utilisation, adds the population's borrowing and lets withdrawals lift it", () => {
    const s = scenario({ "pool.utilizationSd": 0, "pool.supplyFlowSdPctPerDay": 0, "pool.utilization": 0.5 });
    const m = new BorrowRateModel(s.pool, 60, createRng(1, 0));
    m.step(60, 500_000); // +10% of the 5M supply
    expect(m.utilization).toBeCloseTo(0.6, 12);
    expect(m.apr).toBe(aprAt(rateTable(s.pool.curve), 0.6));
    const path = scenario({
      "pool.utilizationSd": 0,
      "pool.supplyFlowSdPctPerDay": 0,
      "pool.utilization": 0.5,
      "pool.utilizationPath": [{ day: 0, value: 0.7 }],
    });
    const r = new BorrowRateModel(path.pool, 60, createRng(1, 0));
    for (let t = 60; t <= 3 * DAY; t += 60) r.step(t, 0);
    expect(r.utilization).toBeCloseTo(0.6, 1); // logit-scale reversion, half-life 3 days, half way
    const run = scenario({
      "pool.utilizationSd": 0,
      "pool.supplyFlowSdPctPerDay": 0,
      "pool.flows": [{ day: 1, pct: -60 }],
    });
    const w = new BorrowRateModel(run.pool, 60, createRng(1, 0));
    for (let t = 60; t <= DAY; t += 60) w.step(t, 0);
    expect(w.utilization).toBe(1); // lenders took all the cash
    expect(w.apr).toBeCloseTo(0.5, 15);
    for (let t = DAY + 60; t <= 2 * DAY; t += 60) w.step(t, 0);
    expect(w.peakUtilization).toBe(1);
    expect(w.utilization).toBeLessThan(1); // lenders come back (supply half-life 10 days)
  });
});

describe("world", () => {
  const run = (s: Scenario, seed: number, path: number, feedback = () => calm) => {
    const w = createWorld(s, createRng(seed, path));
    const out: MarketSnapshot[] = [];
    for (let i = 0; i < w.steps; i++) out.push(w.step(feedback()));
    return out;
  };

  it("is deterministic per (seed, path) and independent of other paths", () => {
    const s = scenario({ horizonDays: 3 });
    const a = run(s, 21, 4);
    run(s, 21, 5);
    expect(run(s, 21, 4)).toEqual(a);
    expect(run(s, 21, 5)).not.toEqual(a);
    expect(a).toHaveLength(3 * 1440);
    expect(a[0]!.t).toBe(60);
  });

  it("reports a pure fair-rate drop through the hold and the guardian's confirmation", () => {
    const s = scenario({
      horizonDays: 6,
      "fairRate.aprPct": 0,
      "fairRate.mevNoiseAprPct": 0,
      "fairRate.slashings": [{ day: 2.3, pct: 5 }],
      "committee.offlinePerFrame": 0,
      "committee.latePerFrame": 0,
    });
    const snaps = run(s, 1, 0);
    const at = (day: number) => snaps[Math.round((day * DAY) / 60) - 1]!;
    expect(at(2.2).fairRate).toBe(1);
    expect(at(2.4).trueRate).toBeCloseTo(0.95, 15);
    expect(at(2.4).fairRate).toBe(1); // the market knows, the feed does not yet
    expect(at(3.2).held).toBe(true);
    expect(at(3.2).bunker).toBe(true);
    expect(at(3.2).fairRate).toBe(1);
    expect(relErr(at(4).fairRate, 0.95)).toBeLessThan(1e-12);
    expect(at(4).held).toBe(false);
  });

  it("widens the discount when liquidators sell (the cascade channel)", () => {
    const s = scenario({ horizonDays: 0.2, "restaking.reserveSol": 0 });
    const quiet = run(s, 2, 0);
    const selling = run(s, 2, 0, () => ({ lrtSoldSol: 2_000, netBorrowSol: 0 }));
    const last = quiet.length - 1;
    expect(selling[last]!.dexPrice).toBeLessThan(quiet[last]!.dexPrice * 0.98);
    expect(selling[last]!.trueRate).toBe(quiet[last]!.trueRate);
  });

  it("runs every shipped scenario to its horizon with finite, consistent snapshots", () => {
    for (const { name } of listScenarios()) {
      const s = loadScenario(name);
      const w = createWorld(s, createRng(s.seed, 0));
      for (let i = 0; i < w.steps; i++) {
        const x = w.step(calm);
        if (
          !(
            Number.isFinite(x.trueRate) &&
            x.trueRate > 0 &&
            x.fairRate > 0 &&
            x.dexPrice > 0 &&
            x.borrowApr >= 0 &&
            x.utilization >= 0 &&
            x.utilization <= 1 &&
            x.dexDepthSol > 0
          )
        ) {
          throw new Error(`${name}: bad snapshot at step ${i}: ${JSON.stringify(x)}`);
        }
        if (x.market && !(x.market.spot > 0 && x.market.confidence >= 0 && x.market.ema > 0))
          throw new Error(`${name}: bad market at step ${i}`);
      }
      expect(w.index).toBe(w.steps);
    }
  });
});
