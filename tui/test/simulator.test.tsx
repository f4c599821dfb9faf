// The Simulator tab: a real run of a shipped scenario through the service (worker threads), cancel with
// Esc, and the screen's states at 80×24 and 120×40 — loading, list, running, results side by side, error.
import { runScenario } from "@lantern/sim";
import { beforeAll, describe, expect, it } from "vitest";
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
    expect(m.frame()).toContain("policy MinOfBoth · 100 paths · seed 1");
    await m.press("p");
    await m.press("+");
    await m.press("j");
    const f = m.frame();
    fits(f);
    expect(f).toContain("policy FairRate · 200 paths");
    expect(f).toContain("› borrow-rate-spike");
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
  });
});
