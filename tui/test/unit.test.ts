// Pure parts of the TUI: configuration (Solana CLI conventions), the Prometheus parser, formatters,
// the store (reducer, coalescing), selectors checked against the sdk, and the keymap.
import {
  collateralValue,
  debtAmount,
  isLiquidatable,
  lrtForDeposit,
  marketPrices,
  positionView,
  previewLeverageUp,
} from "@lantern/sdk";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { LanternProgramError, LanternTransactionError } from "@lantern/sdk";
import { describe, expect, it } from "vitest";
import { classifyTxError } from "../src/services/tx.js";
import { type Environment, parseFlags, resolveConfig, UsageError, websocketUrlFor } from "../src/config.js";
import { duration, fixed, healthBar, parseAmount, pct, sol, sparkline } from "../src/format.js";
import { hintsFor, parsePalette, resolveKey } from "../src/keymap.js";
import { demoMarketShock } from "../src/services/demoMarket.js";
import { parsePrometheus, sumOf } from "../src/prometheus.js";
import { reducer } from "../src/store/reducer.js";
import { actionAvailability, selectFormPreview } from "../src/store/forms.js";
import { selectOracle, selectSubRows } from "../src/store/selectors.js";
import { createStore } from "../src/store/store.js";
import { liveState, NOW, SOL, sub } from "./fixtures.js";

const env = (o: Partial<Environment> & { files?: Record<string, unknown> } = {}): Environment => ({
  env: {},
  home: "/home/trader",
  stdoutIsTTY: true,
  stdinIsTTY: true,
  fileExists: (p) => p in (o.files ?? {}),
  readConfig: (p) => (o.files?.[p] as object | undefined) ?? {},
  ...o,
});
const CONFIG = "/home/trader/.config/solana/cli/config.yml";
const ID = "/home/trader/.config/solana/id.json";

describe("configuration", () => {
  it("takes monikers, URLs and derives the WebSocket port + 1", () => {
    const m = resolveConfig(parseFlags(["-u", "m"]), env());
    expect(m.rpcUrl).toBe("https://api.mainnet-beta.solana.com");
    expect(m.cluster).toBe("mainnet");
    expect(m.wsUrl).toBe("wss://api.mainnet-beta.solana.com");
    const l = resolveConfig(parseFlags(["--url", "l"]), env());
    expect([l.rpcUrl, l.wsUrl, l.cluster]).toEqual(["http://127.0.0.1:8899", "ws://127.0.0.1:8900", "localnet"]);
    expect(resolveConfig(parseFlags(["-u", "d"]), env()).cluster).toBe("devnet");
    expect(resolveConfig(parseFlags(["-u", "testnet"]), env()).cluster).toBe("testnet");
    expect(websocketUrlFor("https://rpc.example.com:8899")).toBe("wss://rpc.example.com:8900");
    expect(() => resolveConfig(parseFlags(["-u", "moon"]), env())).toThrow(UsageError);
  });

  it("reads the Solana CLI config for what the flags leave out", () => {
    const files = {
      [CONFIG]: {
        json_rpc_url: "https://api.devnet.solana.com",
        websocket_url: "wss://ws.example.com/",
        keypair_path: "/k.json",
        commitment: "finalized",
      },
      "/k.json": true,
    };
    const c = resolveConfig(parseFlags([]), env({ files }));
    expect(c.rpcUrl).toBe("https://api.devnet.solana.com");
    expect(c.wsUrl).toBe("wss://ws.example.com/");
    expect(c.keypairPath).toBe("/k.json");
    expect(c.commitment).toBe("finalized");
    // A flag wins, and a flagged URL derives its own WebSocket URL.
    const f = resolveConfig(parseFlags(["-u", "http://10.0.0.1:9000", "--commitment", "processed"]), env({ files }));
    expect([f.rpcUrl, f.wsUrl, f.commitment, f.cluster]).toEqual([
      "http://10.0.0.1:9000",
      "ws://10.0.0.1:9001",
      "processed",
      "custom",
    ]);
  });

  it("is read-only without a keypair, and says why", () => {
    const c = resolveConfig(parseFlags([]), env());
    expect(c.keypairPath).toBeUndefined();
    expect(c.readOnlyReason).toContain("no keypair");
    expect(resolveConfig(parseFlags([]), env({ files: { [ID]: true } })).keypairPath).toBe(ID);
    expect(() => resolveConfig(parseFlags(["--keypair", "/missing.json"]), env())).toThrow(/does not exist/);
  });

  it("chooses the mode and theme: non-TTY prints once, NO_COLOR is mono", () => {
    expect(resolveConfig(parseFlags([]), env()).mode).toBe("interactive");
    expect(resolveConfig(parseFlags([]), env({ stdoutIsTTY: false })).mode).toBe("text");
    expect(resolveConfig(parseFlags(["--json"]), env()).mode).toBe("json");
    expect(resolveConfig(parseFlags([]), env({ env: { NO_COLOR: "1" } })).theme).toBe("mono");
    expect(resolveConfig(parseFlags(["--theme", "light"]), env()).theme).toBe("light");
    expect(() => resolveConfig(parseFlags(["--theme", "neon"]), env())).toThrow(/Unknown theme/);
    expect(() => parseFlags(["--bogus"])).toThrow(UsageError);
  });
});

