//! The adversarial review's sequences, each written as the attack and asserted to fail: a faulty
//! member moving the market price inside a liquidation's transaction, dust and donations hiding bad
//! debt, a held loss escaped through instant unstake or lent against, the one SOL pool taken by the
//! first caller, risk-free withdrawals blocked, and parameter changes that liquidate at once.
use lantern_test_support::margin_ops::SubKeys;
use lantern_test_support::oracle_ops;
use lantern_test_support::solana_sdk::signature::{Keypair, Signer};
use lantern_test_support::world::*;
use margin::errors::MarginError;
use margin::state::{PoolParams, PricingPolicy, RiskParams, RISK_TIMELOCK_SECS};

use super::pricing::{collateralised, levered, liquidate_ok, liquidator};

/// `member` observes `price` now (one second after its last observation, so it is newer).
async fn observation(
    mw: &mut MarginWorld,
    member: usize,
    price: u128,
) -> (lantern_test_support::solana_sdk::instruction::Instruction, Keypair) {
    mw.w.chain.warp_by(1).await;
    let now = mw.w.chain.now().await;
    let signer = mw.w.members[member].signer.insecure_clone();
    (oracle_ops::submit_price(mw.w.committee, mw.w.keys.feed, signer.pubkey(), price, now), signer)
}

#[tokio::test]
async fn a_faulty_minority_cannot_move_consumer_prices_outside_the_honest_range() {
    // Exactly a quorum of fresh observations (4 of 9 members offline): the state of the review.
    let (mut mw, _trader, _s) = levered(PricingPolicy::MinOfBoth).await;
    mw.sustain_price(WAD, 1, 30).await;
    for extreme in [1, WAD / 2, 2 * WAD, u128::MAX / 2] {
        for faulty in 1..=2 {
            for member in 0..faulty {
                let (ix, signer) = observation(&mut mw, member, extreme).await;
                mw.w.chain.send_ok(&[ix], &[&signer]).await;
            }
            let prices = mw.prices_now().await.expect("prices");
            assert_eq!((prices.maint, prices.init), (WAD, Some(WAD)), "{faulty} member(s) at {extreme}");
            mw.sustain_price(WAD, 1, 1).await;
        }
    }
}

#[tokio::test]
async fn one_member_printing_near_zero_cannot_liquidate_a_healthy_position() {
    let (mut mw, _trader, s) = levered(PricingPolicy::MinOfBoth).await;
    mw.sustain_price(WAD, 1, 30).await;
    let liq = liquidator(&mut mw).await;
    let (print, member) = observation(&mut mw, 0, 1).await;
    let signer = liq.key.insecure_clone();
    let liquidate = mw.m.liquidate(signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
    let watched = margin_watched(&mw, s, &liq);
    mw.w.chain.send_err(&[print, liquidate], &[&member, &signer], MarginError::NotLiquidatable, &watched).await;
}

#[tokio::test]
async fn one_member_printing_a_huge_price_cannot_shield_a_slashed_position() {
    let (mut mw, trader, s) = levered(PricingPolicy::MinOfBoth).await;
    mw.report_confirmed(WAD * 95 / 100).await.expect("slashing report");
    mw.sustain_price(WAD * 95 / 100, 1, 30).await;
    let liq = liquidator(&mut mw).await;
    let (print, member) = observation(&mut mw, 0, u128::MAX / 2).await;
    let signer = liq.key.insecure_clone();
    let liquidate = mw.m.liquidate(signer.pubkey(), s, liq.wsol, liq.lrt, u64::MAX, 0);
    mw.w.chain.send_ok(&[print, liquidate], &[&member, &signer]).await;
    assert!(mw.sub_account(s).await.collateral < 99_500_000_000, "the liquidation went through");
    // The owner can still deleverage with the outlier in place.
    let (print, member) = observation(&mut mw, 1, u128::MAX / 2).await;
    let owner = trader.key.insecure_clone();
    let deleverage = mw.m.deleverage(owner.pubkey(), s, trader.wsol, SOL, 0);
    mw.w.chain.send_ok(&[print, deleverage], &[&member, &owner]).await;
}

/// A lender, and a trader levered to 89.95% whose LRT the committee then reports 15% lower (a
/// slashing the guardian confirms): the sub-account is insolvent.
async fn insolvent() -> (MarginWorld, User, SubKeys) {
    let (mut mw, trader, s) = levered(PricingPolicy::MinOfBoth).await;
    for rate in [WAD * 95 / 100, WAD * 90 / 100, WAD * 85 / 100] {
        mw.report_confirmed(rate).await.expect("slashing report");
    }
    mw.sustain_price(WAD * 85 / 100, 1, 30).await;
    let pool = mw.pool_accrued_now().await;
    assert!(mw.sub_account(s).await.is_insolvent(&pool, WAD * 85 / 100).unwrap());
    (mw, trader, s)
}

#[tokio::test]
async fn a_liquidation_that_takes_the_last_collateral_writes_the_rest_off_and_a_donation_blocks_nothing() {
    let (mut mw, trader, s) = insolvent().await;
    let liq = liquidator(&mut mw).await;
    liquidate_ok(&mut mw, s, &liq).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0), "the bad debt is on the books at once");
    assert!(mw.pool().await.socialized);

    // A donation of one LRT base unit afterwards: the owner still withdraws it and closes.
    let donor = mw.w.user(SOL).await;
    mw.w.deposit(&donor, SOL).await;
    let d = donor.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(d.pubkey(), s, donor.lrt, 1)], &[&d]).await;
    let owner = trader.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.withdraw_collateral(owner.pubkey(), s, trader.lrt, 1)], &[&owner]).await;
    mw.w.chain.send_ok(&[mw.m.close_sub_account(owner.pubkey(), s, trader.lrt)], &[&owner]).await;
}

