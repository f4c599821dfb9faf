// The actions on sub-accounts as data: for each, its key, its form's fields, when it can act (and why
// not, as a sentence), and its live before/after preview from the sdk's exact math. The keymap, the
// controller, the transaction service and the form view all read this one table, so every action
// goes through the same form → preview → simulate → confirm → status path.
import {
  type ActionPreview,
  positionView,
  previewCloseSubAccount,
  previewDeleverage,
  previewDepositCollateral,
  previewLeverageUp,
  previewRepay,
  previewWithdrawCollateral,
} from "@lantern/sdk";
import { lrt, parseAmount } from "../format.js";
import { feedStatus, type SubRow, selectedSub } from "./selectors.js";
import type { ActionKind, State, SubAccountEntry, World } from "./state.js";

export interface FieldSpec {
  name: string;
  label: string;
  /** What the field starts with when the form opens. */
  initial: (state: State) => string;
}

export interface ActionSpec {
  /** The key on the Sub-accounts tab. */
  key: string;
  /** Form title ("Lever up"). */
  title: string;
  /** Its name in the Activity tab and the key bar. */
  verb: string;
  /** A shorter key-bar label for narrow terminals. */
  short: string;
  /** What it does, in one line. */
  blurb: string;
  /** Acts on the selected sub-account (create opens a new one instead). */
  onSelected: boolean;
  fields: FieldSpec[];
}

const fixedField = (name: string, label: string, value: string): FieldSpec => ({
  name,
  label,
  initial: () => value,
});