describe("Prometheus text parser", () => {
  const text = [
    "# HELP keeper_tx_outcomes_total Intent outcomes",
    "# TYPE keeper_tx_outcomes_total counter",
    'keeper_tx_outcomes_total{kind="liquidate",outcome="Landed"} 3',
    'keeper_tx_outcomes_total{kind="report",outcome="Landed"} 4',
    'keeper_tx_outcomes_total{kind="report",outcome="Expired"} 1',
    'weird{msg="a \\"quoted\\" \\\\ value\\nnext",x="1"} +Inf 1700000000000',
    "keeper_journal_pending_intents 0",
    "nan_metric NaN",
  ].join("\n");
  it("parses samples, labels with escapes, special values and HELP/TYPE", () => {
    const m = parsePrometheus(text);
    expect(m.samples).toHaveLength(6);
    expect(m.types.keeper_tx_outcomes_total).toBe("counter");
    expect(m.help.keeper_tx_outcomes_total).toBe("Intent outcomes");
    expect(m.samples[3]!.labels.msg).toBe('a "quoted" \\ value\nnext');
    expect(m.samples[3]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(m.samples[5]!.value)).toBe(true);
    expect(sumOf(m, "keeper_tx_outcomes_total", { outcome: "Landed" })).toBe(7);
    expect(sumOf(m, "absent")).toBeUndefined();
  });
  it("rejects malformed lines", () => {
    expect(() => parsePrometheus('x{a="1" 2')).toThrow();
    expect(() => parsePrometheus("x notanumber")).toThrow(/not a number/);
  });
});

describe("formatters", () => {
  it("formats exact amounts without float round trips", () => {
    expect(sol(1_234_567_891_234n)).toBe("1,234.5678");
    expect(fixed(-15n, 1, 1)).toBe("-1.5");
    expect(pct(9_300)).toBe("93.00%");
    expect(pct(-25n)).toBe("-0.25%");
    expect(duration(3_725)).toBe("1h02m");
    expect(duration(-61)).toBe("-1m01s");
    expect(parseAmount("1.5")).toBe(1_500_000_000n);
    expect(parseAmount(".25")).toBe(250_000_000n);
    expect(parseAmount("1.0000000001")).toBeUndefined();
    expect(parseAmount("abc")).toBeUndefined();
    expect(sparkline([1, 2, 3], 10)).toBe("▁▅█");
    expect(sparkline([2, 2], 10)).toBe("▁▁");
  });
  it("draws the health bar with distinct marks at 90/92/93/96%", () => {
    const { bar, marksLine, labelsLine } = healthBar(8_000n, 60, [9_000, 9_200, 9_300, 9_600]);
    expect(bar).toHaveLength(60);
    expect(bar.indexOf("░")).toBe(13); // 80% over 75–100% of 60 cells
    expect(marksLine.split("").filter((c) => c === "┴")).toHaveLength(4);
    expect(labelsLine.trim().split(/\s+/)).toEqual(["90", "92", "93", "96"]);
  });
});

