//! Every margin instruction, one at a time: a success with exact state and balance checks, and one
//! test per failure reason with its specific error, each rejection leaving the pool, the market, the
//! sub-accounts and every vault involved byte-for-byte unchanged (`send_err`'s watched list).
//!
//! The chain's clock only moves when a test warps it, so the arithmetic below is exact. Where a test
//! needs a given fair rate (a depeg, a crash), it writes the feed's `fair_rate` directly
//! (`set_fair_rate`): the committee's path to that rate is the oracle tests' subject, not this file's.
use anchor_lang::error::ErrorCode;
use anchor_lang::{AccountDeserialize, AccountSerialize, Space};
use lantern_math::{mul_div_ceil, mul_div_floor, BPS};
use lantern_test_support::margin_ops::{self, MarginKeys, SubKeys};
use lantern_test_support::solana_sdk::{
    instruction::Instruction,
    program_pack::Pack,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use lantern_test_support::world::*;
use margin::errors::MarginError;
use margin::math::{health, interest, liquidation, shares};
use margin::state::*;
use restaking::errors::RestakingError;

/// SystemError::AccountAlreadyInUse: `init` of an address that already holds an account.
const ALREADY_IN_USE: u32 = 0;
const DAY: i64 = 86_400;

fn key(user: &User) -> Keypair {
    user.key.insecure_clone()
}

fn sub_pair(s: SubKeys) -> [Pubkey; 2] {
    [s.sub, s.vault]
}

/// The pool, the market and every vault and restaking account they touch, plus `extra`.
fn watched(mw: &MarginWorld, extra: &[Pubkey]) -> Vec<Pubkey> {
    let m = mw.m;
    let r = m.restaking;
    let mut keys = vec![m.pool, m.vault, m.market, m.insurance_vault, r.feed, r.pool, r.reserve_vault, r.lrt_mint];
    keys.extend_from_slice(extra);
    keys
}

/// Sends `ix` signed by `signer`, expects `code`, and checks the market's accounts plus `extra` unchanged.
async fn rejects(mw: &mut MarginWorld, ix: Instruction, signer: &Keypair, code: impl Into<u32>, extra: &[Pubkey]) {
    let keys = watched(mw, extra);
    mw.w.chain.send_err(&[ix], &[signer], code, &keys).await;
}

async fn ok(mw: &mut MarginWorld, ix: Instruction, signer: &Keypair) {
    mw.w.chain.send_ok(&[ix], &[signer]).await;
}

async fn balance(mw: &mut MarginWorld, account: Pubkey) -> u64 {
    mw.w.chain.token_balance(account).await
}

async fn lamports(mw: &mut MarginWorld, account: Pubkey) -> u64 {
    mw.w.chain.account(account).await.map_or(0, |a| a.lamports)
}

async fn mint_supply(mw: &mut MarginWorld, mint: Pubkey) -> u64 {
    let data = mw.w.chain.account(mint).await.expect("mint").data;
    spl_token::state::Mint::unpack(&data).expect("mint").supply
}

async fn set_fair_rate(mw: &mut MarginWorld, rate: u128) {
    mw.set_fair_rate(rate).await;
}

/// Moves the clock `offset` seconds past the feed's staleness limit (0 = the last fresh second).
async fn warp_past_feed_age(mw: &mut MarginWorld, offset: i64) {
    let feed = mw.w.feed().await;
    mw.w.chain.warp_to(feed.last_report_ref_ts + i64::from(feed.max_report_age_secs) + offset).await;
}

/// The admin's `update_market`; a change that tightens waits out its time lock and is then applied.
async fn set_market(mw: &mut MarginWorld, policy: PricingPolicy, risk: RiskParams, cap: u64, paused: bool) {
    let m = mw.m;
    let admin = mw.w.admin.insecure_clone();
    ok(mw, m.update_market(admin.pubkey(), policy, risk, cap, paused), &admin).await;
    if mw.market().await.pending.activates_ts != 0 {
        mw.w.chain.warp_by(RISK_TIMELOCK_SECS).await;
        let payer = mw.w.chain.payer();
        ok(mw, m.apply_market_update(), &payer).await;
    }
}

async fn pause(mw: &mut MarginWorld, paused: bool) {
    let market = mw.market().await;
    set_market(mw, market.policy, market.risk, market.collateral_cap, paused).await;
}

async fn set_pool_params(mw: &mut MarginWorld, params: PoolParams) {
    let m = mw.m;
    let admin = mw.w.admin.insecure_clone();
    ok(mw, m.update_pool(admin.pubkey(), params), &admin).await;
}

/// A trader whose sub-account 0 holds `collateral` LRT, minted through the restaking pool at rate 1;
/// the trader keeps 10 SOL of wSOL.
async fn collateralized(mw: &mut MarginWorld, collateral: u64) -> (User, SubKeys) {
    let m = mw.m;
    let (user, s) = mw.trader(collateral + 10 * SOL).await;
    assert_eq!(mw.w.deposit(&user, collateral).await, collateral, "the fair rate is 1");
    let k = key(&user);
    ok(mw, m.deposit_collateral(k.pubkey(), s, user.lrt, collateral), &k).await;
    (user, s)
}

/// ... that has also borrowed `debt` into its wSOL account.
async fn borrower(mw: &mut MarginWorld, collateral: u64, debt: u64) -> (User, SubKeys) {
    let m = mw.m;
    let (user, s) = collateralized(mw, collateral).await;
    if mw.market().await.policy != PricingPolicy::FairRate {
        mw.fresh_prices(WAD).await;
    }
    let k = key(&user);
    ok(mw, m.borrow(k.pubkey(), s, user.wsol, debt), &k).await;
    (user, s)
}

async fn debt_of(mw: &mut MarginWorld, s: SubKeys) -> u64 {
    let sub = mw.sub_account(s).await;
    let pool = mw.pool().await;
    shares::debt_amount(sub.debt_shares, pool.borrow_index).unwrap()
}

fn bad_pool_params() -> Vec<(&'static str, PoolParams)> {
    let d = PoolParams::default();
    let with_curve = |edit: fn(&mut RateCurve)| {
        let mut p = d;
        edit(&mut p.curve);
        p
    };
    vec![
        ("first kink at 0% utilisation", with_curve(|c| c.kink1_utilization_bps = 0)),
        ("kinks at one utilisation", with_curve(|c| c.kink1_utilization_bps = c.kink2_utilization_bps)),
        ("second kink at 100%", with_curve(|c| c.kink2_utilization_bps = 10_000)),
        ("rate falls at the second kink", with_curve(|c| c.kink1_rate_bps = c.kink2_rate_bps + 1)),
        ("rate falls to the maximum", with_curve(|c| c.kink2_rate_bps = c.max_rate_bps + 1)),
        ("maximum rate above 600%", with_curve(|c| c.max_rate_bps = 60_001)),
        ("reserve factor above 50%", PoolParams { reserve_factor_bps: 5_001, ..d }),
        ("no utilisation allowed", PoolParams { max_utilization_bps: 0, ..d }),
        ("utilisation above 100%", PoolParams { max_utilization_bps: 10_001, ..d }),
    ]
}

/// Parameters at every inclusive bound of `PoolParams::validate`.
fn edge_pool_params() -> PoolParams {
    let curve = RateCurve {
        kink1_utilization_bps: 1,
        kink1_rate_bps: 700,
        kink2_utilization_bps: 9_999,
        kink2_rate_bps: 700,
        max_rate_bps: 60_000,
    };
    PoolParams { curve, reserve_factor_bps: 5_000, max_utilization_bps: 10_000, supply_cap: 7, borrow_cap: 0 }
}

fn bad_risk_params() -> Vec<(&'static str, RiskParams)> {
    let d = RiskParams::default();
    vec![
        ("LTV_init of 0", RiskParams { ltv_init_bps: 0, ..d }),
        ("LTV_init above the target", RiskParams { ltv_init_bps: d.target_ltv_bps + 1, ..d }),
        ("target at the threshold", RiskParams { target_ltv_bps: d.lt_bps, ..d }),
        ("threshold at the full-liquidation LTV", RiskParams { ltv_full_bps: d.lt_bps, ..d }),
        ("full-liquidation LTV above 99%", RiskParams { ltv_full_bps: 9_901, ..d }),
        (
            "LT·(1 + b_max) = 1",
            RiskParams {
                ltv_init_bps: 7_000,
                target_ltv_bps: 7_500,
                lt_bps: 8_000,
                ltv_full_bps: 9_000,
                bonus_max_bps: 2_500,
                ..d
            },
        ),
        ("LT·(1 + b_max) > 1", RiskParams { lt_bps: 9_800, ltv_full_bps: 9_900, bonus_max_bps: 205, ..d }),
        ("bonus minimum above maximum", RiskParams { bonus_min_bps: d.bonus_max_bps + 1, ..d }),
        ("close factor of 0", RiskParams { close_factor_bps: 0, ..d }),
        ("close factor above 100%", RiskParams { close_factor_bps: 10_001, ..d }),
        ("insurance share above 100%", RiskParams { insurance_share_bps: 10_001, ..d }),
        ("minimum debt of 0", RiskParams { min_debt: 0, ..d }),
    ]
}

/// Risk parameters at every inclusive bound of `RiskParams::validate`.
fn edge_risk_params() -> RiskParams {
    RiskParams {
        ltv_init_bps: 7_500,
        target_ltv_bps: 7_500,
        lt_bps: 8_000,
        ltv_full_bps: 9_900,
        close_factor_bps: 10_000,
        bonus_min_bps: 2_499,
        bonus_max_bps: 2_499,
        insurance_share_bps: 10_000,
        min_debt: 1,
    }
}

// ---------------------------------------------------------------------------------------------
// initialize_pool, update_pool, accrue_interest
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn initialize_pool_validates_and_sets_every_field() {
    let mut w = World::new().await;
    let m = MarginKeys::new(w.keys);
    let admin = w.admin.insecure_clone();
    w.chain.set_upgrade_authority(&margin::ID, &admin.pubkey());
    for (why, params) in bad_pool_params() {
        let ix = m.initialize_pool(admin.pubkey(), params);
        println!("initialize_pool: {why}");
        w.chain.send_err(&[ix], &[&admin], MarginError::InvalidPoolParams, &[m.pool, m.vault]).await;
    }
    // The pool's SOL mint must be the native mint.
    let mut wrong_mint = m.initialize_pool(admin.pubkey(), PoolParams::default());
    wrong_mint.accounts[2].pubkey = w.keys.lrt_mint;
    w.chain.send_err(&[wrong_mint], &[&admin], ErrorCode::ConstraintSeeds, &[m.pool, m.vault]).await;

    let params = edge_pool_params();
    w.chain.send_ok(&[m.initialize_pool(admin.pubkey(), params)], &[&admin]).await;
    let now = w.chain.now().await;
    let pool: LendingPool = w.chain.anchor_account(m.pool).await;
    let bump = Pubkey::find_program_address(&[margin::seeds::POOL, spl_token::native_mint::ID.as_ref()], &margin::ID).1;
    assert_eq!(pool.bump, bump);
    assert_eq!(pool.admin, admin.pubkey());
    assert_eq!(pool.sol_mint, spl_token::native_mint::ID);
    assert_eq!(pool.vault, m.vault);
    assert_eq!(pool.params, params);
    assert_eq!((pool.cash, pool.insurance, pool.supply_shares, pool.debt_shares), (0, 0, 0, 0));
    assert_eq!((pool.supply_index, pool.borrow_index), (WAD, WAD));
    assert_eq!(pool.last_accrual_ts, now);
    assert!(!pool.socialized && !pool.frozen);
    let vault = spl_token::state::Account::unpack(&w.chain.account(m.vault).await.unwrap().data).unwrap();
    assert_eq!((vault.mint, vault.owner, vault.amount), (spl_token::native_mint::ID, m.pool, 0));

    // One pool per SOL mint.
    let again = m.initialize_pool(admin.pubkey(), PoolParams::default());
    w.chain.send_err(&[again], &[&admin], ALREADY_IN_USE, &[m.pool, m.vault]).await;
}

#[tokio::test]
async fn update_pool_accrues_at_the_old_curve_then_replaces_the_params() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    mw.lender(100 * SOL).await;
    borrower(&mut mw, 200 * SOL, 90 * SOL).await;
    mw.w.chain.warp_by(10 * DAY).await;
    let before = mw.pool().await;
    let expected = interest::accrue(&before, 10 * DAY as u64).unwrap();
    let params =
        PoolParams { reserve_factor_bps: 2_000, supply_cap: 500 * SOL, borrow_cap: 300 * SOL, ..edge_pool_params() };
    set_pool_params(&mut mw, params).await;
    let after = mw.pool().await;
    assert_eq!(after.params, params);
    assert_eq!(after.borrow_index, expected.borrow_index);
    assert_eq!(after.supply_index, expected.supply_index);
    assert_eq!(after.insurance, before.insurance + expected.to_insurance);
    assert_eq!(after.last_accrual_ts, before.last_accrual_ts + 10 * DAY);
    assert!(after.borrow_index > before.borrow_index);
    assert_eq!(
        (after.cash, after.debt_shares, after.supply_shares),
        (before.cash, before.debt_shares, before.supply_shares)
    );
}

