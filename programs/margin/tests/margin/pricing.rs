//! Pricing policies on the real runtime: which price moves liquidate, which only block risk
//! increases, and what a stale feed or a paused market still allows.
//! - a one-block market wick moves the spot price, not the EMA: it blocks borrowing but does not
//!   liquidate under `MinOfBoth`; a sustained depeg moves the EMA and does;
//! - a slashing (fair-rate drop reported by the committee) liquidates under `FairRate` and `MinOfBoth`,
//!   not under `Market`, which trusts the market price alone;
//! - a premium (market above fair) never lets anyone borrow more than `LTV_init × fair`;
//! - a stale feed and a pause block borrow, withdraw_collateral and leverage_up only.
use lantern_test_support::margin_ops::SubKeys;
use lantern_test_support::solana_sdk::signature::Signer;
use lantern_test_support::world::*;
use margin::errors::MarginError;
use margin::state::PricingPolicy;

/// Opening position of these tests: 10 SOL of equity and 89.5 borrowed → 99.5 LRT, LTV 89.95%.
pub(crate) const EQUITY: u64 = 10 * SOL;
pub(crate) const BORROW: u64 = 89_500_000_000;
/// Above the minimum debt, so that a borrow's only problem is health.
const MIN_BORROW: u64 = SOL / 10;

/// A world with a 1,000 SOL lender and a trader levered to 89.95% LTV at price 1 (fair and market).
pub(crate) async fn levered(policy: PricingPolicy) -> (MarginWorld, User, SubKeys) {
    let mut mw = MarginWorld::new(policy).await;
    mw.lender(1_000 * SOL).await;
    let (trader, s) = mw.trader(50 * SOL).await;
    mw.fresh_prices(WAD).await;
    mw.leverage_up(&trader, s, EQUITY, BORROW).await.expect("leverage_up");
    (mw, trader, s)
}

/// A trader whose sub-account 0 holds `collateral` LRT (bought at rate 1) and no debt; the trader keeps
/// `spare_lrt` LRT and `wsol` SOL besides.
pub(crate) async fn collateralised(
    mw: &mut MarginWorld,
    collateral: u64,
    spare_lrt: u64,
    wsol: u64,
) -> (User, SubKeys) {
    let (trader, s) = mw.trader(collateral + spare_lrt + wsol).await;
    let minted = mw.w.deposit(&trader, collateral + spare_lrt).await;
    assert_eq!(minted, collateral + spare_lrt, "rate 1");
    let signer = trader.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(signer.pubkey(), s, trader.lrt, collateral)], &[&signer]).await;
    (trader, s)
}

pub(crate) async fn liquidator(mw: &mut MarginWorld) -> User {
    mw.w.user(500 * SOL).await
}

