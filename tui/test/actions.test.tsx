// The sub-account actions beyond trading — open, deposit, withdraw, close — through the one action
// machinery: when each key can act (and the sentence when it cannot), the live preview against the
// sdk's exact math, the keys and command words, and the frames of each form, its confirm step (rent,
// fee, the blockhash countdown) and its status, at 80×24 and 120×40.
import {
  positionView,
  previewCloseSubAccount,
  previewDepositCollateral,
  previewWithdrawCollateral,
} from "@lantern/sdk";
import { describe, expect, it } from "vitest";
import { Controller } from "../src/controller.js";
import { hintsFor, parsePalette, resolveKey } from "../src/keymap.js";
import { ACTIONS, actionAvailability, formSummary, nextFreeIndex, selectFormPreview } from "../src/store/forms.js";
import { type Action, reducer } from "../src/store/reducer.js";
import type { ActionKind, State } from "../src/store/state.js";
import { createStore } from "../src/store/store.js";
import { App } from "../src/ui/App.js";
import { liveState, NOW, SOL, sub } from "./fixtures.js";
import { renderAt } from "./render.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
const strip = (s: string) => s.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "");
const flat = (s: string) => s.replace(/\s+/g, " ");

/** The fixture's sub-accounts: #0 (50 LRT, 40 SOL debt), #1 (10 LRT, no debt), #2 (20 LRT, 18 SOL: at the max LTV). */
const select = (state: State, index: number): State => {
  const rows = [2, 0, 1, 3, 4]; // riskiest first, as the list sorts them
  return { ...state, ui: { ...state.ui, selected: rows.indexOf(index) } };
};
/** One sub-account (#5) at 91.6% LTV: over the 90% max, under the 93% liquidation threshold. */
const overMax = () => liveState({ subs: [sub(5, 20n * SOL, 18_500_000_000n)] });
const withLrt = (state: State, lrt: bigint): State => ({ ...state, wallet: { ...state.wallet, lrt } });
const open = (state: State, kind: ActionKind, fields: Record<string, string>, subIndex?: number): State =>
  reducer(state, {
    type: "ui/form/open",
    kind,
    subAddress: subIndex === undefined ? "" : state.subs.find((s) => s.sub.index === subIndex)!.address,
    fields,
  });

describe("availability: a key that cannot act says why", () => {
  it("open works wherever you can sign, even with no sub-account and a stale, paused market", () => {
    expect(actionAvailability(liveState({ subs: [] }), "create").enabled).toBe(true);
    expect(actionAvailability(liveState({ stale: true, paused: true }), "create").enabled).toBe(true);
    expect(actionAvailability(liveState({ readOnly: true }), "create").reason).toMatch(/^read-only/);
    expect(nextFreeIndex(liveState())).toBe(3);
    expect(nextFreeIndex(liveState({ subs: [sub(0, 0n, 0n), sub(2, 0n, 0n)] }))).toBe(1);
  });

  it("deposit needs LRT in the wallet and room under the cap; never the feed", () => {
    expect(actionAvailability(withLrt(liveState({ stale: true, paused: true }), SOL), "deposit").enabled).toBe(true);
    expect(actionAvailability(withLrt(liveState(), 0n), "deposit").reason).toBe(
      "your wallet holds no LRT (withdraw some from a sub-account first)",
    );
    const full = liveState();
    full.world!.market.collateralTotal = full.world!.market.collateralCap;
    expect(actionAvailability(withLrt(full, SOL), "deposit").reason).toBe("the market's collateral cap is reached");
  });

  it("withdraw: free without debt; with debt it needs a fresh feed, no pause, and room under the max LTV", () => {
    expect(actionAvailability(select(liveState({ stale: true, paused: true }), 1), "withdraw").enabled).toBe(true);
    expect(actionAvailability(select(liveState({ stale: true }), 0), "withdraw").reason).toMatch(
      /^stale feed: collateral cannot leave a sub-account with debt/,
    );
    expect(actionAvailability(select(liveState({ paused: true }), 0), "withdraw").reason).toMatch(/^market paused/);
    expect(actionAvailability(select(liveState({ marketPrice: false }), 0), "withdraw").reason).toMatch(
      /no fresh market price round/,
    );
    // Over the max LTV (91.6%, below the 93% liquidation threshold): not one base unit may leave.
    expect(actionAvailability(overMax(), "withdraw").reason).toBe(
      "over the maximum LTV: no collateral can leave (repay or deleverage first)",
    );
    expect(actionAvailability(select(liveState(), 0), "withdraw").enabled).toBe(true);
    expect(actionAvailability(liveState({ subs: [sub(0, 0n, 0n)] }), "withdraw").reason).toBe(
      "no collateral to withdraw",
    );
  });

  it("close: only an empty sub-account, and it says what to do first", () => {
    expect(actionAvailability(select(liveState(), 0), "close").reason).toBe(
      "has debt: repay it (r) and withdraw the collateral (w) first",
    );
    expect(actionAvailability(select(liveState(), 1), "close").reason).toBe(
      "still holds collateral: withdraw it first (w)",
    );
    const empty = liveState({ subs: [sub(4, 0n, 0n)], stale: true, paused: true });
    expect(actionAvailability(empty, "close").enabled).toBe(true);
  });

  it("the actions on a sub-account need one selected, and the Sub-accounts tab", () => {
    const none = liveState({ subs: [] });
    for (const kind of ["deposit", "withdraw", "close"] as const)
      expect(actionAvailability(none, kind).reason).toBe("select a sub-account first");
    const elsewhere = reducer(liveState(), { type: "ui/tab", tab: "markets" });
    expect(actionAvailability(elsewhere, "create").reason).toBe("on the Sub-accounts tab only");
  });
});

