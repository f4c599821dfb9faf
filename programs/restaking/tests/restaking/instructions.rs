//! Every restaking instruction on the real runtime: exact state and balances on success, and the
//! specific error with the pool and the accounts involved unchanged on each failure.
use anchor_lang::error::ErrorCode;
use anchor_lang::Space;
use lantern_test_support::restaking_ops::{self, PoolKeys};
use lantern_test_support::solana_sdk::{program_pack::Pack, pubkey::Pubkey, signature::Signer};
use lantern_test_support::world::*;
use restaking::errors::RestakingError;
use restaking::state::{StakePool, Ticket};

/// A rate 0.0333…% above 1 (odd last digits so that every conversion rounds): one report a day
/// after genesis may raise the rate this much (annual limit 15% ≈ 0.041%/day; smoothing 0.075%).
const RISE: u128 = WAD + 333_333_333_333_337;
/// SPL Token's `InsufficientFunds`.
const SPL_INSUFFICIENT_FUNDS: u32 = 1;
/// Largest report age before the feed is stale (default limits).
const MAX_AGE: i64 = 129_600;

fn lrt_at(lamports: u64, rate: u128) -> u64 {
    u64::try_from(u128::from(lamports) * WAD / rate).unwrap()
}

fn sol_at(lrt: u64, rate: u128) -> u64 {
    u64::try_from(u128::from(lrt) * rate / WAD).unwrap()
}

/// The pool, its vaults, mint and feed, plus `extra`.
fn watched(w: &World, extra: &[Pubkey]) -> Vec<Pubkey> {
    let k = &w.keys;
    let mut keys = vec![k.pool, k.reserve_vault, k.escrow_vault, k.lrt_mint, k.feed];
    keys.extend_from_slice(extra);
    keys
}

/// Every account `initialize_pool` for `keys` touches.
fn init_watched(keys: &PoolKeys) -> Vec<Pubkey> {
    vec![keys.pool, keys.reserve_vault, keys.escrow_vault, keys.lrt_mint, keys.feed]
}

async fn mint_state(w: &mut World, mint: Pubkey) -> spl_token::state::Mint {
    spl_token::state::Mint::unpack(&w.chain.account(mint).await.expect("mint").data).expect("mint")
}

async fn token_state(w: &mut World, account: Pubkey) -> spl_token::state::Account {
    spl_token::state::Account::unpack(&w.chain.account(account).await.expect("token account").data)
        .expect("token account")
}

async fn supply(w: &mut World) -> u64 {
    let mint = w.keys.lrt_mint;
    mint_state(w, mint).await.supply
}

async fn lamports(w: &mut World, key: Pubkey) -> u64 {
    w.chain.account(key).await.map_or(0, |a| a.lamports)
}

async fn ticket(w: &mut World, id: u64) -> Ticket {
    let key = restaking_ops::ticket(&w.keys.pool, id);
    w.chain.anchor_account(key).await
}

async fn ticket_rent(w: &mut World) -> u64 {
    w.chain.rent(8 + Ticket::INIT_SPACE).await
}

/// Moves the clock to `offset` seconds past the last report's frame start.
async fn warp_past_report(w: &mut World, offset: i64) {
    let ref_ts = w.feed().await.last_report_ref_ts;
    w.chain.warp_to(ref_ts + offset).await;
}

async fn finalize_ok(w: &mut World, first: u64, up_to: u64) {
    let finalize = w.keys.finalize_withdrawals(first, up_to);
    w.chain.send_ok(&[finalize], &[]).await;
}

// ---------------------------------------------------------------- initialize_pool

