// The fused calm-step kernel (sim/src/engine/calm.ts, `PathEngine.calm`) changes nothing: on every
// shipped scenario and pricing policy, a path run with the kernel returns the same outcome, leaves the
// world in the same state and the random stream at the same place as the path run through the models
// alone, bit for bit. It also checks that the kernel runs (most steps of a calm path) and that it hands
// the steps where a sub-account reaches the frontier to the engine's own step.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FastEngine,
  LanternWorld,
  MAX_SERIES_BUCKETS,
  PathEngine,
  type PathOutcome,
  type Policy,
  type Rng,
  type Scenario,
  createRng,
  createWorld,
  engineParamsWith,
  frontierThreshold,
  kernelCrossesFrontier,
  kernelExp,
  kernelLog,
  kernelLayoutConflicts,
  kernelMismatches,
  kernelNormalSum,
  kernelNormalSumPair,
  listScenarios,
  loadScenario,
  newAggregate,
  overrideScenario,
  pathStreams,
  prepareJob,
  runUnits,
} from "@lantern/sim";

interface Run {
  outcome: PathOutcome;
  world: LanternWorld;
  last: unknown;
  next: number[];
}

function run(scenario: Scenario, policy: Policy, path: number, calmKernel: boolean): Run {
  const job = prepareJob({ scenario, seed: 5, policy, paths: 2, antithetic: true, engine: "fast" });
  const streams = pathStreams(job.spec, path);
  const world = createWorld(scenario, streams.world, { calmKernel });
  return after(job.engine.run(world, path, streams.engine), world, streams);
}

/** The world's state after a path: its last snapshot, its models' fields, and the streams' next draws. */
function after(outcome: PathOutcome, world: LanternWorld, streams: { world: Rng; engine: Rng }): Run {
  const last = JSON.parse(JSON.stringify(world.step({ lrtSoldSol: 0, netBorrowSol: 0 })));
  const next = [streams.world.normal(), streams.world.uniform(), streams.engine.uniform()];
  return { outcome, world, last, next };
}

/**
 * Paths 0 … count − 1 run two at a time in the kernel's two lanes (`PathEngine.runPaired`, what the
 * runner does), and how many of the kernel's runs had both lanes.
 */
function runPaired(scenario: Scenario, policy: Policy, count: number): { runs: Run[]; pairs: number } {
  const job = prepareJob({ scenario, seed: 5, policy, paths: count, antithetic: true, engine: "fast" });
  const started: { world: LanternWorld; streams: { world: Rng; engine: Rng } }[] = [];
  const runs: Run[] = [];
  const pairs = PathEngine.runPaired(
    [job.engine, job.partner],
    count,
    (i) => {
      const streams = pathStreams(job.spec, i);
      const world = createWorld(scenario, streams.world, { calmKernel: true });
      started[i] = { world, streams };
      return { world, path: i, rng: streams.engine };
    },
    (i, outcome) => {
      runs[i] = after(outcome, started[i]!.world, started[i]!.streams);
    },
  );
  return { runs, pairs };
}

/** The same outcome, last snapshot, next draws and models' state. */
function expectSameRun(a: Run, b: Run): void {
  expect(a.outcome).toEqual(b.outcome);
  expect(a.last).toEqual(b.last);
  expect(a.next).toEqual(b.next);
  expect(state(a.world)).toEqual(state(b.world));
}

/**
 * Paths 0 … count − 1 run in pairs (`runPaired`) against each path through the models alone; returns how
 * many of the kernel's runs had both lanes.
 */
function pairedAgainstModels(scenario: Scenario, policy: Policy, count: number): number {
  const { runs, pairs } = runPaired(scenario, policy, count);
  for (const [path, paired] of runs.entries()) expectSameRun(paired, run(scenario, policy, path, false));
  return pairs;
}

/** The models' own fields (numbers, flags, arrays), for a field-by-field comparison. */
function state(world: LanternWorld): unknown {
  const { discount, oracle, pool, fair, committee } = world;
  return JSON.parse(
    JSON.stringify({ discount, oracle, pool, fair, committee: { ...committee, feed: committee.feedState } }, (_k, v) =>
      typeof v === "bigint"
        ? v.toString()
        : v instanceof Map
          ? [...v]
          : ArrayBuffer.isView(v)
            ? Array.from(v as never)
            : v,
    ),
  );
}