describe("previews: the sdk's exact math for the form's inputs", () => {
  it("open: the index must be free, and a free one is suggested", () => {
    let s = open(liveState(), "create", { index: "3" });
    const p = selectFormPreview(s);
    expect(p.index).toBe(3);
    const w = s.world!;
    expect(p.preview!.after).toEqual(positionView({ collateral: 0n, debtShares: 0n }, w.pool, w.market, w.feed, NOW));
    expect(formSummary(s)).toBe("#3: open a new sub-account");
    s = reducer(s, { type: "ui/form/field", name: "index", value: "1" });
    expect(selectFormPreview(s).inputError).toBe("you already hold sub-account #1: choose another index (#3 is free)");
    s = reducer(s, { type: "ui/form/field", name: "index", value: "70000" });
    expect(selectFormPreview(s).inputError).toBe("the index must be a whole number from 0 to 65535");
  });

  it("deposit: previewDepositCollateral, and no more than the wallet holds", () => {
    let s = open(withLrt(liveState(), 3n * SOL), "deposit", { amount: "2.5" }, 0);
    const w = s.world!;
    const entry = s.subs.find((x) => x.sub.index === 0)!;
    expect(selectFormPreview(s).preview).toEqual(
      previewDepositCollateral(entry.sub, w.pool, w.market, w.feed, NOW, { amount: 2_500_000_000n }),
    );
    expect(selectFormPreview(s).preview!.after!.collateral).toBe(52_500_000_000n);
    s = reducer(s, { type: "ui/form/field", name: "amount", value: "3.5" });
    expect(selectFormPreview(s).inputError).toBe("your wallet holds only 3.0000 LRT");
  });

  it("withdraw: previewWithdrawCollateral, Unhealthy past the max LTV", () => {
    let s = open(liveState(), "withdraw", { amount: "1" }, 0);
    const w = s.world!;
    const entry = s.subs.find((x) => x.sub.index === 0)!;
    const p = selectFormPreview(s).preview!;
    expect(p).toEqual(previewWithdrawCollateral(entry.sub, w.pool, w.market, w.feed, NOW, { amount: SOL }));
    expect(p.after!.ltvBps! > p.before.ltvBps!).toBe(true);
    s = reducer(s, { type: "ui/form/field", name: "amount", value: "10" });
    expect(selectFormPreview(s).preview!.error).toBe("Unhealthy");
    s = reducer(s, { type: "ui/form/field", name: "amount", value: "51" });
    expect(selectFormPreview(s).preview!.error).toBe("InsufficientCollateral");
  });

  it("close: previewCloseSubAccount", () => {
    const s = open(liveState({ subs: [sub(1, SOL, 0n), sub(4, 0n, 0n)] }), "close", {}, 1);
    const w = s.world!;
    expect(selectFormPreview(s).preview).toEqual(previewCloseSubAccount(s.subs[0]!.sub, w.pool, w.market, w.feed, NOW));
    expect(selectFormPreview(s).preview!.error).toBe("SubAccountNotEmpty");
    const empty = open(liveState({ subs: [sub(4, 0n, 0n)] }), "close", {}, 4);
    expect(selectFormPreview(empty).preview!.error).toBeUndefined();
    expect(formSummary(empty)).toBe("#4: close the sub-account");
  });
});

