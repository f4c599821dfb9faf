/**
 * Feed state transitions, as `Feed` in programs/oracle/src/state/feed.rs: staleness, the market price
 * window, the decrease budget over a sliding window, processing a report (evaluate + apply), the
 * guardian's confirmation of a held decrease, and the market price round. Pure: each returns the next
 * state and leaves its input untouched.
 */
import { LanternError } from "../math/errors.js";
import { saturatingAddU64, saturatingSubI64 } from "../math/fixed.js";
import { emaUpdate } from "./ema.js";
import { medianRound, roundAgrees } from "./median.js";
import { evaluate, smoothedRate, type Prior, type Verdict } from "./sanity.js";
import {
  DECREASE_SLOTS,
  type DecreaseEntry,
  type Feed,
  type HeldReport,
  type MarketPrice,
  type SanityLimits,
} from "./types.js";

/** The report side of a feed: what processing a report reads and writes. */
export type ReportState = Pick<
  Feed,
  | "fairRate"
  | "reportedRate"
  | "reportedStakedLamports"
  | "lastReportFrame"
  | "lastReportRefTs"
  | "lastReportTs"
  | "bunker"
  | "held"
  | "decreases"
>;

/** The market side of a feed: what a price round reads and writes. */
export type MarketState = Pick<
  Feed,
  "marketPrice" | "marketLow" | "marketConfidence" | "marketEma" | "marketEmaLow" | "marketPriceTs" | "marketEmaTs"
>;

export const NO_HELD_REPORT: Readonly<HeldReport> = Object.freeze({
  frame: 0n,
  refTs: 0n,
  rate: 0n,
  stakedLamports: 0n,
  decreasePpb: 0n,
});

/** The fair rate stops counting when the last accepted report is older than `maxReportAgeSecs`. */
export function isStale(feed: Pick<Feed, "lastReportRefTs" | "maxReportAgeSecs">, now: bigint): boolean {
  return saturatingSubI64(now, feed.lastReportRefTs) > BigInt(feed.maxReportAgeSecs);
}

/**
 * The market price consumers may use at `now`: present only while the quorum's observations are fresh
 * (and the last round agreed: a disagreeing round sets the price to 0).
 */
export function marketPriceAt(
  feed: Pick<
    Feed,
    | "marketPrice"
    | "marketLow"
    | "marketConfidence"
    | "marketEma"
    | "marketEmaLow"
    | "marketPriceTs"
    | "maxPriceAgeSecs"
  >,
  now: bigint,
): MarketPrice | undefined {
  const fresh = feed.marketPrice > 0n && saturatingSubI64(now, feed.marketPriceTs) <= BigInt(feed.maxPriceAgeSecs);
  if (!fresh) return undefined;
  return {
    price: feed.marketPrice,
    low: feed.marketLow,
    confidence: feed.marketConfidence,
    ema: feed.marketEma,
    emaLow: feed.marketEmaLow,
  };
}

/**
 * `Feed::pessimistic_rate`: the rate every consumer prices with — the fair rate, or lower while a
 * reported loss is held for the guardian (or a deferred report is below it), so a known loss reaches
 * every consumer at once.
 */
export function pessimisticRate(feed: Pick<Feed, "fairRate" | "reportedRate" | "held">): bigint {
  let rate = feed.fairRate;
  if (feed.held.frame !== 0n && feed.held.rate < rate) rate = feed.held.rate;
  if (feed.reportedRate > 0n && feed.reportedRate < rate) rate = feed.reportedRate;
  return rate;
}

/** Decreases counted in the window of `windowSecs` that ends at `refTs` (saturating sum). */
export function windowDecreasePpb(decreases: readonly DecreaseEntry[], refTs: bigint, windowSecs: number): bigint {
  const start = refTs - BigInt(windowSecs);
  let total = 0n;
  for (const d of decreases) if (d.ppb > 0n && d.refTs > start) total = saturatingAddU64(total, d.ppb);
  return total;
}

/** What the sanity checks compare a report at `refTs` against. */
export function priorOf(feed: ReportState, refTs: bigint, limits: Pick<SanityLimits, "decreaseWindowSecs">): Prior {
  return {
    fairRate: feed.fairRate,
    reportedRate: feed.reportedRate,
    reportedRefTs: feed.lastReportRefTs,
    windowDecreasePpb: windowDecreasePpb(feed.decreases, refTs, limits.decreaseWindowSecs),
  };
}

/**
 * Records a decrease in the first free or expired slot; with every slot in the window taken, it folds
 * into the newest one (the last of equally new ones), which only makes the budget stricter.
 */