describe("store", () => {
  it("coalesces a burst of actions into one notification", async () => {
    const store = createStore(liveState(), 20);
    let calls = 0;
    store.subscribe(() => calls++);
    for (let i = 0; i < 50; i++) store.dispatch({ type: "ui/move", delta: 1, count: 3 });
    expect(store.snapshot().ui.selected).toBe(0);
    expect(store.getState().ui.selected).toBe(2);
    await new Promise((r) => setTimeout(r, 40));
    expect(calls).toBe(1);
    expect(store.snapshot().ui.selected).toBe(2);
  });
  it("reducer: tabs reset the selection, errors keep the last world, activity is newest first", () => {
    let s = liveState();
    s = reducer(s, { type: "ui/move", delta: 2, count: 3 });
    s = reducer(s, { type: "ui/tab", tab: "oracle" });
    expect([s.ui.tab, s.ui.selected]).toEqual(["oracle", 0]);
    s = reducer(s, { type: "chain/error", message: "boom" });
    expect(s.chain.status).toBe("error");
    expect(s.world).toBeDefined();
    const record = {
      action: "a",
      summary: "",
      status: "sending" as const,
      signature: undefined,
      error: undefined,
      hint: undefined,
      at: 0,
    };
    s = reducer(s, { type: "tx/start", record: { ...record, id: 1 } });
    s = reducer(s, { type: "tx/start", record: { ...record, id: 2 } });
    s = reducer(s, { type: "tx/update", id: 1, patch: { status: "expired" } });
    expect(s.activity.map((a) => [a.id, a.status])).toEqual([
      [2, "sending"],
      [1, "expired"],
    ]);
  });
});

