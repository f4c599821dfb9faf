//! create_sub_account, deposit_collateral, withdraw_collateral.
use super::*;

#[tokio::test]
async fn create_sub_account_opens_an_empty_isolated_position_with_its_own_vault() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let owner = mw.w.chain.keypair().await;
    let before = lamports(&mut mw, owner.pubkey()).await;
    for index in [0u16, 7] {
        ok(&mut mw, m.create_sub_account(owner.pubkey(), index), &owner).await;
        let s = m.sub(&owner.pubkey(), index);
        let sub = mw.sub_account(s).await;
        let (address, bump) = Pubkey::find_program_address(
            &[margin::seeds::SUB_ACCOUNT, m.market.as_ref(), owner.pubkey().as_ref(), &index.to_le_bytes()],
            &margin::ID,
        );
        let vault_bump = Pubkey::find_program_address(&[margin::seeds::COLLATERAL, address.as_ref()], &margin::ID).1;
        assert_eq!(address, s.sub);
        assert_eq!(
            (sub.bump, sub.vault_bump, sub.market, sub.owner, sub.index),
            (bump, vault_bump, m.market, owner.pubkey(), index)
        );
        assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
        let vault = spl_token::state::Account::unpack(&mw.w.chain.account(s.vault).await.unwrap().data).unwrap();
        assert_eq!((vault.mint, vault.owner, vault.amount), (m.restaking.lrt_mint, s.sub, 0));
    }
    let size = 8 + SubAccount::INIT_SPACE;
    assert!(size <= 256, "{size} bytes");
    assert_eq!(mw.w.chain.account(m.sub(&owner.pubkey(), 0).sub).await.unwrap().data.len(), size);
    let rent = mw.w.chain.rent(size).await + mw.w.chain.rent(spl_token::state::Account::LEN).await;
    assert_eq!(lamports(&mut mw, owner.pubkey()).await, before - 2 * rent, "the owner pays both rents");
}

#[tokio::test]
async fn create_sub_account_rejects_a_taken_index_and_a_foreign_mint() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let (user, s) = mw.trader(SOL).await;
    let k = key(&user);
    rejects(&mut mw, m.create_sub_account(k.pubkey(), 0), &k, ALREADY_IN_USE, &sub_pair(s)).await;
    // The market's has_one = lrt_mint: another LRT's mint cannot back a sub-account here.
    let other = mw.w.another_pool().await;
    let mut ix = m.create_sub_account(k.pubkey(), 1);
    ix.accounts[2].pubkey = other.lrt_mint;
    let next = m.sub(&k.pubkey(), 1);
    rejects(&mut mw, ix, &k, ErrorCode::ConstraintHasOne, &sub_pair(next)).await;
}

#[tokio::test]
async fn deposit_collateral_by_anyone_even_paused_and_with_a_stale_feed() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let (user, s) = collateralized(&mut mw, 40 * SOL).await;
    let sub = mw.sub_account(s).await;
    assert_eq!(sub.collateral, 40 * SOL);
    assert_eq!(balance(&mut mw, s.vault).await, 40 * SOL);
    assert_eq!(balance(&mut mw, user.lrt).await, 0);
    assert_eq!(mw.market().await.collateral_total, 40 * SOL);

    // A friend adds 5 LRT while the market is paused and the feed is stale.
    let friend = mw.w.user(10 * SOL).await;
    assert_eq!(mw.w.deposit(&friend, 5 * SOL).await, 5 * SOL);
    pause(&mut mw, true).await;
    warp_past_feed_age(&mut mw, 1).await;
    let f = key(&friend);
    ok(&mut mw, m.deposit_collateral(f.pubkey(), s, friend.lrt, 5 * SOL), &f).await;
    assert_eq!(mw.sub_account(s).await.collateral, 45 * SOL);
    assert_eq!(balance(&mut mw, s.vault).await, 45 * SOL);
    assert_eq!(balance(&mut mw, friend.lrt).await, 0);
    assert_eq!(mw.market().await.collateral_total, 45 * SOL);
}

#[tokio::test]
async fn deposit_collateral_rejects_zero() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let (user, s) = collateralized(&mut mw, SOL).await;
    let k = key(&user);
    let ix = m.deposit_collateral(k.pubkey(), s, user.lrt, 0);
    rejects(&mut mw, ix, &k, MarginError::ZeroAmount, &[s.sub, s.vault, user.lrt]).await;
}