pub(crate) async fn liquidate_ok(mw: &mut MarginWorld, s: SubKeys, liq: &User) {
    let signer = liq.key.insecure_clone();
    let ix = mw.m.liquidate(signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
    mw.w.chain.send_ok(&[ix], &[&signer]).await;
}

pub(crate) async fn liquidate_err(mw: &mut MarginWorld, s: SubKeys, liq: &User, error: MarginError) {
    let signer = liq.key.insecure_clone();
    let ix = mw.m.liquidate(signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
    let watched = margin_watched(mw, s, liq);
    mw.w.chain.send_err(&[ix], &[&signer], error, &watched).await;
}

#[tokio::test]
async fn a_one_block_wick_does_not_liquidate_under_min_of_both() {
    let (mut mw, trader, s) = levered(PricingPolicy::MinOfBoth).await;
    mw.sustain_price(WAD, 4, 30).await;
    let liq = liquidator(&mut mw).await;
    let before = mw.sub_account(s).await;

    // One round 10% down: the spot price follows, the EMA barely moves.
    mw.sustain_price(WAD * 90 / 100, 1, 30).await;
    let feed = mw.w.feed().await;
    assert_eq!(feed.market_price, WAD * 90 / 100);
    assert!(feed.market_ema > WAD * 999 / 1000, "EMA {}", feed.market_ema);
    let prices = mw.prices_now().await.unwrap();
    assert!(prices.maint > WAD * 999 / 1000, "maintenance price {}", prices.maint);
    assert_eq!(prices.init, Some(WAD * 90 / 100), "risk increases see the wick");
    // At the spot price the position would be far past the threshold (89.95 / 0.9 ≈ 99.9%) …
    let pool = mw.pool_accrued_now().await;
    let debt = before.debt(&pool).unwrap();
    assert!(margin::math::health::is_liquidatable(debt, before.collateral, WAD * 90 / 100, 9_300).unwrap());
    // … but liquidation uses the EMA: not liquidatable.
    liquidate_err(&mut mw, s, &liq, MarginError::NotLiquidatable).await;
    // Borrowing more is refused during the wick (opening uses min(fair, spot, EMA)).
    let signer = trader.key.insecure_clone();
    let borrow = mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL);
    let w = margin_watched(&mw, s, &trader);
    mw.w.chain.send_err(&[borrow], &[&signer], MarginError::Unhealthy, &w).await;

    // The price returns: the EMA absorbed a sliver of the wick, still nothing to liquidate.
    mw.sustain_price(WAD, 1, 30).await;
    let ema = mw.w.feed().await.market_ema;
    assert!(ema < WAD && ema > WAD * 999 / 1000, "EMA {ema}");
    liquidate_err(&mut mw, s, &liq, MarginError::NotLiquidatable).await;
    assert_eq!(mw.sub_account(s).await.collateral, before.collateral);
}

#[tokio::test]
async fn a_sustained_depeg_liquidates_under_min_of_both_and_market_but_not_fair_rate() {
    for policy in [PricingPolicy::MinOfBoth, PricingPolicy::Market, PricingPolicy::FairRate] {
        let (mut mw, _trader, s) = levered(policy).await;
        let liq = liquidator(&mut mw).await;
        // Five hours 4% below the fair rate: the EMA follows (to about 96.1%).
        mw.sustain_price(WAD * 96 / 100, 10, 1_800).await;
        let feed = mw.w.feed().await;
        assert_eq!(feed.fair_rate, WAD, "the committee saw no loss");
        assert!(feed.market_ema < WAD * 962 / 1000, "EMA {}", feed.market_ema);
        let before = mw.sub_account(s).await;
        if policy == PricingPolicy::FairRate {
            liquidate_err(&mut mw, s, &liq, MarginError::NotLiquidatable).await;
            continue;
        }
        let plan = mw.liquidation_plan_now(s, u64::MAX).await.expect("liquidatable");
        liquidate_ok(&mut mw, s, &liq).await;
        let after = mw.sub_account(s).await;
        assert_eq!(after.collateral, before.collateral - plan.seize, "{policy:?}");
        assert!(after.debt_shares < before.debt_shares, "{policy:?}");
    }
}

#[tokio::test]
async fn a_slashing_report_liquidates_under_fair_rate_and_min_of_both_but_not_market() {
    for policy in [PricingPolicy::FairRate, PricingPolicy::MinOfBoth, PricingPolicy::Market] {
        let (mut mw, _trader, s) = levered(policy).await;
        let liq = liquidator(&mut mw).await;
        // The committee reports a 4% slashing (beyond the 1% budget: held, then confirmed by the guardian).
        mw.report_confirmed(WAD * 96 / 100).await.expect("slashing report");
        let feed = mw.w.feed().await;
        assert_eq!(feed.fair_rate, WAD * 96 / 100);
        assert!(feed.bunker);
        // The market has not moved.
        mw.fresh_prices(WAD).await;
        assert_eq!(mw.w.feed().await.market_ema, WAD);
        let maint = mw.prices_now().await.unwrap().maint;
        if policy == PricingPolicy::Market {
            assert_eq!(maint, WAD);
            liquidate_err(&mut mw, s, &liq, MarginError::NotLiquidatable).await;
        } else {
            assert_eq!(maint, WAD * 96 / 100, "{policy:?}");
            let before = mw.sub_account(s).await;
            liquidate_ok(&mut mw, s, &liq).await;
            assert!(mw.sub_account(s).await.collateral < before.collateral, "{policy:?}");
        }
    }
}

#[tokio::test]
async fn a_slashing_liquidates_under_min_of_both_even_without_market_prices() {
    let (mut mw, _trader, s) = levered(PricingPolicy::MinOfBoth).await;
    let liq = liquidator(&mut mw).await;
    mw.report_confirmed(WAD * 96 / 100).await.expect("slashing report");
    // The last price round is a day old: no market price, the fair rate alone maintains.
    assert_eq!(mw.w.feed().await.market_price_at(mw.w.chain.now().await), None);
    assert_eq!(mw.prices_now().await.unwrap().maint, WAD * 96 / 100);
    liquidate_ok(&mut mw, s, &liq).await;
}

#[tokio::test]
async fn a_premium_never_raises_collateral_value() {
    for policy in [PricingPolicy::MinOfBoth, PricingPolicy::FairRate] {
        let mut mw = MarginWorld::new(policy).await;
        mw.lender(1_000 * SOL).await;
        let (trader, s) = collateralised(&mut mw, 100 * SOL, 0, 0).await;
        // The LRT trades 10% above its fair rate, for hours: spot and EMA at 1.1.
        mw.sustain_price(WAD * 110 / 100, 8, 1_800).await;
        assert!(mw.w.feed().await.market_ema > WAD * 109 / 100);
        let prices = mw.prices_now().await.unwrap();
        assert_eq!((prices.maint, prices.init), (WAD, Some(WAD)), "{policy:?}: fair caps both");

        let signer = trader.key.insecure_clone();
        // LTV_init × fair × collateral = 90 SOL; one lamport more is refused.
        let too_much = mw.m.borrow(signer.pubkey(), s, trader.wsol, 90 * SOL + 1);
        let w = margin_watched(&mw, s, &trader);
        mw.w.chain.send_err(&[too_much], &[&signer], MarginError::Unhealthy, &w).await;
        // Levering up adds what it borrows as collateral: D ≤ 90% × (100 + D) × fair, so at most 900 SOL.
        let leverage = mw.m.leverage_up(signer.pubkey(), s, trader.wsol, 0, 900 * SOL + 1, 0);
        mw.w.chain.send_err(&[leverage], &[&signer], MarginError::Unhealthy, &w).await;
        mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, 90 * SOL)], &[&signer]).await;
        assert_eq!(mw.w.chain.token_balance(trader.wsol).await, 90 * SOL);
        // And nothing more once at the limit, premium or not.
        let more = mw.m.borrow(signer.pubkey(), s, trader.wsol, MIN_BORROW);
        mw.w.chain.send_err(&[more], &[&signer], MarginError::Unhealthy, &w).await;
    }
}