export function recordDecrease(
  decreases: readonly DecreaseEntry[],
  refTs: bigint,
  ppb: bigint,
  windowSecs: number,
): DecreaseEntry[] {
  const next = decreases.slice();
  if (ppb === 0n) return next;
  const start = refTs - BigInt(windowSecs);
  const free = next.findIndex((d) => d.ppb === 0n || d.refTs <= start);
  if (free >= 0) {
    next[free] = { refTs, ppb };
    return next;
  }
  let newest = 0;
  for (let i = 0; i < DECREASE_SLOTS && i < next.length; i++) if (next[i]!.refTs >= next[newest]!.refTs) newest = i;
  next[newest] = { refTs, ppb: saturatingAddU64(next[newest]!.ppb, ppb) };
  return next;
}

function accept<F extends ReportState>(
  feed: F,
  frame: bigint,
  refTs: bigint,
  now: bigint,
  rate: bigint,
  stakedLamports: bigint,
  fairRate: bigint,
): F {
  return {
    ...feed,
    fairRate,
    reportedRate: rate,
    reportedStakedLamports: stakedLamports,
    lastReportFrame: frame,
    lastReportRefTs: refTs,
    lastReportTs: now,
  };
}

/** Evaluates and applies an accounting report; throws the LanternError that rejects it. */
export function processReport<F extends ReportState>(
  feed: F,
  limits: SanityLimits,
  frame: bigint,
  refTs: bigint,
  now: bigint,
  rate: bigint,
  stakedLamports: bigint,
  bunkerFlag: boolean,
): { feed: F; verdict: Verdict } {
  const verdict = evaluate(limits, priorOf(feed, refTs, limits), { rate, refTs, bunkerFlag });
  if (verdict.kind === "Apply") {
    const next = accept(feed, frame, refTs, now, rate, stakedLamports, verdict.fairRate);
    next.decreases = recordDecrease(feed.decreases, refTs, verdict.decreasePpb, limits.decreaseWindowSecs);
    next.bunker = verdict.bunker;
    next.held = { ...NO_HELD_REPORT };
    return { feed: next, verdict };
  }
  const held: HeldReport = { frame, refTs, rate, stakedLamports, decreasePpb: verdict.decreasePpb };
  return { feed: { ...feed, held, bunker: true }, verdict };
}

/** The guardian's second opinion: the held decrease takes effect outside the budget. */
export function confirmHeld<F extends ReportState>(feed: F, limits: SanityLimits, frame: bigint, now: bigint): F {
  const held = feed.held;
  if (held.frame === 0n) throw new LanternError("oracle", "NoHeldReport");
  if (held.frame !== frame) throw new LanternError("oracle", "HeldFrameMismatch");
  const fairRate = smoothedRate(feed.fairRate, held.rate, limits.maxPositiveRebasePpb);
  const next = accept(feed, held.frame, held.refTs, now, held.rate, held.stakedLamports, fairRate);
  next.decreases = recordDecrease(feed.decreases, held.refTs, held.decreasePpb, limits.decreaseWindowSecs);
  next.held = { ...NO_HELD_REPORT };
  return next;
}

/**
 * A market price round (`Feed::update_market`): with at least `max(quorum, 1)` fresh observations
 * (sorted) that agree within `maxConfidenceBps`, the market price becomes their median with its robust
 * low and band, and the EMAs of the median and of the low move toward them, counting at most
 * `maxPriceAgeSecs` since the last round (so a round after a gap moves them no more than a round inside
 * the freshness window). Below quorum nothing changes; a round that disagrees clears the market price
 * (and nothing else), so consumers see none.
 */
export function updateMarket<S extends MarketState>(
  state: S,
  sortedFresh: readonly bigint[],
  quorumTs: bigint | undefined,
  quorum: number,
  now: bigint,
  limits: Pick<SanityLimits, "maxPriceAgeSecs" | "emaHalfLifeSecs" | "maxConfidenceBps">,
): { state: S; price: MarketPrice | undefined } {
  if (quorumTs === undefined || sortedFresh.length < Math.max(quorum, 1)) return { state, price: undefined };
  const round = medianRound(sortedFresh);
  if (!roundAgrees(round, limits.maxConfidenceBps)) return { state: { ...state, marketPrice: 0n }, price: undefined };
  const sinceLast = saturatingSubI64(now, state.marketEmaTs);
  const maxAge = BigInt(limits.maxPriceAgeSecs);
  const elapsed = sinceLast < 0n ? 0n : sinceLast > maxAge ? maxAge : sinceLast;
  const halfLife = BigInt(limits.emaHalfLifeSecs);
  const next: S = {
    ...state,
    marketEma: emaUpdate(state.marketEma, round.price, elapsed, halfLife),
    marketEmaLow: emaUpdate(state.marketEmaLow, round.low, elapsed, halfLife),
    marketEmaTs: now,
    marketPrice: round.price,
    marketLow: round.low,
    marketConfidence: round.confidence,
    marketPriceTs: quorumTs,
  };
  return { state: next, price: marketPriceAt({ ...next, maxPriceAgeSecs: limits.maxPriceAgeSecs }, now) };
}
