// The reducer: every change to the state, as a pure function of (state, action).
import { debtAmount, WAD } from "@lantern/sdk";
import { sol } from "../format.js";
import type { ThemeName } from "../config.js";
import type {
  ActionKind,
  FormState,
  HistoryPoint,
  KeeperState,
  SimRun,
  SimState,
  State,
  SubAccountEntry,
  Tab,
  TxRecord,
  World,
} from "./state.js";

export type Action =
  | {
      type: "chain/snapshot";
      slot: number;
      now: bigint;
      latencyMs: number;
      world: World;
      subs: SubAccountEntry[];
      lamports: bigint | undefined;
      lrt?: bigint | undefined;
      at: number;
    }
  | { type: "chain/error"; message: string }
  | { type: "keeper/update"; url: string; patch: Partial<KeeperState> }
  | { type: "tx/start"; record: TxRecord }
  | { type: "tx/update"; id: number; patch: Partial<TxRecord> }
  | { type: "ui/tab"; tab: Tab }
  | { type: "ui/move"; delta: number; count: number }
  | { type: "ui/detail"; open: boolean }
  | { type: "ui/filter"; text: string; editing: boolean }
  | { type: "ui/help"; open: boolean }
  | { type: "ui/palette"; text: string | undefined }
  | { type: "ui/theme"; theme: ThemeName }
  | { type: "ui/form/open"; kind: ActionKind; subAddress: string; fields: Record<string, string> }
  | { type: "ui/form/patch"; patch: Partial<FormState> }
  | { type: "ui/form/field"; name: string; value: string }
  | { type: "ui/form/close" }
  | { type: "ui/quitConfirm"; open: boolean }
  | { type: "ui/ctrlC"; at: number | undefined }
  | { type: "ui/toast"; text: string | undefined }
  | { type: "ui/resize"; columns: number; rows: number }
  | { type: "sim/patch"; patch: Partial<SimState> }
  | { type: "sim/done"; run: SimRun };

const HISTORY = 240;
const ACTIVITY = 200;
const toNumber = (wad: bigint) => Number(wad) / Number(WAD);

function appendHistory(history: HistoryPoint[], world: World, now: bigint): HistoryPoint[] {
  const f = world.feed;
  const point: HistoryPoint = {
    ts: Number(now),
    fair: toNumber(f.fairRate),
    market: f.marketPrice === 0n ? undefined : toNumber(f.marketPrice),
    confidence: f.marketPrice === 0n ? undefined : toNumber(f.marketConfidence),
    ema: f.marketEma === 0n ? undefined : toNumber(f.marketEma),
  };
  const last = history[history.length - 1];
  if (
    last &&
    last.fair === point.fair &&
    last.market === point.market &&
    last.confidence === point.confidence &&
    last.ema === point.ema
  )
    return history;
  return [...history, point].slice(-HISTORY);
}

function appendReport(reports: State["reports"], world: World): State["reports"] {
  const { reportedRate: rate, lastReportRefTs: refTs } = world.feed;
  const last = reports[reports.length - 1];
  if (refTs === 0n || (last && last.refTs === refTs)) return reports;
  return [...reports, { rate, refTs }].slice(-2);
}

/** How long after our own transaction a change of that sub-account is taken to be ours. */
const OWN_CHANGE_MS = 30_000;

/**
 * Liquidations of your sub-accounts seen between two snapshots: collateral and debt both fell while no
 * transaction of this terminal acted on it (a deleverage from here also lowers both). Amounts through
 * the sdk (debt at the new borrow index).
 */
function observedLiquidations(
  state: State,
  subs: SubAccountEntry[],
  world: World,
  slot: number,
  at: number,
): TxRecord[] {
  const found: TxRecord[] = [];
  for (const next of subs) {
    const prev = state.subs.find((s) => s.address === next.address);
    if (!prev) continue;
    if (!(next.sub.collateral < prev.sub.collateral && next.sub.debtShares < prev.sub.debtShares)) continue;
    const ours = state.activity.some(
      (t) =>
        t.status !== "observed" &&
        t.subAddress === next.address &&
        (t.status === "sending" || at - t.at < OWN_CHANGE_MS),
    );
    if (ours) continue;
    const index = world.pool.borrowIndex;
    const repaid = debtAmount(prev.sub.debtShares, index) - debtAmount(next.sub.debtShares, index);
    const seized = prev.sub.collateral - next.sub.collateral;
    found.push({
      id: -(slot * 100 + found.length + 1),
      action: "liquidated",
      subAddress: next.address,
      summary: `#${next.sub.index}: ${sol(seized)} LRT seized, ${sol(repaid)} SOL of debt repaid (not by this terminal)`,
      status: "observed",
      signature: undefined,
      error: undefined,
      hint: undefined,
      at,
    });
  }
  return found;
}