#[tokio::test]
async fn update_pool_rejects_a_non_admin() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let stranger = mw.w.chain.keypair().await;
    let ix = m.update_pool(stranger.pubkey(), PoolParams::default());
    rejects(&mut mw, ix, &stranger, MarginError::NotAdmin, &[]).await;
}

#[tokio::test]
async fn update_pool_rejects_each_invalid_parameter() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let admin = mw.w.admin.insecure_clone();
    for (why, params) in bad_pool_params() {
        println!("update_pool: {why}");
        let ix = m.update_pool(admin.pubkey(), params);
        rejects(&mut mw, ix, &admin, MarginError::InvalidPoolParams, &[]).await;
    }
    set_pool_params(&mut mw, edge_pool_params()).await;
}

#[tokio::test]
async fn accrue_interest_compounds_the_borrow_index_and_pays_insurance_its_reserve_factor() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let lender = mw.lender(100 * SOL).await;
    let (trader, s) = borrower(&mut mw, 200 * SOL, 90 * SOL).await;
    let before = mw.pool().await;
    mw.w.chain.warp_by(30 * DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    let after = mw.pool().await;

    let elapsed = (after.last_accrual_ts - before.last_accrual_ts) as u64;
    assert_eq!(elapsed, 30 * DAY as u64);
    // 90% utilisation: the curve's second kink, 7% a year.
    let debt_before = shares::debt_amount(before.debt_shares, before.borrow_index).unwrap();
    let utilization = interest::utilization_bps(before.cash, debt_before, before.insurance);
    assert_eq!(utilization, 9_000);
    let rate = interest::borrow_rate(&before.params.curve, utilization);
    assert_eq!(rate, WAD * 7 / 100);
    let growth = interest::growth(rate, elapsed).unwrap();
    assert_eq!(after.borrow_index, mul_div_ceil(before.borrow_index, growth, WAD).unwrap());
    let earned = shares::debt_amount(before.debt_shares, after.borrow_index).unwrap() - debt_before;
    // 30 days at 7% compounded: 90 × (e^(0.07 × 30/365) − 1) ≈ 0.5193 SOL.
    assert!((519_000_000..519_600_000).contains(&earned), "{earned}");
    let to_insurance = mul_div_ceil(u128::from(earned), 1_000, BPS).unwrap() as u64;
    assert_eq!(after.insurance, before.insurance + to_insurance);
    assert!(to_insurance * 10 >= earned && (to_insurance - 1) * 10 < earned, "10% reserve factor, rounded up");
    let to_lenders = u128::from(earned - to_insurance);
    assert_eq!(
        after.supply_index,
        before.supply_index + mul_div_floor(to_lenders, WAD, u128::from(before.supply_shares)).unwrap()
    );
    let expected = interest::accrue(&before, elapsed).unwrap();
    assert_eq!(
        (after.borrow_index, after.supply_index, expected.to_insurance),
        (expected.borrow_index, expected.supply_index, to_insurance)
    );
    assert!(after.borrow_index > before.borrow_index && after.supply_index > before.supply_index);
    assert_eq!(
        (after.cash, after.debt_shares, after.supply_shares),
        (before.cash, before.debt_shares, before.supply_shares)
    );
    // Lenders' claims plus insurance never exceed what the pool holds and is owed.
    assert!(
        u128::from(after.lender_claims().unwrap()) + u128::from(after.insurance)
            <= u128::from(after.cash) + u128::from(after.total_debt().unwrap())
    );

    // Once the debt is repaid, lenders take everything but the insurance, which stays in the vault.
    let k = key(&trader);
    mw.w.chain.wrap_sol(trader.wsol, SOL).await;
    ok(&mut mw, m.repay(k.pubkey(), s, trader.wsol, u64::MAX), &k).await;
    let lk = key(&lender);
    let all = mw.pool().await.supply_shares;
    ok(&mut mw, m.withdraw_supply(lk.pubkey(), lender.wsol, all), &lk).await;
    let pool = mw.pool().await;
    assert_eq!((pool.supply_shares, pool.debt_shares), (0, 0));
    assert!(pool.cash >= pool.insurance && pool.insurance == after.insurance);
    assert_eq!(balance(&mut mw, m.vault).await, pool.cash);
    assert_eq!(balance(&mut mw, lender.wsol).await, shares::supply_amount(all, after.supply_index).unwrap());
}