/** Counts the calm kernel's steps and its hand-overs to the engine's step; `ended` sees the world after each run. */
function countCalm<T>(f: () => T, ended?: (world: LanternWorld) => void): { result: T; calm: number; handed: number } {
  const proto = FastEngine.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const base = Object.getPrototypeOf(proto) as Record<string, (...a: unknown[]) => unknown>;
  const calmEnd = base.calmEnd!;
  const step = base.step!;
  let steps = 0;
  let handed = 0;
  let inCalm = false;
  base.calmEnd = function (this: { s: number; calmWorld: LanternWorld }, ...a: unknown[]) {
    inCalm = true;
    try {
      const from = this.s;
      const next = calmEnd.apply(this, a) as number;
      steps += next - from;
      if (next > from) ended?.(this.calmWorld);
      return next;
    } finally {
      inCalm = false;
    }
  };
  base.step = function (this: unknown, ...a: unknown[]) {
    if (inCalm) handed++;
    return step.apply(this, a);
  };
  try {
    return { result: f(), calm: steps, handed };
  } finally {
    base.calmEnd = calmEnd;
    base.step = step;
  }
}

/** The committed kernel module's exported numbers (its slots, codes and layout) and its memory's size. */
function committedKernel(): { exported: Map<string, number>; bytes: number } {
  const wasm = new WebAssembly.Module(readFileSync(new URL("../../sim/kernel/calm.wasm", import.meta.url)));
  const instance = new WebAssembly.Instance(wasm, { env: { log: Math.log } });
  const exported = new Map<string, number>();
  for (const [name, value] of Object.entries(instance.exports))
    if (value instanceof WebAssembly.Global) exported.set(name, Number(value.value));
  return { exported, bytes: (instance.exports.memory as WebAssembly.Memory).buffer.byteLength };
}

/** Runs `f` with `seen` called on the world after each of its model steps (`LanternWorld.advance`). */
function withAdvance<T>(seen: (world: LanternWorld) => void, f: () => T): T {
  const proto = LanternWorld.prototype;
  const advance = proto.advance;
  proto.advance = function (this: LanternWorld, feedback) {
    const snapshot = advance.call(this, feedback);
    seen(this);
    return snapshot;
  };
  try {
    return f();
  } finally {
    proto.advance = advance;
  }
}

