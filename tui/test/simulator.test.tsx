// The Simulator tab: a real run of a shipped scenario through the service (worker threads), cancel with
// Esc, and the screen's states at 80×24 and 120×40 — loading, list, running, results side by side, error.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScenario } from "@lantern/sim";
import { beforeAll, describe, expect, it } from "vitest";
import { histogramRow, lossMarks } from "../src/chart.js";
import { Controller } from "../src/controller.js";
import { resolveKey } from "../src/keymap.js";
import { SimService } from "../src/services/sim.js";
import { reducer } from "../src/store/reducer.js";
import type { SimRun, State } from "../src/store/state.js";
import { createStore } from "../src/store/store.js";
import { App } from "../src/ui/App.js";
import { liveState } from "./fixtures.js";
import { renderAt } from "./render.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");

let run: SimRun;

beforeAll(async () => {
  const output = await runScenario({ scenario: "baseline", paths: 4, seed: 7, workers: 1 });
  if (output.kind !== "lantern-sim-result") throw new Error("expected a full result");
  run = {
    scenario: "baseline",
    policy: "MinOfBoth",
    paths: 4,
    seed: 7,
    statistics: output.statistics,
    elapsedMs: 1_500,
  };
}, 120_000);

function simState(): State {
  const s = liveState();
  const store = createStore(s, 0);
  new SimService(store).load();
  return reducer(store.getState(), { type: "ui/tab", tab: "simulator" });
}

describe("simulator service", () => {
  it("lists the shipped scenarios", () => {
    const s = simState();
    expect(s.sim.scenarios.map((x) => x.name)).toContain("baseline");
    expect(s.sim.scenarios.length).toBeGreaterThan(10);
  });

  it("runs in worker threads with progress, and Esc cancels", async () => {
    const store = createStore(simState(), 0);
    const sim = new SimService(store);
    const controller = new Controller({ store, chain: undefined, tx: undefined, sim, exit: () => undefined });
    store.dispatch({ type: "sim/patch", patch: { paths: 50 } });
    controller.run(resolveKey(store.getState(), "", { return: true }));
    expect(store.getState().sim.status).toBe("running");
    // Wait for the first finished path, then Esc.
    const deadline = Date.now() + 60_000;
    while ((store.getState().sim.progress?.done ?? 0) === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().sim.progress!.done).toBeGreaterThan(0);
    expect(store.getState().sim.progress!.total).toBe(50);
    controller.run(resolveKey(store.getState(), "", { escape: true }));
    while (store.getState().sim.status === "running" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().sim.status).toBe("cancelled");
    expect(store.getState().sim.runs).toHaveLength(0);
  }, 90_000);
});

describe.each([
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
])("Simulator tab at $columns×$rows", (size) => {
  const mount = (s: State) => {
    const store = createStore({ ...s, ui: { ...s.ui, size } }, 0);
    const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => undefined });
    const r = renderAt(<App store={store} controller={controller} />, size);
    return { ...r, store, frame: () => strip(r.lastFrame()) };
  };
  const fits = (f: string) => {
    const lines = f.split("\n");
    expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(size.columns);
  };

  it("loading, list with settings, keys for policy and paths", async () => {
    let m = mount(reducer(liveState(), { type: "ui/tab", tab: "simulator" }));
    expect(m.frame()).toContain("Reading the shipped scenarios");
    m.unmount();
    m = mount(simState());
    expect(m.frame()).toContain("› baseline");
    expect(m.frame()).toMatch(/MinOfBoth · 100 paths · \d+d horizon \(scenario's\) · seed 1/);
    await m.press("p");
    await m.press("+");
    await m.press("j");
    const f = m.frame();
    fits(f);
    expect(f.split("\n").at(-1)).toMatch(/\[ \] horizon.*q quit\s*$/); // the whole key bar fits
    expect(f).toContain("FairRate · 200 paths");
    expect(f).toContain("› borrow-rate-spike");
    // The horizon steps from the scenario's own; back to it, the override is gone.
    const own = m.store.getState().sim.scenarios[1]!.horizonDays!;
    await m.press("]");
    const longer = m.store.getState().sim.horizonDays!;
    expect(longer).toBeGreaterThan(own);
    expect(m.frame()).toContain(`${longer}d horizon · seed 1`);
    await m.press("[");
    expect(m.store.getState().sim.horizonDays).toBeUndefined();
    expect(m.frame()).toContain(`${own}d horizon (scenario's)`);
    // Nothing to export before a run: the key says so.
    expect(m.frame()).toMatch(/e( export)? ?✗/);
    await m.press("e");
    expect(m.frame()).toContain("Not now: run a scenario first");
    m.unmount();
  });

  it("running: progress, rate and ETA; error; results side by side with CIs", () => {
    let m = mount(
      reducer(simState(), {
        type: "sim/patch",
        patch: { status: "running", progress: { done: 12, total: 100, etaMs: 28_000, pathsPerSec: 3.1 } },
      }),
    );
    expect(m.frame()).toContain("12/100 paths · 3.1 paths/s · ETA 28s · Esc cancels");
    m.unmount();
    m = mount(
      reducer(simState(), {
        type: "sim/patch",
        patch: { status: "error", error: "The simulation failed: scenario file is not valid" },
      }),
    );
    expect(m.frame()).toContain("The simulation failed");
    m.unmount();
    let s = simState();
    s = reducer(s, { type: "sim/done", run });
    s = reducer(s, { type: "sim/done", run: { ...run, policy: "FairRate" } });
    m = mount(s);
    const f = m.frame();
    fits(f);
    expect(f).toContain("P(any bad debt)");
    expect(f).toMatch(/0\.00% \[0\.00%, \d+\.\d\d%\]/);
    expect(f).toContain("baseline · FairRate · 4");
    if (size.columns >= 120) expect(f).toContain("baseline · MinOfBoth · 4");
    expect(f).toContain("VaR / ES 95%");
    m.unmount();
    m = mount(
      reducer(s, { type: "sim/patch", patch: { exported: { path: "/tmp/x/sim-results/baseline/results.json" } } }),
    );
    expect(m.frame()).toContain("✔ Exported /tmp/x/sim-results/baseline/results.json");
    m.unmount();
  });
});

