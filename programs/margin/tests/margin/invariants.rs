//! The margin invariants of DESIGN.md §3, example by example on the real runtime:
//! - every risk-increasing instruction ends within `LTV_init` at the opening price — exactly at the
//!   edge: the largest allowed amount passes, one lamport more is refused;
//! - liquidation only when unhealthy; the LTV strictly falls; at most the collateral is seized;
//! - liquidating one sub-account leaves the owner's other sub-account and other owners' byte for byte;
//! - Σ debt shares = the pool's, the vault holds the pool's cash, cash + debt ≥ claims + insurance;
//! - the indexes never fall (the supply index only at bad-debt settlement); accruing twice at one
//!   timestamp changes nothing;
//! - rounding never favours the user.
use lantern_test_support::margin_ops::SubKeys;
use lantern_test_support::oracle_ops;
use lantern_test_support::solana_sdk::signature::Signer;
use lantern_test_support::world::*;
use margin::errors::MarginError;
use margin::math::{health, shares};
use margin::state::{LenderPosition, PricingPolicy};

const LTV_INIT_BPS: u16 = 9_000;

/// A trader whose sub-account 0 holds `collateral` LRT (bought at rate 1), with `wsol` SOL besides.
async fn collateralised(mw: &mut MarginWorld, collateral: u64, wsol: u64) -> (User, SubKeys) {
    let (trader, s) = mw.trader(collateral + wsol).await;
    deposit_lrt(mw, &trader, s, collateral).await;
    (trader, s)
}

/// Buys `lrt` LRT at the fair rate (1) and deposits it into `s`.
async fn deposit_lrt(mw: &mut MarginWorld, trader: &User, s: SubKeys, lrt: u64) {
    let minted = mw.w.deposit(trader, lrt).await;
    let signer = trader.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(signer.pubkey(), s, trader.lrt, minted)], &[&signer]).await;
}

/// One second later, five members observe `prices` (a spread: the confidence band is not zero).
async fn price_round(mw: &mut MarginWorld, prices: [u128; 5]) {
    mw.w.chain.warp_by(1).await;
    let now = mw.w.chain.now().await;
    for (member, price) in mw.w.members[..5].iter().zip(prices) {
        let signer = member.signer.insecure_clone();
        let submit = oracle_ops::submit_price(mw.w.committee, mw.w.keys.feed, signer.pubkey(), price, now);
        mw.w.chain.send_ok(&[submit], &[&signer]).await;
    }
}

/// The largest `x` in `lo..=hi` with `ok(x)`, for `ok` true up to some point and false after.
fn largest(lo: u64, hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
    assert!(ok(lo) && !ok(hi), "the edge lies inside {lo}..={hi}");
    let (mut good, mut bad) = (lo, hi);
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if ok(mid) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    good
}

/// The sub-account ends within `LTV_init` at the risk-increase price now.
async fn assert_within_init(mw: &mut MarginWorld, s: SubKeys) {
    let pool = mw.pool().await;
    let sub = mw.sub_account(s).await;
    let init = mw.prices_now().await.unwrap().init.expect("opening price");
    let debt = sub.debt(&pool).unwrap();
    assert!(
        health::within_ltv(debt, sub.collateral, init, LTV_INIT_BPS).unwrap(),
        "debt {debt} above LTV_init of {} LRT at {init}",
        sub.collateral
    );
}

