//! initialize_market, update_market.
use super::*;

#[tokio::test]
async fn initialize_market_sets_every_field() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let market = mw.market().await;
    let m = mw.m;
    let bump = Pubkey::find_program_address(
        &[margin::seeds::MARKET, m.pool.as_ref(), m.restaking.lrt_mint.as_ref()],
        &margin::ID,
    )
    .1;
    assert_eq!(market.bump, bump);
    assert_eq!((market.pool, market.lrt_mint, market.feed), (m.pool, m.restaking.lrt_mint, m.restaking.feed));
    assert_eq!((market.stake_pool, market.insurance_vault), (m.restaking.pool, m.insurance_vault));
    assert_eq!((market.policy, market.risk), (PricingPolicy::MinOfBoth, RiskParams::default()));
    assert_eq!(
        (market.collateral_cap, market.collateral_total, market.paused, market.lt_lowered_ts),
        (u64::MAX, 0, false, 0)
    );
    let vault = spl_token::state::Account::unpack(&mw.w.chain.account(m.insurance_vault).await.unwrap().data).unwrap();
    assert_eq!((vault.mint, vault.owner, vault.amount), (m.restaking.lrt_mint, m.market, 0));

    // A second market, on another LRT, with the parameters at their bounds.
    let other = MarginKeys::new(mw.w.another_pool().await);
    let admin = mw.w.admin.insecure_clone();
    let risk = edge_risk_params();
    ok(&mut mw, other.initialize_market(admin.pubkey(), PricingPolicy::Market, risk, 5 * SOL), &admin).await;
    let second: Market = mw.w.chain.anchor_account(other.market).await;
    assert_eq!(
        (second.lrt_mint, second.feed, second.stake_pool),
        (other.restaking.lrt_mint, other.restaking.feed, other.restaking.pool)
    );
    assert_eq!((second.policy, second.risk, second.collateral_cap), (PricingPolicy::Market, risk, 5 * SOL));

    // One market per LRT.
    let again = m.initialize_market(admin.pubkey(), PricingPolicy::FairRate, RiskParams::default(), 0);
    rejects(&mut mw, again, &admin, ALREADY_IN_USE, &[]).await;
}

#[tokio::test]
async fn initialize_market_rejects_a_non_admin() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let other = MarginKeys::new(mw.w.another_pool().await);
    let stranger = mw.w.chain.keypair().await;
    let ix = other.initialize_market(stranger.pubkey(), PricingPolicy::MinOfBoth, RiskParams::default(), u64::MAX);
    rejects(&mut mw, ix, &stranger, MarginError::NotAdmin, &[other.market, other.insurance_vault]).await;
}

#[tokio::test]
async fn initialize_market_rejects_an_lrt_without_9_decimals() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let other = MarginKeys::new(mw.w.another_pool().await);
    // The restaking pool only accepts 9-decimal mints: rewrite the other mint's decimals to 6.
    let mint = other.restaking.lrt_mint;
    let mut account = mw.w.chain.account(mint).await.unwrap();
    let mut state = spl_token::state::Mint::unpack(&account.data).unwrap();
    state.decimals = 6;
    spl_token::state::Mint::pack(state, &mut account.data).unwrap();
    mw.w.chain.ctx.set_account(&mint, &account.into());
    let admin = mw.w.admin.insecure_clone();
    let ix = other.initialize_market(admin.pubkey(), PricingPolicy::MinOfBoth, RiskParams::default(), u64::MAX);
    rejects(&mut mw, ix, &admin, MarginError::InvalidDecimals, &[other.market, other.insurance_vault, mint]).await;
}

#[tokio::test]
async fn initialize_market_rejects_each_invalid_risk_parameter() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let other = MarginKeys::new(mw.w.another_pool().await);
    let admin = mw.w.admin.insecure_clone();
    for (why, risk) in bad_risk_params() {
        println!("initialize_market: {why}");
        let ix = other.initialize_market(admin.pubkey(), PricingPolicy::MinOfBoth, risk, u64::MAX);
        rejects(&mut mw, ix, &admin, MarginError::InvalidRiskParams, &[other.market, other.insurance_vault]).await;
    }
}

