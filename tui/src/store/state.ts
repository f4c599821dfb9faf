// The one store's state: what the services read (chain, keepers, transactions) and what the person is
// doing (tab, selection, filter, overlays, the action form). Plain data; the reducer is the only writer.
import type { Committee, Feed, LendingPool, Market, StakePool, SubAccount } from "@lantern/sdk";
import type { ClusterName, ThemeName } from "../config.js";
import type { Metrics } from "../prometheus.js";

export const TABS = ["markets", "subaccounts", "oracle", "simulator", "keeper", "activity"] as const;
export type Tab = (typeof TABS)[number];
export const TAB_TITLES: Record<Tab, string> = {
  markets: "Markets",
  subaccounts: "Sub-accounts",
  oracle: "Oracle",
  simulator: "Simulator",
  keeper: "Keeper",
  activity: "Activity",
};

export interface World {
  marketAddress: string;
  market: Market;
  pool: LendingPool;
  feed: Feed;
  committee: Committee;
  stakePool: StakePool;
}

export interface SubAccountEntry {
  address: string;
  sub: SubAccount;
}

export interface ChainState {
  status: "connecting" | "live" | "error";
  /** What went wrong, as a sentence with what to do. */
  error: string | undefined;
  slot: number | undefined;
  /** The cluster's clock (Clock sysvar unix_timestamp). */
  now: bigint | undefined;
  latencyMs: number | undefined;
  /** Local time (ms) of the last successful read. */
  updatedAt: number | undefined;
}

export interface KeeperState {
  url: string;
  status: "loading" | "ok" | "error";
  error: string | undefined;
  name: string | undefined;
  live: boolean | undefined;
  ready: boolean | undefined;
  /** `/readyz` components that are not ready, with their reason. */
  notReady: string[];
  metrics: Metrics | undefined;
  updatedAt: number | undefined;
}

export type TxStatus =
  | "simulating"
  | "awaiting-confirmation"
  | "sending"
  | "confirmed"
  | "failed"
  | "expired"
  /** Not sent from here: seen on the chain (a keeper's liquidation of one of your sub-accounts). */
  | "observed";

export interface TxRecord {
  id: number;
  action: string;
  /** The sub-account it acted on. */
  subAddress?: string;
  summary: string;
  status: TxStatus;
  signature: string | undefined;
  /** Decoded program error (e.g. `margin Unhealthy (6009)`) or the transport's message. */
  error: string | undefined;
  /** What to do about it. */
  hint: string | undefined;
  at: number;
}