#[tokio::test]
async fn accrue_interest_twice_at_one_timestamp_changes_nothing() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    borrower(&mut mw, 200 * SOL, 85 * SOL).await;
    mw.w.chain.warp_by(3 * DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    let first = mw.w.chain.account(m.pool).await.unwrap();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    assert_eq!(mw.w.chain.account(m.pool).await.unwrap(), first, "bytes equal");
}

#[tokio::test]
async fn accrue_interest_without_debt_only_moves_the_clock() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let before = mw.pool().await;
    mw.w.chain.warp_by(DAY).await;
    let payer = mw.w.chain.payer();
    ok(&mut mw, m.accrue_interest(), &payer).await;
    let after = mw.pool().await;
    assert_eq!(
        (after.borrow_index, after.supply_index, after.insurance),
        (before.borrow_index, before.supply_index, 0)
    );
    assert_eq!(after.last_accrual_ts, before.last_accrual_ts + DAY);
}

// ---------------------------------------------------------------------------------------------
// initialize_market, update_market
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// supply, withdraw_supply
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// create_sub_account, deposit_collateral, withdraw_collateral
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// borrow
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn borrow_creates_debt_shares_rounded_up() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    mw.fresh_prices(WAD).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 50 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 50 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (50 * SOL, 50 * SOL));
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL);
    assert_eq!(balance(&mut mw, m.vault).await, 50 * SOL);

    // At an index above 1, the shares round up: the debt is never less than what was lent.
    mw.w.chain.warp_by(10 * DAY).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    let amount = SOL + 1;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, amount), &k).await;
    let pool = mw.pool().await;
    assert!(pool.borrow_index > WAD);
    let added = mw.sub_account(s).await.debt_shares - 50 * SOL;
    assert_eq!(added, mul_div_ceil(u128::from(amount), WAD, pool.borrow_index).unwrap() as u64);
    assert!(shares::debt_amount(added, pool.borrow_index).unwrap() >= amount);
    assert_eq!(pool.debt_shares, 50 * SOL + added);
}

