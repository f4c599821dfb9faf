//! Account substitution: every account of deposit, instant_unstake, finalize_withdrawals and claim
//! (plus request_withdrawal and the stake manager's instructions) is swapped for a look-alike —
//! another pool's, another committee's, a copy owned by another program, a token account of the
//! wrong mint or owner — and each attempt fails with the exact error Anchor or the program gives,
//! leaving both pools, their vaults, feeds, tickets and every user account byte-for-byte unchanged.
use anchor_lang::error::ErrorCode;
use lantern_test_support::restaking_ops::{self, PoolKeys};
use lantern_test_support::solana_sdk::{
    account::Account,
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use lantern_test_support::world::*;
use restaking::errors::RestakingError;

/// Our pool with two depositors and an unfinalized ticket 0 (Alice's), next to a second pool (its own
/// mint and committee) where Carol deposited and holds ticket 0.
struct Setup {
    w: World,
    other: PoolKeys,
    alice: User,
    bob: User,
    carol: User,
    /// Alice's token account for the other pool's LRT.
    alice_other_lrt: Pubkey,
    /// Our feed's bytes at another address, owned by another program.
    foreign_feed: Pubkey,
    /// Our feed's bytes at another address, owned by the oracle program.
    copied_feed: Pubkey,
    /// Our ticket 0's bytes at another address, owned by another program.
    foreign_ticket: Pubkey,
    watched: Vec<Pubkey>,
}

impl Setup {
    async fn new() -> Self {
        let mut w = World::new().await;
        let alice = w.user(10 * SOL).await;
        let bob = w.user(10 * SOL).await;
        w.deposit(&alice, 5 * SOL).await;
        w.deposit(&bob, 5 * SOL).await;
        assert_eq!(w.request(&alice, SOL).await, 0);

        let other = w.another_pool().await;
        let carol_key = w.chain.keypair().await;
        let carol_wsol = w.chain.create_wsol_account(&carol_key.pubkey(), 10 * SOL).await;
        let carol_lrt = w.chain.create_token_account(&other.lrt_mint, &carol_key.pubkey()).await;
        let carol = User { key: carol_key, wsol: carol_wsol, lrt: carol_lrt };
        let signer = carol.key.insecure_clone();
        w.chain.send_ok(&[other.deposit(signer.pubkey(), carol.wsol, carol.lrt, 5 * SOL, 0)], &[&signer]).await;
        w.chain.send_ok(&[other.request_withdrawal(signer.pubkey(), carol.lrt, 0, SOL)], &[&signer]).await;
        let alice_other_lrt = w.chain.create_token_account(&other.lrt_mint, &alice.key.pubkey()).await;

        let feed = w.chain.account(w.keys.feed).await.expect("feed");
        let foreign_feed = Pubkey::new_unique();
        w.chain.ctx.set_account(&foreign_feed, &Account { owner: Pubkey::new_unique(), ..feed.clone() }.into());
        let copied_feed = Pubkey::new_unique();
        w.chain.ctx.set_account(&copied_feed, &feed.into());
        let ticket = w.chain.account(restaking_ops::ticket(&w.keys.pool, 0)).await.expect("ticket");
        let foreign_ticket = Pubkey::new_unique();
        w.chain.ctx.set_account(&foreign_ticket, &Account { owner: Pubkey::new_unique(), ..ticket }.into());

        let k = w.keys;
        let watched = vec![
            k.pool,
            k.reserve_vault,
            k.escrow_vault,
            k.lrt_mint,
            k.feed,
            restaking_ops::ticket(&k.pool, 0),
            other.pool,
            other.reserve_vault,
            other.escrow_vault,
            other.lrt_mint,
            other.feed,
            restaking_ops::ticket(&other.pool, 0),
            alice.wsol,
            alice.lrt,
            bob.wsol,
            bob.lrt,
            carol.wsol,
            carol.lrt,
            alice_other_lrt,
            w.stake_manager_wsol,
            foreign_feed,
            copied_feed,
            foreign_ticket,
        ];
        Self { w, other, alice, bob, carol, alice_other_lrt, foreign_feed, copied_feed, foreign_ticket, watched }
    }

    async fn rejects(&mut self, ix: Instruction, signer: &Keypair, code: impl Into<u32>) {
        self.w.chain.send_err(&[ix], &[signer], code, &self.watched).await;
    }

    fn ticket(&self, id: u64) -> Pubkey {
        restaking_ops::ticket(&self.w.keys.pool, id)
    }
}

/// `ix` with the account `from` replaced by `to` (exactly one occurrence).
fn swap(mut ix: Instruction, from: Pubkey, to: Pubkey) -> Instruction {
    let hits = ix.accounts.iter_mut().filter(|meta| meta.pubkey == from).map(|meta| meta.pubkey = to).count();
    assert_eq!(hits, 1, "{from} must appear once");
    ix
}

/// `ix` with `key` no longer marked as a signer.
fn unsigned(mut ix: Instruction, key: Pubkey) -> Instruction {
    for meta in ix.accounts.iter_mut().filter(|meta| meta.pubkey == key) {
        meta.is_signer = false;
    }
    ix
}

#[tokio::test]
async fn deposit_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let alice = s.alice.key.insecure_clone();
    let k = s.w.keys;
    let o = s.other;
    let (alice_key, alice_wsol, alice_lrt) = (alice.pubkey(), s.alice.wsol, s.alice.lrt);
    let base = move || k.deposit(alice_key, alice_wsol, alice_lrt, SOL, 0);

    // Feed: another committee's, a copy owned by another program, a copy owned by the oracle.
    s.rejects(swap(base(), k.feed, o.feed), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.feed, s.foreign_feed), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), k.feed, s.copied_feed), &alice, ErrorCode::ConstraintHasOne).await;
    // Reserve: another pool's, or an ordinary wSOL account.
    s.rejects(swap(base(), k.reserve_vault, o.reserve_vault), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.reserve_vault, s.bob.wsol), &alice, ErrorCode::ConstraintHasOne).await;
    // The other pool's LRT mint: the pool is no longer the PDA of the mint given.
    s.rejects(swap(base(), k.lrt_mint, o.lrt_mint), &alice, ErrorCode::ConstraintSeeds).await;
    // The other pool itself, with our mint, feed and reserve.
    s.rejects(swap(base(), k.pool, o.pool), &alice, ErrorCode::ConstraintSeeds).await;
    // The other pool with its own mint but our feed and reserve.
    let mixed = swap(swap(base(), k.pool, o.pool), k.lrt_mint, o.lrt_mint);
    s.rejects(mixed, &alice, ErrorCode::ConstraintHasOne).await;
    // Destination of the wrong mint: wSOL, or the other pool's LRT.
    let ix = k.deposit(alice.pubkey(), s.alice.wsol, s.alice.wsol, SOL, 0);
    s.rejects(ix, &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), s.alice.lrt, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    // Source owned by someone else (Bob's wSOL, Alice signing).
    s.rejects(swap(base(), s.alice.wsol, s.bob.wsol), &alice, ErrorCode::ConstraintTokenOwner).await;
    // Source of the wrong mint (Alice's own LRT).
    let ix = k.deposit(alice.pubkey(), s.alice.lrt, s.alice.lrt, SOL, 0);
    s.rejects(ix, &alice, ErrorCode::ConstraintTokenMint).await;
    // A token program that is not SPL Token; a depositor that did not sign.
    s.rejects(swap(base(), spl_token::ID, anchor_lang::system_program::ID), &alice, ErrorCode::InvalidProgramId).await;
    let payer = s.w.chain.payer();
    s.rejects(unsigned(base(), alice.pubkey()), &payer, ErrorCode::AccountNotSigner).await;

    // The unmodified instruction works.
    s.w.chain.send_ok(&[base()], &[&alice]).await;
}

