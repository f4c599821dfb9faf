// Derived numbers for the views, computed with the sdk's exact math (positionView, previews, pricing,
// rate curve, committee consensus). Pure functions of the state; views format and lay out only.
import {
  BPS,
  borrowRate,
  consensusFor,
  debtAmount,
  frameAt,
  frameDeadline,
  freshPrices,
  isStale,
  marketPriceAt,
  pessimisticRate,
  type PositionView,
  positionView,
  utilizationBps,
  voted,
  WAD,
  windowDecreasePpb,
  YEAR_SECS,
} from "@lantern/sdk";
import { byLabel, sumOf } from "../prometheus.js";
import { SIM_HORIZONS, type State, type SubAccountEntry, type World } from "./state.js";

export interface SubRow {
  address: string;
  index: number;
  view: PositionView;
  /** Yearly carry in lamports: staking income on the collateral less the interest on the debt. */
  carryPerYear: bigint | undefined;
}

export interface FeedStatus {
  stale: boolean;
  /** Seconds until the feed goes stale (negative: stale since). */
  staleInSecs: bigint;
  bunker: boolean;
  held: boolean;
  /** Market price round usable now. */
  marketFresh: boolean;
}

export function feedStatus(world: World, now: bigint): FeedStatus {
  const f = world.feed;
  return {
    stale: isStale(f, now),
    staleInSecs: f.lastReportRefTs + BigInt(f.maxReportAgeSecs) - now,
    bunker: f.bunker,
    held: f.held.frame !== 0n,
    marketFresh: marketPriceAt(f, now) !== undefined,
  };
}

/** Annual borrow rate (WAD) and utilisation (bps) of the pool now. */
export function poolRates(world: World) {
  const p = world.pool;
  const debt = debtAmount(p.debtShares, p.borrowIndex);
  const utilization = utilizationBps(p.cash, debt, p.insurance);
  const borrow = borrowRate(p.params.curve, utilization);
  // Lenders earn the borrowers' interest on their share of assets, less the reserve factor.
  const supply =
    (borrow * (utilization < BPS ? utilization : BPS) * (BPS - BigInt(p.params.reserveFactorBps))) / (BPS * BPS);
  return { debt, utilization, borrow, supply };
}

/** Staking yield (WAD, annual) implied by the two latest reports seen this run; `undefined` before two. */
export function stakingYield(state: State): bigint | undefined {
  const [a, b] = state.reports;
  if (!a || !b || b.refTs <= a.refTs || a.rate === 0n) return undefined;
  return ((b.rate - a.rate) * WAD * YEAR_SECS) / (a.rate * (b.refTs - a.refTs));
}

function carry(view: PositionView, borrow: bigint, staking: bigint | undefined): bigint | undefined {
  if (staking === undefined) return undefined;
  return (view.valueFair * staking - view.debt * borrow) / WAD;
}

/** The owner's sub-accounts, riskiest first (smallest distance to liquidation; no debt last), filtered. */
export function selectSubRows(state: State): SubRow[] {
  const { world, chain } = state;
  if (!world || chain.now === undefined) return [];
  const now = chain.now;
  const { borrow } = poolRates(world);
  const staking = stakingYield(state);
  const rows = state.subs.map((s: SubAccountEntry) => {
    const view = positionView(s.sub, world.pool, world.market, world.feed, now);
    return { address: s.address, index: s.sub.index, view, carryPerYear: carry(view, borrow, staking) };
  });
  const filter = state.ui.filter.trim().toLowerCase();
  const shown = filter
    ? rows.filter(
        (r) => r.address.toLowerCase().includes(filter) || `#${r.index}` === filter || String(r.index) === filter,
      )
    : rows;
  const risk = (r: SubRow) =>
    r.view.liquidationDepegBps === undefined ? Number.POSITIVE_INFINITY : Number(r.view.liquidationDepegBps);
  return shown.sort((a, b) => risk(a) - risk(b) || a.index - b.index);
}

export function selectedSub(state: State): SubRow | undefined {
  return selectSubRows(state)[state.ui.selected];
}

/** The horizon (days) the next run simulates: the override, else the selected scenario's own. */
export function simHorizon(state: State): number | undefined {
  return state.sim.horizonDays ?? state.sim.scenarios[state.sim.selected]?.horizonDays;
}

/** The next horizon `delta` steps (±1) through SIM_HORIZONS from the current one; the scenario's own means no override. */
export function stepHorizon(state: State, delta: number): number | undefined {
  const now = simHorizon(state);
  if (now === undefined) return undefined;
  const next =
    delta > 0 ? (SIM_HORIZONS.find((h) => h > now) ?? now) : ([...SIM_HORIZONS].reverse().find((h) => h < now) ?? now);
  return next === state.sim.scenarios[state.sim.selected]?.horizonDays ? undefined : next;
}

/** What each program error means for the person, and what to do. */
export const ERROR_HINTS: Record<string, string> = {
  Unhealthy: "over the maximum LTV: borrow or withdraw less, or add equity",
  FeedStale: "the oracle feed is stale: wait for the committee's next report",
  MarketPaused: "the market is paused: risk cannot increase (repay, deleverage and deposit still work)",
  MarketPriceUnavailable: "no fresh market price round: wait for the committee's prices",
  SlippageExceeded: "the price moved beyond your slippage: raise it or try again",
  DustDebt: "the debt left would be below the minimum: repay all or keep more",
  UtilizationTooHigh: "the pool is too utilised to lend more: borrow less",
  InsufficientLiquidity: "the pool has not enough cash: borrow less",
  BorrowCapExceeded: "the pool's borrow cap is reached: borrow less",
  CollateralCapExceeded: "the market's collateral cap is reached: lever less",
  DeleverageDidNotImprove: "this would not lower the LTV: unstake a different amount",
  InsufficientCollateral: "you asked to unstake more LRT than the sub-account holds",
  ZeroAmount: "the amount is zero: enter a positive amount",
  NoDebt: "this sub-account has no debt to repay",
  PoolFrozen: "the lending pool is frozen after a loss",
  InsufficientFunds: "your wallet does not hold that much: wrap more SOL, or deposit less LRT",
  SubAccountNotEmpty: "close needs an empty sub-account: repay the debt and withdraw the collateral first",
  BlockhashExpired: "expired before it landed: nothing was executed; press Enter to send again",
};