#[tokio::test]
async fn every_risk_increasing_instruction_ends_within_ltv_init_exactly_at_the_edge() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(1_000 * SOL).await;
    // Another borrower and ten days of interest: a borrow index that is not a round number.
    let (other, os) = collateralised(&mut mw, 300 * SOL, 0).await;
    mw.fresh_prices(WAD).await;
    let other_signer = other.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.borrow(other_signer.pubkey(), os, other.wsol, 250 * SOL)], &[&other_signer]).await;
    mw.w.chain.warp_by(10 * 86_400).await;
    mw.w.refresh().await;
    let (trader, s) = collateralised(&mut mw, 20 * SOL, 30 * SOL).await;
    // A spread of market prices: median 0.995, the robust low (the lower median) too, so opening uses
    // 0.995 (the EMA of the low, seeded at 1, has only moved one round toward it).
    price_round(&mut mw, [WAD * 985 / 1000, WAD * 990 / 1000, WAD * 995 / 1000, WAD, WAD * 1005 / 1000]).await;
    let init = mw.prices_now().await.unwrap().init.unwrap();
    assert_eq!(init, WAD * 995 / 1000, "opening price {init}");
    let signer = trader.key.insecure_clone();
    let w = margin_watched(&mw, s, &trader);
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    let pool = mw.pool().await;
    assert!(pool.borrow_index > WAD);
    let risk = mw.market().await.risk;

    // borrow: the largest amount that stays within LTV_init passes, one lamport more does not.
    let sub = mw.sub_account(s).await;
    let within_after_borrow = |b: u64| {
        let debt = shares::debt_amount(
            sub.debt_shares + shares::debt_shares_for_borrow(b, pool.borrow_index).unwrap(),
            pool.borrow_index,
        )
        .unwrap();
        health::within_ltv(debt, sub.collateral, init, LTV_INIT_BPS).unwrap()
    };
    let max_borrow = largest(risk.min_debt, sub.collateral, within_after_borrow);
    let over = mw.m.borrow(signer.pubkey(), s, trader.wsol, max_borrow + 1);
    mw.w.chain.send_err(&[over], &[&signer], MarginError::Unhealthy, &w).await;
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, max_borrow)], &[&signer]).await;
    assert_within_init(&mut mw, s).await;
    assert!(max_borrow > 17 * SOL, "about 90% of 20 LRT at 0.985: {max_borrow}");

    // withdraw_collateral, after adding 5 LRT.
    deposit_lrt(&mut mw, &trader, s, 5 * SOL).await;
    let sub = mw.sub_account(s).await;
    let debt = sub.debt(&pool).unwrap();
    let max_withdraw =
        largest(1, sub.collateral, |w| health::within_ltv(debt, sub.collateral - w, init, LTV_INIT_BPS).unwrap());
    let over = mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, max_withdraw + 1);
    mw.w.chain.send_err(&[over], &[&signer], MarginError::Unhealthy, &w).await;
    mw.w.chain.send_ok(&[mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, max_withdraw)], &[&signer]).await;
    assert_within_init(&mut mw, s).await;

    // leverage_up with 2 SOL of equity: the LRT is minted at the fair rate, valued at the opening price.
    let fair = mw.w.feed().await.fair_rate;
    let sub = mw.sub_account(s).await;
    let equity = 2 * SOL;
    let within_after_leverage = |b: u64| {
        let minted = u64::try_from(lantern_math::mul_div_floor(u128::from(equity + b), WAD, fair).unwrap()).unwrap();
        let debt = shares::debt_amount(
            sub.debt_shares + shares::debt_shares_for_borrow(b, pool.borrow_index).unwrap(),
            pool.borrow_index,
        )
        .unwrap();
        health::within_ltv(debt, sub.collateral + minted, init, LTV_INIT_BPS).unwrap()
    };
    let max_leverage = largest(1, 100 * SOL, within_after_leverage);
    let over = mw.m.leverage_up(signer.pubkey(), s, trader.wsol, equity, max_leverage + 1, 0);
    mw.w.chain.send_err(&[over], &[&signer], MarginError::Unhealthy, &w).await;
    mw.w.chain.send_ok(&[mw.m.leverage_up(signer.pubkey(), s, trader.wsol, equity, max_leverage, 0)], &[&signer]).await;
    assert_within_init(&mut mw, s).await;
    assert!(max_leverage > 10 * SOL, "{max_leverage}");

    // Ordinary amounts later, with interest and a new price: each success ends within LTV_init.
    mw.w.chain.send_ok(&[mw.m.repay(signer.pubkey(), s, trader.wsol, 5 * SOL)], &[&signer]).await;
    mw.w.chain.warp_by(3_600).await;
    mw.fresh_prices(WAD * 99 / 100).await;
    let attempts = [
        mw.m.borrow(signer.pubkey(), s, trader.wsol, SOL),
        mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, SOL),
        mw.m.leverage_up(signer.pubkey(), s, trader.wsol, SOL, 3 * SOL, 0),
        mw.m.borrow(signer.pubkey(), s, trader.wsol, 2 * SOL),
        mw.m.withdraw_collateral(signer.pubkey(), s, trader.lrt, 3 * SOL),
    ];
    let mut passed = 0;
    for ix in attempts {
        match mw.w.chain.send(&[ix], &[&signer]).await {
            Ok(()) => {
                passed += 1;
                assert_within_init(&mut mw, s).await;
            }
            Err(err) => {
                assert_eq!(lantern_test_support::custom_error(&err), Some(MarginError::Unhealthy.into()), "{err:?}")
            }
        }
    }
    assert!(passed >= 2, "{passed} passed");
    mw.assert_pool_invariants(&[s, os], &[lender.key.pubkey()]).await;
}

