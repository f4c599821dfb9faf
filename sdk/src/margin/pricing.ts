/**
 * The prices a market uses, per pricing policy, as programs/margin/src/math/pricing.rs.
 *
 * `fair` is the feed's pessimistic rate (`pessimisticRate`: a held or reported loss already counts).
 * The market side uses the round's robust low and the EMA of that low: both stay within the honest
 * observations' range whatever a minority of members submits, and a one-round dispersion moves the
 * EMA by one round's weight only.
 */
import { LanternError } from "../math/errors.js";
import { minBigint } from "../math/fixed.js";
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
 * market data), min(fair, spot_low, EMA_low) to open. A zero price, maintenance or opening, is refused
 * (`InvalidPrice`): nothing can be valued or liquidated at it.
 */
export function prices(
  policy: PricingPolicy,
  fair: bigint,
  market: Pick<MarketPrice, "low" | "emaLow"> | undefined,
): Prices {
  let result: Prices;
  if (policy === "FairRate") {
    result = { maint: fair, init: fair };
  } else if (market === undefined) {
    if (policy === "Market") throw new LanternError("margin", "MarketPriceUnavailable");
    result = { maint: fair, init: undefined };
  } else {
    const { low: spot, emaLow: ema } = market;
    result =
      policy === "Market"
        ? { maint: ema, init: minBigint(spot, ema) }
        : { maint: minBigint(fair, ema), init: minBigint(minBigint(fair, spot), ema) };
  }
  if (result.maint === 0n || result.init === 0n) throw new LanternError("margin", "InvalidPrice");
  return result;
}