export interface OracleMemberRow {
  index: number;
  signer: string;
  voted: boolean;
  votesConsensus: boolean;
  price: bigint;
  priceAgeSecs: bigint | undefined;
  fresh: boolean;
}

export function selectOracle(state: State) {
  const { world, chain } = state;
  if (!world || chain.now === undefined) return undefined;
  const c = world.committee;
  const f = world.feed;
  const now = chain.now;
  const frame = frameAt(c.frames, now);
  const consensus = frame === undefined ? undefined : consensusFor(c, frame);
  const members: OracleMemberRow[] = c.members.slice(0, c.memberCount).map((m, index) => ({
    index,
    signer: m.signer.toBase58(),
    voted: frame !== undefined && voted(m, frame),
    votesConsensus:
      consensus !== undefined &&
      frame !== undefined &&
      voted(m, frame) &&
      Buffer.compare(m.voteHash, consensus.hash) === 0,
    price: m.price,
    priceAgeSecs: m.priceTs === 0n ? undefined : now - m.priceTs,
    fresh: m.price > 0n && now - m.priceTs <= BigInt(c.limits.maxPriceAgeSecs),
  }));
  const votes =
    frame === undefined
      ? 0
      : Math.max(
          0,
          ...members.map((m) =>
            m.voted
              ? c.members.filter(
                  (x) =>
                    frame !== undefined &&
                    voted(x, frame) &&
                    Buffer.compare(x.voteHash, c.members[m.index]!.voteHash) === 0,
                ).length
              : 0,
          ),
        );
  const fresh = freshPrices(c, now);
  const market = marketPriceAt(f, now);
  return {
    frame,
    frameEndsIn: frame === undefined ? undefined : frameDeadline(c.frames, frame) - now,
    processed: frame !== undefined && c.lastProcessedFrame === frame,
    quorum: c.quorum,
    memberCount: c.memberCount,
    /** Largest number of members agreeing on one hash in this frame. */
    support: consensus?.support ?? votes,
    consensus: consensus !== undefined,
    members,
    freshPrices: fresh.prices.length,
    fairRate: f.fairRate,
    pessimisticRate: pessimisticRate(f),
    reportedRate: f.reportedRate,
    deferred: f.reportedRate > f.fairRate ? f.reportedRate - f.fairRate : 0n,
    decreaseUsedPpb: windowDecreasePpb(f.decreases, now, c.limits.decreaseWindowSecs),
    decreaseBudgetPpb: BigInt(c.limits.maxDecreaseBps) * 100_000n,
    held: f.held.frame !== 0n ? f.held : undefined,
    bunker: f.bunker,
    market,
    lastReportFrame: f.lastReportFrame,
    status: feedStatus(world, now),
    paused: c.paused,
    consensusDisabled: c.consensusDisabled,
  };
}

export interface KeeperRow {
  url: string;
  name: string;
  status: "loading" | "ok" | "error";
  error: string | undefined;
  live: boolean | undefined;
  ready: boolean | undefined;
  notReady: string[];
  lastTickAgeSecs: number | undefined;
  liquidations: Record<string, number>;
  reportAgeSecs: number | undefined;
  txOutcomes: Record<string, number>;
  rpcErrors: number | undefined;
  journalPending: number | undefined;
  dryRun: boolean | undefined;
}

export function selectKeepers(state: State, nowMs = Date.now()): KeeperRow[] {
  return state.keepers.map((k) => {
    const m = k.metrics;
    const tick = m
      ? Math.max(...m.samples.filter((s) => s.name === "keeper_worker_last_tick_timestamp_seconds").map((s) => s.value))
      : undefined;
    const outcomes = m ? byLabel(m, "keeper_tx_outcomes_total", "outcome") : {};
    const rpcTotal = m ? sumOf(m, "keeper_rpc_requests_total") : undefined;
    return {
      url: k.url,
      name: k.name ?? new URL(k.url).host,
      status: k.status,
      error: k.error,
      live: k.live,
      ready: k.ready,
      notReady: k.notReady,
      lastTickAgeSecs: tick !== undefined && Number.isFinite(tick) ? Math.max(0, nowMs / 1000 - tick) : undefined,
      liquidations: m ? byLabel(m, "keeper_liquidation_attempts_total", "result") : {},
      reportAgeSecs: m ? sumOf(m, "keeper_feed_report_age_seconds") : undefined,
      txOutcomes: outcomes,
      rpcErrors:
        rpcTotal === undefined ? undefined : rpcTotal - (sumOf(m!, "keeper_rpc_requests_total", { result: "ok" }) ?? 0),
      journalPending: m ? sumOf(m, "keeper_journal_pending_intents") : undefined,
      /** Known only once the keeper has sent something: dry-run intents end as DryRun. */
      dryRun: (outcomes.DryRun ?? 0) > 0 ? true : Object.keys(outcomes).length > 0 ? false : undefined,
    };
  });
}
