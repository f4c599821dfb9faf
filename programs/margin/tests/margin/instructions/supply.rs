//! supply, withdraw_supply.
use super::*;

#[tokio::test]
async fn supply_mints_shares_into_the_lenders_position() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let user = mw.w.user(100 * SOL).await;
    let k = key(&user);
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    let wallet_before = lamports(&mut mw, k.pubkey()).await;
    ok(&mut mw, m.supply(k.pubkey(), user.wsol, 60 * SOL), &k).await;
    let lender: LenderPosition = mw.w.chain.anchor_account(position).await;
    let bump =
        Pubkey::find_program_address(&[margin::seeds::LENDER, m.pool.as_ref(), k.pubkey().as_ref()], &margin::ID).1;
    assert_eq!((lender.bump, lender.pool, lender.owner, lender.shares), (bump, m.pool, k.pubkey(), 60 * SOL));
    let rent = mw.w.chain.rent(8 + LenderPosition::INIT_SPACE).await;
    assert_eq!(lamports(&mut mw, k.pubkey()).await, wallet_before - rent, "the lender pays its position's rent");
    ok(&mut mw, m.supply(k.pubkey(), user.wsol, 40 * SOL), &k).await;
    let lender: LenderPosition = mw.w.chain.anchor_account(position).await;
    assert_eq!(lender.shares, 100 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.supply_shares, pool.supply_index), (100 * SOL, 100 * SOL, WAD));
    assert_eq!(balance(&mut mw, m.vault).await, 100 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 0);
}

#[tokio::test]
async fn supply_after_interest_mints_shares_rounded_down_and_refuses_a_zero_share_deposit() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    borrower(&mut mw, 200 * SOL, 90 * SOL).await;
    mw.w.chain.warp_by(30 * DAY).await;
    let user = mw.w.user(20 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.supply(k.pubkey(), user.wsol, 10 * SOL + 7), &k).await;
    let pool = mw.pool().await;
    assert!(pool.supply_index > WAD);
    let lender: LenderPosition = mw.w.chain.anchor_account(margin_ops::lender(&m.pool, &k.pubkey())).await;
    assert_eq!(lender.shares, mul_div_floor(u128::from(10 * SOL + 7), WAD, pool.supply_index).unwrap() as u64);
    assert!(shares::supply_amount(lender.shares, pool.supply_index).unwrap() <= 10 * SOL + 7);
    // One lamport buys less than one share: refused rather than taken for nothing.
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    rejects(&mut mw, m.supply(k.pubkey(), user.wsol, 1), &k, MarginError::ZeroAmount, &[user.wsol, position]).await;
}

#[tokio::test]
async fn supply_rejects_zero() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let user = mw.w.user(SOL).await;
    let k = key(&user);
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    rejects(&mut mw, m.supply(k.pubkey(), user.wsol, 0), &k, MarginError::ZeroAmount, &[user.wsol, position]).await;
}

#[tokio::test]
async fn supply_cap_is_inclusive() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    set_pool_params(&mut mw, PoolParams { supply_cap: 100 * SOL, ..PoolParams::default() }).await;
    let user = mw.w.user(101 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.supply(k.pubkey(), user.wsol, 60 * SOL), &k).await;
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    rejects(
        &mut mw,
        m.supply(k.pubkey(), user.wsol, 40 * SOL + 1),
        &k,
        MarginError::SupplyCapExceeded,
        &[user.wsol, position],
    )
    .await;
    ok(&mut mw, m.supply(k.pubkey(), user.wsol, 40 * SOL), &k).await;
    assert_eq!(mw.pool().await.cash, 100 * SOL);
}

#[tokio::test]
async fn withdraw_supply_pays_shares_at_the_supply_index() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    let k = key(&lender);
    ok(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, 30 * SOL), &k).await;
    assert_eq!(balance(&mut mw, lender.wsol).await, 30 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.supply_shares), (70 * SOL, 70 * SOL));
    assert_eq!(balance(&mut mw, m.vault).await, 70 * SOL);

    // After interest, a share is worth more, rounded down.
    let (trader, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    mw.w.chain.warp_by(30 * DAY).await;
    let t = key(&trader);
    mw.w.chain.wrap_sol(trader.wsol, SOL).await;
    ok(&mut mw, m.repay(t.pubkey(), s, trader.wsol, u64::MAX), &t).await;
    let index = mw.pool().await.supply_index;
    assert!(index > WAD);
    ok(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, 20 * SOL + 3), &k).await;
    let paid = mul_div_floor(u128::from(20 * SOL + 3), index, WAD).unwrap() as u64;
    assert!(paid > 20 * SOL + 3);
    assert_eq!(balance(&mut mw, lender.wsol).await, 30 * SOL + paid);
    let position: LenderPosition = mw.w.chain.anchor_account(margin_ops::lender(&m.pool, &k.pubkey())).await;
    assert_eq!(position.shares, 50 * SOL - 3);
}

#[tokio::test]
async fn withdraw_supply_rejects_zero_and_more_shares_than_held() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    mw.lender(100 * SOL).await;
    let k = key(&lender);
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    let watch = [lender.wsol, position];
    rejects(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, 0), &k, MarginError::ZeroAmount, &watch).await;
    let ix = m.withdraw_supply(k.pubkey(), lender.wsol, 100 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::InsufficientShares, &watch).await;
}

#[tokio::test]
async fn withdraw_supply_rejects_more_than_the_cash_not_lent_out() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 200 * SOL, 90 * SOL).await;
    let k = key(&lender);
    let position = margin_ops::lender(&m.pool, &k.pubkey());
    let ix = m.withdraw_supply(k.pubkey(), lender.wsol, 10 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::InsufficientLiquidity, &[lender.wsol, position, s.sub]).await;
    ok(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, 10 * SOL), &k).await;
    assert_eq!(mw.pool().await.cash, 0);
}
