// Reports and the command line (issue 14, fidelity 5): the depeg chart's extremes per time bucket,
// intervals that never claim certainty from silence, the antithetic note, and the CLI's examples,
// option checks, scenario-file errors and merge exit codes. The CLI runs as a child process (tsx), a
// few seconds in all.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  Aggregate,
  antitheticNote,
  buildPopulation,
  createRng,
  engineParamsWith,
  FastEngine,
  listScenarios,
  mergePartials,
  POPULATION_STREAM,
  resultHtml,
  runScenario,
  type SimPartial,
  type SimResult,
  statistics,
} from "@lantern/sim";
import { ScriptWorld } from "./script-world.js";

const ROOT = new URL("../../", import.meta.url).pathname;

function sim(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "sim/src/cli.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("reports", () => {
  it("the depeg series keeps each time bucket's min and max: a one-step wick mid-bucket is drawn", () => {
    const pop = buildPopulation(
      {
        subAccounts: 10,
        equitySol: { median: 10, sigma: 0.1, min: 1, max: 100 },
        leverage: { min: 2, max: 2, values: [2], weights: [] },
      },
      createRng(1, 0, { stream: POPULATION_STREAM }),
    );
    // 100 steps in 10 buckets of 10; a −14% wick at step 45 only (the middle of bucket 4).
    const engine = new FastEngine(
      pop,
      engineParamsWith({ policy: "FairRate", seriesBuckets: 10, liquidators: { delayJitterSecs: 0 } }),
    );
    const world = new ScriptWorld({ steps: 101, stepSecs: 60, fair: () => 1, dex: (k) => (k === 45 ? 0.86 : 0.998) });
    const agg = new Aggregate({ buckets: pop.buckets, bucketLeverage: pop.bucketLeverage });
    agg.addUnit([engine.run(world, 0)]);
    const s = statistics(agg).series;
    expect(s.depeg.p50!.every((v) => v > -0.01)).toBe(true); // the bucket-end sample misses the wick
    expect(s.depegMin.p50![4]).toBeCloseTo(-0.14, 3);
    expect(s.depegMin.p0![4]).toBeCloseTo(-0.14, 3);
    expect(s.depegMin.p50![3]).toBeCloseTo(-0.002, 3);
    expect(s.depegMax.p100![4]).toBeCloseTo(-0.002, 3);
  });

  it("a leverage bucket nobody was liquidated in gets an upper bound, not [0.00%, 0.00%]", async () => {
    const result = (await runScenario({
      scenario: "baseline",
      overrides: { horizonDays: 1, "population.subAccounts": 200, "population.leverage.values": [2, 3] },
      paths: 40,
      workers: 1,
    })) as SimResult;
    for (const row of result.statistics.leverage) {
      expect(row.liquidationProbability.estimate).toBe(0);
      const ci = row.liquidationProbability.ci!;
      expect(ci[0]).toBe(0);
      // Wilson's upper bound for 0 of 20 units (pairs): 16.1%.
      expect(ci[1]).toBeGreaterThan(0.15);
      expect(ci[1]).toBeLessThan(0.17);
    }
    expect(resultHtml(result)).not.toContain("[0.00%, 0.00%]");
  });

  it("explains the antithetic gain and flags it below 1", () => {
    const ok = antitheticNote({
      netApy: 2,
      protocolLoss: 1.3,
      liquidationVolume: null,
      anyLiquidation: 1.05,
      anyBadDebt: null,
    });
    expect(ok.text).toMatch(/independent paths ÷ with antithetic pairs/);
    expect(ok.warnings).toEqual([]);
    const bad = antitheticNote({
      netApy: 2,
      protocolLoss: 1.3,
      liquidationVolume: null,
      anyLiquidation: 0.499,
      anyBadDebt: 0.6,
    });
    expect(bad.warnings).toHaveLength(2);
    expect(bad.warnings[0]).toMatch(/below 1 for P\(any liquidation\) \(0\.499×\)/);
  });
});