#[tokio::test]
async fn dust_donated_to_an_insolvent_sub_account_cannot_block_settlement() {
    let (mut mw, _trader, s) = levered(PricingPolicy::FairRate).await;
    // The LRT crushed to 0.0004: 99.5 LRT are worth 0.0398 SOL, dust against 89.5 SOL of debt.
    mw.set_fair_rate(WAD / 2_500).await;
    let donor = mw.w.user(SOL).await;
    mw.w.deposit(&donor, SOL / 1_000).await;
    let d = donor.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(d.pubkey(), s, donor.lrt, 1)], &[&d]).await;
    let collateral = mw.sub_account(s).await.collateral;
    let insurance_before = mw.w.chain.token_balance(mw.m.insurance_vault).await;
    let payer = mw.w.chain.payer();
    mw.w.chain.send_ok(&[mw.m.settle_bad_debt(s)], &[&payer]).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
    assert_eq!(mw.w.chain.token_balance(mw.m.insurance_vault).await, insurance_before + collateral);
    assert_eq!(mw.market().await.collateral_total, 0);
    assert!(mw.pool().await.socialized);
}

#[tokio::test]
async fn a_donation_that_restores_solvency_makes_the_position_liquidatable_not_settleable() {
    let (mut mw, _trader, s) = insolvent().await;
    // 8 SOL of LRT at 0.85 lift the collateral to ~108.9 LRT, worth ~92.6 SOL against 89.5+: solvent,
    // still above the threshold.
    let donor = mw.w.user(8 * SOL).await;
    mw.w.deposit(&donor, 8 * SOL).await;
    let d = donor.key.insecure_clone();
    let donation = mw.w.chain.token_balance(donor.lrt).await;
    mw.w.chain.send_ok(&[mw.m.deposit_collateral(d.pubkey(), s, donor.lrt, donation)], &[&d]).await;
    let payer = mw.w.chain.payer();
    let watched = margin_watched(&mw, s, &donor);
    mw.w.chain.send_err(&[mw.m.settle_bad_debt(s)], &[&payer], MarginError::CollateralRemains, &watched).await;
    let liq = liquidator(&mut mw).await;
    liquidate_ok(&mut mw, s, &liq).await;
}