/** Every action on a sub-account, in the order the key bar and the help list them. */
export const ACTION_KINDS = ["leverageUp", "deleverage", "repay", "create", "deposit", "withdraw", "close"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export interface FormState {
  kind: ActionKind;
  subAddress: string;
  /** Field values as typed. */
  fields: Record<string, string>;
  focus: number;
  stage: "edit" | "simulating" | "confirm" | "sending" | "done";
  /** Typed confirmation (mainnet only). */
  typed: string;
  /** Transaction this form submitted (Activity id). */
  txId: number | undefined;
  /** Simulation error, or undefined. */
  error: string | undefined;
  /** Blocks the simulated blockhash stays valid (counted down live while the confirm step is open). */
  blocksLeft: number | undefined;
  /** Network fee of the simulated message (lamports). */
  fee: bigint | undefined;
  /** Rent the transaction deposits (open) or returns (close), lamports. */
  rent: { lamports: bigint; returned: boolean } | undefined;
}

export interface HistoryPoint {
  ts: number;
  fair: number;
  market: number | undefined;
  /** The market round's ± confidence (the band around the market price). */
  confidence?: number | undefined;
  ema: number | undefined;
}

export type SimPolicy = "FairRate" | "Market" | "MinOfBoth";
export const SIM_POLICIES: readonly SimPolicy[] = ["MinOfBoth", "FairRate", "Market"];
export const SIM_PATHS: readonly number[] = [20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000];
/** Horizons (days) `[` and `]` step through; a scenario's own horizon sits between them where it falls. */
export const SIM_HORIZONS: readonly number[] = [1, 3, 7, 14, 30, 60, 90, 180, 365];

/** What the results table shows of a run (the simulator's Statistics, kept whole). */
export interface SimRun {
  scenario: string;
  policy: SimPolicy;
  paths: number;
  seed: number;
  /** The horizon the run simulated (days). */
  horizonDays?: number;
  statistics: import("@lantern/sim").Statistics;
  elapsedMs: number;
  /** The whole result, for export (results.json as `npm run sim -- run` writes it). */
  result?: import("@lantern/sim").SimResult;
}

export interface SimState {
  /** The shipped scenarios with their own horizon (days). */
  scenarios: { name: string; description: string; horizonDays?: number }[];
  /** Why the scenario list could not be read. */
  listError: string | undefined;
  selected: number;
  policy: SimPolicy;
  paths: number;
  seed: number;
  /** Horizon override (days); undefined: the scenario's own. */
  horizonDays: number | undefined;
  status: "idle" | "running" | "done" | "cancelled" | "error";
  progress: { done: number; total: number; etaMs: number | null; pathsPerSec: number } | undefined;
  error: string | undefined;
  /** Finished runs, newest first (policies side by side). */
  runs: SimRun[];
  /** Where the newest run was exported (results.json), or why it could not be. */
  exported: { path: string } | { error: string } | undefined;
}

export interface State {
  cluster: ClusterName;
  rpcUrl: string;
  wallet: {
    pubkey: string | undefined;
    readOnlyReason: string | undefined;
    lamports: bigint | undefined;
    /** LRT in your LRT token account (0 when it does not exist; undefined before the first read). */
    lrt: bigint | undefined;
  };
  chain: ChainState;
  world: World | undefined;
  subs: SubAccountEntry[];
  /** Fair rate / market price / EMA samples (one per change), for the sparklines. */
  history: HistoryPoint[];
  /** The two latest distinct reports (rate, reference time) — the staking yield estimate. */
  reports: { rate: bigint; refTs: bigint }[];
  keepers: KeeperState[];
  activity: TxRecord[];
  sim: SimState;
  ui: {
    tab: Tab;
    selected: number;
    detail: boolean;
    filter: string;
    filterEditing: boolean;
    help: boolean;
    /** The `:` command line while it is open. */
    palette: string | undefined;
    form: FormState | undefined;
    theme: ThemeName;
    quitConfirm: boolean;
    lastCtrlC: number | undefined;
    toast: string | undefined;
    size: { columns: number; rows: number };
  };
}

export function initialState(o: {
  cluster: ClusterName;
  rpcUrl: string;
  pubkey: string | undefined;
  readOnlyReason: string | undefined;
  keepers: string[];
  theme: ThemeName;
  size?: { columns: number; rows: number };
}): State {
  return {
    cluster: o.cluster,
    rpcUrl: o.rpcUrl,
    wallet: { pubkey: o.pubkey, readOnlyReason: o.readOnlyReason, lamports: undefined, lrt: undefined },
    chain: {
      status: "connecting",
      error: undefined,
      slot: undefined,
      now: undefined,
      latencyMs: undefined,
      updatedAt: undefined,
    },
    world: undefined,
    subs: [],
    history: [],
    reports: [],
    keepers: o.keepers.map((spec) => ({
      ...parseKeeperSpec(spec),
      status: "loading",
      error: undefined,
      live: undefined,
      ready: undefined,
      notReady: [],
      metrics: undefined,
      updatedAt: undefined,
    })),
    activity: [],
    sim: {
      scenarios: [],
      listError: undefined,
      selected: 0,
      policy: "MinOfBoth",
      paths: 100,
      seed: 1,
      horizonDays: undefined,
      status: "idle",
      progress: undefined,
      error: undefined,
      runs: [],
      exported: undefined,
    },
    ui: {
      tab: "subaccounts",
      selected: 0,
      detail: false,
      filter: "",
      filterEditing: false,
      help: false,
      palette: undefined,
      form: undefined,
      theme: o.theme,
      quitConfirm: false,
      lastCtrlC: undefined,
      toast: undefined,
      size: o.size ?? { columns: 120, rows: 40 },
    },
  };
}

/** `name=http://host:port` or a bare URL. */
export function parseKeeperSpec(spec: string): { name: string | undefined; url: string } {
  const eq = spec.indexOf("=");
  if (eq > 0 && !spec.slice(0, eq).includes("://")) return { name: spec.slice(0, eq), url: spec.slice(eq + 1) };
  return { name: undefined, url: spec };
}