#[tokio::test]
async fn borrow_up_to_exactly_ltv_init() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(200 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    let ix = m.borrow(k.pubkey(), s, user.wsol, 90 * SOL + 1);
    rejects(&mut mw, ix, &k, MarginError::Unhealthy, &[s.sub, user.wsol]).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 90 * SOL), &k).await;
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 1), &k, MarginError::Unhealthy, &[s.sub, user.wsol]).await;
    let sub = mw.sub_account(s).await;
    assert!(health::within_ltv(90 * SOL, sub.collateral, WAD, 9_000).unwrap());
}

#[tokio::test]
async fn borrow_rejects_another_owner_and_zero() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let thief = mw.w.user(0).await;
    let t = key(&thief);
    let k = key(&user);
    let watch = [s.sub, user.wsol, thief.wsol];
    rejects(&mut mw, m.borrow(t.pubkey(), s, thief.wsol, SOL), &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.borrow(k.pubkey(), s, user.wsol, 0), &k, MarginError::ZeroAmount, &watch).await;
}

#[tokio::test]
async fn borrow_waits_for_an_unpaused_market_a_fresh_feed_and_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 100 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, user.wsol];
    let borrow = |m: &MarginKeys| m.borrow(k.pubkey(), s, user.wsol, SOL);
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    mw.fresh_prices(WAD).await;
    pause(&mut mw, true).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPaused, &watch).await;
    pause(&mut mw, false).await;
    ok(&mut mw, borrow(&m), &k).await;
    mw.w.chain.warp_by(61).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    // The feed's last fresh second, then one past it.
    warp_past_feed_age(&mut mw, 0).await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, borrow(&m), &k).await;
    mw.w.chain.warp_by(1).await;
    mw.fresh_prices(WAD).await;
    rejects(&mut mw, borrow(&m), &k, MarginError::FeedStale, &watch).await;
    // A new report makes it fresh again.
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, borrow(&m), &k).await;
}

