//! borrow.
use super::*;

#[tokio::test]
async fn borrow_creates_debt_shares_rounded_up() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    mw.fresh_prices(WAD).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 50 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 50 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (50 * SOL, 50 * SOL));
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL);
    assert_eq!(balance(&mut mw, m.vault).await, 50 * SOL);

    // At an index above 1, the shares round up: the debt is never less than what was lent.
    mw.w.chain.warp_by(10 * DAY).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    let amount = SOL + 1;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, amount), &k).await;
    let pool = mw.pool().await;
    assert!(pool.borrow_index > WAD);
    let added = mw.sub_account(s).await.debt_shares - 50 * SOL;
    assert_eq!(added, mul_div_ceil(u128::from(amount), WAD, pool.borrow_index).unwrap() as u64);
    assert!(shares::debt_amount(added, pool.borrow_index).unwrap() >= amount);
    assert_eq!(pool.debt_shares, 50 * SOL + added);
}

#[tokio::test]
async fn borrow_up_to_exactly_ltv_init() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(200 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    let ix = m.borrow(k.pubkey(), s, user.wsol, 90 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::Unhealthy, &[s.sub, user.wsol]).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 90 * SOL), &k).await;
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 1), &k, MarginError::Unhealthy, &[s.sub, user.wsol]).await;
    let sub = mw.sub_account(s).await;
    assert!(health::within_ltv(90 * SOL, sub.collateral, WAD, 9_000).unwrap());
}

#[tokio::test]
async fn borrow_rejects_another_owner_and_zero() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let thief = mw.w.user(0).await;
    let t = key(&thief);
    let k = key(&user);
    let watch = [s.sub, user.wsol, thief.wsol];
    rejects(&mut mw, m.borrow(t.pubkey(), s, thief.wsol, SOL), &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 0), &k, MarginError::ZeroAmount, &watch).await;
}

#[tokio::test]
async fn borrow_waits_for_an_unpaused_market_a_fresh_feed_and_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, user.wsol];
    let borrow = |m: &MarginKeys| m.borrow(k.pubkey(), s, user.wsol, SOL);
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    mw.fresh_prices(WAD).await;
    pause(&mut mw, true).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPaused, &watch).await;
    pause(&mut mw, false).await;
    ok(&mut mw, borrow(&m), &k).await;
    mw.w.chain.warp_by(61).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    // The feed's last fresh second, then one past it.
    warp_past_feed_age(&mut mw, 0).await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, borrow(&m), &k).await;
    mw.w.chain.warp_by(1).await;
    mw.fresh_prices(WAD).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::FeedStale, &watch).await;
    // A new report makes it fresh again.
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, borrow(&m), &k).await;
}

#[tokio::test]
async fn borrow_respects_liquidity_utilization_and_the_borrow_cap() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 200 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, user.wsol];
    let borrow = |m: &MarginKeys, amount: u64| m.borrow(k.pubkey(), s, user.wsol, amount);
    rejects(&mut mw, borrow(&m, 100 * SOL + 1), &k, MarginError::InsufficientLiquidity, &watch).await;
    rejects(&mut mw, borrow(&m, 100 * SOL), &k, MarginError::UtilizationTooHigh, &watch).await;
    rejects(&mut mw, borrow(&m, 95 * SOL + 1), &k, MarginError::UtilizationTooHigh, &watch).await;
    set_pool_params(&mut mw, PoolParams { borrow_cap: 10 * SOL, ..PoolParams::default() }).await;
    rejects(&mut mw, borrow(&m, 10 * SOL + 1), &k, MarginError::BorrowCapExceeded, &watch).await;
    ok(&mut mw, borrow(&m, 10 * SOL), &k).await;
    set_pool_params(&mut mw, PoolParams::default()).await;
    // Exactly 95% utilisation is allowed.
    ok(&mut mw, borrow(&m, 85 * SOL), &k).await;
    let pool = mw.pool().await;
    assert_eq!(interest::utilization_bps(pool.cash, pool.total_debt().unwrap(), pool.insurance), 9_500);
}

#[tokio::test]
async fn borrow_rejects_a_debt_below_the_minimum() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 10 * SOL).await;
    let k = key(&user);
    let min_debt = RiskParams::default().min_debt;
    let ix = m.borrow(k.pubkey(), s, user.wsol, min_debt - 1);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &[s.sub, user.wsol]).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, min_debt), &k).await;
    assert_eq!(debt_of(&mut mw, s).await, min_debt);
}