#[tokio::test]
async fn deposit_collateral_respects_the_markets_cap_across_sub_accounts() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let (_, first) = collateralized(&mut mw, 60 * SOL).await;
    let market = mw.market().await;
    set_market(&mut mw, market.policy, market.risk, 100 * SOL, false).await;
    let (user, s) = mw.trader(50 * SOL).await;
    mw.w.deposit(&user, 41 * SOL).await;
    let k = key(&user);
    let ix = m.deposit_collateral(k.pubkey(), s, user.lrt, 40 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::CollateralCapExceeded, &[s.sub, s.vault, user.lrt, first.sub]).await;
    ok(&mut mw, m.deposit_collateral(k.pubkey(), s, user.lrt, 40 * SOL), &k).await;
    assert_eq!(mw.market().await.collateral_total, 100 * SOL);
}

#[tokio::test]
async fn withdraw_collateral_down_to_exactly_the_opening_limit() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 45 * SOL).await;
    let k = key(&user);
    // 45 SOL of debt needs 50 LRT at 90%: 50 LRT may leave, not one unit more.
    let ix = m.withdraw_collateral(k.pubkey(), s, user.lrt, 50 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::Unhealthy, &[s.sub, s.vault, user.lrt]).await;
    ok(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 50 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.collateral, 50 * SOL);
    assert_eq!(balance(&mut mw, s.vault).await, 50 * SOL);
    assert_eq!(balance(&mut mw, user.lrt).await, 50 * SOL);
    assert_eq!(mw.market().await.collateral_total, 50 * SOL);
    rejects(
        &mut mw,
        m.withdraw_collateral(k.pubkey(), s, user.lrt, 1),
        &k,
        MarginError::Unhealthy,
        &[s.sub, s.vault, user.lrt],
    )
    .await;

    // Without debt, everything may leave.
    let (other, t) = collateralized(&mut mw, 10 * SOL).await;
    let o = key(&other);
    ok(&mut mw, m.withdraw_collateral(o.pubkey(), t, other.lrt, 10 * SOL), &o).await;
    assert_eq!(mw.sub_account(t).await.collateral, 0);
    assert_eq!(balance(&mut mw, other.lrt).await, 10 * SOL);
}

#[tokio::test]
async fn withdraw_collateral_rejects_another_owner_zero_and_more_than_deposited() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let (user, s) = collateralized(&mut mw, 10 * SOL).await;
    let k = key(&user);
    let thief = mw.w.user(0).await;
    let t = key(&thief);
    let watch = [s.sub, s.vault, user.lrt, thief.lrt];
    rejects(&mut mw, m.withdraw_collateral(t.pubkey(), s, thief.lrt, SOL), &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 0), &k, MarginError::ZeroAmount, &watch).await;
    let ix = m.withdraw_collateral(k.pubkey(), s, user.lrt, 10 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::InsufficientCollateral, &watch).await;
}

#[tokio::test]
async fn withdraw_collateral_waits_for_an_unpaused_market_a_fresh_feed_and_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    // With debt a withdrawal increases risk (without debt it always works: see attacks.rs).
    let (user, s) = borrower(&mut mw, 10 * SOL, SOL).await;
    mw.w.chain.warp_by(61).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, user.lrt];
    let withdraw = |m: &MarginKeys| m.withdraw_collateral(k.pubkey(), s, user.lrt, SOL);
    // MinOfBoth needs a fresh market price to open risk.
    rejects(&mut mw, withdraw(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    mw.fresh_prices(WAD).await;
    pause(&mut mw, true).await;
    rejects(&mut mw, withdraw(&m), &k, MarginError::MarketPaused, &watch).await;
    pause(&mut mw, false).await;
    ok(&mut mw, withdraw(&m), &k).await;
    // Prices are fresh for 60 s.
    mw.w.chain.warp_by(61).await;
    rejects(&mut mw, withdraw(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    warp_past_feed_age(&mut mw, 1).await;
    mw.fresh_prices(WAD).await;
    rejects(&mut mw, withdraw(&m), &k, MarginError::FeedStale, &watch).await;
    assert_eq!(mw.sub_account(s).await.collateral, 9 * SOL);
}