#[tokio::test]
async fn a_held_loss_is_paid_out_by_instant_unstake_at_the_held_rate() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let holder = mw.w.user(100 * SOL).await;
    let lrt = mw.w.deposit(&holder, 100 * SOL).await;
    mw.w.report(WAD * 95 / 100, false).await.expect("report");
    let feed = mw.w.feed().await;
    assert!(feed.held.frame != 0 && feed.fair_rate == WAD, "the 5% loss is held for the guardian");
    assert_eq!(feed.pessimistic_rate(), WAD * 95 / 100);
    let h = holder.key.insecure_clone();
    let before = mw.w.chain.token_balance(holder.wsol).await;
    let unstake = mw.w.keys.instant_unstake(h.pubkey(), holder.lrt, holder.wsol, lrt, 0);
    mw.w.chain.send_ok(&[unstake], &[&h]).await;
    let (_, _, out) = restaking::math::instant_unstake(lrt, WAD * 95 / 100, 30).unwrap();
    assert_eq!(mw.w.chain.token_balance(holder.wsol).await - before, out, "paid at the held rate, not 1.0");
}

#[tokio::test]
async fn a_fair_rate_market_does_not_lend_against_a_held_loss() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    mw.lender(1_000 * SOL).await;
    let (trader, s) = collateralised(&mut mw, 100 * SOL, 0, SOL).await;
    mw.w.report(WAD * 85 / 100, false).await.expect("report");
    assert!(mw.w.feed().await.held.frame != 0);
    let owner = trader.key.insecure_clone();
    let watched = margin_watched(&mw, s, &trader);
    let too_much = mw.m.borrow(owner.pubkey(), s, trader.wsol, 80 * SOL);
    mw.w.chain.send_err(&[too_much], &[&owner], MarginError::Unhealthy, &watched).await;
    // 0.9 × 100 LRT × 0.85 = 76.5 SOL is the limit at the held rate.
    mw.w.chain.send_ok(&[mw.m.borrow(owner.pubkey(), s, trader.wsol, 76 * SOL)], &[&owner]).await;
}

#[tokio::test]
async fn only_the_upgrade_authority_creates_the_pool() {
    let mut w = World::new().await;
    let m = lantern_test_support::margin_ops::MarginKeys::new(w.keys);
    let stranger = w.chain.keypair().await;
    let admin = w.admin.insecure_clone();
    w.chain.set_upgrade_authority(&margin::ID, &admin.pubkey());
    let take = m.initialize_pool(stranger.pubkey(), PoolParams::default());
    w.chain.send_err(&[take], &[&stranger], MarginError::NotUpgradeAuthority, &[m.pool]).await;
    w.chain.send_ok(&[m.initialize_pool(admin.pubkey(), PoolParams::default())], &[&admin]).await;
}

#[tokio::test]
async fn a_sub_account_without_debt_withdraws_while_paused_stale_or_without_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::Market).await;
    let (trader, s) = collateralised(&mut mw, 10 * SOL, 0, 0).await;
    let owner = trader.key.insecure_clone();
    mw.set_policy_and_pause(PricingPolicy::Market, true).await;
    mw.w.chain.send_ok(&[mw.m.withdraw_collateral(owner.pubkey(), s, trader.lrt, SOL)], &[&owner]).await;
    // Two days later the feed is stale and no market price is fresh.
    mw.w.chain.warp_by(2 * 86_400).await;
    assert!(mw.w.feed().await.is_stale(mw.w.chain.now().await));
    mw.w.chain.send_ok(&[mw.m.withdraw_collateral(owner.pubkey(), s, trader.lrt, 9 * SOL)], &[&owner]).await;
    assert_eq!(mw.sub_account(s).await.collateral, 0);
}