/** The lowest sub-account index you do not hold yet. */
export function nextFreeIndex(state: State): number {
  const used = new Set(state.subs.map((s) => s.sub.index));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

export const ACTIONS: Record<ActionKind, ActionSpec> = {
  leverageUp: {
    key: "l",
    title: "Lever up",
    verb: "lever up",
    short: "lever",
    blurb: "borrow SOL, restake it with your equity, add the LRT as collateral",
    onSelected: true,
    fields: [
      fixedField("equity", "Equity (SOL from your wallet)", "1"),
      fixedField("borrow", "Borrow (SOL)", "4"),
      fixedField("slippage", "Slippage (bps)", "50"),
    ],
  },
  deleverage: {
    key: "u",
    title: "Deleverage",
    verb: "deleverage",
    short: "delev",
    blurb: "unstake collateral instantly, repay the debt",
    onSelected: true,
    fields: [fixedField("lrt", "Unstake collateral (LRT)", "1"), fixedField("slippage", "Slippage (bps)", "50")],
  },
  repay: {
    key: "r",
    title: "Repay",
    verb: "repay",
    short: "repay",
    blurb: "pay SOL from your wallet toward the debt",
    onSelected: true,
    fields: [fixedField("amount", "Repay (SOL from your wallet)", "1")],
  },
  create: {
    key: "n",
    title: "Open",
    verb: "open",
    short: "new",
    blurb: "a new isolated sub-account in this market; its rent comes back when it is closed",
    onSelected: false,
    fields: [{ name: "index", label: "Index (0 … 65535)", initial: (state) => String(nextFreeIndex(state)) }],
  },
  deposit: {
    key: "d",
    title: "Deposit into",
    verb: "deposit",
    short: "dep",
    blurb: "move LRT from your wallet into the collateral",
    onSelected: true,
    fields: [fixedField("amount", "Deposit (LRT from your wallet)", "1")],
  },
  withdraw: {
    key: "w",
    title: "Withdraw from",
    verb: "withdraw",
    short: "wdraw",
    blurb: "take LRT collateral back to your wallet",
    onSelected: true,
    fields: [fixedField("amount", "Withdraw (LRT to your wallet)", "1")],
  },
  close: {
    key: "x",
    title: "Close",
    verb: "close",
    short: "close",
    blurb: "an empty sub-account; its rent comes back to your wallet",
    onSelected: true,
    fields: [],
  },
};

/** Key → action, for the keymap. */
export const ACTION_BY_KEY: Record<string, ActionKind> = Object.fromEntries(
  (Object.keys(ACTIONS) as ActionKind[]).map((kind) => [ACTIONS[kind].key, kind]),
);

export interface Availability {
  enabled: boolean;
  /** Why not, as the person should read it. */
  reason: string | undefined;
}

const no = (reason: string): Availability => ({ enabled: false, reason });
const yes: Availability = { enabled: true, reason: undefined };

/** Why `kind` cannot act on the selected sub-account now (undefined: it can). */
function blocker(
  state: State,
  world: World,
  now: bigint,
  kind: ActionKind,
  row: SubRow | undefined,
): string | undefined {
  const status = feedStatus(world, now);
  const noRound = !status.marketFresh && world.market.policy !== "FairRate";
  switch (kind) {
    case "leverageUp":
      if (world.market.paused) return "market paused: only repay, deleverage and deposit work";
      if (world.pool.frozen) return "the lending pool is frozen after a loss";
      if (status.stale) return "stale feed: no report for too long, risk cannot increase";
      if (noRound) return "no fresh market price round: the committee's prices are missing or disagree";
      return undefined;
    case "deleverage":
      if (row && row.view.collateral === 0n) return "no collateral to unstake";
      if (status.stale) return "stale feed: the instant unstake needs a fresh rate";
      return undefined;
    case "repay":
      // Repay works with a stale feed or a paused market.
      return row && row.view.debt === 0n ? "no debt to repay" : undefined;
    case "create":
      return undefined;
    case "deposit":
      if (state.wallet.lrt === 0n) return "your wallet holds no LRT (withdraw some from a sub-account first)";
      if (world.market.collateralTotal >= world.market.collateralCap) return "the market's collateral cap is reached";
      return undefined;
    case "withdraw": {
      if (!row) return undefined;
      if (row.view.collateral === 0n) return "no collateral to withdraw";
      if (row.view.debt === 0n) return undefined; // without debt collateral always leaves
      if (world.market.paused) return "market paused: collateral cannot leave a sub-account with debt (repay first)";
      if (status.stale) return "stale feed: collateral cannot leave a sub-account with debt until the next report";
      if (noRound) return "no fresh market price round: collateral cannot leave a sub-account with debt";
      const entry = state.subs.find((s) => s.address === row.address);
      const least =
        entry && previewWithdrawCollateral(entry.sub, world.pool, world.market, world.feed, now, { amount: 1n });
      if (least?.error === "Unhealthy")
        return "over the maximum LTV: no collateral can leave (repay or deleverage first)";
      return undefined;
    }
    case "close":
      if (row && row.view.debt > 0n) return "has debt: repay it (r) and withdraw the collateral (w) first";
      if (row && row.view.collateral > 0n) return "still holds collateral: withdraw it first (w)";
      return undefined;
  }
}

/** Whether an action key works now, and why not (read-only, stale feed, paused market, has debt, ...). */
export function actionAvailability(state: State, kind: ActionKind): Availability {
  if (!state.wallet.pubkey) return no(state.wallet.readOnlyReason ?? "read-only: no keypair");
  const { world, chain } = state;
  if (!world || chain.now === undefined) return no("waiting for the chain");
  if (state.ui.tab !== "subaccounts") return no("on the Sub-accounts tab only");
  const row = selectedSub(state);
  if (ACTIONS[kind].onSelected && !row) return no("select a sub-account first");
  const reason = blocker(state, world, chain.now, kind, row);
  return reason === undefined ? yes : no(reason);
}

/** The fields a form opens with. */
export function initialFields(state: State, kind: ActionKind): Record<string, string> {
  return Object.fromEntries(ACTIONS[kind].fields.map((f) => [f.name, f.initial(state)]));
}

export interface FormPreview {
  preview: ActionPreview | undefined;
  /** Input problem (not a number, ...), as a sentence. */
  inputError: string | undefined;
  /** The sub-account's index (create: the one it would open). */
  index: number | undefined;
}

const none = (index: number | undefined, inputError?: string): FormPreview => ({
  preview: undefined,
  inputError,
  index,
});

const slippageOf = (text: string | undefined) => {
  const n = Number(text);
  return Number.isInteger(n) && n >= 0 && n <= 10_000 && text?.trim() !== "" ? n : undefined;
};

/** The live before/after of the open form, from the sdk's exact math. */
export function selectFormPreview(state: State): FormPreview {
  const form = state.ui.form;
  const { world, chain } = state;
  if (!form || !world || chain.now === undefined) return none(undefined);
  const now = chain.now;
  const { pool, market, feed } = world;
  const f = form.fields;
  if (form.kind === "create") {
    const index = Number(f.index);
    if (!/^\d+$/.test(f.index ?? "") || index > 65_535)
      return none(undefined, "the index must be a whole number from 0 to 65535");
    if (state.subs.some((s) => s.sub.index === index))
      return none(
        index,
        `you already hold sub-account #${index}: choose another index (#${nextFreeIndex(state)} is free)`,
      );
    const empty = positionView({ collateral: 0n, debtShares: 0n }, pool, market, feed, now);
    return {
      preview: { before: empty, after: empty, error: undefined, out: 0n, minOut: 0n, fee: 0n },
      inputError: undefined,
      index,
    };
  }
  const entry: SubAccountEntry | undefined = state.subs.find((s) => s.address === form.subAddress);
  if (!entry) return none(undefined, "the sub-account is gone (closed or liquidated)");
  const { sub } = entry;
  const index = sub.index;
  const ok = (preview: ActionPreview): FormPreview => ({ preview, inputError: undefined, index });
  switch (form.kind) {
    case "close":
      return ok(previewCloseSubAccount(sub, pool, market, feed, now));
    case "repay": {
      const amount = parseAmount(f.amount ?? "");
      if (amount === undefined) return none(index, "the amount must be SOL, e.g. 0.5");
      return ok(previewRepay(sub, pool, market, feed, now, { amount }));
    }
    case "deposit": {
      const amount = parseAmount(f.amount ?? "");
      if (amount === undefined) return none(index, "the amount must be LRT, e.g. 0.5");
      const held = state.wallet.lrt;
      if (held !== undefined && amount > held) return none(index, `your wallet holds only ${lrt(held)} LRT`);
      return ok(previewDepositCollateral(sub, pool, market, feed, now, { amount }));
    }
    case "withdraw": {
      const amount = parseAmount(f.amount ?? "");
      if (amount === undefined) return none(index, "the amount must be LRT, e.g. 0.5");
      return ok(previewWithdrawCollateral(sub, pool, market, feed, now, { amount }));
    }
    case "leverageUp": {
      const slippageBps = slippageOf(f.slippage);
      if (slippageBps === undefined) return none(index, "slippage must be a whole number of bps between 0 and 10000");
      const equity = parseAmount(f.equity ?? "");
      const borrow = parseAmount(f.borrow ?? "");
      if (equity === undefined) return none(index, "equity must be an amount of SOL, e.g. 1.5");
      if (borrow === undefined) return none(index, "borrow must be an amount of SOL, e.g. 4");
      return ok(previewLeverageUp(sub, pool, market, feed, now, { equity, borrow, slippageBps }));
    }
    case "deleverage": {
      const slippageBps = slippageOf(f.slippage);
      if (slippageBps === undefined) return none(index, "slippage must be a whole number of bps between 0 and 10000");
      const amount = parseAmount(f.lrt ?? "");
      if (amount === undefined) return none(index, "the amount must be LRT, e.g. 0.5");
      const fee = world.stakePool.instantUnstakeFeeBps;
      return ok(previewDeleverage(sub, pool, market, feed, now, fee, { lrt: amount, slippageBps }));
    }
  }
}

/** What the open form will send, in a few words (`#0: deposit 1 LRT`): the confirm step and the Activity. */
export function formSummary(state: State): string {
  const form = state.ui.form;
  if (!form) return "";
  const f = form.fields;
  const at = `#${selectFormPreview(state).index ?? "?"}`;
  switch (form.kind) {
    case "leverageUp":
      return `${at}: ${f.equity} SOL equity + ${f.borrow} SOL borrowed`;
    case "deleverage":
      return `${at}: unstake ${f.lrt} LRT and repay`;
    case "repay":
      return `${at}: repay ${f.amount} SOL`;
    case "deposit":
      return `${at}: deposit ${f.amount} LRT`;
    case "withdraw":
      return `${at}: withdraw ${f.amount} LRT`;
    case "create":
      return `${at}: open a new sub-account`;
    case "close":
      return `${at}: close the sub-account`;
  }
}