#[tokio::test]
async fn initialize_pool_takes_over_the_mint_and_creates_the_vaults() {
    let mut w = World::new().await;
    let admin = w.admin.insecure_clone();
    let mint = w.chain.create_mint(&admin.pubkey(), 9).await;
    w.committee_for(mint).await;
    let keys = PoolKeys::new(mint);
    let manager = Pubkey::new_unique();
    w.chain.send_ok(&[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 45)], &[&admin]).await;

    let pool: StakePool = w.chain.anchor_account(keys.pool).await;
    let bump = Pubkey::find_program_address(&[restaking::seeds::POOL, mint.as_ref()], &restaking::ID).1;
    assert_eq!(pool.bump, bump);
    assert_eq!(pool.lrt_mint, mint);
    assert_eq!(pool.feed, keys.feed);
    assert_eq!(pool.admin, admin.pubkey());
    assert_eq!(pool.stake_manager, manager);
    assert_eq!(pool.reserve_vault, keys.reserve_vault);
    assert_eq!(pool.escrow_vault, keys.escrow_vault);
    assert_eq!(pool.instant_unstake_fee_bps, 45);
    assert_eq!(
        (
            pool.reserve_lamports,
            pool.locked_lamports,
            pool.staked_lamports,
            pool.escrowed_lrt,
            pool.next_ticket,
            pool.next_to_finalize
        ),
        (0, 0, 0, 0, 0, 0)
    );

    let mint_after = mint_state(&mut w, mint).await;
    assert_eq!(Option::<Pubkey>::from(mint_after.mint_authority), Some(keys.pool), "minting belongs to the pool PDA");
    assert_eq!(Option::<Pubkey>::from(mint_after.freeze_authority), None);
    assert_eq!(mint_after.supply, 0);

    let reserve = token_state(&mut w, keys.reserve_vault).await;
    assert_eq!((reserve.mint, reserve.owner, reserve.amount), (spl_token::native_mint::ID, keys.pool, 0));
    let escrow = token_state(&mut w, keys.escrow_vault).await;
    assert_eq!((escrow.mint, escrow.owner, escrow.amount), (mint, keys.pool, 0));

    // The old authority can no longer mint.
    let holder = w.chain.create_token_account(&mint, &admin.pubkey()).await;
    let mint_to = spl_token::instruction::mint_to(&spl_token::ID, &mint, &holder, &admin.pubkey(), &[], 1).unwrap();
    let err = w.chain.send(&[mint_to], &[&admin]).await.expect_err("the old authority minted");
    assert_eq!(lantern_test_support::custom_error(&err), Some(spl_token::error::TokenError::OwnerMismatch as u32));

    // A second initialization cannot overwrite the pool: the system program refuses to re-create it
    // (`AccountAlreadyInUse` = 0).
    let again = keys.initialize(admin.pubkey(), admin.pubkey(), Pubkey::new_unique(), 30);
    w.chain.send_err(&[again], &[&admin], 0u32, &init_watched(&keys)).await;
}

#[tokio::test]
async fn initialize_pool_rejects_mints_it_cannot_own() {
    let mut w = World::new().await;
    let admin = w.admin.insecure_clone();
    let manager = w.stake_manager.pubkey();

    // A mint that already has supply.
    let minted = w.chain.create_mint(&admin.pubkey(), 9).await;
    w.committee_for(minted).await;
    let holder = w.chain.create_token_account(&minted, &admin.pubkey()).await;
    let mint_to = spl_token::instruction::mint_to(&spl_token::ID, &minted, &holder, &admin.pubkey(), &[], 1).unwrap();
    w.chain.send_ok(&[mint_to], &[&admin]).await;
    let keys = PoolKeys::new(minted);
    w.chain
        .send_err(
            &[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 30)],
            &[&admin],
            RestakingError::InvalidMint,
            &init_watched(&keys),
        )
        .await;

    // A mint with a freeze authority (it could freeze holders' LRT).
    let freezable = w.mint_with_freeze_authority(9, &admin.pubkey()).await;
    w.committee_for(freezable).await;
    let keys = PoolKeys::new(freezable);
    w.chain
        .send_err(
            &[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 30)],
            &[&admin],
            RestakingError::InvalidMint,
            &init_watched(&keys),
        )
        .await;

    // A signer that is not the mint authority.
    let fresh = w.chain.create_mint(&admin.pubkey(), 9).await;
    w.committee_for(fresh).await;
    let keys = PoolKeys::new(fresh);
    let impostor = w.chain.keypair().await;
    let init = keys.initialize(admin.pubkey(), impostor.pubkey(), manager, 30);
    w.chain.send_err(&[init], &[&admin, &impostor], RestakingError::InvalidMint, &init_watched(&keys)).await;
    // The real authority still can.
    w.chain.send_ok(&[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 30)], &[&admin]).await;

    // A 6-decimal mint (its own committee, since the feed is seeded by the mint).
    let six = w.chain.create_mint(&admin.pubkey(), 6).await;
    w.committee_for(six).await;
    let keys = PoolKeys::new(six);
    w.chain
        .send_err(
            &[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 30)],
            &[&admin],
            RestakingError::InvalidDecimals,
            &init_watched(&keys),
        )
        .await;
}

#[tokio::test]
async fn initialize_pool_rejects_bad_arguments() {
    let mut w = World::new().await;
    let admin = w.admin.insecure_clone();
    let mint = w.chain.create_mint(&admin.pubkey(), 9).await;
    w.committee_for(mint).await;
    let keys = PoolKeys::new(mint);
    let manager = w.stake_manager.pubkey();

    let init = keys.initialize(admin.pubkey(), admin.pubkey(), manager, 1_001);
    w.chain.send_err(&[init], &[&admin], RestakingError::InvalidFee, &init_watched(&keys)).await;
    let init = keys.initialize(admin.pubkey(), admin.pubkey(), Pubkey::default(), 30);
    w.chain.send_err(&[init], &[&admin], RestakingError::ZeroKey, &init_watched(&keys)).await;

    // The maximum fee itself is accepted.
    w.chain.send_ok(&[keys.initialize(admin.pubkey(), admin.pubkey(), manager, 1_000)], &[&admin]).await;
    let pool: StakePool = w.chain.anchor_account(keys.pool).await;
    assert_eq!(pool.instant_unstake_fee_bps, 1_000);
}

// ---------------------------------------------------------------- update_pool