#[tokio::test]
async fn instant_unstake_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let alice = s.alice.key.insecure_clone();
    let k = s.w.keys;
    let o = s.other;
    let (alice_key, alice_wsol, alice_lrt) = (alice.pubkey(), s.alice.wsol, s.alice.lrt);
    let base = move || k.instant_unstake(alice_key, alice_lrt, alice_wsol, SOL, 0);

    s.rejects(swap(base(), k.feed, o.feed), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.feed, s.foreign_feed), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), k.feed, s.copied_feed), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.reserve_vault, o.reserve_vault), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.reserve_vault, s.bob.wsol), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.lrt_mint, o.lrt_mint), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), k.pool, o.pool), &alice, ErrorCode::ConstraintSeeds).await;
    // The other pool, paying from its reserve, against its own LRT mint but our feed.
    let mixed = swap(swap(swap(base(), k.pool, o.pool), k.lrt_mint, o.lrt_mint), k.reserve_vault, o.reserve_vault);
    s.rejects(mixed, &alice, ErrorCode::ConstraintHasOne).await;
    // The other pool's LRT (Alice's account of it) burned against our pool.
    s.rejects(swap(base(), s.alice.lrt, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    // Source of the wrong mint (wSOL) and source owned by someone else.
    let ix = k.instant_unstake(alice.pubkey(), s.alice.wsol, s.bob.wsol, SOL, 0);
    s.rejects(ix, &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), s.alice.lrt, s.bob.lrt), &alice, ErrorCode::ConstraintTokenOwner).await;
    // Destination of the wrong mint (LRT instead of wSOL).
    s.rejects(swap(base(), s.alice.wsol, s.bob.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), spl_token::ID, anchor_lang::system_program::ID), &alice, ErrorCode::InvalidProgramId).await;
    let payer = s.w.chain.payer();
    s.rejects(unsigned(base(), alice.pubkey()), &payer, ErrorCode::AccountNotSigner).await;

    s.w.chain.send_ok(&[base()], &[&alice]).await;
}