describe("keys and words", () => {
  it("n d w x open their forms, or say why not", () => {
    const s = withLrt(liveState(), SOL);
    expect(resolveKey(s, "n", {})).toEqual({ type: "action", kind: "create" });
    expect(resolveKey(s, "d", {})).toEqual({ type: "action", kind: "deposit" });
    expect(resolveKey(select(s, 0), "w", {})).toEqual({ type: "action", kind: "withdraw" });
    expect(resolveKey(select(s, 0), "x", {})).toEqual({
      type: "disabled",
      reason: "has debt: repay it (r) and withdraw the collateral (w) first",
    });
    expect(parsePalette(s, "new")).toEqual({ type: "action", kind: "create" });
    expect(parsePalette(s, "deposit")).toEqual({ type: "action", kind: "deposit" });
    expect(parsePalette(overMax(), "withdraw")).toEqual({
      type: "disabled",
      reason: "over the maximum LTV: no collateral can leave (repay or deleverage first)",
    });
    expect(parsePalette(s, "close").type).toBe("disabled");
  });

  it("a form without fields (close) ignores typing and Tab", () => {
    const s = open(liveState({ subs: [sub(4, 0n, 0n)] }), "close", {}, 4);
    const store = createStore(s, 0);
    const controller = new Controller({ store, chain: undefined, tx: undefined, exit: () => undefined });
    controller.run(resolveKey(store.getState(), "5", {}));
    controller.run(resolveKey(store.getState(), "", { tab: true }));
    expect(store.getState().ui.form).toMatchObject({ kind: "close", fields: {}, focus: 0 });
  });

  it("every action is in the key bar, short on a narrow terminal, with its reason when disabled", () => {
    const narrow = liveState({ columns: 80, rows: 24 });
    const keys = hintsFor(narrow).map((h) => h.key);
    for (const a of Object.values(ACTIONS)) expect(keys).toContain(a.key);
    expect(hintsFor(select(narrow, 0)).find((h) => h.key === "x")).toMatchObject({
      label: "close",
      disabled: "has debt: repay it (r) and withdraw the collateral (w) first",
    });
    const wide = hintsFor(liveState({ columns: 160, rows: 40 }));
    expect(wide.find((h) => h.key === "w")!.label).toBe("withdraw");
  });
});

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
  return { ...r, store, frame: () => strip(r.lastFrame()) };
}

function fits(frame: string, size: { columns: number; rows: number }) {
  const lines = frame.split("\n");
  expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
  for (const line of lines) expect([...line].length).toBeLessThanOrEqual(size.columns);
}