#[tokio::test]
async fn liquidation_only_when_unhealthy_the_ltv_strictly_falls_and_at_most_the_collateral_is_seized() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(1_000 * SOL).await;
    let (trader, s) = mw.trader(20 * SOL).await;
    mw.fresh_prices(WAD).await;
    mw.leverage_up(&trader, s, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
    // A second position, left alone until the end.
    let (late, ls) = mw.trader(20 * SOL).await;
    mw.leverage_up(&late, ls, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
    let liq = mw.w.user(500 * SOL).await;
    let liq_signer = liq.key.insecure_clone();
    let w = margin_watched(&mw, s, &liq);
    let (mut liquidations, mut refusals) = (0, 0);

    // The LRT slides, level by level, each held for three hours; at every level a liquidator repays
    // at most 4 SOL at a time until the position is no longer liquidatable.
    'levels: for pct in [99u128, 98, 97, 96, 95, 94, 93, 92, 90, 88, 85, 80] {
        mw.sustain_price(WAD * pct / 100, 6, 1_800).await;
        for _ in 0..12 {
            let maint = mw.prices_now().await.unwrap().maint;
            let pool = mw.pool_accrued_now().await;
            let before = mw.sub_account(s).await;
            let debt = before.debt(&pool).unwrap();
            let unhealthy = health::is_liquidatable(debt, before.collateral, maint, 9_300).unwrap();
            let ix = mw.m.liquidate(liq_signer.pubkey(), s, liq.wsol, liq.lrt, 4 * SOL, 0);
            if !unhealthy {
                mw.w.chain.send_err(&[ix], &[&liq_signer], MarginError::NotLiquidatable, &w).await;
                refusals += 1;
                continue 'levels;
            }
            let plan = mw.liquidation_plan_now(s, 4 * SOL).await.expect("plan");
            mw.w.chain.send_ok(&[ix], &[&liq_signer]).await;
            liquidations += 1;
            let after = mw.sub_account(s).await;
            let seized = before.collateral - after.collateral;
            assert_eq!(seized, plan.seize);
            assert!(seized <= before.collateral);
            assert!(plan.repay <= 4 * SOL);
            let debt_after = after.debt(&mw.pool().await).unwrap();
            if after.collateral > 0 {
                let (value_before, value_after) =
                    (health::value(before.collateral, maint).unwrap(), health::value(after.collateral, maint).unwrap());
                assert!(health::ltv_lower(debt_after, value_after, debt, value_before), "LTV must strictly fall");
            } else {
                assert_eq!(seized, before.collateral, "all of it, never more");
                break 'levels;
            }
            if debt_after == 0 {
                break 'levels;
            }
        }
    }
    assert!(liquidations >= 10 && refusals >= 5, "{liquidations} liquidations, {refusals} refusals");
    // Liquidated step by step on the way down, the first position repaid all its debt in time.
    let last = mw.sub_account(s).await;
    assert!(
        last.debt_shares == 0 && last.collateral > 0,
        "debt shares {}, collateral {}",
        last.debt_shares,
        last.collateral
    );
    let ix = mw.m.liquidate(liq_signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
    mw.w.chain.send_err(&[ix], &[&liq_signer], MarginError::NotLiquidatable, &w).await;

    // The second one, untouched until the LRT is at 0.80, is under water: all of its collateral goes
    // (no bonus), never more, and the bad debt is written off in the same instruction.
    let before = mw.sub_account(ls).await;
    let plan = mw.liquidation_plan_now(ls, u64::MAX).await.expect("liquidatable");
    assert_eq!((plan.seize, plan.bonus_wad, plan.to_insurance), (before.collateral, 0, 0));
    mw.w.chain
        .send_ok(&[mw.m.liquidate(liq_signer.pubkey(), ls, liq.wsol, liq.lrt, u64::MAX, 0)], &[&liq_signer])
        .await;
    let after = mw.sub_account(ls).await;
    assert_eq!(after.collateral, 0);
    assert_eq!(mw.w.chain.token_balance(ls.vault).await, 0);
    assert_eq!(after.debt_shares, 0, "the bad debt is on the books at once");
    // Nothing left: a second liquidation is refused.
    let ix = mw.m.liquidate(liq_signer.pubkey(), ls, liq.wsol, liq.lrt, u64::MAX, 0);
    mw.w.chain
        .send_err(&[ix], &[&liq_signer], MarginError::NotLiquidatable, &[mw.m.pool, mw.m.market, ls.sub, ls.vault])
        .await;
    mw.assert_pool_invariants(&[s, ls], &[lender.key.pubkey()]).await;
}

#[tokio::test]
async fn liquidating_one_sub_account_leaves_every_other_byte_for_byte_unchanged() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(1_000 * SOL).await;
    let (a, a0) = mw.trader(100 * SOL).await;
    let (b, b0) = mw.trader(100 * SOL).await;
    let a_signer = a.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.create_sub_account(a_signer.pubkey(), 1)], &[&a_signer]).await;
    let a1 = mw.m.sub(&a_signer.pubkey(), 1);
    mw.fresh_prices(WAD).await;
    // A0 at 89.95%, A1 (same owner) at 80%, B0 (another owner) at 80%.
    mw.leverage_up(&a, a0, 10 * SOL, 89_500_000_000).await.expect("A0");
    mw.leverage_up(&a, a1, 10 * SOL, 40 * SOL).await.expect("A1");
    mw.leverage_up(&b, b0, 10 * SOL, 40 * SOL).await.expect("B0");

    mw.sustain_price(WAD * 96 / 100, 10, 1_800).await;
    let liq = mw.w.user(500 * SOL).await;
    let liq_signer = liq.key.insecure_clone();
    let others = [a1.sub, a1.vault, b0.sub, b0.vault, a.wsol, a.lrt, b.wsol, b.lrt];
    let before = mw.w.chain.snapshot(&others).await;
    let target_before = mw.sub_account(a0).await;
    mw.w.chain
        .send_ok(&[mw.m.liquidate(liq_signer.pubkey(), a0, liq.wsol, liq.lrt, u64::MAX, 0)], &[&liq_signer])
        .await;
    assert!(mw.sub_account(a0).await.collateral < target_before.collateral, "A0 was liquidated");
    assert_eq!(mw.w.chain.snapshot(&others).await, before, "the other sub-accounts and their vaults are untouched");

    // The others are healthy: liquidating them is refused and changes nothing either.
    for s in [a1, b0] {
        let ix = mw.m.liquidate(liq_signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
        mw.w.chain.send_err(&[ix], &[&liq_signer], MarginError::NotLiquidatable, &others).await;
    }
    mw.assert_pool_invariants(&[a0, a1, b0], &[lender.key.pubkey()]).await;
}

