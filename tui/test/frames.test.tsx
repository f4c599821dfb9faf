// Frames of the real app at 80×24 and 120×40: every screen in its loading, error, empty, live and
// disabled states, the action form and its confirm dialog, help, resize, "too small", and the themes.
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  // Colour on, so that the mono theme can be told from the others (chalk reads this once, at import).
  process.env.FORCE_COLOR = "1";
});

import { render as libraryRender } from "ink-testing-library";
import { Controller } from "../src/controller.js";
import { parsePrometheus } from "../src/prometheus.js";
import { type Action, reducer } from "../src/store/reducer.js";
import { initialState, type State } from "../src/store/state.js";
import { createStore } from "../src/store/store.js";
import { App } from "../src/ui/App.js";
import { HelpOverlay } from "../src/ui/chrome.js";
import { liveState, NOW, SOL } from "./fixtures.js";
import { renderAt } from "./render.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
/** Wrapped text read as one line. */
const flat = (s: string) => s.replace(/\s+/g, " ");
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const FOREGROUND = /\x1b\[(3[0-7]|9[0-7])m/;

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 40 },
] as const;

function mount(state: State, size: { columns: number; rows: number }, actions: Action[] = []) {
  let s = { ...state, ui: { ...state.ui, size } };
  for (const a of actions) s = reducer(s, a);
  const store = createStore(s, 0);
  const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => undefined });
  const r = renderAt(<App store={store} controller={controller} />, size);
  const frame = () => strip(r.lastFrame());
  return { ...r, store, frame, raw: r.lastFrame };
}

/** The height rule (Ink 6.8 clears the screen for frames as tall as the terminal) and the width. */
function fits(frame: string, size: { columns: number; rows: number }) {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(size.columns);
}

const empty = () =>
  initialState({
    cluster: "localnet",
    rpcUrl: "http://127.0.0.1:8899",
    pubkey: "x",
    readOnlyReason: undefined,
    keepers: [],
    theme: "dark",
  });