#[tokio::test]
async fn update_pool_is_for_the_admin_with_valid_arguments() {
    let mut w = World::new().await;
    let admin = w.admin.insecure_clone();
    let new_manager = w.chain.keypair().await;
    let stranger = w.chain.keypair().await;

    let update = w.keys.update(stranger.pubkey(), new_manager.pubkey(), 50);
    w.chain.send_err(&[update], &[&stranger], RestakingError::NotAdmin, &watched(&w, &[])).await;
    let update = w.keys.update(admin.pubkey(), new_manager.pubkey(), 1_001);
    w.chain.send_err(&[update], &[&admin], RestakingError::InvalidFee, &watched(&w, &[])).await;
    let update = w.keys.update(admin.pubkey(), Pubkey::default(), 50);
    w.chain.send_err(&[update], &[&admin], RestakingError::ZeroKey, &watched(&w, &[])).await;

    let before = w.pool().await;
    w.chain.send_ok(&[w.keys.update(admin.pubkey(), new_manager.pubkey(), 1_000)], &[&admin]).await;
    let after = w.pool().await;
    assert_eq!(after.stake_manager, new_manager.pubkey());
    assert_eq!(after.instant_unstake_fee_bps, 1_000);
    assert_eq!(
        (after.admin, after.reserve_lamports, after.next_ticket),
        (before.admin, before.reserve_lamports, before.next_ticket)
    );

    // The old stake manager lost its role, the new one has it.
    let user = w.user(2 * SOL).await;
    w.deposit(&user, 2 * SOL).await;
    let old = w.stake_manager.insecure_clone();
    let delegate = w.keys.delegate(old.pubkey(), w.stake_manager_wsol, SOL);
    w.chain.send_err(&[delegate], &[&old], ErrorCode::ConstraintHasOne, &watched(&w, &[w.stake_manager_wsol])).await;
    let new_wsol = w.chain.create_wsol_account(&new_manager.pubkey(), 0).await;
    w.chain.send_ok(&[w.keys.delegate(new_manager.pubkey(), new_wsol, SOL)], &[&new_manager]).await;
    assert_eq!(w.chain.token_balance(new_wsol).await, SOL);
}

// ---------------------------------------------------------------- deposit

#[tokio::test]
async fn deposit_mints_the_floor_at_the_fair_rate() {
    let mut w = World::new().await;
    w.report(RISE, false).await.expect("report");
    assert_eq!(w.feed().await.fair_rate, RISE);
    let user = w.user(5 * SOL).await;
    let signer = user.key.insecure_clone();
    let lamports = 1_234_567_891;
    let expected = lrt_at(lamports, RISE);
    assert_ne!(u128::from(lamports) * WAD % RISE, 0, "the conversion must round");
    assert!(expected < lamports);

    let deposit = w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, lamports, expected + 1);
    w.chain
        .send_err(&[deposit], &[&signer], RestakingError::SlippageExceeded, &watched(&w, &[user.wsol, user.lrt]))
        .await;

    w.chain.send_ok(&[w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, lamports, expected)], &[&signer]).await;
    assert_eq!(w.chain.token_balance(user.lrt).await, expected);
    assert_eq!(w.chain.token_balance(user.wsol).await, 5 * SOL - lamports);
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, lamports);
    assert_eq!(supply(&mut w).await, expected);
    let pool = w.pool().await;
    assert_eq!(
        (pool.reserve_lamports, pool.locked_lamports, pool.staked_lamports, pool.escrowed_lrt),
        (lamports, 0, 0, 0)
    );

    // More than the depositor holds: SPL Token refuses the transfer and nothing is minted.
    let deposit = w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, 5 * SOL, 0);
    w.chain.send_err(&[deposit], &[&signer], SPL_INSUFFICIENT_FUNDS, &watched(&w, &[user.wsol, user.lrt])).await;
}

#[tokio::test]
async fn deposit_rejects_nothing_and_dust() {
    let mut w = World::new().await;
    w.report(RISE, false).await.expect("report");
    let user = w.user(SOL).await;
    let signer = user.key.insecure_clone();
    let deposit = w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, 0, 0);
    w.chain.send_err(&[deposit], &[&signer], RestakingError::ZeroAmount, &watched(&w, &[user.wsol, user.lrt])).await;
    // 1 lamport at a rate above 1 is worth less than one LRT unit.
    assert_eq!(lrt_at(1, RISE), 0);
    let deposit = w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, 1, 0);
    w.chain.send_err(&[deposit], &[&signer], RestakingError::ZeroAmount, &watched(&w, &[user.wsol, user.lrt])).await;
    // 2 lamports make 1 LRT unit.
    assert_eq!(w.deposit(&user, 2).await, 1);
}

#[tokio::test]
async fn deposit_requires_a_fresh_feed() {
    let mut w = World::new().await;
    let user = w.user(3 * SOL).await;
    let signer = user.key.insecure_clone();
    // Exactly at the maximum age the feed still counts.
    warp_past_report(&mut w, MAX_AGE).await;
    assert_eq!(w.deposit(&user, SOL).await, SOL);
    warp_past_report(&mut w, MAX_AGE + 1).await;
    let deposit = w.keys.deposit(signer.pubkey(), user.wsol, user.lrt, SOL, 0);
    w.chain.send_err(&[deposit], &[&signer], RestakingError::FeedStale, &watched(&w, &[user.wsol, user.lrt])).await;
    w.refresh().await;
    assert_eq!(w.deposit(&user, SOL).await, SOL);
}

