//! settle_bad_debt.
use super::*;

/// Liquidates `s` entirely at the price where its 100 LRT pay all but `shortfall` of its debt
/// (underwater: no bonus); the liquidation writes the rest off at once. Returns the shortfall, which the pool's insurance and index must then show written off.
async fn liquidate_underwater(mw: &mut MarginWorld, s: SubKeys, shortfall: u64) -> u64 {
    let m = mw.m;
    let debt = debt_of(mw, s).await;
    assert_eq!(mw.sub_account(s).await.collateral, 100 * SOL);
    // 100 LRT × price = debt − shortfall, exactly.
    set_fair_rate(mw, u128::from(debt - shortfall) * 10_000_000).await;
    let liq = liquidator(mw).await;
    let ix = m.liquidate(liq.key.pubkey(), s, liq.user.wsol, liq.user.lrt, u64::MAX, 0);
    ok(mw, ix, &liq.key).await;
    assert_eq!(balance(mw, liq.user.lrt).await, 100 * SOL, "all the collateral, no bonus to share");
    assert_eq!(balance(mw, liq.user.wsol).await, 200 * SOL - (debt - shortfall));
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0), "the rest is written off in the same instruction");
    shortfall
}

#[tokio::test]
async fn a_liquidation_that_takes_the_last_collateral_writes_off_the_rest_insurance_first() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    mw.w.chain.warp_by(30 * DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    let before = mw.pool().await;
    let insurance = before.insurance;
    assert!(insurance > 50_000_000);
    let left = liquidate_underwater(&mut mw, s, insurance / 2).await;
    let after = mw.pool().await;
    assert_eq!(after.insurance, insurance - left);
    assert_eq!(after.debt_shares, 0);
    assert_eq!((after.supply_index, after.socialized, after.frozen), (before.supply_index, false, false));
    // Nothing is left to settle.
    rejects(&mut mw, m.settle_bad_debt(s), &payer, MarginError::NoDebt, &[s.sub, s.vault]).await;
}

#[tokio::test]
async fn a_liquidation_that_takes_the_last_collateral_socializes_what_insurance_cannot_pay() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    mw.w.chain.warp_by(30 * DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    let before = mw.pool_accrued_now().await;
    let insurance = before.insurance;
    let left = liquidate_underwater(&mut mw, s, insurance + 3 * SOL).await;
    let after = mw.pool().await;
    let loss = left - insurance;
    assert_eq!(after.insurance, 0);
    assert_eq!(
        after.supply_index,
        before.supply_index - mul_div_ceil(u128::from(loss), WAD, u128::from(before.supply_shares)).unwrap()
    );
    assert!(after.socialized && !after.frozen);
    // Lenders' claims fell by the loss (rounded against them) and the pool holds what they are owed.
    let claims = after.lender_claims().unwrap();
    assert!(claims <= before.lender_claims().unwrap() - loss);
    assert!(claims <= after.cash);
    let k = key(&lender);
    ok(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, after.supply_shares), &k).await;
    assert_eq!(balance(&mut mw, lender.wsol).await, claims);
}

#[tokio::test]
async fn settle_bad_debt_takes_dust_into_insurance_which_pays_its_value() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    mw.w.chain.warp_by(30 * DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    // 100 LRT at 0.0004 are worth 0.04 SOL: below the 0.05 SOL minimum debt, dust.
    set_fair_rate(&mut mw, WAD / 2_500).await;
    let before = mw.pool_accrued_now().await;
    let debt = debt_of(&mut mw, s).await;
    let value = 40_000_000;
    ok(&mut mw, m.settle_bad_debt(s), &payer).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
    assert_eq!(balance(&mut mw, m.insurance_vault).await, 100 * SOL, "the dust goes to insurance");
    assert_eq!(balance(&mut mw, s.vault).await, 0);
    assert_eq!(mw.market().await.collateral_total, 0);
    let after = mw.pool().await;
    // The insurance pays the dust's value and covers what it can of the rest; lenders take the loss.
    assert!(before.insurance >= value);
    assert_eq!(after.insurance, 0);
    assert!(after.socialized);
    let loss = debt - before.insurance;
    assert_eq!(
        after.supply_index,
        before.supply_index - mul_div_ceil(u128::from(loss), WAD, u128::from(before.supply_shares)).unwrap()
    );
}