#[tokio::test]
async fn update_market_sets_policy_risk_cap_and_pause() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let risk = RiskParams {
        ltv_init_bps: 9_100,
        target_ltv_bps: 9_300,
        lt_bps: 9_400,
        ltv_full_bps: 9_700,
        min_debt: SOL,
        ..RiskParams::default()
    };
    set_market(&mut mw, PricingPolicy::Market, risk, 42 * SOL, true).await;
    let market = mw.market().await;
    assert_eq!(
        (market.policy, market.risk, market.collateral_cap, market.paused),
        (PricingPolicy::Market, risk, 42 * SOL, true)
    );
    assert_eq!(market.lt_lowered_ts, 0, "raising the threshold is not a lowering");
    // Every inclusive bound at once, keeping the threshold: LT·(1 + b_max) = 0.94 × 1.0638 < 1.
    let edge = RiskParams {
        ltv_init_bps: 9_300,
        target_ltv_bps: 9_300,
        lt_bps: 9_400,
        ltv_full_bps: 9_900,
        close_factor_bps: 10_000,
        bonus_min_bps: 638,
        bonus_max_bps: 638,
        insurance_share_bps: 10_000,
        min_debt: 1,
    };
    set_market(&mut mw, PricingPolicy::FairRate, edge, 0, false).await;
    let market = mw.market().await;
    assert_eq!(
        (market.policy, market.risk, market.collateral_cap, market.paused),
        (PricingPolicy::FairRate, edge, 0, false)
    );
    assert_eq!(market.lt_lowered_ts, 0);
}

#[tokio::test]
async fn update_market_rejects_a_non_admin() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let stranger = mw.w.chain.keypair().await;
    let ix = m.update_market(stranger.pubkey(), PricingPolicy::FairRate, RiskParams::default(), 0, true);
    rejects(&mut mw, ix, &stranger, MarginError::NotAdmin, &[]).await;
}

#[tokio::test]
async fn update_market_rejects_each_invalid_risk_parameter() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let admin = mw.w.admin.insecure_clone();
    for (why, risk) in bad_risk_params() {
        println!("update_market: {why}");
        let ix = m.update_market(admin.pubkey(), PricingPolicy::MinOfBoth, risk, u64::MAX, false);
        rejects(&mut mw, ix, &admin, MarginError::InvalidRiskParams, &[]).await;
    }
}

#[tokio::test]
async fn lowering_the_threshold_is_limited_to_one_point_a_day_and_raising_is_free() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    let admin = mw.w.admin.insecure_clone();
    let risk = |lt_bps: u16| RiskParams { target_ltv_bps: 9_000, lt_bps, ltv_full_bps: 9_700, ..RiskParams::default() };
    let update = |m: &MarginKeys, lt_bps: u16| {
        m.update_market(admin.pubkey(), PricingPolicy::MinOfBoth, risk(lt_bps), u64::MAX, false)
    };
    // A lower target and a higher full-liquidation LTV loosen: they apply at once.
    ok(&mut mw, update(&m, 9_300), &admin).await;
    assert_eq!(mw.market().await.risk, risk(9_300));

    // 9300 → 9199 in one step: 101 bps, too fast.
    rejects(&mut mw, update(&m, 9_199), &admin, MarginError::ThresholdLoweredTooFast, &[]).await;
    // 9300 → 9200: exactly one point, queued, and stamped when it applies a day later.
    ok(&mut mw, update(&m, 9_200), &admin).await;
    assert_eq!(mw.market().await.risk.lt_bps, 9_300, "not at once");
    let now = mw.w.chain.now().await + RISK_TIMELOCK_SECS;
    mw.w.chain.warp_to(now).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.apply_market_update(), &payer).await;
    assert_eq!((mw.market().await.risk.lt_bps, mw.market().await.lt_lowered_ts), (9_200, now));
    // Raising is free, at once, and leaves the stamp alone.
    ok(&mut mw, update(&m, 9_400), &admin).await;
    assert_eq!((mw.market().await.risk.lt_bps, mw.market().await.lt_lowered_ts), (9_400, now));
    // A second lowering within the day, even by 1 bps, is refused.
    rejects(&mut mw, update(&m, 9_399), &admin, MarginError::ThresholdLoweredTooFast, &[]).await;
    mw.w.chain.warp_to(now + DAY - 1).await;
    rejects(&mut mw, update(&m, 9_399), &admin, MarginError::ThresholdLoweredTooFast, &[]).await;
    // A day later: one more point down (9400 → 9300), not 101 bps.
    mw.w.chain.warp_to(now + DAY).await;
    rejects(&mut mw, update(&m, 9_299), &admin, MarginError::ThresholdLoweredTooFast, &[]).await;
    ok(&mut mw, update(&m, 9_300), &admin).await;
    mw.w.chain.warp_to(now + DAY + RISK_TIMELOCK_SECS).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.apply_market_update(), &payer).await;
    let market = mw.market().await;
    assert_eq!((market.risk, market.lt_lowered_ts), (risk(9_300), now + DAY + RISK_TIMELOCK_SECS));
}
