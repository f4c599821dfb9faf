//! liquidate.
use super::*;

#[tokio::test]
async fn liquidate_repays_toward_the_target_and_seizes_with_a_bonus() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let liq = liquidator(&mut mw).await;
    // At 0.96 the LTV is 93.75%: bonus 0.75% (LTV − LT), the close factor (18 SOL) binds before
    // the target (22.98 SOL); seized 18 × 1.0075 / 0.96 = 18.890625 LRT, of which 20% of the bonus
    // part (0.028125 LRT) goes to insurance.
    let price = WAD * 96 / 100;
    set_fair_rate(&mut mw, price).await;
    let risk = mw.market().await.risk;
    let plan = liquidation::plan(90 * SOL, 100 * SOL, price, &risk, u64::MAX).unwrap();
    assert_eq!(
        plan,
        liquidation::Plan {
            repay: 18 * SOL,
            seize: 18_890_625_000,
            to_insurance: 28_125_000,
            bonus_wad: WAD * 75 / 10_000,
            full: false
        }
    );
    let pool_before = mw.pool().await;
    let vault_before = balance(&mut mw, m.vault).await;
    let ix = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 18_862_500_000);
    ok(&mut mw, ix, &liq.key).await;

    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (100 * SOL - 18_890_625_000, 72 * SOL));
    assert_eq!(balance(&mut mw, s.vault).await, 81_109_375_000);
    assert_eq!(balance(&mut mw, liq.user.lrt).await, 18_862_500_000);
    assert_eq!(balance(&mut mw, m.insurance_vault).await, 28_125_000);
    assert_eq!(balance(&mut mw, liq.user.wsol).await, 182 * SOL);
    assert_eq!(balance(&mut mw, m.vault).await, vault_before + 18 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (pool_before.cash + 18 * SOL, pool_before.debt_shares - 18 * SOL));
    assert_eq!(mw.market().await.collateral_total, 81_109_375_000);
    // 72 / (81.109375 × 0.96) = 92.47%: below the threshold again, and the LTV fell.
    assert!(!health::is_liquidatable(72 * SOL, sub.collateral, price, risk.lt_bps).unwrap());
    assert!(health::ltv_lower(72 * SOL, health::value(sub.collateral, price).unwrap(), 90 * SOL, 96 * SOL));
    let ix = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    rejects(&mut mw, ix, &liq.key, MarginError::NotLiquidatable, &[s.sub, s.vault, liq.user.wsol, liq.user.lrt]).await;
}

#[tokio::test]
async fn liquidate_repays_the_whole_debt_from_the_full_liquidation_ltv() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let liq = liquidator(&mut mw).await;
    // At 0.93 the LTV is 96.77% ≥ 96%: the whole debt goes, at the maximum bonus of 2%.
    let price = WAD * 93 / 100;
    set_fair_rate(&mut mw, price).await;
    let plan = liquidation::plan(90 * SOL, 100 * SOL, price, &RiskParams::default(), u64::MAX).unwrap();
    assert!(plan.full);
    assert_eq!((plan.repay, plan.bonus_wad), (90 * SOL, WAD * 2 / 100));
    assert_eq!(plan.seize, 98_709_677_419, "90 × 1.02 / 0.93, rounded down");
    assert_eq!(plan.to_insurance, 387_096_775, "20% of the 2% bonus part, rounded up (for the protocol)");
    let ix = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    ok(&mut mw, ix, &liq.key).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (100 * SOL - plan.seize, 0));
    assert_eq!(balance(&mut mw, liq.user.lrt).await, plan.seize - plan.to_insurance);
    assert_eq!(balance(&mut mw, m.insurance_vault).await, plan.to_insurance);
    assert_eq!(balance(&mut mw, liq.user.wsol).await, 110 * SOL);
    assert_eq!(mw.pool().await.debt_shares, 0);
    assert_eq!(mw.market().await.collateral_total, 100 * SOL - plan.seize);
}