#[tokio::test]
async fn deposit_works_in_bunker_mode() {
    let mut w = World::new().await;
    w.report(WAD, true).await.expect("bunker report");
    assert!(w.feed().await.bunker);
    let user = w.user(3 * SOL).await;
    assert_eq!(w.deposit(&user, SOL).await, SOL);

    // A decrease (bunker through the loss itself) still takes deposits, at the lower rate.
    let drop = WAD - WAD * 37 / 10_000 - 7;
    w.report(drop, false).await.expect("decrease");
    let feed = w.feed().await;
    assert!(feed.bunker);
    assert_eq!(feed.fair_rate, drop);
    assert_eq!(w.deposit(&user, SOL).await, lrt_at(SOL, drop));
    assert_eq!(w.pool().await.reserve_lamports, 2 * SOL);
}

// ---------------------------------------------------------------- request_withdrawal

#[tokio::test]
async fn request_withdrawal_escrows_and_numbers_tickets() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    let signer = user.key.insecure_clone();
    w.deposit(&user, 10 * SOL).await;
    w.report(RISE, false).await.expect("report");
    let rent = ticket_rent(&mut w).await;

    let wallet_before = lamports(&mut w, signer.pubkey()).await;
    let id0 = w.request(&user, 3_333_333_337).await;
    let now = w.chain.now().await;
    assert_eq!(id0, 0);
    assert_eq!(lamports(&mut w, signer.pubkey()).await, wallet_before - rent, "the owner pays the ticket's rent");
    let t = ticket(&mut w, 0).await;
    let bump = Pubkey::find_program_address(
        &[restaking::seeds::TICKET, w.keys.pool.as_ref(), &0u64.to_le_bytes()],
        &restaking::ID,
    )
    .1;
    assert_eq!(t.bump, bump);
    assert_eq!(t.pool, w.keys.pool);
    assert_eq!(t.id, 0);
    assert_eq!(t.owner, signer.pubkey());
    assert_eq!(t.lrt, 3_333_333_337);
    assert_eq!(t.rate_at_request, RISE);
    assert_eq!(t.requested_ts, now);
    assert!(!t.finalized);
    assert_eq!(t.lamports_owed, 0);
    assert_eq!(w.chain.token_balance(w.keys.escrow_vault).await, 3_333_333_337);
    assert_eq!(w.chain.token_balance(user.lrt).await, 10 * SOL - 3_333_333_337);
    assert_eq!(supply(&mut w).await, 10 * SOL, "requesting burns nothing yet");
    let pool = w.pool().await;
    assert_eq!((pool.escrowed_lrt, pool.next_ticket, pool.next_to_finalize), (3_333_333_337, 1, 0));

    let id1 = w.request(&user, SOL).await;
    assert_eq!(id1, 1);
    assert_eq!(ticket(&mut w, 1).await.id, 1);
    let pool = w.pool().await;
    assert_eq!((pool.escrowed_lrt, pool.next_ticket), (3_333_333_337 + SOL, 2));
    assert_eq!(w.chain.token_balance(w.keys.escrow_vault).await, 3_333_333_337 + SOL);

    let next = restaking_ops::ticket(&w.keys.pool, 2);
    let request = w.keys.request_withdrawal(signer.pubkey(), user.lrt, 2, 0);
    w.chain.send_err(&[request], &[&signer], RestakingError::ZeroAmount, &watched(&w, &[user.lrt, next])).await;
    let balance = w.chain.token_balance(user.lrt).await;
    let request = w.keys.request_withdrawal(signer.pubkey(), user.lrt, 2, balance + 1);
    w.chain.send_err(&[request], &[&signer], SPL_INSUFFICIENT_FUNDS, &watched(&w, &[user.lrt, next])).await;
    assert_eq!(w.request(&user, balance).await, 2);
    assert_eq!(w.chain.token_balance(user.lrt).await, 0);
}

// ---------------------------------------------------------------- finalize_withdrawals

#[tokio::test]
async fn finalize_pays_the_request_rate_after_a_rise_and_burns_the_lrt() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    w.deposit(&user, 10 * SOL).await;
    let lrt = 3_333_333_337;
    w.request(&user, lrt).await;
    w.report(RISE, false).await.expect("rise");
    assert_eq!(w.feed().await.fair_rate, RISE);

    finalize_ok(&mut w, 0, 0).await;
    let t = ticket(&mut w, 0).await;
    assert!(t.finalized);
    assert_eq!(t.lamports_owed, lrt, "the gain after the request stays with the pool");
    let pool = w.pool().await;
    assert_eq!(
        (pool.locked_lamports, pool.reserve_lamports, pool.escrowed_lrt, pool.next_to_finalize),
        (lrt, 10 * SOL, 0, 1)
    );
    assert_eq!(w.chain.token_balance(w.keys.escrow_vault).await, 0);
    assert_eq!(supply(&mut w).await, 10 * SOL - lrt, "the escrowed LRT is burned");
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 10 * SOL, "SOL stays in the reserve until claimed");
}