describe("the WebAssembly kernel's own arithmetic", () => {
  it("exp is Math.exp bit for bit: special values, the discount's range, the whole range, random bit patterns", () => {
    const special = [0, -0, 1, -1, 0.5, Math.LN2 / 2, 1.5 * Math.LN2, 2 ** -28, 2 ** -29, 709.78, 709.79, -745.13];
    const inputs = [
      ...special,
      -745.2,
      1e-300,
      -1e-300,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
    ];
    const rng = createRng(3, 0);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    for (let i = 0; i < 100_000; i++) {
      inputs.push((rng.uniform() - 0.5) * 0.1, (rng.uniform() - 0.5) * 4, (rng.uniform() - 0.5) * 1500);
      words[0] = rng.nextUint32();
      words[1] = rng.nextUint32();
      inputs.push(bits[0]!);
    }
    const differ = inputs.filter((x) => !Object.is(kernelExp(x), Math.exp(x)));
    expect(differ).toEqual([]);
  });

  it("log is Math.log bit for bit: special values, subnormals, near 1, the pool's range, random bit patterns", () => {
    const inputs = [0, -0, 1, -1, 2, 0.5, Math.E, 1 + 2 ** -21, 1 - 2 ** -21, 1 + 2 ** -52, 1 - 2 ** -53];
    inputs.push(5e-324, 1e-310, 2.2250738585072014e-308, Number.MAX_VALUE, Number.POSITIVE_INFINITY);
    inputs.push(Number.NEGATIVE_INFINITY, Number.NaN);
    const rng = createRng(4, 0);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    for (let i = 0; i < 100_000; i++) {
      // Near 1 (the short series), utilisation odds and supply ratios, and any positive double.
      inputs.push(1 + (rng.uniform() - 0.5) * 2 ** -19, rng.uniform() / (1 - rng.uniform()), rng.uniform() * 4);
      words[0] = rng.nextUint32();
      words[1] = rng.nextUint32() & 0x7fffffff;
      inputs.push(bits[0]!);
    }
    const differ = inputs.filter((x) => !Object.is(kernelLog(x), Math.log(x)));
    expect(differ).toEqual([]);
  });

  it("the module's slots, exit codes and layout are the simulator's; one out of step is named", () => {
    const { exported } = committedKernel();
    expect(kernelMismatches(exported)).toEqual([]);
    const renumbered = new Map(exported).set("EMA_LOW", exported.get("EMA")!);
    expect(kernelMismatches(renumbered)).toEqual(["EMA_LOW"]);
    const missing = new Map(exported);
    missing.delete("KEEP");
    missing.delete("STREAM");
    expect(kernelMismatches(missing)).toEqual(["KEEP", "STREAM"]);
    expect(kernelMismatches(new Map(exported).set("NEW_SLOT", 73))).toEqual(["NEW_SLOT"]);
  });

  it("the lanes' memory regions do not overlap; a layout where one lane's table or series runs into the other's is refused", () => {
    const { exported, bytes } = committedKernel();
    expect(kernelLayoutConflicts(exported, bytes)).toEqual([]);
    // 10,000 doubles apart: the last entry (APR at 100% utilisation) of lane A's table is lane B's first.
    const tableA = exported.get("TABLE_A")!;
    const seriesB = exported.get("SERIES_B")!;
    expect(kernelLayoutConflicts(new Map(exported).set("TABLE_B", tableA + 80_000), bytes)).toEqual([
      "TABLE_A overlaps TABLE_B",
    ]);
    expect(kernelLayoutConflicts(new Map(exported).set("LANE_B", 1024), bytes)).toContain("lane A overlaps lane B");
    expect(kernelLayoutConflicts(exported, exported.get("SERIES_A")!)).toEqual([
      "SERIES_A is outside the memory",
      "SERIES_B is outside the memory",
      "HELD is outside the memory",
    ]);
    // The two-lane step's held vectors running into lane B's series.
    expect(kernelLayoutConflicts(new Map(exported).set("HELD", seriesB + 8), bytes)).toContain(
      "SERIES_B overlaps HELD",
    );
    // A lane's series too short for the longest series a path may have, or running into the other's.
    expect(kernelLayoutConflicts(new Map(exported).set("SERIES_CAPACITY", 100), bytes)).toEqual([
      "a lane's series holds fewer than 10000 time buckets",
    ]);
    const seriesA = exported.get("SERIES_A")!;
    expect(kernelLayoutConflicts(new Map(exported).set("SERIES_B", seriesA + 8), bytes)).toContain(
      "SERIES_A overlaps SERIES_B",
    );
  });

  it("the two-lane step's frontier test, without the division, hands over every step the engine's threshold flags", () => {
    // The adversary puts the frontier's top 1–4 ulps above the engine's threshold, where the roundings of
    // the division the kernel multiplied out decide (with no margin, 5% of these cases are missed).
    const bits = new Float64Array(1);
    const word = new BigInt64Array(bits.buffer);
    const ulpsAbove = (x: number, ulps: number) => {
      bits[0] = x;
      word[0]! += BigInt(ulps);
      return bits[0]!;
    };
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: 4 }),
        (maint, index, ulps) => {
          const threshold = frontierThreshold(maint, index);
          expect(kernelCrossesFrontier(ulpsAbove(threshold, ulps), index, maint)).toBe(true);
          // A filter, not a flood: a top clearly below the threshold stays in the kernel.
          expect(kernelCrossesFrontier(threshold * (1 - 1e-9), index, maint)).toBe(false);
        },
      ),
      { numRuns: 20_000 },
    );
    // An unpriced step (no maintenance price) never crosses.
    expect(kernelCrossesFrontier(1e300, 1, Number.NaN)).toBe(false);
  });

  it("draws the stream's normals: the same numbers as the stream, which goes on where the kernel left it", () => {
    for (const antithetic of [false, true]) {
      const a = createRng(9, 4, { antithetic });
      const b = createRng(9, 4, { antithetic });
      let sum = 0;
      for (let i = 0; i < 50_000; i++) sum += b.normal();
      expect(kernelNormalSum(a, 50_000)).toBe(sum);
      expect(a.uniform()).toBe(b.uniform());
    }
  });

  it("draws two streams' normals at once: each stream's own numbers, and each goes on where the kernel left it", () => {
    const [a, b] = [createRng(9, 4), createRng(9, 5, { antithetic: true })];
    const [a2, b2] = [createRng(9, 4), createRng(9, 5, { antithetic: true })];
    let [sumA, sumB] = [0, 0];
    for (let i = 0; i < 50_000; i++) {
      sumA += a2.normal();
      sumB += b2.normal();
    }
    expect(kernelNormalSumPair(a, b, 50_000)).toEqual([sumA, sumB]);
    expect([a.uniform(), b.uniform()]).toEqual([a2.uniform(), b2.uniform()]);
  });
});

