/**
 * Market state transitions, as `Market` in programs/margin/src/state/market.rs: the prices a market
 * uses from its feed, and policy/risk updates — a change that can make existing positions liquidatable
 * waits out a time lock (`RISK_TIMELOCK_SECS`), any other applies at once. Pure: each returns the next
 * state and leaves its input untouched; a LanternError is what the program would return.
 */
import { LanternError } from "../math/errors.js";
import { isStale, marketPriceAt, pessimisticRate } from "../oracle/feed.js";
import type { Feed } from "../oracle/types.js";
import { type Prices, prices } from "./pricing.js";
import { type Market, NO_PENDING_UPDATE, type PricingPolicy, type RiskParams } from "./types.js";

/** Largest step by which the liquidation threshold may be lowered, and how often. */
export const LT_LOWER_STEP_BPS = 100;
export const LT_LOWER_INTERVAL_SECS = 86_400n;
/** How long a change that can make existing positions liquidatable waits before it applies. */
export const RISK_TIMELOCK_SECS = 86_400n;

/** The feed fields a market prices from. */
export type PricingFeed = Pick<
  Feed,
  | "fairRate"
  | "reportedRate"
  | "held"
  | "marketPrice"
  | "marketLow"
  | "marketConfidence"
  | "marketEma"
  | "marketEmaLow"
  | "marketPriceTs"
  | "maxPriceAgeSecs"
>;

/** `Market::prices`: maintenance and opening prices at `now`, from the feed's pessimistic rate. */
export function marketPrices(market: Pick<Market, "policy">, feed: PricingFeed, now: bigint): Prices {
  return prices(market.policy, pessimisticRate(feed), marketPriceAt(feed, now));
}

/** `Market::require_risk_increase`: the opening price, or why risk may not increase now. */
export function requireRiskIncrease(
  market: Pick<Market, "policy" | "paused">,
  feed: PricingFeed & Pick<Feed, "lastReportRefTs" | "maxReportAgeSecs">,
  now: bigint,
): bigint {
  if (market.paused) throw new LanternError("margin", "MarketPaused");
  if (isStale(feed, now)) throw new LanternError("margin", "FeedStale");
  const init = marketPrices(market, feed, now).init;
  if (init === undefined) throw new LanternError("margin", "MarketPriceUnavailable");
  return init;
}

/** `RiskParams::validate`: `LTV_init ≤ target < LT < LTV_full ≤ 99%`, `LT·(1 + b_max) < 1`, and the rest. */
export function validRiskParams(r: RiskParams): boolean {
  return (
    r.ltvInitBps > 0 &&
    r.ltvInitBps <= r.targetLtvBps &&
    r.targetLtvBps < r.ltBps &&
    r.ltBps < r.ltvFullBps &&
    r.ltvFullBps <= 9_900 &&
    r.ltBps * (10_000 + r.bonusMaxBps) < 10_000 * 10_000 &&
    r.bonusMinBps <= r.bonusMaxBps &&
    r.closeFactorBps >= 1 &&
    r.closeFactorBps <= 10_000 &&
    r.insuranceShareBps <= 10_000 &&
    r.minDebt > 0n
  );
}

/**
 * `Market::tightens`: whether moving to this policy and risk can make a position liquidatable sooner or
 * liquidate it harder — another pricing policy, a lower threshold or full-liquidation LTV, a larger
 * bonus, close factor or minimum debt.
 */
export function tightens(market: Pick<Market, "policy" | "risk">, policy: PricingPolicy, risk: RiskParams): boolean {
  const now = market.risk;
  return (
    policy !== market.policy ||
    risk.ltBps < now.ltBps ||
    risk.ltvFullBps < now.ltvFullBps ||
    risk.bonusMinBps > now.bonusMinBps ||
    risk.bonusMaxBps > now.bonusMaxBps ||
    risk.closeFactorBps > now.closeFactorBps ||
    risk.minDebt > now.minDebt
  );
}

/** What `Market::update` did with a change. */
export type UpdateOutcome = { kind: "Applied" } | { kind: "Queued"; activatesTs: bigint };

type UpdatableMarket = Pick<Market, "policy" | "risk" | "ltLoweredTs" | "pending">;

/**
 * `Market::update`: a change that tightens is queued for `RISK_TIMELOCK_SECS` (and may lower the
 * threshold by at most one step per interval); any other applies at once and drops a queued one.
 */
export function updateMarketRisk<M extends UpdatableMarket>(
  market: M,
  policy: PricingPolicy,
  risk: RiskParams,
  now: bigint,
): { market: M; outcome: UpdateOutcome } {
  if (!validRiskParams(risk)) throw new LanternError("margin", "InvalidRiskParams");
  if (risk.ltBps < market.risk.ltBps) {
    const stepOk = market.risk.ltBps - risk.ltBps <= LT_LOWER_STEP_BPS;
    if (!stepOk || now - market.ltLoweredTs < LT_LOWER_INTERVAL_SECS)
      throw new LanternError("margin", "ThresholdLoweredTooFast");
  }
  if (tightens(market, policy, risk)) {
    const activatesTs = now + RISK_TIMELOCK_SECS;
    return {
      market: { ...market, pending: { activatesTs, policy, risk: { ...risk } } },
      outcome: { kind: "Queued", activatesTs },
    };
  }
  return {
    market: {
      ...market,
      pending: { ...NO_PENDING_UPDATE, risk: { ...NO_PENDING_UPDATE.risk } },
      policy,
      risk: { ...risk },
    },
    outcome: { kind: "Applied" },
  };
}

/** `Market::apply_pending`: the queued change once its time lock has passed (anyone may call it). */
export function applyPendingUpdate<M extends UpdatableMarket>(market: M, now: bigint): M {
  const pending = market.pending;
  if (pending.activatesTs === 0n) throw new LanternError("margin", "NoPendingUpdate");
  if (now < pending.activatesTs) throw new LanternError("margin", "UpdateNotDue");
  return {
    ...market,
    ltLoweredTs: pending.risk.ltBps < market.risk.ltBps ? now : market.ltLoweredTs,
    policy: pending.policy,
    risk: { ...pending.risk },
    pending: { ...NO_PENDING_UPDATE, risk: { ...NO_PENDING_UPDATE.risk } },
  };
}