#[tokio::test]
async fn debt_shares_add_up_the_vault_holds_the_cash_and_the_pool_stays_solvent() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let (l1, l2) = (mw.lender(300 * SOL).await, mw.lender(200 * SOL).await);
    let lenders = [l1.key.pubkey(), l2.key.pubkey()];
    let (a, a0) = mw.trader(200 * SOL).await;
    let (b, b0) = collateralised(&mut mw, 100 * SOL, 50 * SOL).await;
    let a_signer = a.key.insecure_clone();
    let b_signer = b.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.create_sub_account(a_signer.pubkey(), 1)], &[&a_signer]).await;
    let a1 = mw.m.sub(&a_signer.pubkey(), 1);
    let subs = [a0, a1, b0];
    mw.assert_pool_invariants(&subs, &lenders).await;

    mw.fresh_prices(WAD).await;
    mw.leverage_up(&a, a0, 10 * SOL, 89_500_000_000).await.expect("A0");
    mw.assert_pool_invariants(&subs, &lenders).await;
    mw.leverage_up(&a, a1, 20 * SOL, 60 * SOL).await.expect("A1");
    mw.assert_pool_invariants(&subs, &lenders).await;
    mw.w.chain.send_ok(&[mw.m.borrow(b_signer.pubkey(), b0, b.wsol, 85 * SOL)], &[&b_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    // Utilisation ~47%; a week of interest.
    mw.w.chain.warp_by(7 * 86_400).await;
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    mw.w.chain.send_ok(&[mw.m.repay(b_signer.pubkey(), b0, b.wsol, 30 * SOL + 7)], &[&b_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    let l1_signer = l1.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.withdraw_supply(l1_signer.pubkey(), l1.wsol, 100 * SOL + 13)], &[&l1_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    mw.w.chain.send_ok(&[mw.m.deleverage(a_signer.pubkey(), a1, a.wsol, 20 * SOL, 0)], &[&a_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;

    // A slashing: A0 goes under water, is liquidated in full, and its bad debt is written off with it.
    mw.report_confirmed(WAD * 88 / 100).await.expect("slashing");
    let liq = mw.w.user(500 * SOL).await;
    let liq_signer = liq.key.insecure_clone();
    mw.w.chain
        .send_ok(&[mw.m.liquidate(liq_signer.pubkey(), a0, liq.wsol, liq.lrt, u64::MAX, 0)], &[&liq_signer])
        .await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    // A1 (80% at 1.0, ~90% at 0.88) is liquidatable too, partially.
    let plan = mw.liquidation_plan_now(a1, u64::MAX).await;
    if plan.is_ok() {
        mw.w.chain
            .send_ok(&[mw.m.liquidate(liq_signer.pubkey(), a1, liq.wsol, liq.lrt, u64::MAX, 0)], &[&liq_signer])
            .await;
        mw.assert_pool_invariants(&subs, &lenders).await;
    }
    let a0_after = mw.sub_account(a0).await;
    assert_eq!((a0_after.collateral, a0_after.debt_shares), (0, 0));
    assert!(mw.pool().await.socialized);
    mw.assert_pool_invariants(&subs, &lenders).await;
    mw.w.chain.send_ok(&[mw.m.repay(b_signer.pubkey(), b0, b.wsol, u64::MAX)], &[&b_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
    let l2_signer = l2.key.insecure_clone();
    let position: LenderPosition =
        mw.w.chain.anchor_account(lantern_test_support::margin_ops::lender(&mw.m.pool, &l2_signer.pubkey())).await;
    mw.w.chain.send_ok(&[mw.m.withdraw_supply(l2_signer.pubkey(), l2.wsol, position.shares)], &[&l2_signer]).await;
    mw.assert_pool_invariants(&subs, &lenders).await;
}

#[tokio::test]
async fn indexes_never_fall_except_the_supply_index_at_settlement_and_accruing_twice_changes_nothing() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(100 * SOL).await;
    let (trader, s) = mw.trader(20 * SOL).await;
    mw.fresh_prices(WAD).await;
    // 89.5% utilisation (~6.85%/yr).
    mw.leverage_up(&trader, s, 10 * SOL, 89_500_000_000).await.expect("leverage_up");
    let signer = trader.key.insecure_clone();
    let lender_signer = lender.key.insecure_clone();
    let mut last = mw.pool().await;
    for (i, secs) in [1i64, 7, 60, 3_600, 86_400, 13, 30 * 86_400, 1, 2].into_iter().enumerate() {
        mw.w.chain.warp_by(secs).await;
        mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
        let pool = mw.pool().await;
        assert!(pool.borrow_index > last.borrow_index, "{secs} s at 89.5% utilisation raise the borrow index");
        assert!(pool.supply_index >= last.supply_index && pool.insurance >= last.insurance);
        assert_eq!(pool.last_accrual_ts, mw.w.chain.now().await);
        // Again at the same timestamp: not one byte changes.
        let before = mw.w.chain.snapshot(&[mw.m.pool]).await;
        mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
        assert_eq!(mw.w.chain.snapshot(&[mw.m.pool]).await, before, "accrue twice at one timestamp");
        // Other instructions move the indexes only forward too.
        let ix = match i % 3 {
            0 => mw.m.repay(signer.pubkey(), s, trader.wsol, SOL / 10),
            1 => mw.m.supply(lender_signer.pubkey(), lender.wsol, SOL / 100),
            _ => mw.m.withdraw_supply(lender_signer.pubkey(), lender.wsol, SOL / 100),
        };
        let who = if i % 3 == 0 { &signer } else { &lender_signer };
        if i % 3 == 1 {
            mw.w.chain.wrap_sol(lender.wsol, SOL / 100).await;
        }
        mw.w.chain.send_ok(&[ix], &[who]).await;
        let pool = mw.pool().await;
        assert!(pool.borrow_index >= last.borrow_index && pool.supply_index >= last.supply_index);
        last = pool;
    }

    // A slashing, then the liquidation that takes the last collateral and settles the rest: the borrow
    // index still only rises, the supply index falls by the loss there and only there.
    mw.report_confirmed(WAD * 85 / 100).await.expect("slashing");
    let before = mw.pool_accrued_now().await;
    let liq = mw.w.user(200 * SOL).await;
    let liq_signer = liq.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.liquidate(liq_signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0)], &[&liq_signer]).await;
    let settled = mw.pool().await;
    assert_eq!(settled.borrow_index, before.borrow_index);
    assert!(before.borrow_index >= last.borrow_index);
    assert!(settled.supply_index < before.supply_index, "the loss lowers the supply index");
    mw.w.chain.warp_by(60).await;
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    let later = mw.pool().await;
    assert!(later.borrow_index >= settled.borrow_index && later.supply_index >= settled.supply_index);
}

#[tokio::test]
async fn rounding_never_favours_the_user() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(200 * SOL).await;
    let (other, os) = collateralised(&mut mw, 300 * SOL, 0).await;
    mw.fresh_prices(WAD).await;
    let other_signer = other.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.borrow(other_signer.pubkey(), os, other.wsol, 170 * SOL)], &[&other_signer]).await;
    // 85% utilisation for 40 days: neither index is a round number.
    mw.w.chain.warp_by(40 * 86_400).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    let pool = mw.pool().await;
    assert!(pool.borrow_index > WAD && pool.supply_index > WAD);
    let subs = [os];
    let lenders = [lender.key.pubkey()];

    // Supply then withdraw every share minted: never more than supplied.
    let supplier = mw.w.user(100 * SOL).await;
    let supplier_signer = supplier.key.insecure_clone();
    let mut all_lenders = lenders.to_vec();
    all_lenders.push(supplier.key.pubkey());
    let position_key = lantern_test_support::margin_ops::lender(&mw.m.pool, &supplier.key.pubkey());
    for amount in [2u64, 3, 7, 999_999_937, 12_345_678_901, 50 * SOL + 1] {
        let wsol_before = mw.w.chain.token_balance(supplier.wsol).await;
        mw.w.chain.send_ok(&[mw.m.supply(supplier_signer.pubkey(), supplier.wsol, amount)], &[&supplier_signer]).await;
        let position: LenderPosition = mw.w.chain.anchor_account(position_key).await;
        assert!(shares::supply_amount(position.shares, mw.pool().await.supply_index).unwrap() <= amount);
        mw.assert_pool_invariants(&subs, &all_lenders).await;
        mw.w.chain
            .send_ok(
                &[mw.m.withdraw_supply(supplier_signer.pubkey(), supplier.wsol, position.shares)],
                &[&supplier_signer],
            )
            .await;
        let returned = mw.w.chain.token_balance(supplier.wsol).await + amount - wsol_before;
        assert!(returned <= amount, "supplied {amount}, got back {returned}");
        mw.assert_pool_invariants(&subs, &all_lenders).await;
    }
    // One lamport is worth less than one share: refused rather than rounded to nothing.
    let dust = mw.m.supply(supplier_signer.pubkey(), supplier.wsol, 1);
    mw.w.chain
        .send_err(&[dust], &[&supplier_signer], MarginError::ZeroAmount, &[mw.m.pool, mw.m.vault, supplier.wsol])
        .await;

    // Borrow then repay at once (repay "everything"): never less paid back than borrowed.
    let (trader, s) = collateralised(&mut mw, 100 * SOL, 0).await;
    let signer = trader.key.insecure_clone();
    let subs = [os, s];
    for amount in [50_000_000u64, 50_000_001, 1_234_567_891, 7 * SOL + 3] {
        let wsol_before = mw.w.chain.token_balance(trader.wsol).await;
        mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, amount)], &[&signer]).await;
        let owed = mw.sub_account(s).await.debt(&mw.pool().await).unwrap();
        assert!(owed >= amount, "borrowed {amount}, owes {owed}");
        mw.assert_pool_invariants(&subs, &all_lenders).await;
        mw.w.chain.wrap_sol(trader.wsol, 1_000).await;
        mw.w.chain.send_ok(&[mw.m.repay(signer.pubkey(), s, trader.wsol, u64::MAX)], &[&signer]).await;
        assert_eq!(mw.sub_account(s).await.debt_shares, 0);
        let net = i128::from(mw.w.chain.token_balance(trader.wsol).await) - i128::from(wsol_before) - 1_000;
        assert!(net <= 0, "borrow {amount} then repay left the user {net} lamports up");
        mw.assert_pool_invariants(&subs, &all_lenders).await;
    }
    // A partial repayment never burns more debt than it pays; one too small to burn a single share
    // (1 lamport at an index above 1) is refused rather than taken for nothing.
    mw.w.chain.send_ok(&[mw.m.borrow(signer.pubkey(), s, trader.wsol, 10 * SOL)], &[&signer]).await;
    let dust = mw.m.repay(signer.pubkey(), s, trader.wsol, 1);
    mw.w.chain
        .send_err(&[dust], &[&signer], MarginError::ZeroAmount, &[mw.m.pool, mw.m.vault, s.sub, trader.wsol])
        .await;
    for amount in [2u64, 3, 999_999_999, 1_000_000_001] {
        let pool = mw.pool().await;
        let debt_before = mw.sub_account(s).await.debt(&pool).unwrap();
        mw.w.chain.send_ok(&[mw.m.repay(signer.pubkey(), s, trader.wsol, amount)], &[&signer]).await;
        let debt_after = mw.sub_account(s).await.debt(&mw.pool().await).unwrap();
        assert!(debt_before - debt_after <= amount, "paid {amount}, debt fell by {}", debt_before - debt_after);
        mw.assert_pool_invariants(&subs, &all_lenders).await;
    }
}