#[tokio::test]
async fn finalize_pays_the_current_rate_after_a_drop_and_waits_out_bunker_mode() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    w.deposit(&user, 10 * SOL).await;
    w.report(RISE, false).await.expect("rise");
    let lrt = 3_333_333_337;
    w.request(&user, lrt).await;
    assert_eq!(ticket(&mut w, 0).await.rate_at_request, RISE);

    // A 0.37% loss: applied at once (inside the 1% budget) and bunker mode turns on.
    let drop = RISE - RISE * 37 / 10_000;
    w.report(drop, false).await.expect("drop");
    let feed = w.feed().await;
    assert!(feed.bunker);
    assert_eq!(feed.fair_rate, drop);
    let ticket_key = restaking_ops::ticket(&w.keys.pool, 0);
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(0, 0)], &[], RestakingError::BunkerMode, &watched(&w, &[ticket_key]))
        .await;

    // A clean report ends bunker mode; the ticket shares the loss.
    w.report(drop, false).await.expect("clean report");
    assert!(!w.feed().await.bunker);
    finalize_ok(&mut w, 0, 0).await;
    let owed = sol_at(lrt, drop);
    assert!(owed < sol_at(lrt, RISE));
    assert_eq!(ticket(&mut w, 0).await.lamports_owed, owed);
    assert_eq!(w.pool().await.locked_lamports, owed);
}

#[tokio::test]
async fn finalize_stops_in_bunker_mode_raised_by_the_committee() {
    let mut w = World::new().await;
    let user = w.user(2 * SOL).await;
    w.deposit(&user, 2 * SOL).await;
    w.request(&user, SOL).await;
    w.report(WAD, true).await.expect("bunker flag");
    let ticket_key = restaking_ops::ticket(&w.keys.pool, 0);
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(0, 0)], &[], RestakingError::BunkerMode, &watched(&w, &[ticket_key]))
        .await;
}

#[tokio::test]
async fn finalize_requires_a_fresh_feed() {
    let mut w = World::new().await;
    let user = w.user(2 * SOL).await;
    w.deposit(&user, 2 * SOL).await;
    w.request(&user, SOL).await;
    let ticket_key = restaking_ops::ticket(&w.keys.pool, 0);
    warp_past_report(&mut w, MAX_AGE + 1).await;
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(0, 0)], &[], RestakingError::FeedStale, &watched(&w, &[ticket_key]))
        .await;
    w.refresh().await;
    finalize_ok(&mut w, 0, 0).await;
    assert!(ticket(&mut w, 0).await.finalized);
}

#[tokio::test]
async fn finalize_takes_tickets_in_queue_order_only() {
    let mut w = World::new().await;
    let alice = w.user(4 * SOL).await;
    let bob = w.user(4 * SOL).await;
    w.deposit(&alice, 4 * SOL).await;
    w.deposit(&bob, 4 * SOL).await;
    w.request(&alice, SOL).await;
    w.request(&bob, 2 * SOL).await;
    let t0 = restaking_ops::ticket(&w.keys.pool, 0);
    let t1 = restaking_ops::ticket(&w.keys.pool, 1);

    // Swapped.
    let mut swapped = w.keys.finalize_withdrawals(0, 1);
    let n = swapped.accounts.len();
    swapped.accounts.swap(n - 2, n - 1);
    w.chain.send_err(&[swapped], &[], RestakingError::TicketOutOfOrder, &watched(&w, &[t0, t1])).await;
    // Skipping the head of the queue.
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(1, 1)], &[], RestakingError::TicketOutOfOrder, &watched(&w, &[t0, t1]))
        .await;

    // The head of another pool's queue (same id 0).
    let other = w.another_pool().await;
    let carol = w.chain.keypair().await;
    let carol_wsol = w.chain.create_wsol_account(&carol.pubkey(), SOL).await;
    let carol_lrt = w.chain.create_token_account(&other.lrt_mint, &carol.pubkey()).await;
    w.chain.send_ok(&[other.deposit(carol.pubkey(), carol_wsol, carol_lrt, SOL, 0)], &[&carol]).await;
    w.chain.send_ok(&[other.request_withdrawal(carol.pubkey(), carol_lrt, 0, SOL)], &[&carol]).await;
    let foreign = restaking_ops::ticket(&other.pool, 0);
    let mut finalize = w.keys.finalize_withdrawals(0, 0);
    finalize.accounts.last_mut().unwrap().pubkey = foreign;
    w.chain
        .send_err(&[finalize], &[], RestakingError::TicketOutOfOrder, &watched(&w, &[t0, foreign, other.pool]))
        .await;

    // In order: 0, then 0 again is refused, then 1.
    finalize_ok(&mut w, 0, 0).await;
    let mut again = w.keys.finalize_withdrawals(0, 1);
    again.accounts.remove(n - 1);
    w.chain.send_err(&[again], &[], RestakingError::TicketOutOfOrder, &watched(&w, &[t0, t1])).await;
    finalize_ok(&mut w, 1, 1).await;
    let pool = w.pool().await;
    assert_eq!((pool.next_to_finalize, pool.locked_lamports, pool.escrowed_lrt), (2, 3 * SOL, 0));
    assert_eq!(supply(&mut w).await, 5 * SOL);
}