describe.each(SIZES)("frames at $columns×$rows", (size) => {
  it("open: n shows the next free index, the empty position, then the rent in the confirm step", async () => {
    const m = mount(liveState(), size);
    await m.press("n");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("Open sub-account #3");
    expect(f).toMatch(/Collateral\s+—\s+→\s+0\.0000 LRT/);
    expect(f).toContain("The exact math says this passes");
    await m.press("\x7f");
    await m.press("1");
    expect(flat(m.frame())).toContain("you already hold sub-account #1");
    m.store.dispatch({ type: "ui/form/field", name: "index", value: "3" });
    m.store.dispatch({
      type: "ui/form/patch",
      patch: { stage: "confirm", blocksLeft: 143, fee: 5_000n, rent: { lamports: 2_680_560n, returned: false } },
    });
    m.store.flush();
    await m.press("");
    f = m.frame();
    fits(f, size);
    expect(f).toContain("Send this transaction?");
    expect(f).toContain("open #3: open a new sub-account");
    expect(f).toContain("rent deposited 0.002680 SOL");
    expect(f).toMatch(/valid for 143 more blocks \(about 57s\)/);
    m.unmount();
  });

  it("deposit: the wallet's LRT, the LTV falling; too much says what the wallet holds", async () => {
    const m = mount(withLrt(select(liveState(), 0), 2n * SOL), size);
    await m.press("d");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("Deposit into sub-account #0");
    expect(f).toMatch(/Collateral\s+50\.0000 LRT\s+→\s+51\.0000 LRT/);
    expect(f).toContain("it holds 2.0000 LRT");
    await m.press("0"); // 10 LRT
    f = m.frame();
    expect(f).toContain("your wallet holds only 2.0000 LRT");
    m.unmount();
  });

  it("withdraw: the LTV rising, Unhealthy past the max LTV, and the disabled key over the max LTV", async () => {
    let m = mount(select(liveState(), 0), size);
    await m.press("w");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("Withdraw from sub-account #0");
    expect(f).toMatch(/Collateral\s+50\.0000 LRT\s+→\s+49\.0000 LRT/);
    expect(f).toContain("Moves 1.0000 LRT to your wallet");
    await m.press("0");
    f = flat(m.frame());
    expect(f).toContain("Would fail: Unhealthy");
    expect(f).toContain("borrow or withdraw less");
    m.unmount();
    m = mount(overMax(), size);
    expect(m.frame()).toContain("91.59%");
    await m.press("w");
    f = m.frame();
    expect(f).toContain("Not now: over the maximum LTV: no collateral can leave");
    expect(f).not.toContain("Withdraw from sub-account");
    m.unmount();
  });

  it("close: refused with debt; an empty one previews 'closed' and shows the rent returned", async () => {
    let m = mount(select(liveState(), 0), size);
    await m.press("x");
    expect(m.frame()).toContain("Not now: has debt: repay it (r)");
    m.unmount();
    m = mount(liveState({ subs: [sub(4, 0n, 0n)] }), size);
    await m.press("x");
    let f = m.frame();
    fits(f, size);
    expect(f).toContain("Close sub-account #4");
    expect(f).toMatch(/Debt\s+0\.0000 SOL\s+→\s+closed/);
    m.store.dispatch({
      type: "ui/form/patch",
      patch: { stage: "confirm", blocksLeft: 12, fee: 5_000n, rent: { lamports: 2_680_560n, returned: true } },
    });
    m.store.flush();
    await m.press("");
    f = m.frame();
    expect(f).toContain("rent returned 0.002680 SOL");
    expect(f).toMatch(/valid for 12 more blocks/);
    m.unmount();
  });

  it("status: failed keeps the inputs for a retry; expired says nothing happened", async () => {
    const s = withLrt(select(liveState(), 0), 5n * SOL);
    const m = mount(s, size, [
      { type: "ui/form/open", kind: "deposit", subAddress: s.subs[0]!.address, fields: { amount: "1.5" } },
      {
        type: "ui/form/patch",
        patch: { stage: "edit", error: "Expired: Transaction x expired before it landed — nothing was executed" },
      },
    ]);
    let f = flat(m.frame());
    expect(f).toContain("✖ Expired: Transaction x expired before it landed");
    expect(f).toContain("1.5");
    expect(f).toMatch(/51\.5000 LRT/);
    m.store.dispatch({
      type: "ui/form/patch",
      patch: { error: "Failed: margin CollateralCapExceeded (6012): The collateral cap is reached" },
    });
    m.store.flush();
    await m.press("");
    f = flat(m.frame());
    expect(f).toContain("✖ Failed: margin CollateralCapExceeded");
    expect(f).toContain("Deposit into sub-account #0");
    m.unmount();
  });
});

describe("pasted text", () => {
  it("a paste (one input of many characters) fills the command line, a filter or a numeric field", () => {
    let s = reducer(liveState(), { type: "ui/palette", text: "" });
    expect(resolveKey(s, "depeg 20%", {})).toEqual({ type: "palette", text: "depeg 20%" });
    s = open(liveState(), "deposit", { amount: "" }, 0);
    expect(resolveKey(s, "12.5", {})).toEqual({ type: "formField", value: "12.5" });
    expect(resolveKey(s, "12a", {})).toEqual({ type: "none" });
    expect(resolveKey(s, "1\x1b[A", {})).toEqual({ type: "none" });
  });
});
