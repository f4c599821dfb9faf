//! leverage_up.
use super::*;

#[tokio::test]
async fn leverage_up_borrows_stakes_and_locks_the_lrt_in_one_instruction() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let reserve_before = balance(&mut mw, m.restaking.reserve_vault).await;
    let supply_before = mint_supply(&mut mw, m.restaking.lrt_mint).await;
    let k = key(&user);
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 80 * SOL, 90 * SOL);
    ok(&mut mw, ix, &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (90 * SOL, 80 * SOL));
    assert_eq!(balance(&mut mw, s.vault).await, 90 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 0, "the equity and the borrowed SOL were staked");
    assert_eq!(balance(&mut mw, m.vault).await, 920 * SOL);
    assert_eq!(balance(&mut mw, m.restaking.reserve_vault).await, reserve_before + 90 * SOL);
    assert_eq!(mint_supply(&mut mw, m.restaking.lrt_mint).await, supply_before + 90 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (920 * SOL, 80 * SOL));
    assert_eq!(mw.market().await.collateral_total, 90 * SOL);
    assert_eq!(mw.w.pool().await.reserve_lamports, reserve_before + 90 * SOL);
}

#[tokio::test]
async fn leverage_up_to_exactly_ltv_init() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let k = key(&user);
    // 10 + 90.000000001 SOL → 100.000000001 LRT, of which 90% is 90.0000000009: one lamport too many.
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 90 * SOL + 1, 0);
    rejects(&mut mw, ix, &k, MarginError::Unhealthy, &[s.sub, s.vault, user.wsol]).await;
    ok(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 90 * SOL, 0), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (100 * SOL, 90 * SOL));
}

#[tokio::test]
async fn leverage_up_rejects_another_owner_zero_borrow_and_restaking_slippage() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    let thief = mw.w.user(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let (k, t) = (key(&user), key(&thief));
    let watch = [s.sub, s.vault, user.wsol, thief.wsol];
    let ix = m.leverage_up(t.pubkey(), s, thief.wsol, 10 * SOL, 10 * SOL, 0);
    rejects(&mut mw, ix, &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 0, 0), &k, MarginError::ZeroAmount, &watch)
        .await;
    // The restaking pool mints 20 LRT for 20 SOL: asking for one unit more fails inside the CPI.
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 10 * SOL, 20 * SOL + 1);
    rejects(&mut mw, ix, &k, RestakingError::SlippageExceeded, &watch).await;
    ok(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 10 * SOL, 20 * SOL), &k).await;
}

#[tokio::test]
async fn leverage_up_waits_for_an_unpaused_market_a_fresh_feed_and_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, user.wsol];
    let lever = |m: &MarginKeys| m.leverage_up(k.pubkey(), s, user.wsol, SOL, 4 * SOL, 0);
    rejects(&mut mw, lever(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    mw.fresh_prices(WAD).await;
    pause(&mut mw, true).await;
    rejects(&mut mw, lever(&m), &k, MarginError::MarketPaused, &watch).await;
    pause(&mut mw, false).await;
    warp_past_feed_age(&mut mw, 1).await;
    mw.fresh_prices(WAD).await;
    rejects(&mut mw, lever(&m), &k, MarginError::FeedStale, &watch).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, lever(&m), &k).await;
}

#[tokio::test]
async fn leverage_up_respects_the_collateral_cap_the_minimum_debt_and_the_pools_limits() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = mw.trader(100 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, user.wsol];
    let lever = |m: &MarginKeys, equity: u64, borrow: u64| m.leverage_up(k.pubkey(), s, user.wsol, equity, borrow, 0);
    set_market(&mut mw, PricingPolicy::FairRate, RiskParams::default(), 50 * SOL, false).await;
    rejects(&mut mw, lever(&m, 10 * SOL, 40 * SOL + 1), &k, MarginError::CollateralCapExceeded, &watch).await;
    set_market(&mut mw, PricingPolicy::FairRate, RiskParams::default(), u64::MAX, false).await;
    rejects(&mut mw, lever(&m, SOL, 49_999_999), &k, MarginError::DustDebt, &watch).await;
    rejects(&mut mw, lever(&m, 90 * SOL, 100 * SOL + 1), &k, MarginError::InsufficientLiquidity, &watch).await;
    rejects(&mut mw, lever(&m, 90 * SOL, 95 * SOL + 1), &k, MarginError::UtilizationTooHigh, &watch).await;
    set_pool_params(&mut mw, PoolParams { borrow_cap: 10 * SOL, ..PoolParams::default() }).await;
    rejects(&mut mw, lever(&m, 10 * SOL, 10 * SOL + 1), &k, MarginError::BorrowCapExceeded, &watch).await;
    ok(&mut mw, lever(&m, 10 * SOL, 10 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.collateral, 20 * SOL);
}