describe("selectors (checked against the sdk)", () => {
  it("lists sub-accounts riskiest first with the sdk's position numbers", () => {
    const s = liveState();
    const rows = selectSubRows(s);
    expect(rows.map((r) => r.index)).toEqual([2, 0, 1]); // 90% LTV, 80%, no debt
    const w = s.world!;
    for (const r of rows) {
      const entry = s.subs.find((x) => x.address === r.address)!;
      expect(r.view).toEqual(positionView(entry.sub, w.pool, w.market, w.feed, NOW));
      expect(r.view.debt).toBe(debtAmount(entry.sub.debtShares, w.pool.borrowIndex));
      const maint = marketPrices(w.market, w.feed, NOW).maint;
      expect(r.view.valueMaint).toBe(collateralValue(entry.sub.collateral, maint));
      if (r.view.liquidationPrice !== undefined) {
        // The liquidation point is exact: safe at it, liquidatable one unit below.
        expect(isLiquidatable(r.view.debt, entry.sub.collateral, r.view.liquidationPrice, w.market.risk.ltBps)).toBe(
          false,
        );
        expect(
          isLiquidatable(r.view.debt, entry.sub.collateral, r.view.liquidationPrice - 1n, w.market.risk.ltBps),
        ).toBe(true);
      }
    }
  });
  it("previews lever up with the sdk and reports the program's error for too much borrow", () => {
    let s = liveState();
    s = reducer(s, {
      type: "ui/form/open",
      kind: "leverageUp",
      subAddress: s.subs[1]!.address,
      fields: { equity: "1", borrow: "4", slippage: "100" },
    });
    const { preview } = selectFormPreview(s);
    const w = s.world!;
    expect(preview).toEqual(
      previewLeverageUp(s.subs[1]!.sub, w.pool, w.market, w.feed, NOW, {
        equity: SOL,
        borrow: 4n * SOL,
        slippageBps: 100,
      }),
    );
    expect(preview!.out).toBe(lrtForDeposit(5n * SOL, w.feed.fairRate));
    expect(preview!.minOut).toBe((preview!.out * 9_900n) / 10_000n);
    expect(preview!.after!.collateral).toBe(10n * SOL + preview!.out);
    s = reducer(s, { type: "ui/form/field", name: "borrow", value: "100" });
    expect(selectFormPreview(s).preview!.error).toBe("Unhealthy");
    s = reducer(s, { type: "ui/form/field", name: "borrow", value: "x" });
    expect(selectFormPreview(s).inputError).toMatch(/borrow must be an amount/);
  });
  it("says why a key is disabled: read-only, stale feed, paused, no market price", () => {
    expect(actionAvailability(liveState(), "leverageUp")).toEqual({ enabled: true, reason: undefined });
    expect(actionAvailability(liveState({ readOnly: true }), "leverageUp").reason).toMatch(/read-only/);
    expect(actionAvailability(liveState({ stale: true }), "leverageUp").reason).toMatch(/stale feed/);
    expect(actionAvailability(liveState({ paused: true }), "leverageUp").reason).toMatch(/paused/);
    expect(actionAvailability(liveState({ paused: true }), "deleverage").enabled).toBe(true);
    expect(actionAvailability(liveState({ marketPrice: false }), "leverageUp").reason).toMatch(/market price/);
    // Repay works on a stale feed and a paused market, but not without debt.
    expect(actionAvailability(liveState({ stale: true, paused: true }), "repay").enabled).toBe(true);
    expect(actionAvailability(liveState({ subs: [sub(1, 10n * SOL, 0n)] }), "repay").reason).toBe("no debt to repay");
  });
  it("oracle: votes, quorum and freshness per member", () => {
    const o = selectOracle(liveState())!;
    expect(o.frame).toBe(30_000_000n);
    expect(o.support).toBe(5);
    expect(o.consensus).toBe(true);
    expect(o.members.filter((m) => m.votesConsensus)).toHaveLength(5);
    expect(o.members.every((m) => m.fresh)).toBe(true);
    expect(o.status.stale).toBe(false);
  });
});

describe("keymap", () => {
  it("routes tabs, help, quit and the double Ctrl+C", () => {
    const s = liveState();
    expect(resolveKey(s, "3", {})).toEqual({ type: "tab", tab: "oracle" });
    expect(resolveKey(s, "?", {})).toEqual({ type: "help", open: true });
    expect(resolveKey(s, "q", {})).toEqual({ type: "quit" });
    expect(resolveKey(s, "q", {}, true)).toEqual({ type: "quitAsk" });
    expect(resolveKey(s, "c", { ctrl: true })).toEqual({ type: "ctrlC" });
    expect(resolveKey({ ...s, ui: { ...s.ui, help: true } }, "3", {})).toEqual({ type: "none" });
  });
  it("opens an action only when it can act, else gives the reason", () => {
    expect(resolveKey(liveState(), "l", {})).toEqual({ type: "action", kind: "leverageUp" });
    expect(resolveKey(liveState({ stale: true }), "l", {})).toMatchObject({
      type: "disabled",
      reason: expect.stringMatching(/stale/),
    });
    const hints = hintsFor(liveState({ readOnly: true }));
    expect(hints.find((h) => h.key === "l")!.disabled).toMatch(/read-only/);
  });
  it("a form takes digits, Esc cancels, and mainnet needs the typed word", () => {
    let s = liveState();
    s = reducer(s, {
      type: "ui/form/open",
      kind: "leverageUp",
      subAddress: s.subs[0]!.address,
      fields: { equity: "1", borrow: "4", slippage: "50" },
    });
    expect(resolveKey(s, "7", {})).toEqual({ type: "formField", value: "7" });
    expect(resolveKey(s, "q", {})).toEqual({ type: "none" });
    expect(resolveKey(s, "", { escape: true })).toEqual({ type: "formCancel" });
    const confirm = reducer(s, { type: "ui/form/patch", patch: { stage: "confirm" } });
    expect(resolveKey(confirm, "y", {})).toEqual({ type: "formSubmit" });
    const mainnet = { ...confirm, cluster: "mainnet" as const };
    expect(resolveKey(mainnet, "y", {})).toEqual({ type: "formTyped", value: "y" });
  });
  it("filter mode captures text until Enter or Esc", () => {
    let s = liveState();
    expect(resolveKey(s, "/", {})).toEqual({ type: "filter", text: "", editing: true });
    s = reducer(s, { type: "ui/filter", text: "#", editing: true });
    expect(resolveKey(s, "2", {})).toEqual({ type: "filter", text: "#2", editing: true });
    s = reducer(s, { type: "ui/filter", text: "#2", editing: false });
    expect(selectSubRows(s).map((r) => r.index)).toEqual([2]);
    expect(selectSubRows(reducer(s, { type: "ui/filter", text: "", editing: false }))).toHaveLength(3);
  });
});

