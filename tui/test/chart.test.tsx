// The Oracle tab's chart of the fair rate vs the market band vs the EMA over the session: the pure
// layout (rows, time axis, band, precedence of the lines) and the frames at 120×40 and 80×24.
import { describe, expect, it } from "vitest";
import { CHART_GLYPHS, rateChart } from "../src/chart.js";
import { Controller } from "../src/controller.js";
import { reducer } from "../src/store/reducer.js";
import type { HistoryPoint, State } from "../src/store/state.js";
import { createStore } from "../src/store/store.js";
import { App } from "../src/ui/App.js";
import { liveState, NOW } from "./fixtures.js";
import { renderAt } from "./render.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
const p = (ts: number, fair: number, market?: number, confidence?: number, ema?: number): HistoryPoint => ({
  ts,
  fair,
  market,
  confidence,
  ema,
});
const column = (cells: string[][], x: number) => cells.map((row) => row[x]);

describe("rateChart", () => {
  it("needs two samples", () => {
    expect(rateChart([], 20, 5)).toBeUndefined();
    expect(rateChart([p(0, 1)], 20, 5)).toBeUndefined();
  });

  it("puts the highest value on the top row and the lowest on the bottom, the band between", () => {
    // Fair 1.02 above a market of 1.00 ± 0.01 with its EMA at 1.005.
    const c = rateChart([p(0, 1.02, 1.0, 0.01, 1.005), p(60, 1.02, 1.0, 0.01, 1.005)], 10, 5)!;
    expect([c.max, c.min]).toEqual([1.02, 0.99]);
    expect(c.spanSecs).toBe(60);
    // Rows: 1.02 (fair), 1.0125, 1.005 (EMA), 0.9975, 0.99 — the band covers 1.01 … 0.99.
    expect(column(c.cells, 0)).toEqual(["fair", "band", "ema", "market", "band"]);
  });

  it("is time-proportional: a change late in the run shows only at the right", () => {
    const c = rateChart([p(0, 1.0), p(90, 1.0), p(100, 2.0)], 11, 3)!;
    expect(c.cells[2]!.slice(0, 10)).toEqual(Array(10).fill("fair")); // 1.0 for 90 % of the span
    expect(c.cells[0]![10]).toBe("fair"); // 2.0 at the end
  });

  it("draws the fair rate over the EMA over the market where they meet", () => {
    const c = rateChart([p(0, 1.0, 1.0, 0, 1.0), p(10, 1.1, 1.1, 0, 1.1)], 4, 3)!;
    expect(c.cells.flat().filter((x) => x !== " ")).toEqual(["fair", "fair", "fair", "fair"]);
    const flat = rateChart([p(0, 1.0), p(10, 1.0)], 4, 3)!;
    expect(column(flat.cells, 0)).toEqual([" ", "fair", " "]); // a flat line in the middle
  });
});

/** A session: the market falls 3 % below the fair rate and recovers, one snapshot a minute. */
function session(): State {
  let s = liveState();
  const base = s.world!;
  for (let i = 0; i < 12; i++) {
    const drop = BigInt(i < 6 ? i : 12 - i) * 5n * 10n ** 15n; // 0 … 3 % in 0.5 % steps
    const feed = { ...base.feed, marketPrice: base.feed.fairRate - drop, marketEma: base.feed.fairRate - drop / 2n };
    s = reducer(s, {
      type: "chain/snapshot",
      slot: 1_000 + i,
      now: NOW + BigInt(60 * i),
      latencyMs: 5,
      world: { ...base, feed },
      subs: s.subs,
      lamports: s.wallet.lamports,
      at: i,
    });
  }
  return s;
}

function frameAt(state: State, size: { columns: number; rows: number }) {
  const store = createStore({ ...state, ui: { ...state.ui, size, tab: "oracle" } }, 0);
  const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => undefined });
  const r = renderAt(<App store={store} controller={controller} />, size);
  const f = strip(r.lastFrame());
  r.unmount();
  return f;
}

describe("Oracle tab", () => {
  it("at 120×40: the chart under the committee, with its legend, labels and span", () => {
    const s = session();
    expect(s.history).toHaveLength(12);
    const f = frameAt(s, { columns: 120, rows: 40 });
    const lines = f.split("\n");
    expect(lines.length).toBeLessThanOrEqual(39);
    expect(f).toMatch(/Member\s+Signer\s+Vote/); // the committee is still there
    const chart = lines.filter((l) => l.includes("┤"));
    expect(chart).toHaveLength(16);
    // From the top of the band at the start (1.02 + 0.005) to its bottom at the dip (1.02 − 3 % − 0.005).
    expect(chart[0]).toMatch(/^\s*1\.02500┤/);
    expect(chart.at(-1)).toMatch(/^\s*0\.98500┤/);
    expect(f).toContain(`${CHART_GLYPHS.fair} fair  ${CHART_GLYPHS.ema} EMA  ${CHART_GLYPHS.market} market`);
    expect(f).toContain("the last 11m00s, 12 samples");
    // The fair rate is flat just under the top; the market dips and comes back.
    expect(chart.filter((l) => /┤█{100,}$/.test(l.trimEnd()))).toHaveLength(1);
    expect(chart.some((l) => l.includes(CHART_GLYPHS.market))).toBe(true);
    expect(chart.some((l) => l.includes(CHART_GLYPHS.ema))).toBe(true);
  });

  it("at 80×24: all nine members, and a four-row chart in the rows they leave", () => {
    const f = frameAt(session(), { columns: 80, rows: 24 });
    const lines = f.split("\n");
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(f).toContain("#8 ");
    expect(lines.filter((l) => l.includes("┤"))).toHaveLength(4);
    expect(f).toContain("12 samples");
    expect(lines.at(-1)).toMatch(/q quit\s*$/);
  });

  it("before two samples it says the chart fills as prices arrive", () => {
    const f = frameAt(liveState(), { columns: 120, rows: 40 });
    expect(f).toContain("fills as reports and price rounds arrive");
  });
});