describe("per-path outcomes", () => {
  it("one row per path, in path order, the same for 1 or 2 workers and through merged shards", async () => {
    const base = {
      scenario: "baseline",
      overrides: { horizonDays: 2, "population.subAccounts": 100, "discount.flash.perYear": 200 },
      paths: 12,
      perPath: true,
    };
    const one = (await runScenario({ ...base, workers: 1 })) as SimResult;
    const two = (await runScenario({ ...base, workers: 2 })) as SimResult;
    expect(one.perPath!.map((r) => r.path)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(two.perPath).toEqual(one.perPath);
    const shards = await Promise.all(
      [0, 1, 2].map((k) => runScenario({ ...base, workers: 1, shard: { index: k, count: 3 } })),
    );
    const merged = mergePartials(shards as SimPartial[]) as SimResult;
    expect(merged.perPath).toEqual(one.perPath);
    // The rows are the outcomes the statistics summarise.
    const mean = (k: "protocolLoss" | "netApy") => one.perPath!.reduce((a, r) => a + r[k], 0) / 12;
    expect(mean("netApy")).toBeCloseTo(one.statistics.metrics.netApy.estimate, 12);
    expect(mean("protocolLoss")).toBeCloseTo(one.statistics.metrics.protocolLoss.estimate, 12);
    expect(Math.min(...one.perPath!.map((r) => r.minDepeg))).toBeCloseTo(
      Math.min(...one.statistics.series.depegMin.p0!),
      3,
    );
    // Without the option nothing is kept.
    expect(((await runScenario({ ...base, perPath: false, workers: 1 })) as SimResult).perPath).toBeUndefined();
  }, 60_000);
});

describe("command line", () => {
  it("the help's examples name real scenarios and run", () => {
    const help = sim(["help"]);
    expect(help.code).toBe(0);
    const known = new Set(listScenarios().map((e) => e.name));
    const examples = help.stdout
      .split("\n")
      .filter((l) => l.trim().startsWith("npm run sim -- "))
      .map((l) => l.trim().slice("npm run sim -- ".length).split(/\s+/));
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const dir = mkdtempSync(join(tmpdir(), "sim-cli-"));
    for (const ex of examples) {
      const [command, target] = ex;
      if (command === "run" || command === "compare") expect(known.has(target!), `${target} in the help`).toBe(true);
      // Run it small: 8 paths, one worker, results and shards in a temporary directory.
      const args = ex.map((a) =>
        a.replace(/^\/results$/, join(dir, "shards")).replace(/^merged$/, join(dir, "merged")),
      );
      const i = args.indexOf("--paths");
      if (i >= 0) args[i + 1] = "8";
      if (command === "run" || command === "compare") {
        args.push("--workers", "1", "--set", "horizonDays=0.5", "--set", "population.subAccounts=50");
        if (!args.includes("--out")) args.push("--out", join(dir, `${command}-${target}`));
      }
      const r = sim(args);
      // merge of one shard of 16: the others are missing, which exits 3 (documented) and says so.
      if (command === "merge") {
        expect(r.code, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/cover only paths/);
      } else expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
  }, 120_000);

  it("rejects --paths -5, --paths 0 and --workers 0 with a clear message (exit 2)", () => {
    for (const [args, message] of [
      [["--paths", "-5"], /--paths expects an integer of at least 1, got "-5"/],
      [["--paths", "0"], /--paths expects an integer of at least 1, got "0"/],
      [["--workers", "0"], /--workers expects an integer of at least 1, got "0"/],
    ] as const) {
      const r = sim(["run", "baseline", ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 60_000);

  it("names the scenario file in its errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-scn-"));
    const bad = join(dir, "my-bad-scenario.json");
    writeFileSync(bad, JSON.stringify({ discount: { halfLifeEpochs: -3 } }));
    const r = sim(["run", bad, "--paths", "2"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/discount\.halfLifeEpochs must be between 0\.1 and 100, got -3/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    const r2 = sim(["run", broken]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(broken);
  }, 60_000);

  it("merge exits 2 on bad input and 3 while shards are missing, 0 when complete", () => {
    const dir = mkdtempSync(join(tmpdir(), "sim-merge-"));
    const junk = join(dir, "partial-junk.json");
    writeFileSync(junk, "{ nope");
    expect(sim(["merge", junk]).code).toBe(2);
    const notPartial = join(dir, "other.json");
    writeFileSync(notPartial, JSON.stringify({ kind: "something-else" }));
    expect(sim(["merge", notPartial]).code).toBe(2);
    expect(sim(["merge", join(dir, "nothing-here")]).code).toBe(2);
    const shards = join(dir, "shards");
    const common = ["run", "baseline", "--paths", "8", "--workers", "1", "--set", "horizonDays=0.2", "--out", shards];
    expect(sim([...common, "--shard", "0/2"]).code).toBe(0);
    const partial = sim(["merge", shards, "--out", join(dir, "m1")]);
    expect(partial.stderr).toMatch(/cover only paths 0–3 of the run's 8/);
    expect(partial.code).toBe(3);
    expect(sim([...common, "--shard", "1/2"]).code).toBe(0);
    const full = sim(["merge", shards, "--out", join(dir, "m2")]);
    expect(full.code, full.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "m2", "results.json"), "utf8")).kind).toBe("lantern-sim-result");
    // --per-path writes paths.csv: a header and one row per path.
    const pp = join(dir, "pp");
    expect(sim([...common.slice(0, -1), pp, "--per-path"]).code).toBe(0);
    const csv = readFileSync(join(pp, "paths.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toMatch(/^path,protocolLoss,/);
    expect(csv).toHaveLength(9);
    // Shards of a different run do not merge: input error.
    const other = join(dir, "other");
    expect(sim([...common.slice(0, -1), other, "--seed", "9", "--shard", "0/2"]).code).toBe(0);
    expect(sim(["merge", join(shards, "partial-0-of-2.json"), join(other, "partial-0-of-2.json")]).code).toBe(2);
  }, 120_000);
});