#[tokio::test]
async fn finalize_stops_when_the_liquid_reserve_runs_short() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    w.deposit(&user, 10 * SOL).await;
    w.request(&user, 3 * SOL).await;
    w.request(&user, 3 * SOL).await;
    w.request(&user, SOL).await;
    let manager = w.stake_manager.insecure_clone();
    w.chain.send_ok(&[w.keys.delegate(manager.pubkey(), w.stake_manager_wsol, 5 * SOL)], &[&manager]).await;
    let tickets: Vec<Pubkey> = (0..3).map(|id| restaking_ops::ticket(&w.keys.pool, id)).collect();

    // 5 SOL liquid: ticket 0 (3) fits, ticket 1 (3) does not, and ticket 2 must wait its turn.
    finalize_ok(&mut w, 0, 2).await;
    let pool = w.pool().await;
    assert_eq!((pool.next_to_finalize, pool.locked_lamports, pool.escrowed_lrt), (1, 3 * SOL, 4 * SOL));
    assert!(ticket(&mut w, 0).await.finalized);
    assert!(!ticket(&mut w, 1).await.finalized);
    assert!(!ticket(&mut w, 2).await.finalized);
    assert_eq!(supply(&mut w).await, 7 * SOL);

    // Nothing more fits; an up_to behind the queue finalizes nothing either.
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(1, 2)], &[], RestakingError::NothingToFinalize, &watched(&w, &tickets))
        .await;
    w.chain
        .send_err(&[w.keys.finalize_withdrawals(0, 0)], &[], RestakingError::NothingToFinalize, &watched(&w, &tickets))
        .await;

    // The locked SOL is out of the stake manager's reach.
    let liquid = w.pool().await.liquid_lamports();
    assert_eq!(liquid, 2 * SOL);
    let delegate = w.keys.delegate(manager.pubkey(), w.stake_manager_wsol, liquid + 1);
    w.chain
        .send_err(
            &[delegate],
            &[&manager],
            RestakingError::InsufficientLiquidity,
            &watched(&w, &[w.stake_manager_wsol]),
        )
        .await;

    // One more SOL back from validators: ticket 1 fits exactly, ticket 2 then does not.
    w.chain.send_ok(&[w.keys.undelegate(manager.pubkey(), w.stake_manager_wsol, SOL)], &[&manager]).await;
    finalize_ok(&mut w, 1, 2).await;
    let pool = w.pool().await;
    assert_eq!((pool.next_to_finalize, pool.locked_lamports, pool.reserve_lamports), (2, 6 * SOL, 6 * SOL));
    assert_eq!(pool.liquid_lamports(), 0);
}

// ---------------------------------------------------------------- claim

#[tokio::test]
async fn claim_pays_the_ticket_and_returns_its_rent() {
    let mut w = World::new().await;
    let alice = w.user(10 * SOL).await;
    let bob = w.user(0).await;
    let signer = alice.key.insecure_clone();
    w.deposit(&alice, 10 * SOL).await;
    w.report(RISE, false).await.expect("rise");
    let lrt = 3_333_333_337;
    let id = w.request(&alice, lrt).await;
    let ticket_key = restaking_ops::ticket(&w.keys.pool, id);

    let claim = w.keys.claim(signer.pubkey(), id, alice.wsol);
    w.chain
        .send_err(&[claim], &[&signer], RestakingError::TicketNotFinalized, &watched(&w, &[ticket_key, alice.wsol]))
        .await;

    w.refresh().await;
    finalize_ok(&mut w, id, id).await;
    let owed = sol_at(lrt, RISE);
    assert_eq!(ticket(&mut w, id).await.lamports_owed, owed);

    // Someone else's ticket.
    let thief = bob.key.insecure_clone();
    let claim = w.keys.claim(thief.pubkey(), id, bob.wsol);
    w.chain.send_err(&[claim], &[&thief], ErrorCode::ConstraintHasOne, &watched(&w, &[ticket_key, bob.wsol])).await;

    let rent = lamports(&mut w, ticket_key).await;
    assert_eq!(rent, ticket_rent(&mut w).await);
    let wallet_before = lamports(&mut w, signer.pubkey()).await;
    w.chain.send_ok(&[w.keys.claim(signer.pubkey(), id, alice.wsol)], &[&signer]).await;
    assert_eq!(w.chain.token_balance(alice.wsol).await, owed);
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 10 * SOL - owed);
    assert_eq!(lamports(&mut w, signer.pubkey()).await, wallet_before + rent, "the rent returns to the owner");
    assert!(w.chain.account(ticket_key).await.is_none(), "the ticket is closed");
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.locked_lamports), (10 * SOL - owed, 0));

    // A closed ticket cannot pay twice.
    let claim = w.keys.claim(signer.pubkey(), id, alice.wsol);
    w.chain
        .send_err(&[claim], &[&signer], ErrorCode::AccountNotInitialized, &watched(&w, &[ticket_key, alice.wsol]))
        .await;
}

