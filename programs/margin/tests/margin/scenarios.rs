//! The protocol's headline stories, end to end.
use lantern_test_support::solana_sdk::signature::Signer;
use lantern_test_support::world::*;
use margin::state::PricingPolicy;

#[tokio::test]
async fn leverage_then_a_sustained_depeg_liquidates_partially_to_the_target() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    mw.lender(1_000 * SOL).await;
    let (trader, s) = mw.trader(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    // 10 SOL of equity and 89.5 borrowed: 99.5 LRT of collateral, opening LTV 89.95%.
    mw.leverage_up(&trader, s, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
    let sub = mw.sub_account(s).await;
    assert_eq!(sub.collateral, 99_500_000_000);

    // The LRT trades 4% below its fair rate for five hours: the EMA follows, the position is liquidatable.
    for _ in 0..10 {
        mw.w.chain.warp_by(1_800).await;
        mw.fresh_prices(WAD * 96 / 100).await;
    }
    let liquidator = mw.w.user(200 * SOL).await;
    let signer = liquidator.key.insecure_clone();
    let liquidate = mw.m.liquidate(signer.pubkey(), s, liquidator.wsol, liquidator.lrt, u64::MAX, 0);
    mw.w.chain.send_ok(&[liquidate], &[&signer]).await;
    let after = mw.sub_account(s).await;
    assert!(after.collateral < sub.collateral && after.debt_shares < sub.debt_shares);
    assert!(mw.w.chain.token_balance(liquidator.lrt).await > 0);
}