#[tokio::test]
async fn borrow_respects_liquidity_utilization_and_the_borrow_cap() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 200 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, user.wsol];
    let borrow = |m: &MarginKeys, amount: u64| m.borrow(k.pubkey(), s, user.wsol, amount);
    rejects(&mut mw, borrow(&m, 100 * SOL + 1), &k, MarginError::InsufficientLiquidity, &watch).await;
    rejects(&mut mw, borrow(&m, 100 * SOL), &k, MarginError::UtilizationTooHigh, &watch).await;
    rejects(&mut mw, borrow(&m, 95 * SOL + 1), &k, MarginError::UtilizationTooHigh, &watch).await;
    set_pool_params(&mut mw, PoolParams { borrow_cap: 10 * SOL, ..PoolParams::default() }).await;
    rejects(&mut mw, borrow(&m, 10 * SOL + 1), &k, MarginError::BorrowCapExceeded, &watch).await;
    ok(&mut mw, borrow(&m, 10 * SOL), &k).await;
    set_pool_params(&mut mw, PoolParams::default()).await;
    // Exactly 95% utilisation is allowed.
    ok(&mut mw, borrow(&m, 85 * SOL), &k).await;
    let pool = mw.pool().await;
    assert_eq!(interest::utilization_bps(pool.cash, pool.total_debt().unwrap(), pool.insurance), 9_500);
}

#[tokio::test]
async fn borrow_rejects_a_debt_below_the_minimum() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 10 * SOL).await;
    let k = key(&user);
    let min_debt = RiskParams::default().min_debt;
    let ix = m.borrow(k.pubkey(), s, user.wsol, min_debt - 1);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &[s.sub, user.wsol]).await;
    ok(&mut mw, m.borrow(k.pubkey(), s, user.wsol, min_debt), &k).await;
    assert_eq!(debt_of(&mut mw, s).await, min_debt);
}

// ---------------------------------------------------------------------------------------------
// repay
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn repay_partially_then_in_full_without_overpaying() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 20 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 30 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 40 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (70 * SOL, 30 * SOL));

    // At an index above 1 a partial repayment burns shares rounded down.
    mw.w.chain.warp_by(30 * DAY).await;
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 10 * SOL), &k).await;
    let pool = mw.pool().await;
    let burned = mul_div_floor(u128::from(10 * SOL), WAD, pool.borrow_index).unwrap() as u64;
    assert_eq!(mw.sub_account(s).await.debt_shares, 30 * SOL - burned);
    let debt = debt_of(&mut mw, s).await;
    assert!(debt >= shares::debt_amount(30 * SOL, pool.borrow_index).unwrap() - 10 * SOL);

    // More than the debt repays the debt exactly.
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, u64::MAX), &k).await;
    assert_eq!(mw.sub_account(s).await.debt_shares, 0);
    assert_eq!(balance(&mut mw, user.wsol).await, 30 * SOL - debt);
    let pool = mw.pool().await;
    assert_eq!(pool.debt_shares, 0);
    assert_eq!(balance(&mut mw, m.vault).await, pool.cash);
}

#[tokio::test]
async fn repay_by_a_third_party_while_paused_and_with_a_stale_feed() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    pause(&mut mw, true).await;
    warp_past_feed_age(&mut mw, 1).await;
    let friend = mw.w.user(20 * SOL).await;
    let f = key(&friend);
    let shares_before = mw.sub_account(s).await.debt_shares;
    ok(&mut mw, m.repay(f.pubkey(), s, friend.wsol, 10 * SOL), &f).await;
    assert_eq!(balance(&mut mw, friend.wsol).await, 10 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL, "the owner's SOL is untouched");
    let index = mw.pool().await.borrow_index;
    let burned = mul_div_floor(u128::from(10 * SOL), WAD, index).unwrap() as u64;
    assert_eq!(mw.sub_account(s).await.debt_shares, shares_before - burned);
}

