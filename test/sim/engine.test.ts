// The simulator's engine, statistics and runner, scaled down to stay fast:
// - the fast engine (float frontier) returns the same outcomes as the naive per-account engine;
// - the float fast path agrees with the sdk's bigint mirror of the program on random states;
// - analytic checks: leveraged carry without risk, a pure fair-rate drop;
// - the statistics merge exactly; runs are identical for 1 vs 2 workers and 1 vs 4 merged shards.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RISK_PARAMS,
  LiquidationFrontier,
  WAD,
  growth,
  isLiquidatable,
  liquidationBonus,
  liquidationPlan,
  prices,
  debtAmount,
  collateralValue,
  type RiskParams,
} from "@lantern/sdk";
import {
  createRng,
  type Policy,
  type Rng,
  FastEngine,
  NaiveEngine,
  FloatFrontier,
  frontierThreshold,
  bonusF,
  growthF,
  isLiquidatableF,
  newPlan,
  planF,
  pricesF,
  riskFromParams,
  YEAR_SECS,
  workerBlock,
  engineParamsWith,
  buildPopulation,
  POPULATION_STREAM,
  type EngineParams,
  type PathOutcome,
  type Population,
  type PopulationSpec,
  Aggregate,
  ExactSum,
  DepegHistogram,
  depegBin,
  statistics,
  mergePartials,
  runScenario,
  type SimPartial,
  type SimResult,
  parseScenario,
  loadScenario,
  prepareJob,
  runPath,
  resultHtml,
  toJson,
} from "@lantern/sim";
import { RandomWorld, ScriptWorld, type RandomSpec } from "./script-world.js";

function population(n: number, leverage: PopulationSpec["leverage"], seed = 7): Population {
  return buildPopulation(
    { subAccounts: n, equitySol: { median: 10, sigma: 1.5, min: 0.01, max: 1e5 }, leverage },
    createRng(seed, 0, { stream: POPULATION_STREAM }),
  );
}

/** Equal on counts, within 1e-9 relative on amounts. */
function expectSameOutcome(fast: PathOutcome, naive: PathOutcome): void {
  const close = (a: number, b: number, what: string) => {
    const scale = Math.max(1, Math.abs(a), Math.abs(b));
    if (Math.abs(a - b) > 1e-9 * scale) throw new Error(`${what}: fast ${a} vs naive ${b}`);
  };
  for (const key of ["liquidations", "liquidatedAccounts", "unprofitableAttempts"] as const)
    expect(fast[key], key).toBe(naive[key]);
  expect(fast.bucketLiquidated).toEqual(naive.bucketLiquidated);
  expect(fast.seriesCount).toEqual(naive.seriesCount);
  for (const key of Object.keys(fast) as (keyof PathOutcome)[]) {
    const a = fast[key];
    const b = naive[key];
    if (typeof a === "number") close(a, b as number, key);
    else if (Array.isArray(a))
      a.forEach((x, i) => {
        close(x, (b as number[])[i]!, `${key}[${i}]`);
      });
  }
}

const STRESS: RandomSpec = {
  steps: 1_500,
  stepSecs: 60,
  jumpProb: 0.004,
  jumpSize: 0.12,
  slashProb: 0.0005,
  slashSize: 0.08,
  vol: 0.002,
  impactPerSol: 2e-6,
  depth: 3_000,
  noMarketProb: 0.05,
};