#[tokio::test]
async fn finalize_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let payer = s.w.chain.payer();
    let k = s.w.keys;
    let o = s.other;
    let base = move || k.finalize_withdrawals(0, 0);
    let ticket = s.ticket(0);

    s.rejects(swap(base(), k.feed, o.feed), &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.feed, s.foreign_feed), &payer, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), k.feed, s.copied_feed), &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.escrow_vault, o.escrow_vault), &payer, ErrorCode::ConstraintHasOne).await;
    // An LRT account of the right mint that is not the escrow.
    s.rejects(swap(base(), k.escrow_vault, s.bob.lrt), &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.lrt_mint, o.lrt_mint), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), k.pool, o.pool), &payer, ErrorCode::ConstraintSeeds).await;
    // The other pool with its mint and escrow, but our feed.
    let mixed = swap(swap(swap(base(), k.pool, o.pool), k.lrt_mint, o.lrt_mint), k.escrow_vault, o.escrow_vault);
    s.rejects(mixed, &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), spl_token::ID, anchor_lang::system_program::ID), &payer, ErrorCode::InvalidProgramId).await;

    // Tickets: another pool's head of queue, a copy owned by another program, an account of this
    // program that is not a ticket (the pool itself), and a ticket id that does not exist yet.
    s.rejects(swap(base(), ticket, restaking_ops::ticket(&o.pool, 0)), &payer, RestakingError::TicketOutOfOrder).await;
    s.rejects(swap(base(), ticket, s.foreign_ticket), &payer, ErrorCode::AccountOwnedByWrongProgram).await;
    let mut as_pool = base();
    as_pool.accounts.last_mut().unwrap().pubkey = k.pool;
    s.rejects(as_pool, &payer, ErrorCode::AccountDiscriminatorMismatch).await;
    s.rejects(swap(base(), ticket, s.ticket(1)), &payer, ErrorCode::AccountNotInitialized).await;
    // A ticket passed read-only could not record its finalization: refused.
    let mut read_only = base();
    *read_only.accounts.last_mut().unwrap() = AccountMeta::new_readonly(ticket, false);
    s.rejects(read_only, &payer, ErrorCode::ConstraintMut).await;

    s.w.chain.send_ok(&[base()], &[]).await;
    assert!(s.w.chain.anchor_account::<restaking::state::Ticket>(ticket).await.finalized);
}

#[tokio::test]
async fn claim_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let alice = s.alice.key.insecure_clone();
    let carol = s.carol.key.insecure_clone();
    let k = s.w.keys;
    let o = s.other;
    s.w.chain.send_ok(&[k.finalize_withdrawals(0, 0)], &[]).await;
    s.w.chain.send_ok(&[o.finalize_withdrawals(0, 0)], &[]).await;
    // The wallets that would get the ticket's rent back.
    s.watched.extend([alice.pubkey(), carol.pubkey()]);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || k.claim(alice_key, 0, alice_wsol);
    let ticket = s.ticket(0);
    let other_ticket = restaking_ops::ticket(&o.pool, 0);

    s.rejects(swap(base(), k.reserve_vault, o.reserve_vault), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.reserve_vault, s.bob.wsol), &alice, ErrorCode::ConstraintHasOne).await;
    // The other pool with our reserve; with its reserve, our ticket is not its PDA.
    s.rejects(swap(base(), k.pool, o.pool), &alice, ErrorCode::ConstraintHasOne).await;
    let mixed = swap(swap(base(), k.pool, o.pool), k.reserve_vault, o.reserve_vault);
    s.rejects(mixed, &alice, ErrorCode::ConstraintSeeds).await;
    // Carol's finalized ticket of the other pool, claimed through our pool by Carol.
    let ix = swap(k.claim(carol.pubkey(), 0, s.carol.wsol), ticket, other_ticket);
    s.rejects(ix, &carol, ErrorCode::ConstraintSeeds).await;
    // Alice's ticket claimed by Bob, and a copy of it owned by another program.
    let bob = s.bob.key.insecure_clone();
    s.rejects(k.claim(bob.pubkey(), 0, s.bob.wsol), &bob, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), ticket, s.foreign_ticket), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    // The pool account where the ticket goes: wrong discriminator.
    let mut as_pool = base();
    as_pool.accounts[2].pubkey = k.pool;
    s.rejects(as_pool, &alice, ErrorCode::AccountDiscriminatorMismatch).await;
    // Destination of the wrong mint.
    s.rejects(swap(base(), s.alice.wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), spl_token::ID, anchor_lang::system_program::ID), &alice, ErrorCode::InvalidProgramId).await;
    let payer = s.w.chain.payer();
    s.rejects(unsigned(base(), alice.pubkey()), &payer, ErrorCode::AccountNotSigner).await;

    s.w.chain.send_ok(&[base()], &[&alice]).await;
    assert_eq!(s.w.chain.token_balance(s.alice.wsol).await, 5 * SOL + SOL);
}