export function reducer(state: State, action: Action): State {
  switch (action.type) {
    case "chain/snapshot": {
      const liquidations = observedLiquidations(state, action.subs, action.world, action.slot, action.at);
      return {
        ...state,
        activity: liquidations.length ? [...liquidations, ...state.activity].slice(0, ACTIVITY) : state.activity,
        chain: {
          status: "live",
          error: undefined,
          slot: action.slot,
          now: action.now,
          latencyMs: action.latencyMs,
          updatedAt: action.at,
        },
        world: action.world,
        subs: action.subs,
        wallet: { ...state.wallet, lamports: action.lamports, lrt: action.lrt },
        history: appendHistory(state.history, action.world, action.now),
        reports: appendReport(state.reports, action.world),
      };
    }
    case "chain/error":
      return { ...state, chain: { ...state.chain, status: "error", error: action.message } };
    case "keeper/update":
      return {
        ...state,
        keepers: state.keepers.map((k) => (k.url === action.url ? { ...k, ...action.patch } : k)),
      };
    case "tx/start":
      return { ...state, activity: [action.record, ...state.activity].slice(0, ACTIVITY) };
    case "tx/update":
      return {
        ...state,
        activity: state.activity.map((t) => (t.id === action.id ? { ...t, ...action.patch } : t)),
      };
    case "ui/tab":
      return {
        ...state,
        ui: { ...state.ui, tab: action.tab, selected: 0, detail: false, filter: "", filterEditing: false, help: false },
      };
    case "ui/move": {
      if (action.count <= 0) return { ...state, ui: { ...state.ui, selected: 0 } };
      const selected = Math.max(0, Math.min(action.count - 1, state.ui.selected + action.delta));
      return { ...state, ui: { ...state.ui, selected } };
    }
    case "ui/detail":
      return { ...state, ui: { ...state.ui, detail: action.open } };
    case "ui/filter":
      return { ...state, ui: { ...state.ui, filter: action.text, filterEditing: action.editing, selected: 0 } };
    case "ui/palette":
      return { ...state, ui: { ...state.ui, palette: action.text } };
    case "ui/help":
      return { ...state, ui: { ...state.ui, help: action.open } };
    case "ui/theme":
      return { ...state, ui: { ...state.ui, theme: action.theme } };
    case "ui/form/open":
      return {
        ...state,
        ui: {
          ...state.ui,
          form: {
            kind: action.kind,
            subAddress: action.subAddress,
            fields: action.fields,
            focus: 0,
            stage: "edit",
            typed: "",
            txId: undefined,
            error: undefined,
            blocksLeft: undefined,
            fee: undefined,
            rent: undefined,
          },
        },
      };
    case "ui/form/patch":
      return state.ui.form ? { ...state, ui: { ...state.ui, form: { ...state.ui.form, ...action.patch } } } : state;
    case "ui/form/field":
      return state.ui.form
        ? {
            ...state,
            ui: {
              ...state.ui,
              form: {
                ...state.ui.form,
                fields: { ...state.ui.form.fields, [action.name]: action.value },
                stage: "edit",
                error: undefined,
              },
            },
          }
        : state;
    case "ui/form/close":
      return { ...state, ui: { ...state.ui, form: undefined } };
    case "ui/quitConfirm":
      return { ...state, ui: { ...state.ui, quitConfirm: action.open } };
    case "ui/ctrlC":
      return { ...state, ui: { ...state.ui, lastCtrlC: action.at } };
    case "ui/toast":
      return { ...state, ui: { ...state.ui, toast: action.text } };
    case "sim/patch":
      return { ...state, sim: { ...state.sim, ...action.patch } };
    case "sim/done":
      return {
        ...state,
        sim: {
          ...state.sim,
          status: "done",
          progress: undefined,
          runs: [action.run, ...state.sim.runs].slice(0, 3),
          exported: undefined,
        },
      };
    case "ui/resize":
      return { ...state, ui: { ...state.ui, size: { columns: action.columns, rows: action.rows } } };
  }
}