describe("the loss histogram's tail marks", () => {
  it("each VaR/ES sits in the bin that holds it; zero marks nothing; a later value wins a shared bin", () => {
    const edges = Array.from({ length: 11 }, (_, i) => i * 2); // 10 bins of 2 SOL
    expect(lossMarks(edges, [5, 7.9, 13, 19.99])).toBe("  ▲△  ◆  ◇");
    expect(lossMarks(edges, [0, 0, 5, 5.5])).toBe("  ◇       ");
    expect(lossMarks(edges, [undefined, 20, undefined, undefined])).toBe("         △");
    expect(lossMarks([], [1, 2, 3, 4])).toBe("");
    expect(histogramRow([0, 1, 4, 8, 0])).toBe(" ▁▄█ ");
  });

  it("draws under the newest run's histogram, with the legend, at both sizes", () => {
    const edges = Array.from({ length: 31 }, (_, i) => i * 0.1);
    const counts = Array.from({ length: 30 }, (_, i) => (i < 5 ? 20 - 3 * i : i === 29 ? 1 : 0));
    const tails = run.statistics.loss.tails.map((t, i) => ({
      ...t,
      var: { ...t.var, estimate: i === 0 ? 0.45 : 1.25 },
      es: { ...t.es, estimate: i === 0 ? 0.95 : 2.95 },
    }));
    const statistics = {
      ...run.statistics,
      loss: { ...run.statistics.loss, tails, max: 3 },
      lossHistogram: { edges, counts, zeros: 3 },
    };
    for (const size of [
      { columns: 80, rows: 24 },
      { columns: 120, rows: 40 },
    ]) {
      const s = reducer(simState(), { type: "sim/done", run: { ...run, statistics } });
      const store = createStore({ ...s, ui: { ...s.ui, size } }, 0);
      const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => undefined });
      const r = renderAt(<App store={store} controller={controller} />, size);
      const lines = strip(r.lastFrame()).split("\n");
      expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
      const at = lines.findIndex((l) => l.includes("Losses  "));
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(size.columns);
      expect(lines[at]).toContain("0 … 3.00 SOL · 3 of 4 lost nothing");
      const histogram = lines[at]!.indexOf("Losses  ") + 8;
      expect(lines[at]!.slice(histogram, histogram + 30)).toBe(`█▇▆▅▄${" ".repeat(24)}▁`);
      // 0.45 → bin 4, 0.95 → bin 9, 1.25 → bin 12, 2.95 → bin 29.
      expect(lines[at + 1]!.slice(histogram, histogram + 30)).toBe(`    ▲    △  ◆${" ".repeat(16)}◇`);
      expect(lines[at + 1]).toContain("▲ VaR95 △ ES95 ◆ VaR99 ◇ ES99");
      r.unmount();
    }
  });
});

describe("settings reach the run, and export writes the report", () => {
  it("a 1-day horizon runs as an override; e writes results.json (+ csv, html) under sim-results/", async () => {
    const base = mkdtempSync(join(tmpdir(), "lantern-tui-sim-"));
    const store = createStore(simState(), 0);
    const sim = new SimService(store, base);
    const controller = new Controller({ store, chain: undefined, tx: undefined, sim, exit: () => undefined });
    store.dispatch({ type: "sim/patch", patch: { paths: 20 } });
    controller.run(resolveKey(store.getState(), "e", {}));
    expect(store.getState().ui.toast).toContain("run a scenario first");
    for (let i = 0; i < 10; i++) controller.run(resolveKey(store.getState(), "[", {}));
    expect(store.getState().sim.horizonDays).toBe(1);
    await sim.run();
    const done = store.getState().sim;
    expect(done.status).toBe("done");
    expect(done.runs[0]!.horizonDays).toBe(1);
    expect(done.runs[0]!.result!.meta.overrides).toEqual({ horizonDays: 1 });
    controller.run(resolveKey(store.getState(), "e", {}));
    const exported = store.getState().sim.exported;
    const dir = join(base, "sim-results", "baseline-MinOfBoth-s1-20p-h1d");
    expect(exported).toEqual({ path: join(dir, "results.json") });
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.kind).toBe("lantern-sim-result");
    expect(json.meta.paths).toBe(20);
    expect(json.statistics).toEqual(JSON.parse(JSON.stringify(done.runs[0]!.statistics)));
    for (const f of ["results.csv", "series.csv", "report.html"]) expect(existsSync(join(dir, f))).toBe(true);
    controller.dispose();
  }, 120_000);
});
