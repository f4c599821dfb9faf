//! deleverage.
use super::*;

#[tokio::test]
async fn deleverage_unstakes_repays_and_returns_the_excess_to_the_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let k = key(&user);
    let reserve_before = balance(&mut mw, m.restaking.reserve_vault).await;
    let supply_before = mint_supply(&mut mw, m.restaking.lrt_mint).await;
    // 20 LRT at rate 1 = 20 SOL, minus the 0.3% instant-unstake fee: 19.94 SOL, all repaid.
    let out = 20 * SOL - 60_000_000;
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, out), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (80 * SOL, 50 * SOL - out));
    assert_eq!(balance(&mut mw, s.vault).await, 80 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL, "nothing left over to return");
    assert_eq!(balance(&mut mw, m.restaking.reserve_vault).await, reserve_before - out);
    assert_eq!(mint_supply(&mut mw, m.restaking.lrt_mint).await, supply_before - 20 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (50 * SOL + out, 50 * SOL - out));
    assert_eq!(balance(&mut mw, m.vault).await, pool.cash);
    assert_eq!(mw.market().await.collateral_total, 80 * SOL);

    // Unwinding everything: 80 LRT → 79.76 SOL, the debt (30.06 SOL) is repaid and the rest is the owner's.
    let out = 80 * SOL - 240_000_000;
    let debt = 50 * SOL - (20 * SOL - 60_000_000);
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 80 * SOL, 0), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL + out - debt);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (100 * SOL, 0));
    assert_eq!(balance(&mut mw, m.vault).await, 100 * SOL);
    assert_eq!(mw.market().await.collateral_total, 0);

    // Without debt, deleveraging is just an instant unstake to the owner.
    let (other, t) = collateralized(&mut mw, 10 * SOL).await;
    let o = key(&other);
    ok(&mut mw, m.deleverage(o.pubkey(), t, other.wsol, 10 * SOL, 0), &o).await;
    assert_eq!(balance(&mut mw, other.wsol).await, 10 * SOL + 10 * SOL - 30_000_000);
}

#[tokio::test]
async fn deleverage_rejects_another_owner_zero_too_much_dust_and_slippage() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let thief = mw.w.user(0).await;
    let (k, t) = (key(&user), key(&thief));
    let watch = [s.sub, s.vault, user.wsol, thief.wsol];
    rejects(&mut mw, m.deleverage(t.pubkey(), s, thief.wsol, SOL, 0), &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 0, 0), &k, MarginError::ZeroAmount, &watch).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 100 * SOL + 1, 0);
    rejects(&mut mw, ix, &k, MarginError::InsufficientCollateral, &watch).await;
    // 50.12 LRT → 49.96964 SOL: 0.03036 SOL of debt would remain.
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 50_120_000_000, 0);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &watch).await;
    // 20 LRT pay 19.94 SOL: one lamport more is refused by the restaking pool.
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, 20 * SOL - 60_000_000 + 1);
    rejects(&mut mw, ix, &k, RestakingError::SlippageExceeded, &watch).await;
    // The restaking pool needs a fresh rate to unstake: a stale feed stops deleveraging there.
    warp_past_feed_age(&mut mw, 1).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, 0);
    rejects(&mut mw, ix, &k, RestakingError::FeedStale, &watch).await;
}

#[tokio::test]
async fn deleverage_is_allowed_paused_and_unhealthy_as_long_as_the_ltv_falls() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let k = key(&user);
    pause(&mut mw, true).await;
    // At 0.95 the position is liquidatable (LTV 94.7%): deleveraging 10 LRT lowers it to 94.2%.
    set_fair_rate(&mut mw, WAD * 95 / 100).await;
    let sub = mw.sub_account(s).await;
    assert!(health::is_liquidatable(90 * SOL, sub.collateral, WAD * 95 / 100, 9_300).unwrap());
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 10 * SOL, 0), &k).await;
    let out = 9_500_000_000 - 28_500_000;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (90 * SOL, 90 * SOL - out));
    assert!(health::ltv_lower(90 * SOL - out, 85_500_000_000, 90 * SOL, 95 * SOL));

    // At 0.85 the LTV (105%) is above 1 − fee: unstaking repays less than it removes, the LTV would rise.
    set_fair_rate(&mut mw, WAD * 85 / 100).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 10 * SOL, 0);
    rejects(&mut mw, ix, &k, MarginError::DeleverageDidNotImprove, &[s.sub, s.vault, user.wsol]).await;
}