const small = (s: Scenario) => overrideScenario(s, { "population.subAccounts": 2_000 });

describe("calm-step kernel = the models", () => {
  for (const { name } of listScenarios()) {
    it(`${name}: same outcomes, world state and stream`, () => {
      const scenario = small(loadScenario(name));
      const runs: [Policy, number][] = [
        ["MinOfBoth", 0],
        ["MinOfBoth", 1],
        ["Market", 0],
        ["FairRate", 1],
      ];
      for (const [policy, path] of runs) {
        expectSameRun(run(scenario, policy, path, true), run(scenario, policy, path, false));
      }
    }, 120_000);
  }

  it("a noisy committee: bands checked in full and disagreeing rounds inside calm runs", () => {
    // Member noise of 40 bps against a 35 bps agreement limit: the kernel's bound on the band (the
    // spread below the median) is often above the limit, so the band is computed in full, and some
    // rounds disagree right after one that agreed without its band. The band of the last agreeing
    // round is compared at the end of every calm run, where the kernel writes it back.
    const noisy = overrideScenario(small(loadScenario("baseline")), {
      "oracle.memberNoiseBps": 40,
      "oracle.maxConfidenceBps": 35,
    });
    for (const policy of ["MinOfBoth", "Market"] as const) {
      const kernelEnds = new Map<number, number>();
      const counted = countCalm(
        () => run(noisy, policy, 0, true),
        (w) => kernelEnds.set(w.index, w.oracle.confidence),
      );
      const fused = counted.result;
      const stepEnds = new Map<number, number>();
      const models = withAdvance(
        (w) => stepEnds.set(w.index, w.oracle.confidence),
        () => run(noisy, policy, 0, false),
      );
      expect(counted.calm / fused.world.steps).toBeGreaterThan(0.9);
      expect(kernelEnds.size).toBeGreaterThan(30);
      for (const [index, confidence] of kernelEnds) expect(confidence).toBe(stepEnds.get(index));
      expectSameRun(fused, models);
    }
  }, 120_000);

  it("publishers out: the other eight members' rounds in the kernel, agreeing or not", () => {
    // Frequent outages (overlapping at times: two members out goes through the models), and member
    // noise near the agreement limit, so some rounds of eight disagree and some end a kernel run.
    const outages = overrideScenario(small(loadScenario("baseline")), {
      "oracle.outagesPerMemberPerYear": 150,
      "oracle.memberNoiseBps": 30,
      "oracle.maxConfidenceBps": 35,
    });
    // The oracle's whole state where each such kernel run ended, against the models' after that step.
    const oracle = (w: LanternWorld) => (state(w) as { oracle: unknown }).oracle;
    for (const policy of ["MinOfBoth", "Market"] as const) {
      const soloEnds = new Map<number, unknown>();
      let soloDisagreed = 0;
      const fused = countCalm(
        () => run(outages, policy, 1, true),
        (w) => {
          if (w.oracle.fresh !== 8) return;
          soloEnds.set(w.index, oracle(w));
          if (!w.oracle.available) soloDisagreed++;
        },
      );
      expect(soloEnds.size).toBeGreaterThan(50);
      expect(soloDisagreed).toBeGreaterThan(0);
      expect(fused.calm / fused.result.world.steps).toBeGreaterThan(0.8);
      let compared = 0;
      const models = withAdvance(
        (w) => {
          if (!soloEnds.has(w.index)) return;
          expect(oracle(w)).toEqual(soloEnds.get(w.index));
          compared++;
        },
        () => run(outages, policy, 1, false),
      );
      expect(compared).toBe(soloEnds.size);
      expectSameRun(fused.result, models);
    }
  }, 120_000);

  it("frame starts inside calm runs, and reports that land in their frame's first step", () => {
    // With no vote or data delay a frame's report lands in the step its frame starts: the committee's
    // step, run while the kernel waits, changes the feed, and the run must end there.
    // A negative rebase's reports turn bunker mode on (the discount's exits slow down) and lower the
    // pessimistic rate the FairRate policy prices with: a run that went on with the old feed would differ.
    const prompt = (name: string) =>
      overrideScenario(small(loadScenario(name)), {
        "committee.voteDelayMinutes": [0, 0],
        "committee.dataDelaySecs": 0,
        "committee.latePerFrame": 0,
      });
    for (const scenario of [small(loadScenario("baseline")), prompt("baseline"), prompt("delayed-negative-rebase")]) {
      const fused = countCalm(() => run(scenario, "FairRate", 0, true));
      expect(fused.calm / fused.result.world.steps).toBeGreaterThan(0.5);
      expect(fused.result.world.committee.stats.accepted).toBeGreaterThan(10);
      expectSameRun(fused.result, run(scenario, "FairRate", 0, false));
    }
  }, 120_000);

  it("random committees and oracles: the kernel is the models, paired or alone", () => {
    // Quorums from 5 to 9 (with 9 a round of eight has no quorum), frequent outages, member noise around
    // the agreement limit, prompt or slow reports, short or long member lags and price ages, any policy.
    const committees = fc.record({
      quorum: fc.integer({ min: 5, max: 9 }),
      outages: fc.constantFrom(0, 60, 400),
      noise: fc.double({ min: 1, max: 60, noNaN: true }),
      maxConf: fc.integer({ min: 5, max: 200 }),
      voteDelay: fc.constantFrom([0, 0], [5, 30]),
      dataDelay: fc.constantFrom(0, 20),
      lag: fc.constantFrom([1, 20], [30, 59], [0, 0]),
      // Observations that stay fresh for several steps: a member out keeps counting for a while.
      maxAge: fc.constantFrom(60, 300),
      policy: fc.constantFrom<Policy>("MinOfBoth", "Market", "FairRate"),
    });
    fc.assert(
      fc.property(committees, (c) => {
        const scenario = overrideScenario(small(loadScenario("baseline")), {
          horizonDays: 2,
          "committee.quorum": c.quorum,
          "committee.voteDelayMinutes": c.voteDelay,
          "committee.dataDelaySecs": c.dataDelay,
          "oracle.outagesPerMemberPerYear": c.outages,
          "oracle.memberNoiseBps": c.noise,
          "oracle.maxConfidenceBps": c.maxConf,
          "oracle.lagSecs": c.lag,
          "oracle.maxPriceAgeSecs": c.maxAge,
        });
        pairedAgainstModels(scenario, c.policy, 3);
      }),
      { numRuns: 12, seed: 14 },
    );
  }, 120_000);

  it("runs most steps of a calm path, and hands frontier crossings to the engine's step", () => {
    const baseline = countCalm(() => run(small(loadScenario("baseline")), "MinOfBoth", 0, true));
    expect(baseline.calm / baseline.result.world.steps).toBeGreaterThan(0.9);
    // After the unconfirmed loss the market's EMA drifts down through the book on otherwise calm steps.
    const rebase = small(loadScenario("delayed-negative-rebase"));
    const crossing = countCalm(() => run(rebase, "MinOfBoth", 0, true));
    expect(crossing.handed).toBeGreaterThan(0);
    expect(crossing.result.outcome.liquidations).toBeGreaterThan(0);
    expect(crossing.result.outcome).toEqual(run(rebase, "MinOfBoth", 0, false).outcome);
  }, 120_000);
});

