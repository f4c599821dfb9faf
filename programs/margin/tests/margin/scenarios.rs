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
    mw.sustain_price(WAD * 96 / 100, 10, 1_800).await;
    let liquidator = mw.w.user(200 * SOL).await;
    let signer = liquidator.key.insecure_clone();
    let liquidate = mw.m.liquidate(signer.pubkey(), s, liquidator.wsol, liquidator.lrt, u64::MAX, 0);
    mw.w.chain.send_ok(&[liquidate], &[&signer]).await;
    let after = mw.sub_account(s).await;
    assert!(after.collateral < sub.collateral && after.debt_shares < sub.debt_shares);
    assert!(mw.w.chain.token_balance(liquidator.lrt).await > 0);
}

mod crashes {
    //! Leverage, a depeg, a slashing crash: partial liquidation to the target, bad debt shared by
    //! insurance then lenders, and a loss beyond the lenders' funds that freezes the pool.
    use lantern_math::{mul_div_floor, BPS};
    use lantern_test_support::margin_ops::SubKeys;
    use lantern_test_support::solana_sdk::signature::Signer;
    use lantern_test_support::world::*;
    use margin::errors::MarginError;
    use margin::math::{health, shares};
    use margin::state::{LenderPosition, PoolParams, PricingPolicy};

    /// LTV in parts per billion (debt over value), for readable bounds.
    fn ltv_ppb(debt: u64, value: u64) -> u128 {
        u128::from(debt) * 1_000_000_000 / u128::from(value)
    }

    async fn lender_claim(mw: &mut MarginWorld, lender: &User) -> u64 {
        let position: LenderPosition =
            mw.w.chain.anchor_account(lantern_test_support::margin_ops::lender(&mw.m.pool, &lender.key.pubkey())).await;
        let pool = mw.pool().await;
        shares::supply_amount(position.shares, pool.supply_index).unwrap()
    }

    async fn lender_shares(mw: &mut MarginWorld, lender: &User) -> u64 {
        let position: LenderPosition =
            mw.w.chain.anchor_account(lantern_test_support::margin_ops::lender(&mw.m.pool, &lender.key.pubkey())).await;
        position.shares
    }

    async fn liquidate(mw: &mut MarginWorld, s: SubKeys, liquidator: &User) {
        let signer = liquidator.key.insecure_clone();
        let ix = mw.m.liquidate(signer.pubkey(), s, liquidator.wsol, liquidator.lrt, u64::MAX, 0);
        mw.w.chain.send_ok(&[ix], &[&signer]).await;
    }

    #[tokio::test]
    async fn leverage_9_5x_then_a_4pct_sustained_depeg_liquidates_exactly_to_the_target_ltv() {
        let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
        mw.lender(1_000 * SOL).await;
        let (trader, s) = mw.trader(20 * SOL).await;
        mw.fresh_prices(WAD).await;
        // 10.5 SOL of equity, 89 borrowed: 99.5 LRT, 9.48× leverage, opening LTV 89.45%.
        mw.leverage_up(&trader, s, 10_500_000_000, 89 * SOL).await.expect("leverage_up");
        assert_eq!(mw.sub_account(s).await.collateral, 99_500_000_000);

        // Twelve hours 4% below the fair rate: the EMA converges on 0.96, the LTV reaches ~93.2%.
        mw.sustain_price(WAD * 96 / 100, 24, 1_800).await;
        let maint = mw.prices_now().await.unwrap().maint;
        assert!((WAD * 96 / 100..WAD * 9601 / 10_000).contains(&maint), "maintenance price {maint}");
        let risk = mw.market().await.risk;
        let before = mw.sub_account(s).await;
        let pool_before = mw.pool_accrued_now().await;
        let debt_before = before.debt(&pool_before).unwrap();
        let value_before = health::value(before.collateral, maint).unwrap();
        let ltv_before = ltv_ppb(debt_before, value_before);
        assert!((930_000_000..934_000_000).contains(&ltv_before), "LTV before {ltv_before} ppb");

        let plan = mw.liquidation_plan_now(s, u64::MAX).await.expect("liquidatable");
        assert!(!plan.full);
        assert_eq!(plan.bonus_wad, WAD / 200, "LTV − LT < 0.5%: the minimum bonus");
        // The target, not the close factor, bounds this liquidation.
        assert!(u128::from(plan.repay) * BPS < u128::from(debt_before) * u128::from(risk.close_factor_bps));
        // 20% of the bonus part of the seized LRT (seize × b/(1+b)) goes to insurance, rounded up.
        let bonus_part = |seize: u64| {
            lantern_math::mul_div_ceil(
                u128::from(seize),
                plan.bonus_wad * u128::from(risk.insurance_share_bps),
                (WAD + plan.bonus_wad) * BPS,
            )
            .unwrap()
        };
        assert_eq!(u128::from(plan.to_insurance), bonus_part(plan.seize));
        assert_eq!(u128::from(plan.seize), mul_div_floor(u128::from(plan.repay), WAD + plan.bonus_wad, maint).unwrap());

        let liquidator = mw.w.user(100 * SOL).await;
        let vault_before = mw.w.chain.token_balance(mw.m.vault).await;
        liquidate(&mut mw, s, &liquidator).await;

        // Exactly the plan moved: SOL from the liquidator to the pool, LRT to the liquidator and insurance.
        assert_eq!(mw.w.chain.token_balance(liquidator.wsol).await, 100 * SOL - plan.repay);
        assert_eq!(mw.w.chain.token_balance(liquidator.lrt).await, plan.seize - plan.to_insurance);
        assert_eq!(mw.w.chain.token_balance(mw.m.insurance_vault).await, plan.to_insurance);
        assert_eq!(mw.w.chain.token_balance(mw.m.vault).await, vault_before + plan.repay);
        assert_eq!(mw.pool().await.cash, pool_before.cash + plan.repay);
        let after = mw.sub_account(s).await;
        assert_eq!(after.collateral, before.collateral - plan.seize);
        assert_eq!(mw.w.chain.token_balance(s.vault).await, after.collateral);

        // Landed at the target LTV (92%) at the maintenance price, within rounding; strictly lower.
        let debt_after = after.debt(&mw.pool().await).unwrap();
        assert!(debt_after >= debt_before - plan.repay, "the repayment burns no more debt than it pays");
        let value_after = health::value(after.collateral, maint).unwrap();
        let ltv_after = ltv_ppb(debt_after, value_after);
        assert!((919_999_000..=920_001_000).contains(&ltv_after), "LTV after {ltv_after} ppb");
        assert!(health::ltv_lower(debt_after, value_after, debt_before, value_before));
        // Healthy again: a second liquidation is refused.
        let signer = liquidator.key.insecure_clone();
        let again = mw.m.liquidate(signer.pubkey(), s, liquidator.wsol, liquidator.lrt, u64::MAX, 0);
        mw.w.chain
            .send_err(&[again], &[&signer], MarginError::NotLiquidatable, &[mw.m.pool, mw.m.market, s.sub, s.vault])
            .await;
    }