describe.each(SIZES)("at $columns×$rows", (size) => {
  it("Sub-accounts: loading, error, read-only, empty, list, detail", async () => {
    let m = mount(empty(), size);
    expect(m.frame()).toContain("Reading the market and your sub-accounts");
    m.unmount();
    m = mount(empty(), size, [
      { type: "chain/error", message: "Cannot reach the RPC endpoint http://127.0.0.1:8899: is the cluster running?" },
    ]);
    expect(m.frame()).toContain("Cannot reach the RPC endpoint");
    m.unmount();
    m = mount(liveState({ readOnly: true }), size);
    expect(flat(m.frame())).toContain("pass --keypair to see and trade yours");
    expect(m.frame()).toMatch(size.columns < 120 ? /l✗ u✗ r✗ n✗ d✗ w✗ x✗/ : /l lever ✗/);
    m.unmount();
    m = mount(liveState({ subs: [] }), size);
    expect(m.frame()).toContain("has no sub-account in this market yet");
    m.unmount();
    m = mount(liveState(), size);
    const list = m.frame();
    fits(list, size);
    expect(list).toContain("Sub-accounts");
    expect(list).toContain("3 sub-accounts, riskiest first");
    expect(list.split("\n").at(-1)).toMatch(/q quit\s*$/); // the whole key bar fits
    const lines = list.split("\n");
    const first = lines.findIndex((l) => /^\s+2\s/.test(l));
    const second = lines.findIndex((l) => /^\s+0\s/.test(l));
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first); // riskiest (90% LTV) first
    await m.press("\r");
    const detail = m.frame();
    fits(detail, size);
    expect(detail).toContain("Sub-account #2");
    expect(detail).toMatch(/90\s+92\s+93\s+96/);
    expect(detail).toContain("Leverage");
    expect(flat(detail)).toMatch(/falls \d+\.\d\d% below the fair rate/);
    await m.press("\x1b");
    expect(m.frame()).toContain("riskiest first");
    m.unmount();
  });

  it("repay: the form previews the lower debt, even on a stale feed", async () => {
    const m = mount(liveState({ stale: true }), size);
    await m.press("r");
    const f = m.frame();
    fits(f, size);
    expect(f).toContain("Repay sub-account #2");
    expect(f).toMatch(/Debt\s+18\.0000 SOL\s+→\s+17\.0000 SOL/);
    expect(f).toContain("Pays 1.0000 SOL");
    m.unmount();
  });

  it("a disabled key says why, in the bar and when pressed", async () => {
    const m = mount(liveState({ stale: true }), size);
    expect(m.frame()).toContain("FEED STALE");
    await m.press("l");
    expect(m.frame()).toContain("Not now: stale feed");
    expect(m.frame()).not.toContain("Lever up sub-account");
    m.unmount();
  });

  it("lever up form: live preview, input errors, confirm dialog, mainnet's typed confirmation", async () => {
    const m = mount(liveState(), size);
    await m.press("l");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("Lever up sub-account #2");
    expect(f).toContain("before");
    expect(f).toContain("min_lrt_out");
    expect(f).toContain("The exact math says this passes");
    // Borrowing 40 SOL against #2 is over the maximum LTV: the program's error, before any send.
    m.store.dispatch({ type: "ui/form/field", name: "borrow", value: "40" });
    m.store.flush();
    await m.press("");
    expect(flat(m.frame())).toContain("Would fail: Unhealthy");
    await m.press("\x1b");
    await m.press("j");
    await m.press("j");
    await m.press("l");
    f = m.frame();
    expect(f).toContain("Lever up sub-account #1");
    expect(f).toContain("The exact math says this passes");
    expect(f).toMatch(/Leverage\s+1\.00×\s+→\s+1\.35×/);
    await m.press("\t");
    await m.press("\x7f");
    await m.press("\x7f");
    expect(m.frame()).toContain("borrow must be an amount of SOL");
    await m.press("\r");
    expect(m.frame()).toContain("borrow must be an amount of SOL");
    m.store.dispatch({ type: "ui/form/field", name: "borrow", value: "4" });
    m.store.dispatch({ type: "ui/form/patch", patch: { stage: "confirm", blocksLeft: 150, fee: 5_000n } });
    m.store.flush();
    await m.press("");
    f = m.frame();
    fits(f, size);
    expect(f).toContain("Send this transaction?");
    expect(f).toContain("Network fee 0.000005 SOL");
    expect(f).toContain("y or Enter sends");
    m.unmount();
    const main = mount({ ...liveState(), cluster: "mainnet" }, size, [
      {
        type: "ui/form/open",
        kind: "leverageUp",
        subAddress: liveState().subs[1]!.address,
        fields: { equity: "1", borrow: "4", slippage: "50" },
      },
      { type: "ui/form/patch", patch: { stage: "confirm", blocksLeft: 150, fee: 5_000n } },
    ]);
    expect(main.frame()).toContain('MAINNET: type "mainnet"');
    expect(main.frame()).toContain("MAINNET");
    main.unmount();
  });

  it("Markets, Oracle, Simulator", async () => {
    const m = mount(liveState(), size);
    await m.press("1");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("SOL lending pool");
    expect(f).toContain("Borrow APR");
    expect(f).toMatch(/Fair rate 1\.020000/);
    expect(f).toMatch(/Discount 0\.49% vs fair/);
    await m.press("3");
    f = m.frame();
    fits(f, size);
    expect(f).toContain("Frame 30000000");
    expect(f).toContain("5/5 of 9");
    expect(f).toContain("✔ consensus");
    expect(f).toMatch(/stale in 1d11h/);
    await m.press("4");
    // No SimService in this mount: the scenario list never loads.
    expect(m.frame()).toContain("Reading the shipped scenarios");
    m.unmount();
    const e = mount(empty(), size, [{ type: "ui/tab", tab: "oracle" }]);
    expect(e.frame()).toContain("Reading the committee");
    e.unmount();
  });

  it("Keeper: none configured, no answer, and metrics", async () => {
    let m = mount(liveState(), size, [{ type: "ui/tab", tab: "keeper" }]);
    expect(m.frame()).toContain("No keeper to watch");
    m.unmount();
    const state = {
      ...liveState(),
      keepers: initialState({
        ...empty(),
        cluster: "localnet",
        rpcUrl: "",
        pubkey: undefined,
        readOnlyReason: undefined,
        keepers: ["liquidator=http://127.0.0.1:9000", "http://127.0.0.1:9001"],
        theme: "dark",
      }).keepers,
    };
    const metrics = parsePrometheus(
      [
        `keeper_worker_last_tick_timestamp_seconds{worker="liquidator"} ${Date.now() / 1000 - 3}`,
        'keeper_liquidation_attempts_total{result="landed"} 2',
        'keeper_tx_outcomes_total{kind="liquidate",outcome="Landed"} 2',
        'keeper_rpc_requests_total{method="getSlot",endpoint="x",result="ok"} 10',
        'keeper_rpc_requests_total{method="getSlot",endpoint="x",result="timeout"} 1',
        "keeper_journal_pending_intents 0",
      ].join("\n"),
    );
    m = mount(state, size, [
      { type: "ui/tab", tab: "keeper" },
      {
        type: "keeper/update",
        url: "http://127.0.0.1:9000",
        patch: { status: "ok", live: true, ready: true, metrics },
      },
      {
        type: "keeper/update",
        url: "http://127.0.0.1:9001",
        patch: {
          status: "error",
          error: "No answer from http://127.0.0.1:9001 (fetch failed): is the keeper running with --http-port?",
        },
      },
    ]);
    const f = m.frame();
    fits(f, size);
    expect(f).toMatch(/liquidator\s+yes\s+yes\s+3s/);
    expect(f).toContain("Landed 2");
    expect(f).toContain("No answer");
    m.unmount();
  });

  it("Activity: empty, confirmed, failed with the decoded error, expired", async () => {
    let m = mount(liveState(), size, [{ type: "ui/tab", tab: "activity" }]);
    expect(m.frame()).toContain("No transactions in this run yet");
    m.unmount();
    const rec = (id: number, status: "confirmed" | "failed" | "expired", error?: string, hint?: string) => ({
      type: "tx/start" as const,
      record: {
        id,
        action: "lever up",
        summary: `#1: ${id} SOL`,
        status,
        signature: status === "confirmed" ? "5".repeat(88) : undefined,
        error,
        hint,
        at: 0,
      },
    });
    m = mount(liveState(), size, [
      { type: "ui/tab", tab: "activity" },
      rec(1, "confirmed"),
      rec(
        2,
        "failed",
        "margin Unhealthy (6009): The position would be unhealthy",
        "over the maximum LTV: borrow less or add equity",
      ),
      rec(3, "expired", "Transaction x expired before it landed", "expired before it landed: nothing was executed"),
    ]);
    const f = m.frame();
    fits(f, size);
    expect(f).toContain("✔ confirmed");
    expect(f).toContain("✖ failed");
    expect(f).toContain("⌛ expired");
    expect(f).toContain("margin Unhealthy (6009)");
    if (size.columns >= 120) expect(f).toContain("borrow less or add equity");
    m.unmount();
  });
});

