//! repay.
use super::*;

#[tokio::test]
async fn repay_partially_then_in_full_without_overpaying() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 20 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 30 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 40 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (70 * SOL, 30 * SOL));

    // At an index above 1 a partial repayment burns shares rounded down.
    mw.w.chain.warp_by(30 * DAY).await;
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 10 * SOL), &k).await;
    let pool = mw.pool().await;
    let burned = mul_div_floor(u128::from(10 * SOL), WAD, pool.borrow_index).unwrap() as u64;
    assert_eq!(mw.sub_account(s).await.debt_shares, 30 * SOL - burned);
    let debt = debt_of(&mut mw, s).await;
    assert!(debt >= shares::debt_amount(30 * SOL, pool.borrow_index).unwrap() - 10 * SOL);

    // More than the debt repays the debt exactly.
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, u64::MAX), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 0);
    assert_eq!(balance(&mut mw, user.wsol).await, 30 * SOL - debt);
    let pool = mw.pool().await;
    assert_eq!(pool.debt_shares, 0);
    assert_eq!(balance(&mut mw, m.vault).await, pool.cash);
}

#[tokio::test]
async fn repay_by_a_third_party_while_paused_and_with_a_stale_feed() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    pause(&mut mw, true).await;
    warp_past_feed_age(&mut mw, 1).await;
    let friend = mw.w.user(20 * SOL).await;
    let f = key(&friend);
    let shares_before = mw.sub_account(s).await.debt_shares;
    ok(&mut mw, m.repay(f.pubkey(), s, friend.wsol, 10 * SOL), &f).await;
    assert_eq!(balance(&mut mw, friend.wsol).await, 10 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL, "the owner's SOL is untouched");
    let index = mw.pool().await.borrow_index;
    let burned = mul_div_floor(u128::from(10 * SOL), WAD, index).unwrap() as u64;
    assert_eq!(mw.sub_account(s).await.debt_shares, shares_before - burned);
}

#[tokio::test]
async fn repay_rejects_zero_no_debt_and_dust() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let (other, empty) = collateralized(&mut mw, SOL).await;
    let k = key(&user);
    let watch = [s.sub, empty.sub, user.wsol, other.wsol];
    rejects(&mut mw, m.repay(k.pubkey(), s, user.wsol, 0), &k, MarginError::ZeroAmount, &watch).await;
    rejects(&mut mw, m.repay(k.pubkey(), empty, user.wsol, SOL), &k, MarginError::NoDebt, &watch).await;
    // 50 SOL − 49.96 leaves 0.04 SOL, below the 0.05 minimum; 49.95 leaves exactly the minimum.
    let ix = m.repay(k.pubkey(), s, user.wsol, 49_960_000_000);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &watch).await;
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 49_950_000_000), &k).await;
    assert_eq!(debt_of(&mut mw, s).await, RiskParams::default().min_debt);
}