describe("fixtures are what the tests claim", () => {
  it("sub-account 2 is at 90% LTV of its maintenance value", () => {
    const r = selectSubRows(liveState({ subs: [sub(2, 20n * SOL, 18n * SOL)] }))[0]!;
    expect(r.view.ltvBps).toBeGreaterThan(8_800n);
  });
});

describe("transaction status", () => {
  it("tells expired from failed, with the decoded error and what to do", () => {
    const failed = classifyTxError(
      new LanternProgramError({
        program: "margin",
        name: "Unhealthy",
        code: 6009,
        message: "The position would be unhealthy",
        instructionIndex: 0,
        programId: null,
        transactionError: { InstructionError: [0, { Custom: 6009 }] },
      }),
    );
    expect(failed).toEqual({
      status: "failed",
      error: "margin Unhealthy (6009): The position would be unhealthy",
      hint: "over the maximum LTV: borrow or withdraw less, or add equity",
    });
    const expired = classifyTxError(
      new LanternTransactionError("Transaction abc expired before it landed", "BlockhashExpired", [], "abc"),
    );
    expect(expired.status).toBe("expired");
    expect(expired.hint).toMatch(/nothing was executed/);
    expect(classifyTxError(new Error("socket hang up"))).toEqual({
      status: "failed",
      error: "socket hang up",
      hint: undefined,
    });
  });
});

describe("liquidations seen on the chain", () => {
  const snapshot = (s: ReturnType<typeof liveState>, subs: ReturnType<typeof sub>[], at: number) =>
    reducer(s, { type: "chain/snapshot", slot: 99, now: NOW, latencyMs: 1, world: s.world!, subs, lamports: 0n, at });

  it("records a keeper's liquidation of your sub-account in the Activity", () => {
    const s = liveState({ subs: [sub(2, 20n * SOL, 18n * SOL)] });
    const after = snapshot(s, [sub(2, 15n * SOL, 13n * SOL)], 1_000_000);
    expect(after.activity).toHaveLength(1);
    expect(after.activity[0]).toMatchObject({ action: "liquidated", status: "observed" });
    expect(after.activity[0]!.summary).toBe("#2: 5.0000 LRT seized, 5.0000 SOL of debt repaid (not by this terminal)");
    // The same state again records nothing more; a second liquidation soon after is recorded too.
    expect(snapshot(after, [sub(2, 15n * SOL, 13n * SOL)], 1_001_000).activity).toHaveLength(1);
    const again = snapshot(after, [sub(2, 12n * SOL, 10n * SOL)], 1_002_000);
    expect(again.activity.map((a) => a.summary)).toEqual([
      "#2: 3.0000 LRT seized, 3.0000 SOL of debt repaid (not by this terminal)",
      "#2: 5.0000 LRT seized, 5.0000 SOL of debt repaid (not by this terminal)",
    ]);
  });

  it("does not take your own deleverage for a liquidation", () => {
    let s = liveState({ subs: [sub(2, 20n * SOL, 18n * SOL)] });
    s = reducer(s, {
      type: "tx/start",
      record: {
        id: 1,
        action: "deleverage",
        subAddress: s.subs[0]!.address,
        summary: "",
        status: "confirmed",
        signature: "x",
        error: undefined,
        hint: undefined,
        at: 1_000_000,
      },
    });
    expect(snapshot(s, [sub(2, 15n * SOL, 13n * SOL)], 1_005_000).activity.map((a) => a.action)).toEqual([
      "deleverage",
    ]);
    // A lever up (collateral and debt both rise) is never a liquidation.
    expect(
      snapshot(liveState({ subs: [sub(2, 20n * SOL, 18n * SOL)] }), [sub(2, 25n * SOL, 22n * SOL)], 0).activity,
    ).toHaveLength(0);
  });
});