// ---------------------------------------------------------------- instant_unstake

#[tokio::test]
async fn instant_unstake_rounds_the_fee_up_and_the_payout_down() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    let signer = user.key.insecure_clone();
    w.deposit(&user, 10 * SOL).await;
    w.report(RISE, false).await.expect("rise");

    let lrt = 1_234_567_891;
    let gross = sol_at(lrt, RISE);
    assert_ne!(u128::from(lrt) * RISE % WAD, 0, "the value must round");
    assert_ne!(gross * 30 % 10_000, 0, "the fee must round");
    let fee = (gross * 30).div_ceil(10_000);
    let out = gross - fee;

    let unstake = w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, lrt, out + 1);
    w.chain
        .send_err(&[unstake], &[&signer], RestakingError::SlippageExceeded, &watched(&w, &[user.lrt, user.wsol]))
        .await;

    w.chain.send_ok(&[w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, lrt, out)], &[&signer]).await;
    assert_eq!(w.chain.token_balance(user.wsol).await, out);
    assert_eq!(w.chain.token_balance(user.lrt).await, 10 * SOL - lrt);
    assert_eq!(supply(&mut w).await, 10 * SOL - lrt);
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 10 * SOL - out, "the fee stays in the reserve");
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.locked_lamports, pool.escrowed_lrt), (10 * SOL - out, 0, 0));
}

#[tokio::test]
async fn instant_unstake_rejects_nothing_dust_and_stale_feeds() {
    let mut w = World::new().await;
    let user = w.user(2 * SOL).await;
    let signer = user.key.insecure_clone();
    w.deposit(&user, 2 * SOL).await;
    let watch = watched(&w, &[user.lrt, user.wsol]);

    let unstake = w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, 0, 0);
    w.chain.send_err(&[unstake], &[&signer], RestakingError::ZeroAmount, &watch).await;
    // 1 LRT unit is worth 1 lamport, all of it fee (rounded up): nothing left to pay.
    let unstake = w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, 1, 0);
    w.chain.send_err(&[unstake], &[&signer], RestakingError::ZeroAmount, &watch).await;
    // More LRT than the owner has: SPL Token refuses the burn.
    let unstake = w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, 2 * SOL + 1, 0);
    w.chain.send_err(&[unstake], &[&signer], SPL_INSUFFICIENT_FUNDS, &watch).await;

    warp_past_report(&mut w, MAX_AGE + 1).await;
    let unstake = w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, SOL, 0);
    w.chain.send_err(&[unstake], &[&signer], RestakingError::FeedStale, &watch).await;
    w.refresh().await;
    w.chain.send_ok(&[w.keys.instant_unstake(signer.pubkey(), user.lrt, user.wsol, SOL, 0)], &[&signer]).await;
    assert_eq!(w.chain.token_balance(user.wsol).await, SOL - SOL * 30 / 10_000);
}

#[tokio::test]
async fn instant_unstake_is_bounded_by_the_liquid_reserve() {
    let mut w = World::new().await;
    let alice = w.user(10 * SOL).await;
    let bob = w.user(10 * SOL).await;
    w.deposit(&alice, 10 * SOL).await;
    w.deposit(&bob, 10 * SOL).await;
    // 4 SOL locked for Alice's finalized ticket.
    let id = w.request(&alice, 4 * SOL).await;
    finalize_ok(&mut w, id, id).await;
    assert_eq!(w.pool().await.locked_lamports, 4 * SOL);

    let lrt = 2 * SOL;
    let out = lrt - (lrt * 30).div_ceil(10_000);
    // Leave one lamport less than `out` liquid: the reserve still holds far more, but it is locked.
    let manager = w.stake_manager.insecure_clone();
    let liquid = w.pool().await.liquid_lamports();
    w.chain.send_ok(&[w.keys.delegate(manager.pubkey(), w.stake_manager_wsol, liquid - out + 1)], &[&manager]).await;
    let pool = w.pool().await;
    assert_eq!(pool.liquid_lamports(), out - 1);
    assert!(pool.reserve_lamports > out);

    let signer = bob.key.insecure_clone();
    let unstake = w.keys.instant_unstake(signer.pubkey(), bob.lrt, bob.wsol, lrt, 0);
    w.chain
        .send_err(&[unstake], &[&signer], RestakingError::InsufficientLiquidity, &watched(&w, &[bob.lrt, bob.wsol]))
        .await;

    // Exactly `out` liquid is enough.
    w.chain.send_ok(&[w.keys.undelegate(manager.pubkey(), w.stake_manager_wsol, 1)], &[&manager]).await;
    w.chain.send_ok(&[w.keys.instant_unstake(signer.pubkey(), bob.lrt, bob.wsol, lrt, out)], &[&signer]).await;
    let pool = w.pool().await;
    assert_eq!((pool.liquid_lamports(), pool.locked_lamports, pool.reserve_lamports), (0, 4 * SOL, 4 * SOL));
    assert_eq!(w.chain.token_balance(bob.wsol).await, out);

    // Alice's locked SOL is still there for her.
    let owner = alice.key.insecure_clone();
    w.chain.send_ok(&[w.keys.claim(owner.pubkey(), id, alice.wsol)], &[&owner]).await;
    assert_eq!(w.chain.token_balance(alice.wsol).await, 4 * SOL);
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 0);
}