#[tokio::test]
async fn repay_rejects_zero_no_debt_and_dust() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let (other, empty) = collateralized(&mut mw, SOL).await;
    let k = key(&user);
    let watch = [s.sub, empty.sub, user.wsol, other.wsol];
    rejects(&mut mw, m.repay(k.pubkey(), s, user.wsol, 0), &k, MarginError::ZeroAmount, &watch).await;
    rejects(&mut mw, m.repay(k.pubkey(), empty, user.wsol, SOL), &k, MarginError::NoDebt, &watch).await;
    // 50 SOL − 49.96 leaves 0.04 SOL, below the 0.05 minimum; 49.95 leaves exactly the minimum.
    let ix = m.repay(k.pubkey(), s, user.wsol, 49_960_000_000);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &watch).await;
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, 49_950_000_000), &k).await;
    assert_eq!(debt_of(&mut mw, s).await, RiskParams::default().min_debt);
}

// ---------------------------------------------------------------------------------------------
// leverage_up
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn leverage_up_borrows_stakes_and_locks_the_lrt_in_one_instruction() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let reserve_before = balance(&mut mw, m.restaking.reserve_vault).await;
    let supply_before = mint_supply(&mut mw, m.restaking.lrt_mint).await;
    let k = key(&user);
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 80 * SOL, 90 * SOL);
    ok(&mut mw, ix, &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (90 * SOL, 80 * SOL));
    assert_eq!(balance(&mut mw, s.vault).await, 90 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 0, "the equity and the borrowed SOL were staked");
    assert_eq!(balance(&mut mw, m.vault).await, 920 * SOL);
    assert_eq!(balance(&mut mw, m.restaking.reserve_vault).await, reserve_before + 90 * SOL);
    assert_eq!(mint_supply(&mut mw, m.restaking.lrt_mint).await, supply_before + 90 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (920 * SOL, 80 * SOL));
    assert_eq!(mw.market().await.collateral_total, 90 * SOL);
    assert_eq!(mw.w.pool().await.reserve_lamports, reserve_before + 90 * SOL);
}

#[tokio::test]
async fn leverage_up_to_exactly_ltv_init() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let k = key(&user);
    // 10 + 90.000000001 SOL → 100.000000001 LRT, of which 90% is 90.0000000009: one lamport too many.
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 90 * SOL + 1, 0);
    rejects(&mut mw, ix, &k, MarginError::Unhealthy, &[s.sub, s.vault, user.wsol]).await;
    ok(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 90 * SOL, 0), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (100 * SOL, 90 * SOL));
}

#[tokio::test]
async fn leverage_up_rejects_another_owner_zero_borrow_and_restaking_slippage() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    let thief = mw.w.user(10 * SOL).await;
    mw.fresh_prices(WAD).await;
    let (k, t) = (key(&user), key(&thief));
    let watch = [s.sub, s.vault, user.wsol, thief.wsol];
    let ix = m.leverage_up(t.pubkey(), s, thief.wsol, 10 * SOL, 10 * SOL, 0);
    rejects(&mut mw, ix, &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 0, 0), &k, MarginError::ZeroAmount, &watch)
        .await;
    // The restaking pool mints 20 LRT for 20 SOL: asking for one unit more fails inside the CPI.
    let ix = m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 10 * SOL, 20 * SOL + 1);
    rejects(&mut mw, ix, &k, RestakingError::SlippageExceeded, &watch).await;
    ok(&mut mw, m.leverage_up(k.pubkey(), s, user.wsol, 10 * SOL, 10 * SOL, 20 * SOL), &k).await;
}

#[tokio::test]
async fn leverage_up_waits_for_an_unpaused_market_a_fresh_feed_and_a_market_price() {
    let mut mw = MarginWorld::new(PricingPolicy::MinOfBoth).await;
    let m = mw.m;
    mw.lender(1_000 * SOL).await;
    let (user, s) = mw.trader(10 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, user.wsol];
    let lever = |m: &MarginKeys| m.leverage_up(k.pubkey(), s, user.wsol, SOL, 4 * SOL, 0);
    rejects(&mut mw, lever(&m), &k, MarginError::MarketPriceUnavailable, &watch).await;
    mw.fresh_prices(WAD).await;
    pause(&mut mw, true).await;
    rejects(&mut mw, lever(&m), &k, MarginError::MarketPaused, &watch).await;
    pause(&mut mw, false).await;
    warp_past_feed_age(&mut mw, 1).await;
    mw.fresh_prices(WAD).await;
    rejects(&mut mw, lever(&m), &k, MarginError::FeedStale, &watch).await;
    mw.w.refresh().await;
    mw.fresh_prices(WAD).await;
    ok(&mut mw, lever(&m), &k).await;
}

