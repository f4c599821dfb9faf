//! initialize_pool, update_pool, accrue_interest.
use super::*;

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
