/** The prices a market uses, per pricing policy, as programs/margin/src/math/pricing.rs. */
import { LanternError } from "../math/errors.js";
import { minBigint, saturatingSub } from "../math/fixed.js";
import type { MarketPrice } from "../oracle/types.js";
import type { PricingPolicy } from "./types.js";

export interface Prices {
  /** Maintenance price (health and liquidation). */
  maint: bigint;
  /** Price for opening or increasing risk; `undefined` when the policy needs a fresh market price. */
  init: bigint | undefined;
}

/**
 * `FairRate`: fair for both. `Market`: EMA_low to maintain, min(spot_low, EMA_low) to open (no market
 * price: `MarketPriceUnavailable`). `MinOfBoth`: min(fair, EMA_low) to maintain (fair alone without
 * market data), min(fair, spot_low, EMA_low) to open. `_low` = price minus the confidence band.
 */
export function prices(policy: PricingPolicy, fair: bigint, market: MarketPrice | undefined): Prices {
  if (policy === "FairRate") return { maint: fair, init: fair };
  if (market === undefined) {
    if (policy === "Market") throw new LanternError("margin", "MarketPriceUnavailable");
    return { maint: fair, init: undefined };
  }
  const spot = saturatingSub(market.price, market.confidence);
  const ema = saturatingSub(market.ema, market.confidence);
  if (policy === "Market") return { maint: ema, init: minBigint(spot, ema) };
  return { maint: minBigint(fair, ema), init: minBigint(minBigint(fair, spot), ema) };
}