#[tokio::test]
async fn leverage_up_respects_the_collateral_cap_the_minimum_debt_and_the_pools_limits() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = mw.trader(100 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, user.wsol];
    let lever = |m: &MarginKeys, equity: u64, borrow: u64| m.leverage_up(k.pubkey(), s, user.wsol, equity, borrow, 0);
    set_market(&mut mw, PricingPolicy::FairRate, RiskParams::default(), 50 * SOL, false).await;
    rejects(&mut mw, lever(&m, 10 * SOL, 40 * SOL + 1), &k, MarginError::CollateralCapExceeded, &watch).await;
    set_market(&mut mw, PricingPolicy::FairRate, RiskParams::default(), u64::MAX, false).await;
    rejects(&mut mw, lever(&m, SOL, 49_999_999), &k, MarginError::DustDebt, &watch).await;
    rejects(&mut mw, lever(&m, 90 * SOL, 100 * SOL + 1), &k, MarginError::InsufficientLiquidity, &watch).await;
    rejects(&mut mw, lever(&m, 90 * SOL, 95 * SOL + 1), &k, MarginError::UtilizationTooHigh, &watch).await;
    set_pool_params(&mut mw, PoolParams { borrow_cap: 10 * SOL, ..PoolParams::default() }).await;
    rejects(&mut mw, lever(&m, 10 * SOL, 10 * SOL + 1), &k, MarginError::BorrowCapExceeded, &watch).await;
    ok(&mut mw, lever(&m, 10 * SOL, 10 * SOL), &k).await;
    assert_eq!(mw.sub_account(s).await.collateral, 20 * SOL);
}

// ---------------------------------------------------------------------------------------------
// deleverage
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn deleverage_unstakes_repays_and_returns_the_excess_to_the_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let k = key(&user);
    let reserve_before = balance(&mut mw, m.restaking.reserve_vault).await;
    let supply_before = mint_supply(&mut mw, m.restaking.lrt_mint).await;
    // 20 LRT at rate 1 = 20 SOL, minus the 0.3% instant-unstake fee: 19.94 SOL, all repaid.
    let out = 20 * SOL - 60_000_000;
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, out), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (80 * SOL, 50 * SOL - out));
    assert_eq!(balance(&mut mw, s.vault).await, 80 * SOL);
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL, "nothing left over to return");
    assert_eq!(balance(&mut mw, m.restaking.reserve_vault).await, reserve_before - out);
    assert_eq!(mint_supply(&mut mw, m.restaking.lrt_mint).await, supply_before - 20 * SOL);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (50 * SOL + out, 50 * SOL - out));
    assert_eq!(balance(&mut mw, m.vault).await, pool.cash);
    assert_eq!(mw.market().await.collateral_total, 80 * SOL);

    // Unwinding everything: 80 LRT → 79.76 SOL, the debt (30.06 SOL) is repaid and the rest is the owner's.
    let out = 80 * SOL - 240_000_000;
    let debt = 50 * SOL - (20 * SOL - 60_000_000);
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 80 * SOL, 0), &k).await;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (0, 0));
    assert_eq!(balance(&mut mw, user.wsol).await, 60 * SOL + out - debt);
    let pool = mw.pool().await;
    assert_eq!((pool.cash, pool.debt_shares), (100 * SOL, 0));
    assert_eq!(balance(&mut mw, m.vault).await, 100 * SOL);
    assert_eq!(mw.market().await.collateral_total, 0);

    // Without debt, deleveraging is just an instant unstake to the owner.
    let (other, t) = collateralized(&mut mw, 10 * SOL).await;
    let o = key(&other);
    ok(&mut mw, m.deleverage(o.pubkey(), t, other.wsol, 10 * SOL, 0), &o).await;
    assert_eq!(balance(&mut mw, other.wsol).await, 10 * SOL + 10 * SOL - 30_000_000);
}

#[tokio::test]
async fn deleverage_rejects_another_owner_zero_too_much_dust_and_slippage() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 50 * SOL).await;
    let thief = mw.w.user(0).await;
    let (k, t) = (key(&user), key(&thief));
    let watch = [s.sub, s.vault, user.wsol, thief.wsol];
    rejects(&mut mw, m.deleverage(t.pubkey(), s, thief.wsol, SOL, 0), &t, MarginError::NotOwner, &watch).await;
    rejects(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 0, 0), &k, MarginError::ZeroAmount, &watch).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 100 * SOL + 1, 0);
    rejects(&mut mw, ix, &k, MarginError::InsufficientCollateral, &watch).await;
    // 50.12 LRT → 49.96964 SOL: 0.03036 SOL of debt would remain.
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 50_120_000_000, 0);
    rejects(&mut mw, ix, &k, MarginError::DustDebt, &watch).await;
    // 20 LRT pay 19.94 SOL: one lamport more is refused by the restaking pool.
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, 20 * SOL - 60_000_000 + 1);
    rejects(&mut mw, ix, &k, RestakingError::SlippageExceeded, &watch).await;
    // The restaking pool needs a fresh rate to unstake: a stale feed stops deleveraging there.
    warp_past_feed_age(&mut mw, 1).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 20 * SOL, 0);
    rejects(&mut mw, ix, &k, RestakingError::FeedStale, &watch).await;
}

