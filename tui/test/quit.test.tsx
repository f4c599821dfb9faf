// Quitting: the sentence printed on the normal screen afterwards (what was stopped, what this run sent,
// what may still land), and the confirmation asked while a transaction is in flight.
import { describe, expect, it } from "vitest";
import { Controller } from "../src/controller.js";
import { resolveKey } from "../src/keymap.js";
import { quitSummary } from "../src/quit.js";
import { reducer } from "../src/store/reducer.js";
import { initialState, type State, type TxRecord } from "../src/store/state.js";
import { createStore } from "../src/store/store.js";
import { App } from "../src/ui/App.js";
import { liveState } from "./fixtures.js";
import { renderAt } from "./render.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");

const tx = (id: number, status: TxRecord["status"], action = "lever up"): TxRecord => ({
  id,
  action,
  summary: `#0: ${id} SOL`,
  status,
  signature: status === "confirmed" ? `sig${id}` : undefined,
  error: undefined,
  hint: undefined,
  at: 0,
});
const withActivity = (state: State, records: TxRecord[]) =>
  records.reduce((s, record) => reducer(s, { type: "tx/start", record }), state);

describe("the sentence after quitting", () => {
  it("says what it stopped", () => {
    expect(quitSummary(liveState())).toBe("Lantern TUI closed. Stopped reading the chain at http://127.0.0.1:8899.");
    const s = {
      ...liveState(),
      keepers: initialState({
        cluster: "localnet",
        rpcUrl: "",
        pubkey: undefined,
        readOnlyReason: undefined,
        keepers: ["a=http://127.0.0.1:1", "b=http://127.0.0.1:2", "c=http://127.0.0.1:3"],
        theme: "dark",
      }).keepers,
      sim: {
        ...liveState().sim,
        status: "running" as const,
        progress: { done: 40, total: 100, etaMs: 1_000, pathsPerSec: 40 },
      },
    };
    expect(quitSummary(s)).toBe(
      "Lantern TUI closed. Stopped reading the chain at http://127.0.0.1:8899, polling 3 keepers, a simulation run (cancelled at 40/100 paths).",
    );
  });

  it("counts this run's transactions (not a keeper's liquidations) and names any still in flight", () => {
    const s = withActivity(liveState(), [
      tx(1, "confirmed"),
      tx(2, "failed"),
      tx(3, "expired"),
      tx(4, "confirmed"),
      tx(-5, "observed", "liquidated"),
      tx(6, "sending", "withdraw"),
    ]);
    expect(quitSummary(s).split("\n").slice(1)).toEqual([
      "This run: 5 transactions (2 confirmed, 1 failed, 1 expired).",
      "Still in flight when you quit: withdraw #0: 6 SOL — it may still land; quitting does not cancel it.",
    ]);
  });
});

describe("quit while a transaction is in flight", () => {
  it("q asks first (not when idle); y quits, any other key stays", async () => {
    expect(resolveKey(liveState(), "q", {}, false)).toEqual({ type: "quit" });
    expect(resolveKey(liveState(), "q", {}, true)).toEqual({ type: "quitAsk" });
    let exits = 0;
    const store = createStore(liveState(), 0);
    const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => exits++ });
    const r = renderAt(<App store={store} controller={controller} />, { columns: 80, rows: 24 });
    controller.run({ type: "quitAsk" });
    store.flush();
    await r.press("");
    expect(strip(r.lastFrame())).toContain("A transaction is in flight: quitting now does not cancel it.");
    expect(strip(r.lastFrame())).toMatch(/y quit anyway/);
    await r.press("n");
    expect(store.getState().ui.quitConfirm).toBe(false);
    expect(exits).toBe(0);
    controller.run({ type: "quitAsk" });
    await r.press("y");
    expect(exits).toBe(1);
    r.unmount();
  });
});