describe("paths run two at a time in the kernel's lanes = each path through the models alone", () => {
  // Five paths: the lanes take paths as they free up, and the last runs in one lane alone.
  const compare = (scenario: Scenario, policy: Policy) => pairedAgainstModels(scenario, policy, 5);

  for (const { name } of listScenarios()) {
    it(`${name}: same outcomes, world state and streams`, () => {
      for (const policy of ["MinOfBoth", "Market"] as const) compare(small(loadScenario(name)), policy);
    }, 120_000);
  }

  it("both lanes side by side on calm paths, with a noisy committee's bands and disagreeing rounds", () => {
    expect(compare(small(loadScenario("baseline")), "MinOfBoth")).toBeGreaterThan(100);
    const noisy = overrideScenario(small(loadScenario("baseline")), {
      "oracle.memberNoiseBps": 40,
      "oracle.maxConfidenceBps": 35,
    });
    for (const policy of ["MinOfBoth", "Market", "FairRate"] as const)
      expect(compare(noisy, policy)).toBeGreaterThan(100);
    // Lanes whose rounds have a member out run alone, beside lanes that pair.
    const outages = overrideScenario(noisy, { "oracle.outagesPerMemberPerYear": 150 });
    expect(compare(outages, "MinOfBoth")).toBeGreaterThan(100);
  }, 120_000);

  it("the longest series a path may have: a time bucket every few steps, closed in either lane or both", () => {
    const scenario = small(loadScenario("baseline"));
    const job = prepareJob({ scenario, seed: 5, policy: "MinOfBoth", paths: 4, antithetic: true, engine: "fast" });
    const params = engineParamsWith({ ...job.params, seriesBuckets: MAX_SERIES_BUCKETS });
    const engines = [0, 1].map(() => new FastEngine(job.population, params)) as [FastEngine, FastEngine];
    const world = (i: number, calmKernel: boolean) =>
      createWorld(scenario, pathStreams(job.spec, i).world, { calmKernel });
    const paired: PathOutcome[] = [];
    const pairs = PathEngine.runPaired(
      engines,
      3,
      (i) => ({ world: world(i, true), path: i, rng: pathStreams(job.spec, i).engine }),
      (i, outcome) => {
        paired[i] = outcome;
      },
    );
    expect(pairs).toBeGreaterThan(100);
    for (let i = 0; i < 3; i++) {
      const models = engines[0].run(world(i, false), i, pathStreams(job.spec, i).engine);
      expect(models.seriesDepeg.length).toBeGreaterThan(8_000);
      expect(paired[i]).toEqual(models);
    }
  }, 120_000);

  it("refuses engines of two pricing policies; an empty range of units runs nothing", () => {
    const scenario = small(loadScenario("baseline"));
    const a = prepareJob({ scenario, seed: 5, policy: "MinOfBoth", paths: 5, antithetic: true, engine: "fast" });
    const b = prepareJob({ scenario, seed: 5, policy: "Market", paths: 5, antithetic: true, engine: "fast" });
    expect(() =>
      PathEngine.runPaired(
        [a.engine, b.engine],
        1,
        () => ({ world: createWorld(scenario, createRng(5, 0)), path: 0 }),
        () => {},
      ),
    ).toThrow("one pricing policy");
    // Five paths in antithetic pairs make three units; the range after the last is empty.
    const agg = newAggregate(a);
    runUnits(a, 3, 3, agg);
    expect(agg.paths).toBe(0);
  });

  it("a pool at full utilisation: both lanes read the last entry of their own rate tables", () => {
    // The other borrowers start at 100%: the pool's hourly update in the kernel reads the APR at
    // 10,000 bps, the entry that sits next to the other lane's table.
    const full = overrideScenario(small(loadScenario("baseline")), { "pool.utilization": 1 });
    expect(compare(full, "MinOfBoth")).toBeGreaterThan(100);
  }, 120_000);
});