    #[tokio::test]
    async fn a_15pct_slashing_reaches_bad_debt_insurance_pays_first_then_lenders_pro_rata() {
        let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
        let (l1, l2) = (mw.lender(60 * SOL).await, mw.lender(40 * SOL).await);
        let (trader, s) = mw.trader(20 * SOL).await;
        mw.fresh_prices(WAD).await;
        mw.leverage_up(&trader, s, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
        // Two months at 89.5% utilisation (~6.85%/yr): the reserve factor builds some insurance.
        mw.w.chain.warp_by(60 * 86_400).await;
        mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
        let insurance_built = mw.pool().await.insurance;
        assert!(insurance_built > SOL / 20, "insurance {insurance_built}");

        // A 15% slashing, confirmed by the guardian: the position is under water (LTV ≈ 107%).
        mw.report_confirmed(WAD * 85 / 100).await.expect("slashing");
        assert_eq!(mw.prices_now().await.unwrap().maint, WAD * 85 / 100);
        let before = mw.sub_account(s).await;
        let plan = mw.liquidation_plan_now(s, u64::MAX).await.expect("liquidatable");
        assert!(plan.full);
        assert_eq!(
            (plan.bonus_wad, plan.to_insurance, plan.seize),
            (0, 0, before.collateral),
            "under water: all collateral, no bonus"
        );
        let liquidator = mw.w.user(200 * SOL).await;
        mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
        let pool = mw.pool().await;
        let bad_debt = before.debt(&pool).unwrap() - plan.repay;
        assert!(bad_debt > pool.insurance && pool.insurance >= insurance_built);
        let (c1, c2) = (lender_claim(&mut mw, &l1).await, lender_claim(&mut mw, &l2).await);
        liquidate(&mut mw, s, &liquidator).await;
        let after = mw.sub_account(s).await;
        assert_eq!((after.collateral, after.debt_shares), (0, 0), "the rest is written off at once");
        assert_eq!(mw.w.chain.token_balance(s.vault).await, 0);
        assert_eq!(mw.w.chain.token_balance(liquidator.lrt).await, before.collateral);
        assert_eq!(mw.w.chain.token_balance(liquidator.wsol).await, 200 * SOL - plan.repay);

        // The write-off: the insurance pays first, the rest lowers the supply index pro rata.
        let settled = mw.pool().await;
        assert_eq!(settled.insurance, 0, "the insurance is used up first");
        let loss = bad_debt - pool.insurance;
        assert_eq!(settled.supply_index, pool.supply_index - shares::index_cut(loss, pool.supply_shares).unwrap());
        assert!(settled.socialized && !settled.frozen);
        assert_eq!(settled.debt_shares, 0);
        let (a1, a2) = (lender_claim(&mut mw, &l1).await, lender_claim(&mut mw, &l2).await);
        // Together the lenders absorb the loss (within a lamport each) …
        let absorbed = (c1 + c2) - (a1 + a2);
        assert!(absorbed + 2 >= loss && absorbed <= loss + 2, "absorbed {absorbed}, loss {loss}");
        // … in proportion: both lose the same fraction (cross-multiplied, within rounding).
        let (f1, f2) = (u128::from(a1) * u128::from(c2), u128::from(a2) * u128::from(c1));
        assert!(f1.abs_diff(f2) <= u128::from(c1 + c2), "fractions kept: {a1}/{c1} vs {a2}/{c2}");
        // The pool still balances: cash + debt ≥ claims + insurance, and the vault holds the cash.
        assert!(
            u128::from(settled.cash) + u128::from(settled.total_debt().unwrap())
                >= u128::from(settled.lender_claims().unwrap()) + u128::from(settled.insurance)
        );
        assert_eq!(mw.w.chain.token_balance(mw.m.vault).await, settled.cash);
        // Lenders withdraw what is left of their claims.
        let shares2 = lender_shares(&mut mw, &l2).await;
        let wsol_before = mw.w.chain.token_balance(l2.wsol).await;
        let signer = l2.key.insecure_clone();
        mw.w.chain.send_ok(&[mw.m.withdraw_supply(signer.pubkey(), l2.wsol, shares2)], &[&signer]).await;
        assert_eq!(mw.w.chain.token_balance(l2.wsol).await - wsol_before, a2);
    }

    /// A share count (at most `max_shares`) that redeems for exactly `amount` at `supply_index`, if any.
    fn shares_for_exactly(amount: u64, supply_index: u128, max_shares: u64) -> Option<u64> {
        let guess = u64::try_from(lantern_math::mul_div_ceil(u128::from(amount), WAD, supply_index)?).ok()?;
        (guess.saturating_sub(2)..=guess + 2)
            .filter(|&s| s <= max_shares)
            .find(|&s| shares::supply_amount(s, supply_index) == Ok(amount))
    }

    #[tokio::test]
    async fn lenders_cannot_run_ahead_of_a_loss_the_liquidation_writes_it_off_at_once() {
        let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
        // No reserve factor: every lamport of interest is the lenders', none is held as insurance.
        let admin = mw.w.admin.insecure_clone();
        let params = PoolParams { reserve_factor_bps: 0, ..PoolParams::default() };
        mw.w.chain.send_ok(&[mw.m.update_pool(admin.pubkey(), params)], &[&admin]).await;
        let lender = mw.lender(100 * SOL).await;
        let (trader, s) = mw.trader(20 * SOL).await;
        mw.fresh_prices(WAD).await;
        mw.leverage_up(&trader, s, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
        let lender_signer = lender.key.insecure_clone();

        // The lenders run: they take all the cash the pool has.
        let withdraw_all = |mw: &mut MarginWorld, pool: margin::state::LendingPool, shares_held: u64| {
            let available = pool.available_cash();
            let shares = shares_for_exactly(available, pool.supply_index, shares_held).expect("an exact share count");
            mw.m.withdraw_supply(lender_signer.pubkey(), lender.wsol, shares)
        };
        let pool = mw.pool_accrued_now().await;
        let held = lender_shares(&mut mw, &lender).await;
        let ix = withdraw_all(&mut mw, pool, held);
        mw.w.chain.send_ok(&[ix], &[&lender_signer]).await;
        assert_eq!(mw.pool().await.cash, 0);

        // A 15% slashing puts the position under water. The liquidation that takes its collateral
        // writes the loss off in the same instruction: no lender can withdraw at the un-cut index.
        mw.report_confirmed(WAD * 85 / 100).await.expect("slashing");
        let liquidator = mw.w.user(200 * SOL).await;
        let (mut pool, before) = (mw.pool().await, mw.sub_account(s).await);
        let plan = mw.liquidation_plan_now(s, u64::MAX).await.expect("liquidatable");
        liquidate(&mut mw, s, &liquidator).await;
        let sub = mw.sub_account(s).await;
        assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
        let settled = mw.pool().await;
        // The pool as the liquidation saw it, accrued to its timestamp.
        pool.accrue(settled.last_accrual_ts).unwrap();
        let bad_debt = before.debt(&pool).unwrap();
        assert!(settled.socialized && !settled.frozen);
        // The debt left after the repayment (its shares burned rounded down, so up to a lamport more
        // than the difference) is the loss.
        let burned = shares::debt_shares_repaid(plan.repay, pool.borrow_index).unwrap();
        let loss = shares::debt_amount(before.debt_shares - burned, pool.borrow_index).unwrap();
        assert!((bad_debt - plan.repay..=bad_debt - plan.repay + 1).contains(&loss));
        assert_eq!(settled.supply_index, pool.supply_index - shares::index_cut(loss, pool.supply_shares).unwrap());
        // What the lenders can still claim is cut, and cash plus debts back it.
        let claims = settled.lender_claims().unwrap();
        assert!(claims <= pool.lender_claims().unwrap() - loss);
        assert!(u128::from(settled.cash) + u128::from(settled.total_debt().unwrap()) >= u128::from(claims));
    }
}