#[tokio::test]
async fn liquidate_rejects_positions_at_or_below_the_threshold() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 83_700_000_000).await;
    let liq = liquidator(&mut mw).await;
    let watch = [s.sub, s.vault, liq.user.wsol, liq.user.lrt];
    let liquidate = |m: &MarginKeys| m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    rejects(&mut mw, liquidate(&m), &liq.key, MarginError::NotLiquidatable, &watch).await;
    // At 0.9 the debt is exactly 93% of the value: still not liquidatable (the threshold is strict).
    set_fair_rate(&mut mw, WAD * 9 / 10).await;
    rejects(&mut mw, liquidate(&m), &liq.key, MarginError::NotLiquidatable, &watch).await;
    // One WAD unit lower, it is.
    set_fair_rate(&mut mw, WAD * 9 / 10 - 1).await;
    ok(&mut mw, liquidate(&m), &liq.key).await;
    assert!(mw.sub_account(s).await.debt_shares < 83_700_000_000);
}

#[tokio::test]
async fn liquidate_rejects_zero_and_slippage_and_honours_max_repay() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let liq = liquidator(&mut mw).await;
    set_fair_rate(&mut mw, WAD * 96 / 100).await;
    let watch = [s.sub, s.vault, liq.user.wsol, liq.user.lrt];
    let liquidate = |m: &MarginKeys, max_repay: u64, min_out: u64| {
        m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, max_repay, min_out)
    };
    rejects(&mut mw, liquidate(&m, 0, 0), &liq.key, MarginError::ZeroAmount, &watch).await;
    rejects(&mut mw, liquidate(&m, u64::MAX, 18_862_500_001), &liq.key, MarginError::SlippageExceeded, &watch).await;
    // A liquidator may repay less: 5 SOL seize 5 × 1.0075 / 0.96 = 5.247395833 LRT.
    ok(&mut mw, liquidate(&m, 5 * SOL, 0), &liq.key).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (100 * SOL - 5_247_395_833, 85 * SOL));
    assert_eq!(balance(&mut mw, liq.user.wsol).await, 195 * SOL);
}

#[tokio::test]
async fn liquidate_goes_on_while_paused_and_with_a_stale_feed() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let liq = liquidator(&mut mw).await;
    pause(&mut mw, true).await;
    warp_past_feed_age(&mut mw, 1).await;
    // Without fresh market prices, MinOfBoth maintains at the fair rate.
    set_fair_rate(&mut mw, WAD * 96 / 100).await;
    let ix = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    ok(&mut mw, ix, &liq.key).await;
    let sub = mw.sub_account(s).await;
    assert!(sub.collateral < 100 * SOL && sub.debt_shares < 90 * SOL);
}

#[tokio::test]
async fn under_the_market_policy_liquidation_and_deleverage_need_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::Market).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let liq = liquidator(&mut mw).await;
    // The LRT trades at 0.9: with the EMA seeded at 1 it takes a while to follow.
    mw.sustain_price(WAD * 9 / 10, 12, 1_800).await;
    let watch = [s.sub, s.vault, user.wsol, liq.user.wsol, liq.user.lrt];
    mw.w.chain.warp_by(61).await;
    let liquidate = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    rejects(&mut mw, liquidate.clone(), &liq.key, MarginError::MarketPriceUnavailable, &watch).await;
    let k = key(&user);
    let deleverage = m.deleverage(k.pubkey(), s, user.wsol, SOL, 0);
    rejects(&mut mw, deleverage.clone(), &k, MarginError::MarketPriceUnavailable, &watch).await;
    // With a fresh round both go through (the maintenance price is the EMA, about 0.9).
    mw.fresh_prices(WAD * 9 / 10).await;
    ok(&mut mw, deleverage, &k).await;
    ok(&mut mw, liquidate, &liq.key).await;
    assert!(balance(&mut mw, liq.user.lrt).await > 0);
}