#[tokio::test]
async fn settle_bad_debt_rejects_solvent_positions_remainders_worth_liquidating_and_no_debt() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let (_, empty) = mw.trader(0).await;
    let payer = mw.w.chain.payer();
    let watch = [s.sub, s.vault, empty.sub, m.insurance_vault];
    rejects(&mut mw, m.settle_bad_debt(s), &payer, MarginError::CollateralRemains, &watch).await;
    // Under water but the 100 LRT are worth 40 SOL, more than dust and than the insurance holds: a
    // liquidation takes them (and then writes the rest off).
    set_fair_rate(&mut mw, WAD * 4 / 10).await;
    rejects(&mut mw, m.settle_bad_debt(s), &payer, MarginError::CollateralRemains, &watch).await;
    rejects(&mut mw, m.settle_bad_debt(empty), &payer, MarginError::NoDebt, &watch).await;
}

#[tokio::test]
async fn a_loss_beyond_the_lenders_funds_freezes_the_pool() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    let (_, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let (saver, t) = mw.trader(20 * SOL).await;
    // The lender takes the cash not lent out (10 SOL): 90 SOL of claims are left, all lent.
    let k = key(&lender);
    ok(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, 10 * SOL), &k).await;
    // At 0.0001 the 100 LRT are worth 0.01 SOL (dust): the whole 90 SOL debt is lost.
    set_fair_rate(&mut mw, WAD / 10_000).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.settle_bad_debt(s), &payer).await;
    let pool = mw.pool().await;
    assert!(pool.frozen && pool.socialized);
    assert_eq!((pool.supply_index, pool.debt_shares, pool.insurance), (0, 0, 0));

    // Only repayments remain possible: supply, withdrawals, borrowing and leverage are refused.
    let watch = [lender.wsol, margin_ops::lender(&m.pool, &k.pubkey()), t.sub, t.vault, saver.wsol];
    rejects(&mut mw, m.supply(k.pubkey(), lender.wsol, SOL), &k, MarginError::PoolFrozen, &watch).await;
    rejects(&mut mw, m.withdraw_supply(k.pubkey(), lender.wsol, SOL), &k, MarginError::PoolFrozen, &watch).await;
    let sk = key(&saver);
    let ix = m.leverage_up(sk.pubkey(), t, saver.wsol, SOL, SOL, 0);
    rejects(&mut mw, ix, &sk, MarginError::PoolFrozen, &watch).await;
    mw.w.deposit(&saver, 5 * SOL).await;
    let collateral = balance(&mut mw, saver.lrt).await;
    ok(&mut mw, m.deposit_collateral(sk.pubkey(), t, saver.lrt, collateral), &sk).await;
    rejects(&mut mw, m.borrow(sk.pubkey(), t, saver.wsol, SOL), &sk, MarginError::PoolFrozen, &watch).await;
}

#[tokio::test]
async fn repay_still_works_on_a_frozen_pool() {
    // Freezing requires every other debt to be gone (lenders' claims equal cash plus debts), so the
    // flag is set directly here on a pool that still has a borrower.
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let mut account = mw.w.chain.account(m.pool).await.unwrap();
    let mut pool = LendingPool::try_deserialize(&mut account.data.as_slice()).unwrap();
    pool.frozen = true;
    let mut data = Vec::new();
    pool.try_serialize(&mut data).unwrap();
    account.data[..data.len()].copy_from_slice(&data);
    mw.w.chain.ctx.set_account(&m.pool, &account.into());
    let k = key(&user);
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, SOL), &k, MarginError::PoolFrozen, &[s.sub, user.wsol]).await;
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, u64::MAX), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 0);
}