#[tokio::test]
async fn request_and_stake_management_reject_substituted_accounts() {
    let mut s = Setup::new().await;
    let alice = s.alice.key.insecure_clone();
    let manager = s.w.stake_manager.insecure_clone();
    let k = s.w.keys;
    let o = s.other;
    let next = s.ticket(1);
    s.watched.push(next);
    let (alice_key, alice_lrt) = (alice.pubkey(), s.alice.lrt);
    let base = move || k.request_withdrawal(alice_key, alice_lrt, 1, SOL);

    s.rejects(swap(base(), k.feed, o.feed), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), k.feed, s.foreign_feed), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), k.escrow_vault, o.escrow_vault), &alice, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), s.alice.lrt, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), s.alice.lrt, s.bob.lrt), &alice, ErrorCode::ConstraintTokenOwner).await;
    // A ticket address other than the next id's PDA.
    s.rejects(swap(base(), next, s.ticket(2)), &alice, ErrorCode::ConstraintSeeds).await;
    s.w.chain.send_ok(&[base()], &[&alice]).await;

    // Stake manager: another pool's reserve, the wrong mint, someone else's account.
    let (manager_key, manager_wsol) = (manager.pubkey(), s.w.stake_manager_wsol);
    let delegate = move || k.delegate(manager_key, manager_wsol, SOL);
    s.rejects(swap(delegate(), k.reserve_vault, o.reserve_vault), &manager, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(delegate(), k.pool, o.pool), &manager, ErrorCode::ConstraintHasOne).await;
    let manager_lrt = s.w.chain.create_token_account(&k.lrt_mint, &manager_key).await;
    s.rejects(swap(delegate(), manager_wsol, manager_lrt), &manager, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(delegate(), manager_wsol, s.alice.wsol), &manager, ErrorCode::ConstraintTokenOwner).await;
    s.w.chain.send_ok(&[delegate()], &[&manager]).await;
    let undelegate = move || k.undelegate(manager_key, manager_wsol, SOL);
    s.rejects(swap(undelegate(), k.reserve_vault, o.reserve_vault), &manager, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(undelegate(), manager_wsol, manager_lrt), &manager, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(undelegate(), manager_wsol, s.alice.wsol), &manager, ErrorCode::ConstraintTokenOwner).await;
    s.w.chain.send_ok(&[undelegate()], &[&manager]).await;
}

/// Regression: a ticket passed read-only used to be "finalized" in the pool (queue advanced, LRT
/// burned, SOL locked) without the ticket recording it where writes to read-only accounts are not
/// rejected (native execution, as on localnet), leaving its owner unable ever to claim.
#[tokio::test]
async fn a_read_only_ticket_cannot_be_finalized_behind_its_owners_back() {
    let mut s = Setup::new().await;
    let k = s.w.keys;
    let payer = s.w.chain.payer();
    let mut read_only = k.finalize_withdrawals(0, 0);
    *read_only.accounts.last_mut().unwrap() = AccountMeta::new_readonly(s.ticket(0), false);
    s.rejects(read_only, &payer, ErrorCode::ConstraintMut).await;

    s.w.chain.send_ok(&[k.finalize_withdrawals(0, 0)], &[]).await;
    let alice = s.alice.key.insecure_clone();
    s.w.chain.send_ok(&[k.claim(alice.pubkey(), 0, s.alice.wsol)], &[&alice]).await;
    assert_eq!(s.w.chain.token_balance(s.alice.wsol).await, 6 * SOL);
    assert_eq!(s.w.pool().await.locked_lamports, 0);
}
