//! pause.
use super::*;

#[tokio::test]
async fn pause_blocks_risk_increases_only() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    mw.w.deposit(&user, SOL).await;
    let k = key(&user);
    pause(&mut mw, true).await;
    let watch = [s.sub, s.vault, user.wsol, user.lrt];
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, SOL), &k, MarginError::MarketPaused, &watch).await;
    rejects(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, SOL), &k, MarginError::MarketPaused, &watch).await;
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, SOL, SOL, 0);
    rejects(&mut mw, ix, &k, MarginError::MarketPaused, &watch).await;

    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 10 * SOL), &k).await;
    ok(&mut mw, m.deposit_collateral(k.pubkey(), s, user.lrt, SOL), &k).await;
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, SOL, 0), &k).await;
    // 40 − 0.997 SOL of debt against 100 LRT: liquidatable at 0.4.
    set_fair_rate(&mut mw, WAD * 4 / 10).await;
    let liq = liquidator(&mut mw).await;
    ok(&mut mw, m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0), &liq.key).await;
    assert!(balance(&mut mw, liq.user.lrt).await > 0);

    set_fair_rate(&mut mw, WAD).await;
    pause(&mut mw, false).await;
    let (other, t) = collateralized(&mut mw, 10 * SOL).await;
    let o = key(&other);
    ok(&mut mw, m.borrow(o.pubkey(), t, other.wsol, SOL), &o).await;
}
