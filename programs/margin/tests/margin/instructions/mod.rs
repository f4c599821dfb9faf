//! Every margin instruction, one at a time (a file per instruction group): a success with exact state and balance checks, and one
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

mod borrow;
mod close_sub_account;
mod collateral;
mod deleverage;
mod leverage_up;
mod liquidate;
mod market;
mod pause;
/// A liquidator with 200 SOL of wSOL.
struct Liquidator {
    user: User,
    key: Keypair,
}

async fn liquidator(mw: &mut MarginWorld) -> Liquidator {
    let user = mw.w.user(200 * SOL).await;
    let key = key(&user);
    Liquidator { user, key }
}

mod pool;
mod repay;
mod settle_bad_debt;
mod supply;