#[tokio::test]
async fn a_change_that_can_liquidate_waits_out_its_time_lock() {
    let (mut mw, _trader, s) = levered(PricingPolicy::FairRate).await;
    let admin = mw.w.admin.insecure_clone();
    let market = mw.market().await;
    let update = mw.m.update_market(admin.pubkey(), PricingPolicy::Market, market.risk, market.collateral_cap, false);
    mw.w.chain.send_ok(&[update], &[&admin]).await;
    let queued = mw.market().await;
    assert_eq!(queued.policy, PricingPolicy::FairRate, "not at once");
    assert_eq!(queued.pending.policy, PricingPolicy::Market);
    let payer = mw.w.chain.payer();
    let early = [mw.m.apply_market_update()];
    let watched = [mw.m.market, s.sub];
    mw.w.chain.send_err(&early, &[&payer], MarginError::UpdateNotDue, &watched).await;
    mw.w.chain.warp_by(RISK_TIMELOCK_SECS).await;
    mw.w.chain.send_ok(&[mw.m.apply_market_update()], &[&payer]).await;
    assert_eq!(mw.market().await.policy, PricingPolicy::Market);
    mw.w.chain.send_err(&[mw.m.apply_market_update()], &[&payer], MarginError::NoPendingUpdate, &watched).await;

    // A change that only loosens (a higher threshold) applies at once.
    let looser = RiskParams { lt_bps: 9_400, ..market.risk };
    let update = mw.m.update_market(admin.pubkey(), PricingPolicy::Market, looser, market.collateral_cap, false);
    mw.w.chain.send_ok(&[update], &[&admin]).await;
    assert_eq!(mw.market().await.risk.lt_bps, 9_400);
}

#[tokio::test]
async fn insurance_lrt_is_converted_to_insurance_sol() {
    let (mut mw, _trader, s) = levered(PricingPolicy::MinOfBoth).await;
    mw.report_confirmed(WAD * 96 / 100).await.expect("slashing report");
    mw.sustain_price(WAD * 96 / 100, 1, 30).await;
    let liq = liquidator(&mut mw).await;
    liquidate_ok(&mut mw, s, &liq).await;
    let lrt = mw.w.chain.token_balance(mw.m.insurance_vault).await;
    assert!(lrt > 0, "20% of the bonus went to insurance");
    let insurance_before = mw.pool_accrued_now().await.insurance;
    let payer = mw.w.chain.payer();
    mw.w.chain.send_ok(&[mw.m.convert_insurance(lrt, 1)], &[&payer]).await;
    let (_, _, out) = restaking::math::instant_unstake(lrt, mw.w.feed().await.pessimistic_rate(), 30).unwrap();
    assert_eq!(mw.pool().await.insurance, insurance_before + out);
    assert_eq!(mw.w.chain.token_balance(mw.m.insurance_vault).await, 0);
}

#[tokio::test]
async fn a_lender_draining_cash_down_to_the_insurance_cannot_block_liquidations() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let lender = mw.lender(100 * SOL).await;
    let (trader, s) = mw.trader(50 * SOL).await;
    mw.fresh_prices(WAD).await;
    mw.leverage_up(&trader, s, super::pricing::EQUITY, super::pricing::BORROW).await.expect("leverage_up");
    // A month of interest builds some insurance; then the lender takes every lamport lenders may take.
    mw.w.chain.warp_by(30 * 86_400).await;
    mw.w.refresh().await;
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    let pool = mw.pool().await;
    assert!(pool.insurance > 0);
    let shares = u64::try_from(u128::from(pool.available_cash()) * WAD / pool.supply_index).unwrap();
    let l = lender.key.insecure_clone();
    mw.w.chain.send_ok(&[mw.m.withdraw_supply(l.pubkey(), lender.wsol, shares)], &[&l]).await;
    // More interest: the insurance's share now exceeds the cash left.
    mw.w.chain.warp_by(86_400).await;
    mw.w.chain.send_ok(&[mw.m.accrue_interest()], &[]).await;
    let drained = mw.pool().await;
    assert!(drained.insurance > drained.cash, "insurance {} cash {}", drained.insurance, drained.cash);
    mw.report_confirmed(WAD * 95 / 100).await.expect("slashing report");
    let liq = liquidator(&mut mw).await;
    liquidate_ok(&mut mw, s, &liq).await;
}