// ---------------------------------------------------------------- delegate / undelegate

#[tokio::test]
async fn delegate_moves_only_liquid_sol_for_the_stake_manager() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    w.deposit(&user, 10 * SOL).await;
    let manager = w.stake_manager.insecure_clone();
    let manager_wsol = w.stake_manager_wsol;

    w.chain.send_ok(&[w.keys.delegate(manager.pubkey(), manager_wsol, 4 * SOL)], &[&manager]).await;
    assert_eq!(w.chain.token_balance(manager_wsol).await, 4 * SOL);
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 6 * SOL);
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.staked_lamports, pool.locked_lamports), (6 * SOL, 4 * SOL, 0));

    // Another signer, with its own wSOL account: the pool's has_one on the stake manager refuses it.
    let stranger = w.chain.keypair().await;
    let stranger_wsol = w.chain.create_wsol_account(&stranger.pubkey(), 0).await;
    let delegate = w.keys.delegate(stranger.pubkey(), stranger_wsol, SOL);
    w.chain.send_err(&[delegate], &[&stranger], ErrorCode::ConstraintHasOne, &watched(&w, &[stranger_wsol])).await;
    let delegate = w.keys.delegate(manager.pubkey(), manager_wsol, 0);
    w.chain.send_err(&[delegate], &[&manager], RestakingError::ZeroAmount, &watched(&w, &[manager_wsol])).await;

    // 5 SOL locked for a finalized ticket: only 1 SOL is liquid.
    let id = w.request(&user, 5 * SOL).await;
    finalize_ok(&mut w, id, id).await;
    assert_eq!(w.pool().await.liquid_lamports(), SOL);
    let delegate = w.keys.delegate(manager.pubkey(), manager_wsol, SOL + 1);
    w.chain
        .send_err(&[delegate], &[&manager], RestakingError::InsufficientLiquidity, &watched(&w, &[manager_wsol]))
        .await;
    w.chain.send_ok(&[w.keys.delegate(manager.pubkey(), manager_wsol, SOL)], &[&manager]).await;
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.staked_lamports, pool.locked_lamports), (5 * SOL, 5 * SOL, 5 * SOL));
}

#[tokio::test]
async fn undelegate_returns_sol_and_floors_the_staked_balance() {
    let mut w = World::new().await;
    let user = w.user(10 * SOL).await;
    w.deposit(&user, 10 * SOL).await;
    let manager = w.stake_manager.insecure_clone();
    let manager_wsol = w.stake_manager_wsol;
    w.chain.send_ok(&[w.keys.delegate(manager.pubkey(), manager_wsol, 4 * SOL)], &[&manager]).await;

    let stranger = w.chain.keypair().await;
    let stranger_wsol = w.chain.create_wsol_account(&stranger.pubkey(), SOL).await;
    let undelegate = w.keys.undelegate(stranger.pubkey(), stranger_wsol, SOL);
    w.chain.send_err(&[undelegate], &[&stranger], ErrorCode::ConstraintHasOne, &watched(&w, &[stranger_wsol])).await;
    let undelegate = w.keys.undelegate(manager.pubkey(), manager_wsol, 0);
    w.chain.send_err(&[undelegate], &[&manager], RestakingError::ZeroAmount, &watched(&w, &[manager_wsol])).await;
    let undelegate = w.keys.undelegate(manager.pubkey(), manager_wsol, 4 * SOL + 1);
    w.chain.send_err(&[undelegate], &[&manager], SPL_INSUFFICIENT_FUNDS, &watched(&w, &[manager_wsol])).await;

    w.chain.send_ok(&[w.keys.undelegate(manager.pubkey(), manager_wsol, SOL)], &[&manager]).await;
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.staked_lamports), (7 * SOL, 3 * SOL));

    // Rewards: validators return more than was delegated; the staked balance floors at zero.
    w.chain.wrap_sol(manager_wsol, SOL / 2).await;
    w.chain.send_ok(&[w.keys.undelegate(manager.pubkey(), manager_wsol, 3 * SOL + SOL / 2)], &[&manager]).await;
    let pool = w.pool().await;
    assert_eq!((pool.reserve_lamports, pool.staked_lamports), (10 * SOL + SOL / 2, 0));
    assert_eq!(w.chain.token_balance(w.keys.reserve_vault).await, 10 * SOL + SOL / 2);
    assert_eq!(w.chain.token_balance(manager_wsol).await, 0);
}