describe("fast engine = naive engine", () => {
  const cases: {
    name: string;
    policy: Policy;
    leverage: PopulationSpec["leverage"];
    liquidators: Partial<EngineParams["liquidators"]>;
    world: Partial<RandomSpec>;
  }[] = [
    {
      name: "MinOfBoth, default liquidators",
      policy: "MinOfBoth",
      leverage: { min: 2, max: 10, values: [], weights: [] },
      liquidators: {},
      world: {},
    },
    {
      name: "Market, scarce capital and depth",
      policy: "Market",
      leverage: { min: 2, max: 10, values: [], weights: [] },
      liquidators: { capacitySolPerStep: 40, maxLiquidationsPerStep: 3, count: 2 },
      world: { depth: 60 },
    },
    {
      name: "FairRate, slashing, no jitter",
      policy: "FairRate",
      leverage: { min: 1, max: 10, values: [3, 5, 8, 10], weights: [1, 1, 2, 3] },
      liquidators: { delayJitterSecs: 0, delaySecs: 300 },
      world: { slashProb: 0.003 },
    },
    {
      name: "MinOfBoth, picky liquidators, partial sales",
      policy: "MinOfBoth",
      leverage: { min: 5, max: 10, values: [], weights: [] },
      liquidators: { minProfitSol: 0.05, sellFraction: 0.5 },
      world: { jumpSize: 0.3 },
    },
  ];
  const totals = { liquidations: 0, badDebt: 0, unprofitable: 0 };
  for (const c of cases) {
    it(c.name, () => {
      const pop = population(400, c.leverage);
      const params = engineParamsWith({ policy: c.policy, liquidators: c.liquidators, insuranceSol: 5 });
      const fast = new FastEngine(pop, params);
      const naive = new NaiveEngine(pop, params);
      for (let path = 0; path < 6; path++) {
        const spec = { ...STRESS, ...c.world };
        const a = fast.run(new RandomWorld(createRng(11, path), spec), path, createRng(11, path, { stream: 1 }));
        const b = naive.run(new RandomWorld(createRng(11, path), spec), path, createRng(11, path, { stream: 1 }));
        expectSameOutcome(a, b);
        totals.liquidations += a.liquidations;
        totals.badDebt += a.badDebt;
        totals.unprofitable += a.unprofitableAttempts;
      }
    });
  }
  it("with the real world models: a slashing, jumps and a thin DEX (cascades through the feedback)", () => {
    const scenario = parseScenario({
      name: "fast-vs-naive",
      horizonDays: 2,
      population: { subAccounts: 300 },
      fairRate: { slashings: [{ day: 0.5, pct: 12 }] },
      discount: { jumps: { perYear: 400, meanBps: 300 } },
      dex: { depth1PctSol: 300 },
      liquidators: { count: 2, capacitySolPerStep: 400 },
    });
    let liquidations = 0;
    let badDebt = 0;
    for (const policy of ["MinOfBoth", "FairRate"] as const) {
      const spec = { scenario, seed: 5, policy, paths: 4, antithetic: true, engine: "fast" as const };
      const fast = prepareJob(spec);
      const naive = prepareJob({ ...spec, engine: "naive" });
      for (let path = 0; path < 4; path++) {
        const a = runPath(fast, path);
        expectSameOutcome(a, runPath(naive, path));
        liquidations += a.liquidations;
        badDebt += a.protocolLoss;
      }
    }
    expect(liquidations).toBeGreaterThan(500);
    expect(badDebt).toBeGreaterThan(0);
  });

  it("the cases above exercise liquidations, bad debt and refusals", () => {
    expect(totals.liquidations).toBeGreaterThan(100);
    expect(totals.badDebt).toBeGreaterThan(0);
    expect(totals.unprofitable).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------

/** Seeded uniform helpers over a contract Rng. */
function draws(rng: Rng) {
  const int = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));
  const big = (lo: number, hi: number) => BigInt(Math.round(lo + rng.uniform() * (hi - lo)));
  return { int, big, u: () => rng.uniform() };
}

function randomRisk(rng: Rng): RiskParams {
  const { int } = draws(rng);
  const ltBps = int(8_000, 9_500);
  const ltvFullBps = int(ltBps + 1, 9_900);
  const targetLtvBps = int(ltBps - 500, ltBps - 1);
  const ltvInitBps = int(targetLtvBps - 300, targetLtvBps);
  const bonusMinBps = int(0, 100);
  const cap = Math.ceil(1e8 / ltBps - 1e4) - 1;
  return {
    ltvInitBps,
    ltBps,
    ltvFullBps,
    targetLtvBps,
    closeFactorBps: int(500, 10_000),
    bonusMinBps,
    bonusMaxBps: int(bonusMinBps, Math.min(cap, 500)),
    insuranceShareBps: int(0, 10_000),
    minDebt: DEFAULT_RISK_PARAMS.minDebt,
  };
}

const toWad = (x: number) => BigInt(Math.round(x * 1e9)) * 1_000_000_000n;

describe("float fast path = sdk bigint math (random states)", () => {
  it("growth of the borrow index", () => {
    const rng = createRng(21, 0);
    for (let k = 0; k < 2_000; k++) {
      const aprBps = Math.floor(rng.uniform() * 60_000);
      const elapsed = 1 + Math.floor(rng.uniform() * 86_400 * 3);
      const exact = Number(growth(BigInt(aprBps) * 10n ** 14n, BigInt(elapsed))) / 1e18;
      expect(Math.abs(growthF(aprBps / 10_000, elapsed) - exact)).toBeLessThan(1e-15 * exact + 1e-17);
    }
  });

  it("maintenance and init prices per policy", () => {
    const rng = createRng(22, 0);
    const out = { maint: 0, init: 0 };
    for (let k = 0; k < 3_000; k++) {
      // Inputs on the 1e-9 grid, so that the float and the WAD inputs are the same numbers.
      const grid = (x: number) => Math.round(x * 1e9) / 1e9;
      const fair = grid(0.5 + rng.uniform());
      const spot = grid(fair * (0.8 + 0.3 * rng.uniform()));
      const ema = grid(fair * (0.8 + 0.3 * rng.uniform()));
      const confidence = grid(0.01 * rng.uniform());
      // The robust low: at or below the median, sometimes 0 (a refused price).
      const low = rng.uniform() < 0.05 ? 0 : grid(spot * (1 - 0.02 * rng.uniform()));
      const emaLow = rng.uniform() < 0.05 ? 0 : grid(ema * (1 - 0.02 * rng.uniform()));
      const hasMarket = rng.uniform() < 0.8;
      for (const policy of ["FairRate", "Market", "MinOfBoth"] as const) {
        const market = hasMarket
          ? {
              price: toWad(spot),
              low: toWad(low),
              confidence: toWad(confidence),
              ema: toWad(ema),
              emaLow: toWad(emaLow),
            }
          : undefined;
        let exact: { maint: bigint; init: bigint | undefined } | undefined;
        try {
          exact = prices(policy, toWad(fair), market);
        } catch {
          exact = undefined; // MarketPriceUnavailable or InvalidPrice
        }
        pricesF(policy, fair, hasMarket ? { spot, low, confidence, ema, emaLow } : null, out);
        if (exact === undefined) {
          expect(out.maint).toBeNaN();
          continue;
        }
        expect(Math.abs(out.maint - Number(exact.maint) / 1e18)).toBeLessThan(1e-15);
        if (exact.init === undefined) expect(out.init).toBeNaN();
        else expect(Math.abs(out.init - Number(exact.init) / 1e18)).toBeLessThan(1e-15);
      }
    }
  });

  it("health, bonus and liquidation plan", () => {
    const rng = createRng(23, 0);
    const { big, u } = draws(rng);
    const plan = newPlan();
    let compared = 0;
    let plans = 0;
    let fulls = 0;
    let capped = 0;
    for (let k = 0; k < 6_000; k++) {
      const risk = randomRisk(rng);
      const riskF = riskFromParams(risk);
      const collateral = big(1e7, 1e13);
      const price = toWad(0.5 + u());
      const index = toWad(1 + 0.5 * u());
      const ltv = 0.85 + 0.25 * u();
      const value = collateralValue(collateral, price);
      const debtTarget = BigInt(Math.round(Number(value) * ltv));
      const shares = (debtTarget * WAD) / index;
      if (shares === 0n) continue;
      const debt = debtAmount(shares, index);
      const c = Number(collateral) / 1e9;
      const p = Number(price) / 1e18;
      const d = (Number(shares) / 1e9) * (Number(index) / 1e18);
      // Decisions agree unless the state is within the lamport rounding of the threshold.
      const margin = d / (c * p * riskF.lt) - 1;
      const band = 1e-9 + 4 / Number(value);
      const exactLiq = isLiquidatable(debt, collateral, price, risk.ltBps);
      if (Math.abs(margin) > band) {
        expect(isLiquidatableF(d, c, p, riskF.lt)).toBe(exactLiq);
        compared++;
      }
      // Bonus.
      const b = Number(liquidationBonus(debt, value, risk)) / 1e18;
      expect(Math.abs(bonusF(d, c * p, riskF) - b)).toBeLessThan(1e-9 + 8 / Number(value));
      if (!exactLiq || margin <= band) continue;
      const maxRepay = u() < 0.3 ? big(1e6, Number(debt)) : 1n << 62n;
      let exact: ReturnType<typeof liquidationPlan>;
      try {
        exact = liquidationPlan(debt, collateral, price, risk, maxRepay);
      } catch {
        continue; // ZeroAmount: nothing to compare
      }
      const ok = planF(d, c, p, riskF, Number(maxRepay) / 1e9, plan);
      expect(ok).toBe(true);
      // The full/partial decision, unless at the LTV_full or dust boundary.
      const fullMargin = Math.abs(d / (c * p * riskF.ltvFull) - 1);
      const dustMargin = Math.abs(d / riskF.minDebt - 1);
      if (fullMargin > band && dustMargin > 1e-9) expect(plan.full).toBe(exact.full);
      else continue;
      // Whether the seizure hit the collateral cap, unless at that boundary.
      const cap = Math.abs(Number(exact.seize) / Number(collateral) - 1);
      if (exact.seize === collateral) capped++;
      if (cap < 1e-6) continue;
      const tol = (x: bigint) => 64 + 1e-10 * Number(x);
      expect(Math.abs(plan.repay * 1e9 - Number(exact.repay))).toBeLessThan(tol(exact.repay));
      expect(Math.abs(plan.seize * 1e9 - Number(exact.seize))).toBeLessThan(tol(exact.seize) * 2);
      expect(Math.abs(plan.toInsurance * 1e9 - Number(exact.toInsurance))).toBeLessThan(tol(exact.toInsurance) * 2);
      plans++;
      if (exact.full) fulls++;
    }
    expect(compared).toBeGreaterThan(5_000);
    expect(plans).toBeGreaterThan(1_000);
    expect(fulls).toBeGreaterThan(100);
    expect(capped).toBeGreaterThan(10);
  });

  it("float frontier + confirmation = sdk frontier (bigint), through updates", () => {
    const rng = createRng(24, 0);
    const { big, u } = draws(rng);
    const n = 2_000;
    const ltBps = 9_300;
    const lt = ltBps / 10_000;
    const baseIndex = toWad(1.05);
    const shares: bigint[] = [];
    const coll: bigint[] = [];
    for (let i = 0; i < n; i++) {
      coll.push(big(1e8, 1e13));
      const ltv = 0.3 + 0.63 * u();
      shares.push((BigInt(Math.round(Number(coll[i]!) * ltv)) * WAD) / baseIndex);
    }
    const exactFrontier = LiquidationFrontier.from(
      shares.map((s, id) => ({ id, debtShares: s, collateral: coll[id]! })),
      { ltBps, baseBorrowIndex: baseIndex },
    );
    const float = new FloatFrontier(n);
    const theta = new Float64Array(n);
    const sF = (i: number) => Number(shares[i]!) / 1e9;
    const cF = (i: number) => Number(coll[i]!) / 1e9;
    for (let i = 0; i < n; i++) theta[i] = sF(i) / (cF(i) * lt);
    float.rebuild(theta, n);
    const found = new Int32Array(n);
    for (let q = 0; q < 60; q++) {
      // Some updates: a liquidation-like change of shares and collateral, or a removal and re-insertion.
      for (let k = 0; k < 20; k++) {
        const i = Math.floor(u() * n);
        shares[i] = (shares[i]! * BigInt(Math.round(500 + 600 * u()))) / 1000n;
        coll[i] = (coll[i]! * BigInt(Math.round(800 + 200 * u()))) / 1000n;
        exactFrontier.upsert(i, shares[i]!, coll[i]!);
        float.insert(i, sF(i) / (cF(i) * lt));
      }
      const price = toWad(0.7 + 0.35 * u());
      const index = baseIndex + toWad(0.1 * u());
      const p = Number(price) / 1e18;
      const I = Number(index) / 1e18;
      const k = float.above(frontierThreshold(p, I), found);
      const fromFloat = new Set<number>();
      for (let j = 0; j < k; j++) {
        const i = found[j]!;
        if (isLiquidatableF(sF(i) * I, cF(i), p, lt)) fromFloat.add(i);
      }
      const fromExact = new Set(exactFrontier.liquidatableAt({ price, borrowIndex: index }));
      // Brute force over the float predicate too: the heap filter never misses.
      for (let i = 0; i < n; i++) expect(fromFloat.has(i)).toBe(isLiquidatableF(sF(i) * I, cF(i), p, lt));
      for (let i = 0; i < n; i++) {
        if (fromFloat.has(i) === fromExact.has(i)) continue;
        // Only within the lamport rounding of the threshold.
        const margin = (sF(i) * I) / (cF(i) * p * lt) - 1;
        expect(Math.abs(margin)).toBeLessThan(1e-9 + 4 / (cF(i) * p * 1e9));
      }
    }
  });

  it("a restored frontier equals its source, whichever of the two changed since the last copy", () => {
    const n = 500;
    const rng = createRng(25, 0);
    const theta = Float64Array.from({ length: n }, () => rng.uniform());
    const opened = new FloatFrontier(n);
    opened.rebuild(theta, n);
    const frontier = new FloatFrontier(n);
    const found = new Int32Array(n);
    const content = (f: FloatFrontier) => {
      const k = f.above(-1, found);
      return { size: f.size, top: f.top(), ids: [...found.subarray(0, k)].sort((a, b) => a - b) };
    };
    frontier.restore(opened);
    expect(content(frontier)).toEqual(content(opened));
    // Unchanged: restoring again keeps it equal.
    frontier.restore(opened);
    expect(content(frontier)).toEqual(content(opened));
    // The copy changed (a crossing removed the top, a healthy sub-account came back with a new θ).
    frontier.remove(found[0]!);
    frontier.insert(7, 2);
    expect(content(frontier)).not.toEqual(content(opened));
    frontier.restore(opened);
    expect(content(frontier)).toEqual(content(opened));
    // The source changed after the copy.
    opened.insert(3, 5);
    frontier.restore(opened);
    expect(content(frontier)).toEqual(content(opened));
    expect(frontier.top()).toBe(5);
  });
});

// ---------------------------------------------------------------------------------------------

describe("analytic checks", () => {
  it("without risk drivers, the leveraged carry is L·staking − (L−1)·borrow", () => {
    const steps = 30 * 24; // 30 days of hourly steps
    const stepSecs = 3_600;
    const stakingApr = 0.07;
    const borrowApr = 0.04;
    const fair = (k: number) => Math.exp((stakingApr * (k + 1) * stepSecs) / YEAR_SECS);
    const levels = [1, 2, 3, 5, 8, 10];
    const pop = population(600, { min: 1, max: 10, values: levels, weights: [] });
    const params = engineParamsWith({ policy: "FairRate", liquidators: { delayJitterSecs: 0 } });
    const engine = new FastEngine(pop, params);
    const out = engine.run(new ScriptWorld({ steps, stepSecs, fair, apr: () => borrowApr }), 0);
    expect(out.liquidations).toBe(0);
    // Realised staking and borrow returns over the horizon, annualised (simple).
    const horizon = out.horizonSecs;
    const staking = (fair(steps - 1) / fair(0) - 1) * (YEAR_SECS / horizon);
    const borrow = (engine.index - 1) * (YEAR_SECS / horizon);
    expect(engine.index).toBeCloseTo(growthF(borrowApr, stepSecs) ** (steps - 1), 12);
    levels.forEach((L, b) => {
      const apy = ((out.bucketEquityEnd[b]! - out.bucketEquity0[b]!) / out.bucketEquity0[b]!) * (YEAR_SECS / horizon);
      expect(Math.abs(apy - (L * staking - (L - 1) * borrow))).toBeLessThan(1e-9);
      // And, to first order, the annual rates themselves (compounding over 30 days adds < 0.1%).
      expect(Math.abs(apy - (L * stakingApr - (L - 1) * borrowApr))).toBeLessThan(2e-3 * L);
    });
    // Through the statistics too.
    const agg = new Aggregate({ buckets: pop.buckets, bucketLeverage: pop.bucketLeverage });
    agg.addUnit([out]);
    const stats = statistics(agg);
    stats.leverage.forEach((row, b) => {
      expect(Math.abs(row.netApy.estimate - (levels[b]! * staking - (levels[b]! - 1) * borrow))).toBeLessThan(1e-9);
    });
  });

  it("a pure fair-rate drop of x liquidates exactly the sub-accounts whose threshold it crosses", () => {
    for (const x of [0.005, 0.05, 0.1, 0.3]) {
      const dropAt = 10;
      const pop = population(2_000, { min: 1.5, max: 10, values: [], weights: [] }, 31);
      const params = engineParamsWith({
        policy: "FairRate",
        liquidators: {
          delaySecs: 0,
          delayJitterSecs: 0,
          count: 1,
          capacitySolPerStep: 1e12,
          maxLiquidationsPerStep: 1e6,
          minProfitSol: 0,
        },
      });
      const engine = new FastEngine(pop, params);
      const world = new ScriptWorld({ steps: 30, stepSecs: 60, fair: (k) => (k >= dropAt ? 1 - x : 1), depth: 1e12 });
      const out = engine.run(world, 0);
      const lt = params.risk.lt;
      let expected = 0;
      for (let i = 0; i < pop.equity.length; i++) {
        const L = pop.leverage[i]!;
        const crosses = (L - 1) / L > (1 - x) * lt; // debt > C·p·LT with C = L·E, debt = (L−1)·E
        if (Math.abs((L - 1) / L / ((1 - x) * lt) - 1) < 1e-12) continue;
        expect(engine.firstLiq[i]! >= 0, `sub-account ${i} (L = ${L})`).toBe(crosses);
        if (crosses) {
          expected++;
          expect(engine.firstLiq[i]).toBe(dropAt * 60); // liquidated at the drop, not before or after
        }
      }
      expect(out.liquidatedAccounts).toBe(expected);
      // 0.5% crosses nobody (10× sits at LTV 90% < 99.5%·93%); the larger drops cross some.
      if (x >= 0.05) expect(expected).toBeGreaterThan(0);
      else expect(expected).toBe(0);
    }
  });
});

describe("statistics", () => {
  it("a liquidation that leaves a sub-account settleable settles it; a larger insolvent remainder waits", () => {
    // 10× positions after a 30% drop are underwater (debt 9E against 7E of collateral); liquidators
    // repay 1 SOL each. A partial liquidation of an underwater position cannot lower its LTV, so it is
    // refused — unless what it leaves is settleable: dust, or no more than the insurance's SOL buys.
    const pop = population(50, { min: 9.5, max: 10, values: [], weights: [] }, 41);
    const run = (insuranceSol: number) => {
      const params = engineParamsWith({
        policy: "FairRate",
        insuranceSol,
        liquidators: { delaySecs: 0, delayJitterSecs: 0, count: 50, capacitySolPerStep: 1, minProfitSol: 0 },
      });
      const fair = (k: number) => (k >= 5 ? 0.7 : 1);
      const world = () => new ScriptWorld({ steps: 20, stepSecs: 60, fair, dex: (k) => fair(k) * 1.001, depth: 1e12 });
      const out = new FastEngine(pop, params).run(world(), 0);
      expectSameOutcome(out, new NaiveEngine(pop, params).run(world(), 0));
      return out;
    };
    const funded = run(1e9);
    expect(funded.liquidatedAccounts).toBe(50);
    // The insurance bought what collateral was left at its value; the rest of the debt is bad debt.
    expect(funded.badDebt).toBeGreaterThan(0);
    expect(funded.insuranceLrtSol).toBeGreaterThan(0);
    expect(funded.insuranceEnd).toBeLessThan(1e9);
    expect(funded.shortfall).toBe(0);
    const empty = run(0);
    expect(empty.liquidatedAccounts).toBe(0);
    expect(empty.shortfall).toBeGreaterThan(0);
  });

  it("a held loss (pessimistic rate below the fair rate) prices at once under FairRate", () => {
    const pop = population(500, { min: 5, max: 10, values: [], weights: [] }, 43);
    const params = engineParamsWith({
      policy: "FairRate",
      liquidators: { delaySecs: 0, delayJitterSecs: 0, count: 1, capacitySolPerStep: 1e12, minProfitSol: 0 },
    });
    const run = (pessimistic?: (k: number) => number) =>
      new FastEngine(pop, params).run(
        new ScriptWorld({ steps: 20, stepSecs: 60, fair: () => 1, pessimistic, depth: 1e12 }),
        0,
      );
    expect(run().liquidations).toBe(0);
    // A 5% decrease held for the guardian: the fair rate has not moved, the consumers' rate has.
    expect(run((k) => (k >= 5 ? 0.95 : 1)).liquidations).toBeGreaterThan(0);
  });

  it("a path that liquidates leaves nothing behind for the engine's next path", () => {
    const scenario = loadScenario("mass-slashing-33");
    const spec = {
      scenario,
      seed: 5,
      policy: "MinOfBoth" as const,
      paths: 8,
      antithetic: true,
      engine: "fast" as const,
    };
    const used = prepareJob(spec);
    const liquidating = [0, 1, 2, 3, 4, 5].find((p) => runPath(used, p).liquidations > 0);
    expect(liquidating).toBeDefined();
    // The same engine goes on to another path; a fresh engine runs it alone.
    expect(runPath(used, 7)).toEqual(runPath(prepareJob(spec), 7));
  });

  it("exact sums do not depend on the order of additions or merges", () => {
    const rng = createRng(41, 0);
    const xs = Array.from({ length: 3_000 }, () => (rng.uniform() - 0.3) * 10 ** Math.floor(rng.uniform() * 30 - 10));
    const one = new ExactSum();
    for (const x of xs) one.add(x);
    const shuffled = [...xs].sort(() => rng.uniform() - 0.5);
    const parts = [new ExactSum(), new ExactSum(), new ExactSum()];
    shuffled.forEach((x, i) => {
      parts[i % 3]!.add(x);
    });
    parts[2]!.merge(parts[0]!);
    parts[2]!.merge(parts[1]!);
    expect(parts[2]!.value()).toBe(one.value());
    // fsum's classic: the correctly rounded sum.
    const s = new ExactSum();
    for (const x of [1e-16, 1, 1e16]) s.add(x);
    expect(s.value()).toBe(10000000000000002);
  });

  it("a depeg histogram counts paths per bin, merges in any order and refuses a bin out of range", () => {
    const rng = createRng(43, 0);
    const depegs = Array.from({ length: 2_000 }, () => (rng.uniform() - 0.8) * 0.3);
    const byMap = new Map<number, number>();
    const one = new DepegHistogram();
    const parts = [new DepegHistogram(), new DepegHistogram()];
    depegs.forEach((d, i) => {
      const bin = depegBin(d);
      byMap.set(bin, (byMap.get(bin) ?? 0) + 1);
      one.add(bin);
      parts[i % 2]!.add(bin);
    });
    const expected = [...byMap].sort((a, b) => a[0] - b[0]);
    expect(one.entries()).toEqual(expected);
    parts[1]!.merge(parts[0]!);
    expect(parts[1]!.entries()).toEqual(expected);
    expect(DepegHistogram.from(one.entries()).entries()).toEqual(expected);
    // Windows apart, at the ends of the range, merged into an empty histogram and into each other.
    const low = DepegHistogram.from([
      [0, 2],
      [5, 1],
    ]);
    const high = DepegHistogram.from([
      [2_999, 4],
      [2_990, 1],
    ]);
    const all = new DepegHistogram();
    all.merge(high);
    all.merge(low);
    all.merge(one);
    expect(all.entries()).toEqual([[0, 2], [5, 1], ...expected, [2_990, 1], [2_999, 4]]);
    expect(() => DepegHistogram.from([[3_000, 1]])).toThrow(/bins 0 to 2999, got 3000/);
    expect(() => DepegHistogram.from([[-1, 1]])).toThrow(/got -1/);
    // A tampered partial result: counts that are no number of paths.
    for (const count of [0, -2, 1.5, Number.NaN])
      expect(() => DepegHistogram.from([[10, count]])).toThrow(
        /counts paths \(a whole number above 0\), got .* in bin 10/,
      );
  });
});

describe("runner: determinism and exact merging", () => {
  // One stressed day, small book: liquidations, bad debt and jitter on most paths.
  const scenario = parseScenario({
    name: "determinism",
    horizonDays: 1,
    population: { subAccounts: 500 },
    discount: { jumps: { perYear: 1_500, meanBps: 600 } },
    liquidators: { count: 1, capacitySolPerStep: 300 },
  });
  const base = { scenario, paths: 24, seed: 9 };

  it("hands out blocks that cover the range once and shrink toward its end", () => {
    for (const [units, workers] of [
      [5_000, 2],
      [12, 2],
      [1, 2],
      [100_000, 8],
      [7, 3],
    ] as const) {
      const blocks: number[] = [];
      for (let left = units; left > 0; ) {
        const block = workerBlock(left, workers);
        expect(block).toBeGreaterThanOrEqual(1);
        expect(block).toBeLessThanOrEqual(Math.min(64, left, Math.ceil(left / (workers * 4))));
        blocks.push(block);
        left -= block;
      }
      expect(blocks.reduce((a, b) => a + b, 0)).toBe(units);
      // Never growing; once fewer than four units a worker are left, single units (the bound above), so
      // no worker starts a long block while the others are about to finish.
      for (let i = 1; i < blocks.length; i++) expect(blocks[i]!).toBeLessThanOrEqual(blocks[i - 1]!);
      expect(blocks.at(-1)).toBe(1);
    }
  });

  it("same seed ⇒ identical output for 1 vs 2 workers", async () => {
    const one = await runScenario({ ...base, workers: 1 });
    const two = await runScenario({ ...base, workers: 2 });
    expect(toJson(two)).toBe(toJson(one));
    const s = (one as SimResult).statistics;
    expect(s.metrics.liquidations.estimate).toBeGreaterThan(0);
    expect(s.probabilities.anyBadDebt.count).toBeGreaterThan(0);
    expect(one.meta.seed).toBe(9);
    expect(one.meta.scenario.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(one.meta.version).toMatch(/engine/);
    // A different seed gives different paths.
    const other = await runScenario({ ...base, seed: 10, workers: 1 });
    expect(toJson(other)).not.toBe(toJson(one));
  });

  it("a run on workers cancelled midway stops with an AbortError, and the next run is whole", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const cancelled = runScenario({ ...base, paths: 4_000, workers: 2, signal: controller.signal }, (p) => {
      if (p.done > 0) controller.abort();
    });
    await expect(cancelled).rejects.toMatchObject({ name: "AbortError", message: "The simulation was cancelled." });
    expect(Date.now() - started).toBeLessThan(20_000);
    const one = await runScenario({ ...base, workers: 1 });
    const two = await runScenario({ ...base, workers: 2 });
    expect(toJson(two)).toBe(toJson(one));
  });

  it("same seed ⇒ identical output for 1 run vs 4 merged shards (any merge order, through files)", async () => {
    for (const antithetic of [true, false]) {
      const one = await runScenario({ ...base, antithetic, workers: 1 });
      const parts: SimPartial[] = [];
      for (let k = 0; k < 4; k++) {
        const part = await runScenario({ ...base, antithetic, workers: 1, shard: `${k}/4` });
        expect(part.kind).toBe("lantern-sim-partial");
        parts.push(JSON.parse(toJson(part)) as SimPartial);
      }
      const merged = mergePartials([parts[2]!, parts[0]!, parts[3]!, parts[1]!]);
      expect(merged.kind).toBe("lantern-sim-result");
      expect(toJson(merged)).toBe(toJson(one));
      // Two halves merged first, then together: still the same.
      const half = mergePartials([parts[0]!, parts[1]!]) as SimPartial;
      expect(half.kind).toBe("lantern-sim-partial");
      expect(toJson(mergePartials([JSON.parse(toJson(half)), parts[2]!, parts[3]!]))).toBe(toJson(one));
      expect(() => mergePartials([parts[0]!, parts[0]!])).toThrow(/overlap/);
    }
    const foreign = (await runScenario({ ...base, seed: 99, workers: 1, shard: "1/4" })) as SimPartial;
    const mine = (await runScenario({ ...base, workers: 1, shard: "0/4" })) as SimPartial;
    expect(() => mergePartials([mine, foreign])).toThrow(/different runs \(their seed differ/);
  });

  it("writes a self-contained HTML report with its charts", async () => {
    const result = (await runScenario({ ...base, workers: 1 })) as SimResult;
    const html = resultHtml(result);
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain(result.meta.scenario.hash);
  });
});