#[tokio::test]
async fn deleverage_is_allowed_paused_and_unhealthy_as_long_as_the_ltv_falls() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    let k = key(&user);
    pause(&mut mw, true).await;
    // At 0.95 the position is liquidatable (LTV 94.7%): deleveraging 10 LRT lowers it to 94.2%.
    set_fair_rate(&mut mw, WAD * 95 / 100).await;
    let sub = mw.sub_account(s).await;
    assert!(health::is_liquidatable(90 * SOL, sub.collateral, WAD * 95 / 100, 9_300).unwrap());
    ok(&mut mw, m.deleverage(k.pubkey(), s, user.wsol, 10 * SOL, 0), &k).await;
    let out = 9_500_000_000 - 28_500_000;
    let sub = mw.sub_account(s).await;
    assert_eq!((sub.collateral, sub.debt_shares), (90 * SOL, 90 * SOL - out));
    assert!(health::ltv_lower(90 * SOL - out, 85_500_000_000, 90 * SOL, 95 * SOL));

    // At 0.85 the LTV (105%) is above 1 − fee: unstaking repays less than it removes, the LTV would rise.
    set_fair_rate(&mut mw, WAD * 85 / 100).await;
    let ix = m.deleverage(k.pubkey(), s, user.wsol, 10 * SOL, 0);
    rejects(&mut mw, ix, &k, MarginError::DeleverageDidNotImprove, &[s.sub, s.vault, user.wsol]).await;
}

// ---------------------------------------------------------------------------------------------
// liquidate
// ---------------------------------------------------------------------------------------------

struct Liquidator {
    user: User,
    key: Keypair,
}

async fn liquidator(mw: &mut MarginWorld) -> Liquidator {
    let user = mw.w.user(200 * SOL).await;
    let key = key(&user);
    Liquidator { user, key }
}

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

// ---------------------------------------------------------------------------------------------
// settle_bad_debt
// ---------------------------------------------------------------------------------------------

/// Liquidates `s` entirely at the price where its 100 LRT pay all but `shortfall` of its debt
/// (underwater: no bonus); the liquidation writes the rest off at once. Returns the debt written off.
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
    debt - (debt - shortfall)
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
    assert_eq!(left, insurance / 2);
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

// ---------------------------------------------------------------------------------------------
// close_sub_account
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn close_sub_account_returns_both_rents_to_the_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = borrower(&mut mw, 10 * SOL, 5 * SOL).await;
    let k = key(&user);
    ok(&mut mw, m.repay(k.pubkey(), s, user.wsol, u64::MAX), &k).await;
    ok(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 10 * SOL), &k).await;
    let before = lamports(&mut mw, k.pubkey()).await;
    let rents = lamports(&mut mw, s.sub).await + lamports(&mut mw, s.vault).await;
    ok(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k).await;
    assert_eq!(lamports(&mut mw, k.pubkey()).await, before + rents);
    assert!(mw.w.chain.account(s.sub).await.is_none() && mw.w.chain.account(s.vault).await.is_none());
    // The index may be opened again.
    ok(&mut mw, m.create_sub_account(k.pubkey(), 0), &k).await;
}

#[tokio::test]
async fn close_sub_account_rejects_collateral_and_debt_but_sweeps_stray_tokens() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    mw.lender(100 * SOL).await;
    let (user, s) = collateralized(&mut mw, 10 * SOL).await;
    let k = key(&user);
    let watch = [s.sub, s.vault, k.pubkey(), user.lrt];
    rejects(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k, MarginError::SubAccountNotEmpty, &watch).await;

    // LRT sent straight to the vault is not collateral: it cannot block the close and goes back out.
    ok(&mut mw, m.withdraw_collateral(k.pubkey(), s, user.lrt, 10 * SOL), &k).await;
    let griefer = mw.w.user(2 * SOL).await;
    mw.w.deposit(&griefer, SOL).await;
    let g = key(&griefer);
    let donate = spl_token::instruction::transfer(&spl_token::ID, &griefer.lrt, &s.vault, &g.pubkey(), &[], 1).unwrap();
    ok(&mut mw, donate, &g).await;
    assert_eq!(mw.sub_account(s).await.collateral, 0);
    let lrt_before = mw.w.chain.token_balance(user.lrt).await;
    ok(&mut mw, m.close_sub_account(k.pubkey(), s, user.lrt), &k).await;
    assert_eq!(mw.w.chain.token_balance(user.lrt).await, lrt_before + 1);

    // Debt with collateral under water, not yet settled.
    let (debtor, t) = borrower(&mut mw, 100 * SOL, 90 * SOL).await;
    set_fair_rate(&mut mw, WAD / 2).await;
    let d = key(&debtor);
    let ix = m.close_sub_account(d.pubkey(), t, debtor.lrt);
    rejects(&mut mw, ix, &d, MarginError::SubAccountNotEmpty, &[t.sub, t.vault, d.pubkey()]).await;
}

#[tokio::test]
async fn close_sub_account_rejects_another_owner() {
    let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
    let m = mw.m;
    let (user, s) = mw.trader(0).await;
    let thief = mw.w.chain.keypair().await;
    let ix = m.close_sub_account(thief.pubkey(), s, user.lrt);
    rejects(&mut mw, ix, &thief, ErrorCode::ConstraintHasOne, &[s.sub, s.vault, user.key.pubkey(), thief.pubkey()])
        .await;
}

// ---------------------------------------------------------------------------------------------
// pause
// ---------------------------------------------------------------------------------------------

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