describe("command line (:)", () => {
  it("parses goto, theme, actions with their reasons, shocks and nonsense", () => {
    const s = liveState();
    expect(parsePalette(s, "goto oracle")).toEqual({ type: "tab", tab: "oracle" });
    expect(parsePalette(s, "sim")).toEqual({ type: "tab", tab: "simulator" });
    expect(parsePalette(s, "5")).toEqual({ type: "tab", tab: "keeper" });
    expect(parsePalette(s, "theme mono")).toEqual({ type: "theme", theme: "mono" });
    expect(parsePalette(s, "theme neon")).toMatchObject({ type: "error" });
    expect(parsePalette(s, "lever")).toEqual({ type: "action", kind: "leverageUp" });
    expect(parsePalette(liveState({ stale: true }), "lever")).toMatchObject({
      type: "disabled",
      reason: expect.stringMatching(/stale/),
    });
    expect(parsePalette(s, "depeg 5% 10m")).toEqual({ type: "shock", line: "depeg 5% 10m" });
    expect(parsePalette(s, "quit")).toEqual({ type: "quitAsk" });
    expect(parsePalette(s, "fly")).toMatchObject({
      type: "error",
      message: expect.stringMatching(/^Unknown command "fly"/),
    });
  });
  it("keys: ':' opens it, typing fills it, Enter runs it, Esc closes it", () => {
    let s = liveState();
    expect(resolveKey(s, ":", {})).toEqual({ type: "palette", text: "" });
    s = reducer(s, { type: "ui/palette", text: "goto" });
    expect(resolveKey(s, " ", {})).toEqual({ type: "palette", text: "goto " });
    expect(resolveKey(s, "q", {})).toEqual({ type: "palette", text: "gotoq" });
    expect(resolveKey(s, "", { return: true })).toEqual({ type: "paletteRun", text: "goto" });
    expect(resolveKey(s, "", { escape: true })).toEqual({ type: "palette", text: undefined });
  });
  it("sends a shock to the demo market's /command and returns its answer (or its refusal)", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        bodies.push(`${req.method} ${req.url} ${body}`);
        if (body.startsWith("depeg")) res.end("depeg of 5% over 10m started\n");
        else {
          res.writeHead(500);
          res.end('The command failed: Unknown command "x"\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const { port } = server.address() as AddressInfo;
    const shock = demoMarketShock(`http://127.0.0.1:${port}/price`);
    await expect(shock("depeg 5% 10m")).resolves.toBe("depeg of 5% over 10m started");
    await expect(shock("x")).rejects.toThrow(/Unknown command "x"/);
    expect(bodies).toEqual(["POST /command depeg 5% 10m", "POST /command x"]);
    server.close();
  });
});
