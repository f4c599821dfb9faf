//! The prices a market uses, per pricing policy.
//!
//! `fair` is the feed's pessimistic rate (a held or reported loss already counts). The market side
//! uses the round's robust low and the EMA of that low: both stay within the honest observations'
//! range whatever a minority of members submits (see the oracle's `math::median`), and a one-round
//! dispersion moves the EMA by one round's weight only.
use oracle::state::MarketPrice;

use crate::errors::MarginError;
use crate::state::PricingPolicy;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prices {
    /// Maintenance price (health and liquidation).
    pub maint: u128,
    /// Price for opening or increasing risk; `None` when the policy needs a market price and there is
    /// no fresh one.
    pub init: Option<u128>,
}

/// `FairRate`: fair for both. `Market`: EMA_low to maintain, min(spot_low, EMA_low) to open.
/// `MinOfBoth`: min(fair, EMA_low) to maintain (fair alone without market data), min(fair, spot_low,
/// EMA_low) to open — a one-block wick moves spot, not the EMA, so it never liquidates.
pub fn prices(policy: PricingPolicy, fair: u128, market: Option<MarketPrice>) -> Result<Prices, MarginError> {
    let lows = market.map(|m| (m.low, m.ema_low));
    let prices = match (policy, lows) {
        (PricingPolicy::FairRate, _) => Prices { maint: fair, init: Some(fair) },
        (PricingPolicy::Market, Some((spot, ema))) => Prices { maint: ema, init: Some(spot.min(ema)) },
        (PricingPolicy::Market, None) => return Err(MarginError::MarketPriceUnavailable),
        (PricingPolicy::MinOfBoth, Some((spot, ema))) => {
            Prices { maint: fair.min(ema), init: Some(fair.min(spot).min(ema)) }
        }
        (PricingPolicy::MinOfBoth, None) => Prices { maint: fair, init: None },
    };
    if prices.maint == 0 || prices.init == Some(0) {
        return Err(MarginError::InvalidPrice);
    }
    Ok(prices)
}

#[cfg(test)]
mod tests {
    use super::*;

    const WAD: u128 = lantern_math::WAD;

    fn market(low: u128, ema_low: u128) -> Option<MarketPrice> {
        Some(MarketPrice { price: low + WAD / 1000, low, confidence: WAD / 1000, ema: ema_low + WAD / 1000, ema_low })
    }

    #[test]
    fn min_of_both_ignores_a_wick_for_maintenance_but_not_for_opening() {
        let p = prices(PricingPolicy::MinOfBoth, WAD, market(WAD * 90 / 100, WAD - WAD / 1000)).unwrap();
        assert_eq!(p.maint, WAD - WAD / 1000);
        assert_eq!(p.init, Some(WAD * 90 / 100));
    }

    #[test]
    fn a_premium_never_inflates_collateral() {
        let p = prices(PricingPolicy::MinOfBoth, WAD, market(WAD * 2, WAD * 2)).unwrap();
        assert_eq!((p.maint, p.init), (WAD, Some(WAD)));
    }

    #[test]
    fn without_market_data() {
        assert_eq!(prices(PricingPolicy::MinOfBoth, WAD, None).unwrap(), Prices { maint: WAD, init: None });
        assert_eq!(prices(PricingPolicy::Market, WAD, None), Err(MarginError::MarketPriceUnavailable));
        assert_eq!(prices(PricingPolicy::FairRate, WAD, None).unwrap(), Prices { maint: WAD, init: Some(WAD) });
    }

    #[test]
    fn a_zero_price_is_refused() {
        assert_eq!(prices(PricingPolicy::Market, WAD, market(0, 0)), Err(MarginError::InvalidPrice));
        assert_eq!(prices(PricingPolicy::FairRate, 0, None), Err(MarginError::InvalidPrice));
    }
}
