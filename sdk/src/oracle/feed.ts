/**
 * Feed state transitions, as `Feed` in programs/oracle/src/state/feed.rs: staleness, the market price
 * window, the decrease budget over a sliding window, processing a report (evaluate + apply), the
 * guardian's confirmation of a held decrease, and the market price round. Pure: each returns the next
 * state and leaves its input untouched.
 */
import { LanternError } from "../math/errors.js";
import { saturatingAddU64, saturatingSubI64 } from "../math/fixed.js";
import { emaUpdate } from "./ema.js";
import { confidence, median } from "./median.js";
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
  "marketPrice" | "marketConfidence" | "marketEma" | "marketPriceTs" | "marketEmaTs"
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

/** The market price consumers may use at `now`: present only while the quorum's observations are fresh. */
export function marketPriceAt(
  feed: Pick<Feed, "marketPrice" | "marketConfidence" | "marketEma" | "marketPriceTs" | "maxPriceAgeSecs">,
  now: bigint,
): MarketPrice | undefined {
  const fresh = feed.marketPrice > 0n && saturatingSubI64(now, feed.marketPriceTs) <= BigInt(feed.maxPriceAgeSecs);
  return fresh ? { price: feed.marketPrice, confidence: feed.marketConfidence, ema: feed.marketEma } : undefined;
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
 * A market price round: with at least `quorum` fresh observations (sorted) the market price becomes
 * their median with its confidence band and the EMA moves toward it; otherwise nothing changes.
 */
export function updateMarket<S extends MarketState>(
  state: S,
  sortedFresh: readonly bigint[],
  quorumTs: bigint | undefined,
  quorum: number,
  now: bigint,
  halfLife: number,
): { state: S; price: MarketPrice | undefined } {
  if (quorumTs === undefined || sortedFresh.length < quorum) return { state, price: undefined };
  const price = median(sortedFresh);
  const elapsed = saturatingSubI64(now, state.marketEmaTs);
  const marketEma = emaUpdate(state.marketEma, price, elapsed < 0n ? 0n : elapsed, BigInt(halfLife));
  const marketConfidence = confidence(sortedFresh, quorum);
  const next = { ...state, marketEma, marketEmaTs: now, marketPrice: price, marketConfidence, marketPriceTs: quorumTs };
  return { state: next, price: { price, confidence: marketConfidence, ema: marketEma } };
}