describe("chrome", () => {
  it("help overlay (ink-testing-library) lists every key", () => {
    const { lastFrame, unmount } = libraryRender(<HelpOverlay />);
    const f = strip(lastFrame() ?? "");
    for (const key of ["1 … 6", "Esc", "Ctrl+C twice", "/", "?"]) expect(f).toContain(key);
    unmount();
  });

  it(": opens the command line; goto moves, nonsense says what it takes", async () => {
    const m = mount(liveState(), { columns: 120, rows: 40 });
    await m.press(":");
    expect(m.frame()).toMatch(/:▏ goto markets\|sub/);
    for (const c of "goto oracle") await m.press(c);
    await m.press("\r");
    expect(m.frame()).toContain("5/5 of 9");
    await m.press(":");
    for (const c of "fly") await m.press(c);
    await m.press("\r");
    expect(m.frame()).toContain('Unknown command "fly"');
    m.unmount();
  });

  it("? opens help over any tab and Esc closes it", async () => {
    const m = mount(liveState(), { columns: 120, rows: 40 });
    await m.press("?");
    expect(m.frame()).toContain("Ctrl+C twice");
    await m.press("\x1b");
    expect(m.frame()).not.toContain("Ctrl+C twice");
    m.unmount();
  });

  it("below 80×24 says the terminal is too small, and recovers on resize", async () => {
    const m = mount(liveState(), { columns: 70, rows: 20 });
    expect(m.frame()).toContain("Terminal too small");
    expect(m.frame()).toContain("70×20");
    await m.resize(120, 40);
    expect(m.frame()).toContain("riskiest first");
    await m.resize(80, 24);
    fits(m.frame(), { columns: 80, rows: 24 });
    m.unmount();
  });

  it("Ctrl+C once warns, twice exits", async () => {
    let exited = 0;
    const store = createStore(liveState(), 0);
    const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => exited++ });
    const r = renderAt(<App store={store} controller={controller} />, { columns: 120, rows: 40 });
    await r.press("\x03");
    expect(strip(r.lastFrame())).toContain("Press Ctrl+C again to quit");
    expect(exited).toBe(0);
    await r.press("\x03");
    expect(exited).toBe(1);
    r.unmount();
  });

  it("themes: dark colours, mono none (words and glyphs carry the state)", async () => {
    const dark = mount(liveState(), { columns: 120, rows: 40 });
    expect(dark.raw()).toMatch(FOREGROUND);
    await dark.press("t");
    await dark.press("t");
    expect(dark.store.snapshot().ui.theme).toBe("mono");
    expect(dark.raw()).not.toMatch(FOREGROUND);
    await dark.press("\r");
    expect(dark.frame()).toContain("▲ SAFE");
    dark.unmount();
  });
});

beforeAll(() => {
  expect(NOW).toBeGreaterThan(0n);
  expect(SOL).toBe(1_000_000_000n);
});