#[tokio::test]
async fn a_stale_feed_blocks_borrow_withdraw_and_leverage_up_but_not_repay_or_deposit() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    mw.lender(1_000 * SOL).await;
    let (trader, s) = collateralised(&mut mw, 100 * SOL, 10 * SOL, 20 * SOL).await;
    mw.fresh_prices(WAD).await;
    let signer = trader.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, 50 * SOL)], &[&signer]).await;

    // Two days without a report: the feed is stale, although market prices are fresh.
    mw.w.chain.warp_by(2 * 86_400).await;
    mw.fresh_prices(WAD).await;
    let now = mw.w.chain.now().await;
    assert!(mw.w.feed().await.is_stale(now));
    let w = margin_watched(&mw, s, &trader);
    let blocked = [
        mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL),
        mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, SOL),
        mw.m.leverage_up(signer.pubkey(), s, trader.wsol, SOL, SOL, 0),
    ];
    for ix in blocked {
        mw.w.chain.send_err(&[ix], &[&signer], MarginError::FeedStale, &w).await;
    }
    // Repaying and adding collateral only lower risk: they go through.
    mw.w.chain.send_ok(&[mw.m.repay(signer.pubkey(), s, trader.wsol, 10 * SOL)], &[&signer]).await;
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(signer.pubkey(), s, trader.lrt, 5 * SOL)], &[&signer]).await;
    let sub = mw.sub_account(s).await;
    assert_eq!(sub.collateral, 105 * SOL);
    assert!(sub.debt(&mw.pool().await).unwrap() < 41 * SOL);

    // A fresh report lifts the block.
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL)], &[&signer]).await;
    mw.w.chain.send_ok(&[mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, SOL)], &[&signer]).await;
}

#[tokio::test]
async fn pause_blocks_risk_increasing_actions_only() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(1_000 * SOL).await;
    let (trader, s) = collateralised(&mut mw, 100 * SOL, 10 * SOL, 20 * SOL).await;
    let (levered_trader, ls) = mw.trader(20 * SOL).await;
    mw.fresh_prices(WAD).await;
    mw.leverage_up(&levered_trader, ls, EQUITY, BORROW).await.expect("leverage_up");
    let signer = trader.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, 50 * SOL)], &[&signer]).await;

    mw.set_policy_and_pause(PricingPolicy::MinOfBoth, true).await;
    mw.sustain_price(WAD, 1, 1).await;
    let w = margin_watched(&mw, s, &trader);
    let blocked = [
        mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL),
        mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, SOL),
        mw.m.leverage_up(signer.pubkey(), s, trader.wsol, SOL, SOL, 0),
    ];
    for ix in blocked {
        mw.w.chain.send_err(&[ix], &[&signer], MarginError::MarketPaused, &w).await;
    }
    // Repay, deposit and deleverage lower risk; lenders are not affected by a market's pause.
    mw.w.chain.send_ok(&[mw.m.repay(signer.pubkey(), s, trader.wsol, 10 * SOL)], &[&signer]).await;
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(signer.pubkey(), s, trader.lrt, 5 * SOL)], &[&signer]).await;
    mw.w.chain.send_ok(&[mw.m.deleverage(signer.pubkey(), s, trader.wsol, 10 * SOL, 0)], &[&signer]).await;
    let lender_signer = lender.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.withdraw_supply(lender_signer.pubkey(), lender.wsol, 10 * SOL)], &[&lender_signer]).await;
    mw.w.chain.send_ok(&[mw.m.supply(lender_signer.pubkey(), lender.wsol, 5 * SOL)], &[&lender_signer]).await;
    let sub = mw.sub_account(s).await;
    assert_eq!(sub.collateral, 95 * SOL);

    // Liquidation goes on while paused.
    let liq = liquidator(&mut mw).await;
    mw.sustain_price(WAD * 96 / 100, 10, 1_800).await;
    liquidate_ok(&mut mw, ls, &liq).await;

    // Unpaused, risk may increase again.
    mw.set_policy_and_pause(PricingPolicy::MinOfBoth, false).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL)], &[&signer]).await;
}
