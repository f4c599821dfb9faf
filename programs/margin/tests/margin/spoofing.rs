//! Account substitution: every account of every user-facing margin instruction is swapped for a
//! look-alike — a copy owned by another program, a copy at an address that is not its PDA, another
//! sub-account or its vault, a token account of the wrong mint or owner, another LRT's market, feed,
//! restaking pool, mint and reserve, a foreign program — and each attempt fails with the exact error
//! Anchor (or the program, or SPL Token) gives, leaving both markets, the pool, every sub-account,
//! every vault and every user account byte-for-byte unchanged. Each test ends with the unmodified
//! instruction succeeding, so the failures are the substitutions' doing.
use anchor_lang::error::ErrorCode;
use lantern_test_support::margin_ops::{self, MarginKeys, SubKeys};
use lantern_test_support::solana_sdk::{
    account::Account,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use lantern_test_support::world::*;
use margin::errors::MarginError;
use margin::state::{PricingPolicy, RiskParams};

/// Look-alikes of real accounts, made with `set_account`.
#[derive(Clone, Copy)]
struct Fakes {
    /// Copies owned by an unrelated program.
    foreign_pool: Pubkey,
    foreign_vault: Pubkey,
    foreign_market: Pubkey,
    foreign_feed: Pubkey,
    foreign_sub: Pubkey,
    foreign_collateral_vault: Pubkey,
    foreign_lender: Pubkey,
    foreign_stake_pool: Pubkey,
    foreign_insurance_vault: Pubkey,
    /// Copies owned by the right program, at an address that is not the original's.
    copied_pool: Pubkey,
    copied_vault: Pubkey,
    copied_market: Pubkey,
    copied_feed: Pubkey,
    copied_sub: Pubkey,
    copied_collateral_vault: Pubkey,
    copied_lender: Pubkey,
    copied_stake_pool: Pubkey,
}

/// One SOL pool with two markets: ours (the world's LRT) and another LRT's, with its own committee,
/// feed and restaking pool. Alice has sub-accounts 0 (100 LRT, 50 SOL of debt) and 1 (empty) here
/// and sub-account 0 (5 of the other LRT) there; Bob has sub-accounts 0 (100 LRT, 90 SOL) and 1
/// (empty); both also lend; Carol is a liquidator holding SOL.
struct Setup {
    mw: MarginWorld,
    m: MarginKeys,
    other: MarginKeys,
    alice: User,
    bob: User,
    carol: User,
    a0: SubKeys,
    a1: SubKeys,
    b0: SubKeys,
    b1: SubKeys,
    /// Alice's sub-account 0 in the other market.
    alice_other: SubKeys,
    alice_other_lrt: Pubkey,
    carol_other_lrt: Pubkey,
    fake: Fakes,
    watched: Vec<Pubkey>,
}

async fn copy(mw: &mut MarginWorld, from: Pubkey, owner: Option<Pubkey>) -> Pubkey {
    let account = mw.w.chain.account(from).await.expect("account to copy");
    let owner = owner.unwrap_or(account.owner);
    let to = Pubkey::new_unique();
    mw.w.chain.ctx.set_account(&to, &Account { owner, ..account }.into());
    to
}

async fn foreign(mw: &mut MarginWorld, from: Pubkey) -> Pubkey {
    copy(mw, from, Some(Pubkey::new_unique())).await
}

fn key(user: &User) -> Keypair {
    user.key.insecure_clone()
}

impl Setup {
    async fn new() -> Self {
        let mut mw = MarginWorld::new(PricingPolicy::FairRate).await;
        let m = mw.m;
        let admin = mw.w.admin.insecure_clone();
        let other = MarginKeys::new(mw.w.another_pool().await);
        mw.w.chain
            .send_ok(
                &[other.initialize_market(admin.pubkey(), PricingPolicy::FairRate, RiskParams::default(), u64::MAX)],
                &[&admin],
            )
            .await;
        mw.lender(1_000 * SOL).await;

        let alice = mw.w.user(300 * SOL).await;
        let bob = mw.w.user(300 * SOL).await;
        let carol = mw.w.user(300 * SOL).await;
        let (a, b) = (key(&alice), key(&bob));
        let mut ixs = Vec::new();
        for (user, k) in [(&alice, &a), (&bob, &b)] {
            ixs.push((m.supply(k.pubkey(), user.wsol, 10 * SOL), k.insecure_clone()));
            ixs.push((m.create_sub_account(k.pubkey(), 0), k.insecure_clone()));
            ixs.push((m.create_sub_account(k.pubkey(), 1), k.insecure_clone()));
        }
        ixs.push((other.create_sub_account(a.pubkey(), 0), a.insecure_clone()));
        for (ix, k) in ixs {
            mw.w.chain.send_ok(&[ix], &[&k]).await;
        }
        let (a0, a1, b0, b1) =
            (m.sub(&a.pubkey(), 0), m.sub(&a.pubkey(), 1), m.sub(&b.pubkey(), 0), m.sub(&b.pubkey(), 1));
        let alice_other = other.sub(&a.pubkey(), 0);

        // Collateral and debt: Alice 100 LRT / 50 SOL (healthy at any price above 0.54), Bob 100 / 90.
        assert_eq!(mw.w.deposit(&alice, 150 * SOL).await, 150 * SOL);
        assert_eq!(mw.w.deposit(&bob, 150 * SOL).await, 150 * SOL);
        for (user, k, s, debt) in [(&alice, &a, a0, 50 * SOL), (&bob, &b, b0, 90 * SOL)] {
            mw.w.chain
                .send_ok(
                    &[
                        m.deposit_collateral(k.pubkey(), s, user.lrt, 100 * SOL),
                        m.borrow(k.pubkey(), s, user.wsol, debt),
                    ],
                    &[k],
                )
                .await;
        }
        // Alice's position in the other market, and token accounts of the other LRT.
        let alice_other_lrt = mw.w.chain.create_token_account(&other.restaking.lrt_mint, &a.pubkey()).await;
        let carol_other_lrt = mw.w.chain.create_token_account(&other.restaking.lrt_mint, &carol.key.pubkey()).await;
        let deposit = other.restaking.deposit(a.pubkey(), alice.wsol, alice_other_lrt, 10 * SOL, 0);
        mw.w.chain
            .send_ok(&[deposit, other.deposit_collateral(a.pubkey(), alice_other, alice_other_lrt, 5 * SOL)], &[&a])
            .await;

        let r = m.restaking;
        let fake = Fakes {
            foreign_pool: foreign(&mut mw, m.pool).await,
            foreign_vault: foreign(&mut mw, m.vault).await,
            foreign_market: foreign(&mut mw, m.market).await,
            foreign_feed: foreign(&mut mw, r.feed).await,
            foreign_sub: foreign(&mut mw, a0.sub).await,
            foreign_collateral_vault: foreign(&mut mw, a0.vault).await,
            foreign_lender: foreign(&mut mw, margin_ops::lender(&m.pool, &a.pubkey())).await,
            foreign_stake_pool: foreign(&mut mw, r.pool).await,
            foreign_insurance_vault: foreign(&mut mw, m.insurance_vault).await,
            copied_pool: copy(&mut mw, m.pool, None).await,
            copied_vault: copy(&mut mw, m.vault, None).await,
            copied_market: copy(&mut mw, m.market, None).await,
            copied_feed: copy(&mut mw, r.feed, None).await,
            copied_sub: copy(&mut mw, a0.sub, None).await,
            copied_collateral_vault: copy(&mut mw, a0.vault, None).await,
            copied_lender: copy(&mut mw, margin_ops::lender(&m.pool, &a.pubkey()), None).await,
            copied_stake_pool: copy(&mut mw, r.pool, None).await,
        };

        let o = other.restaking;
        let f = &fake;
        let mut watched = vec![
            m.pool,
            m.vault,
            m.market,
            m.insurance_vault,
            r.feed,
            r.pool,
            r.reserve_vault,
            r.lrt_mint,
            other.market,
            other.insurance_vault,
            o.feed,
            o.pool,
            o.reserve_vault,
            o.lrt_mint,
            margin_ops::lender(&m.pool, &a.pubkey()),
            margin_ops::lender(&m.pool, &b.pubkey()),
            margin_ops::lender(&m.pool, &carol.key.pubkey()),
            alice.wsol,
            alice.lrt,
            bob.wsol,
            bob.lrt,
            carol.wsol,
            carol.lrt,
            alice_other_lrt,
            carol_other_lrt,
            a.pubkey(),
            b.pubkey(),
            carol.key.pubkey(),
            f.foreign_pool,
            f.foreign_vault,
            f.foreign_market,
            f.foreign_feed,
            f.foreign_sub,
            f.foreign_collateral_vault,
            f.foreign_lender,
            f.foreign_stake_pool,
            f.foreign_insurance_vault,
            f.copied_pool,
            f.copied_vault,
            f.copied_market,
            f.copied_feed,
            f.copied_sub,
            f.copied_collateral_vault,
            f.copied_lender,
            f.copied_stake_pool,
        ];
        for s in [a0, a1, b0, b1, alice_other] {
            watched.extend([s.sub, s.vault]);
        }
        Self {
            mw,
            m,
            other,
            alice,
            bob,
            carol,
            a0,
            a1,
            b0,
            b1,
            alice_other,
            alice_other_lrt,
            carol_other_lrt,
            fake,
            watched,
        }
    }

    async fn rejects(&mut self, ix: Instruction, signer: &Keypair, code: impl Into<u32>) {
        self.mw.w.chain.send_err(&[ix], &[signer], code, &self.watched).await;
    }

    async fn ok(&mut self, ix: Instruction, signer: &Keypair) {
        self.mw.w.chain.send_ok(&[ix], &[signer]).await;
    }

    fn payer(&self) -> Keypair {
        self.mw.w.chain.payer()
    }

    /// Rewrites the feed's fair rate, as if the committee had reported it.
    async fn set_fair_rate(&mut self, rate: u128) {
        self.mw.set_fair_rate(rate).await;
    }

    /// The substitutions of the pool and its vault every pool-touching instruction shares.
    async fn rejects_pool_substitutes(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair, with_vault: bool) {
        let (m, f) = (self.m, self.fake);
        self.rejects(swap(base(), m.pool, f.foreign_pool), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        self.rejects(swap(base(), m.pool, f.copied_pool), signer, ErrorCode::ConstraintSeeds).await;
        // Another margin account where the pool goes: the discriminator tells them apart.
        self.rejects(swap(base(), m.pool, self.other.market), signer, ErrorCode::AccountDiscriminatorMismatch).await;
        if with_vault {
            self.rejects(swap(base(), m.vault, f.copied_vault), signer, ErrorCode::ConstraintHasOne).await;
            self.rejects(swap(base(), m.vault, self.bob.wsol), signer, ErrorCode::ConstraintHasOne).await;
            self.rejects(swap(base(), m.vault, f.foreign_vault), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        }
    }

    /// Market substitutes for instructions whose market has `has_one = feed`: the other LRT's market
    /// (whose feed differs), and with its feed too (then our sub-account is not its PDA).
    async fn rejects_market_substitutes(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair, has_feed: bool) {
        let (m, f, other) = (self.m, self.fake, self.other);
        self.rejects(swap(base(), m.market, f.foreign_market), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        self.rejects(swap(base(), m.market, f.copied_market), signer, ErrorCode::ConstraintSeeds).await;
        if has_feed {
            self.rejects(swap(base(), m.market, other.market), signer, ErrorCode::ConstraintHasOne).await;
            let both = swap(swap(base(), m.market, other.market), m.restaking.feed, other.restaking.feed);
            self.rejects(both, signer, ErrorCode::ConstraintSeeds).await;
        } else {
            self.rejects(swap(base(), m.market, other.market), signer, ErrorCode::ConstraintSeeds).await;
        }
    }

    /// Feed substitutes: the other LRT's feed, a copy owned by another program, a copy owned by the
    /// oracle at another address, and a restaking account where the feed goes.
    async fn rejects_feed_substitutes(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair) {
        let (m, f, other) = (self.m, self.fake, self.other);
        let feed = m.restaking.feed;
        self.rejects(swap(base(), feed, other.restaking.feed), signer, ErrorCode::ConstraintHasOne).await;
        self.rejects(swap(base(), feed, f.foreign_feed), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        self.rejects(swap(base(), feed, f.copied_feed), signer, ErrorCode::ConstraintHasOne).await;
        self.rejects(swap(base(), feed, other.restaking.pool), signer, ErrorCode::AccountOwnedByWrongProgram).await;
    }

    /// Sub-account substitutes for `s`: a copy owned by another program, a copy at another address,
    /// and a sub-account of the other market.
    async fn rejects_sub_substitutes(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair, s: SubKeys) {
        let f = self.fake;
        self.rejects(swap(base(), s.sub, f.foreign_sub), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        self.rejects(swap(base(), s.sub, f.copied_sub), signer, ErrorCode::ConstraintSeeds).await;
        let other_market_sub = self.alice_other.sub;
        self.rejects(swap(base(), s.sub, other_market_sub), signer, ErrorCode::ConstraintSeeds).await;
        // The market account where the sub-account goes.
        self.rejects(swap(base(), s.sub, self.other.market), signer, ErrorCode::AccountDiscriminatorMismatch).await;
    }

    /// Collateral-vault substitutes for `s`: another sub-account's vault, a plain LRT account, a copy
    /// at another address and a copy owned by another program.
    async fn rejects_collateral_vault_substitutes(
        &mut self,
        base: &dyn Fn() -> Instruction,
        signer: &Keypair,
        s: SubKeys,
        other_sub: SubKeys,
    ) {
        let f = self.fake;
        self.rejects(swap(base(), s.vault, other_sub.vault), signer, ErrorCode::ConstraintSeeds).await;
        self.rejects(swap(base(), s.vault, self.bob.lrt), signer, ErrorCode::ConstraintSeeds).await;
        self.rejects(swap(base(), s.vault, f.copied_collateral_vault), signer, ErrorCode::ConstraintSeeds).await;
        self.rejects(swap(base(), s.vault, f.foreign_collateral_vault), signer, ErrorCode::AccountOwnedByWrongProgram)
            .await;
    }

    /// The restaking accounts of leverage_up and deleverage: the other LRT's pool, mint and reserve,
    /// copies, an ordinary wSOL account, and a program that is not the restaking program.
    async fn rejects_restaking_substitutes(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair) {
        let (r, o, f) = (self.m.restaking, self.other.restaking, self.fake);
        self.rejects(swap(base(), r.pool, o.pool), signer, ErrorCode::ConstraintAddress).await;
        self.rejects(swap(base(), r.pool, f.copied_stake_pool), signer, ErrorCode::ConstraintAddress).await;
        self.rejects(swap(base(), r.pool, f.foreign_stake_pool), signer, ErrorCode::AccountOwnedByWrongProgram).await;
        self.rejects(swap(base(), r.lrt_mint, o.lrt_mint), signer, ErrorCode::ConstraintAddress).await;
        self.rejects(swap(base(), r.reserve_vault, o.reserve_vault), signer, ErrorCode::ConstraintAddress).await;
        self.rejects(swap(base(), r.reserve_vault, self.bob.wsol), signer, ErrorCode::ConstraintAddress).await;
        // The whole other pool (pool, mint, reserve) behind our market.
        let all = swap(swap(swap(base(), r.pool, o.pool), r.lrt_mint, o.lrt_mint), r.reserve_vault, o.reserve_vault);
        self.rejects(all, signer, ErrorCode::ConstraintAddress).await;
        self.rejects(
            swap(base(), restaking::ID, lantern_test_support::cpi_probe::ID),
            signer,
            ErrorCode::InvalidProgramId,
        )
        .await;
        self.rejects(swap(base(), restaking::ID, margin::ID), signer, ErrorCode::InvalidProgramId).await;
    }

    /// A token program that is not SPL Token, and the signer not signing.
    async fn rejects_program_and_signer(&mut self, base: &dyn Fn() -> Instruction, signer: &Keypair) {
        self.rejects(swap(base(), spl_token::ID, anchor_lang::system_program::ID), signer, ErrorCode::InvalidProgramId)
            .await;
        let payer = self.payer();
        self.rejects(unsigned(base(), signer.pubkey()), &payer, ErrorCode::AccountNotSigner).await;
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
async fn supply_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, f) = (s.m, s.fake);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.supply(alice_key, alice_wsol, SOL);
    let position = margin_ops::lender(&m.pool, &alice_key);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    // Bob's lender position, and copies of Alice's: init_if_needed checks the PDA before the owner.
    let bobs = margin_ops::lender(&m.pool, &s.bob.key.pubkey());
    s.rejects(swap(base(), position, bobs), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), position, f.copied_lender), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), position, f.foreign_lender), &alice, ErrorCode::ConstraintSeeds).await;
    // A source Alice does not own; a source of the wrong mint.
    s.rejects(swap(base(), alice_wsol, s.bob.wsol), &alice, ErrorCode::ConstraintTokenOwner).await;
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), anchor_lang::system_program::ID, spl_token::ID), &alice, ErrorCode::InvalidProgramId).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    let lender: margin::state::LenderPosition = s.mw.w.chain.anchor_account(position).await;
    assert_eq!(lender.shares, 11 * SOL);

    // An account owned by another program at Bob's very position address: init_if_needed does not
    // re-initialise it, the owner check refuses it.
    let account = s.mw.w.chain.account(bobs).await.unwrap();
    s.mw.w.chain.ctx.set_account(&bobs, &Account { owner: Pubkey::new_unique(), ..account }.into());
    let bob = key(&s.bob);
    s.rejects(m.supply(bob.pubkey(), s.bob.wsol, SOL), &bob, ErrorCode::AccountOwnedByWrongProgram).await;
}

#[tokio::test]
async fn withdraw_supply_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, f) = (s.m, s.fake);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.withdraw_supply(alice_key, alice_wsol, SOL);
    let position = margin_ops::lender(&m.pool, &alice_key);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    // Bob's position under Alice's signature: not the PDA of the signer.
    let bobs = margin_ops::lender(&m.pool, &s.bob.key.pubkey());
    s.rejects(swap(base(), position, bobs), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), position, f.copied_lender), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), position, f.foreign_lender), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), position, m.market), &alice, ErrorCode::AccountDiscriminatorMismatch).await;
    // Destination of the wrong mint; a wSOL copy owned by another program.
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_wsol, f.foreign_vault), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert_eq!(
        s.mw.w.chain.token_balance(alice_wsol).await,
        300 * SOL - 10 * SOL - 150 * SOL + 50 * SOL - 10 * SOL + SOL
    );
}

#[tokio::test]
async fn deposit_collateral_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, a1) = (s.m, s.a0, s.a1);
    let alice = key(&s.alice);
    let (alice_key, alice_lrt) = (alice.pubkey(), s.alice.lrt);
    let base = move || m.deposit_collateral(alice_key, a0, alice_lrt, SOL);

    s.rejects_market_substitutes(&base, &alice, false).await;
    s.rejects(swap(base(), m.market, m.pool), &alice, ErrorCode::AccountDiscriminatorMismatch).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    // Bob's sub-account with Alice's vault: the vault is not the sub-account's.
    s.rejects(swap(base(), a0.sub, s.b0.sub), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects_collateral_vault_substitutes(&base, &alice, a0, a1).await;
    // Source: wSOL, the other LRT, or Bob's LRT.
    s.rejects(swap(base(), alice_lrt, s.alice.wsol), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_lrt, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_lrt, s.bob.lrt), &alice, ErrorCode::ConstraintTokenOwner).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert_eq!(s.mw.sub_account(a0).await.collateral, 101 * SOL);
}

#[tokio::test]
async fn withdraw_collateral_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, a1, b0) = (s.m, s.a0, s.a1, s.b0);
    let alice = key(&s.alice);
    let (alice_key, alice_lrt) = (alice.pubkey(), s.alice.lrt);
    let base = move || m.withdraw_collateral(alice_key, a0, alice_lrt, SOL);

    s.rejects_pool_substitutes(&base, &alice, false).await;
    s.rejects_market_substitutes(&base, &alice, true).await;
    s.rejects_feed_substitutes(&base, &alice).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    // Bob's sub-account (with its own vault) under Alice's signature; with Alice's vault.
    let bobs = swap(swap(base(), a0.sub, b0.sub), a0.vault, b0.vault);
    s.rejects(bobs, &alice, MarginError::NotOwner).await;
    s.rejects(swap(base(), a0.sub, b0.sub), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects_collateral_vault_substitutes(&base, &alice, a0, a1).await;
    s.rejects(swap(base(), a0.vault, b0.vault), &alice, ErrorCode::ConstraintSeeds).await;
    // Destination of the wrong mint: wSOL, or the other LRT.
    s.rejects(swap(base(), alice_lrt, s.alice.wsol), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_lrt, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert_eq!(s.mw.sub_account(a0).await.collateral, 99 * SOL);
}

#[tokio::test]
async fn borrow_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, b0) = (s.m, s.a0, s.b0);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.borrow(alice_key, a0, alice_wsol, SOL);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    s.rejects_market_substitutes(&base, &alice, true).await;
    s.rejects_feed_substitutes(&base, &alice).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    s.rejects(swap(base(), a0.sub, b0.sub), &alice, MarginError::NotOwner).await;
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_wsol, s.fake.foreign_vault), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert_eq!(s.mw.sub_account(a0).await.debt_shares, 51 * SOL);
}

#[tokio::test]
async fn repay_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0) = (s.m, s.a0);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.repay(alice_key, a0, alice_wsol, SOL);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    s.rejects_market_substitutes(&base, &alice, false).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    // Paying from Bob's wSOL; paying with LRT.
    s.rejects(swap(base(), alice_wsol, s.bob.wsol), &alice, ErrorCode::ConstraintTokenOwner).await;
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert_eq!(s.mw.sub_account(a0).await.debt_shares, 49 * SOL);
}

#[tokio::test]
async fn leverage_up_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, a1, b0) = (s.m, s.a0, s.a1, s.b0);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.leverage_up(alice_key, a0, alice_wsol, SOL, SOL, 0);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    s.rejects_market_substitutes(&base, &alice, true).await;
    s.rejects_feed_substitutes(&base, &alice).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    let bobs = swap(swap(base(), a0.sub, b0.sub), a0.vault, b0.vault);
    s.rejects(bobs, &alice, MarginError::NotOwner).await;
    s.rejects_collateral_vault_substitutes(&base, &alice, a0, a1).await;
    // The owner's wSOL: LRT instead, or Bob's.
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_wsol, s.bob.wsol), &alice, ErrorCode::ConstraintTokenOwner).await;
    s.rejects_restaking_substitutes(&base, &alice).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    let sub = s.mw.sub_account(a0).await;
    assert_eq!((sub.collateral, sub.debt_shares), (102 * SOL, 51 * SOL));
}

#[tokio::test]
async fn deleverage_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, a1, b0) = (s.m, s.a0, s.a1, s.b0);
    let alice = key(&s.alice);
    let (alice_key, alice_wsol) = (alice.pubkey(), s.alice.wsol);
    let base = move || m.deleverage(alice_key, a0, alice_wsol, SOL, 0);

    s.rejects_pool_substitutes(&base, &alice, true).await;
    s.rejects_market_substitutes(&base, &alice, true).await;
    s.rejects_feed_substitutes(&base, &alice).await;
    s.rejects_sub_substitutes(&base, &alice, a0).await;
    let bobs = swap(swap(base(), a0.sub, b0.sub), a0.vault, b0.vault);
    s.rejects(bobs, &alice, MarginError::NotOwner).await;
    s.rejects_collateral_vault_substitutes(&base, &alice, a0, a1).await;
    s.rejects(swap(base(), alice_wsol, s.alice.lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), alice_wsol, s.alice_other_lrt), &alice, ErrorCode::ConstraintTokenMint).await;
    s.rejects_restaking_substitutes(&base, &alice).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    let sub = s.mw.sub_account(a0).await;
    assert_eq!((sub.collateral, sub.debt_shares), (99 * SOL, 50 * SOL - (SOL - 3_000_000)));
}

#[tokio::test]
async fn liquidate_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    // At 0.96 Bob (90 / 96) is liquidatable, Alice (50 / 96) is not.
    s.set_fair_rate(WAD * 96 / 100).await;
    let (m, a0, b0, f) = (s.m, s.a0, s.b0, s.fake);
    let carol = key(&s.carol);
    let (carol_key, carol_wsol, carol_lrt) = (carol.pubkey(), s.carol.wsol, s.carol.lrt);
    let base = move || m.liquidate(carol_key, b0, carol_wsol, carol_lrt, u64::MAX, 0);

    s.rejects_pool_substitutes(&base, &carol, true).await;
    s.rejects_market_substitutes(&base, &carol, true).await;
    s.rejects_feed_substitutes(&base, &carol).await;
    s.rejects_sub_substitutes(&base, &carol, b0).await;
    // Bob's sub-account with Alice's vault, and the reverse.
    s.rejects(swap(base(), b0.vault, a0.vault), &carol, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), b0.sub, a0.sub), &carol, ErrorCode::ConstraintSeeds).await;
    s.rejects_collateral_vault_substitutes(&base, &carol, b0, s.b1).await;
    // Insurance: the other market's, Carol's LRT account, a copy owned by another program.
    s.rejects(swap(base(), m.insurance_vault, s.other.insurance_vault), &carol, ErrorCode::ConstraintAddress).await;
    s.rejects(swap(base(), m.insurance_vault, s.bob.lrt), &carol, ErrorCode::ConstraintAddress).await;
    s.rejects(
        swap(base(), m.insurance_vault, f.foreign_insurance_vault),
        &carol,
        ErrorCode::AccountOwnedByWrongProgram,
    )
    .await;
    // Carol's wSOL: her other-LRT account instead, or Bob's wSOL; Carol's LRT: wSOL, or the other LRT.
    s.rejects(swap(base(), carol_wsol, s.carol_other_lrt), &carol, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), carol_wsol, s.bob.wsol), &carol, ErrorCode::ConstraintTokenOwner).await;
    s.rejects(swap(base(), carol_lrt, s.alice.wsol), &carol, ErrorCode::ConstraintTokenMint).await;
    s.rejects(swap(base(), carol_lrt, s.carol_other_lrt), &carol, ErrorCode::ConstraintTokenMint).await;
    s.rejects_program_and_signer(&base, &carol).await;
    // Alice's healthy sub-account with its own vault is a real target, just not liquidatable.
    let alices = swap(swap(base(), b0.sub, a0.sub), b0.vault, a0.vault);
    s.rejects(alices, &carol, MarginError::NotLiquidatable).await;

    s.ok(base(), &carol).await;
    assert!(s.mw.sub_account(b0).await.debt_shares < 90 * SOL);
}

#[tokio::test]
async fn settle_bad_debt_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, b0, f) = (s.m, s.a0, s.b0, s.fake);
    // A real sub-account whose collateral still covers its debt is not bad debt.
    let payer = s.payer();
    let alices = swap(swap(m.settle_bad_debt(b0), b0.sub, a0.sub), b0.vault, a0.vault);
    s.rejects(alices, &payer, MarginError::CollateralRemains).await;
    // At 0.0004 Bob's 100 LRT are worth 0.04 SOL (dust, below the minimum debt) against his 90 SOL.
    s.set_fair_rate(WAD / 2_500).await;
    let foreign_bad = foreign(&mut s.mw, b0.sub).await;
    let copied_bad = copy(&mut s.mw, b0.sub, None).await;
    s.watched.extend([foreign_bad, copied_bad]);
    let base = move || m.settle_bad_debt(b0);

    s.rejects_pool_substitutes(&base, &payer, false).await;
    s.rejects(swap(base(), m.market, f.foreign_market), &payer, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), m.market, f.copied_market), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), m.market, s.other.market), &payer, ErrorCode::ConstraintHasOne).await;
    // The other market with its feed and insurance vault: then our sub-account is not its PDA.
    let other = s.other;
    let all = swap(
        swap(swap(base(), m.market, other.market), m.restaking.feed, other.restaking.feed),
        m.insurance_vault,
        other.insurance_vault,
    );
    s.rejects(all, &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects_feed_substitutes(&base, &payer).await;
    s.rejects(swap(base(), b0.sub, foreign_bad), &payer, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), b0.sub, copied_bad), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), b0.sub, s.alice_other.sub), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), b0.sub, s.other.market), &payer, ErrorCode::AccountDiscriminatorMismatch).await;
    s.rejects(swap(base(), b0.vault, a0.vault), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), m.insurance_vault, s.other.insurance_vault), &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(swap(base(), m.insurance_vault, s.bob.lrt), &payer, ErrorCode::ConstraintHasOne).await;
    s.rejects(
        swap(base(), m.insurance_vault, f.foreign_insurance_vault),
        &payer,
        ErrorCode::AccountOwnedByWrongProgram,
    )
    .await;
    s.ok(base(), &payer).await;
    let bad = s.mw.sub_account(b0).await;
    assert_eq!((bad.collateral, bad.debt_shares), (0, 0));
    assert!(s.mw.pool().await.socialized);
}

#[tokio::test]
async fn close_sub_account_rejects_substituted_accounts() {
    let mut s = Setup::new().await;
    let (m, a0, a1, b1, f) = (s.m, s.a0, s.a1, s.b1, s.fake);
    let alice = key(&s.alice);
    let alice_key = alice.pubkey();
    let alice_lrt = s.alice.lrt;
    let base = move || m.close_sub_account(alice_key, a1, alice_lrt);
    let copied_empty = copy(&mut s.mw, a1.sub, None).await;
    let foreign_empty = foreign(&mut s.mw, a1.sub).await;
    s.watched.extend([copied_empty, foreign_empty]);

    s.rejects(swap(base(), m.market, f.foreign_market), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    // close_sub_account's market has no seeds of its own: a copy passes, the sub-account's seeds don't.
    s.rejects(swap(base(), m.market, f.copied_market), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), m.market, s.other.market), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), m.market, m.pool), &alice, ErrorCode::AccountDiscriminatorMismatch).await;
    s.rejects(swap(base(), a1.sub, foreign_empty), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(base(), a1.sub, copied_empty), &alice, ErrorCode::ConstraintSeeds).await;
    // Bob's empty sub-account (with its vault) under Alice's signature: has_one = owner.
    let bobs = swap(swap(base(), a1.sub, b1.sub), a1.vault, b1.vault);
    s.rejects(bobs, &alice, ErrorCode::ConstraintHasOne).await;
    // Alice's sub-account in the other market, against ours.
    s.rejects(
        swap(swap(base(), a1.sub, s.alice_other.sub), a1.vault, s.alice_other.vault),
        &alice,
        ErrorCode::ConstraintSeeds,
    )
    .await;
    // Another sub-account's vault (Alice's own sub-account 0), her LRT account, copies.
    s.rejects(swap(base(), a1.vault, a0.vault), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), a1.vault, s.alice.lrt), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), a1.vault, f.copied_collateral_vault), &alice, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(base(), a1.vault, f.foreign_collateral_vault), &alice, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects_program_and_signer(&base, &alice).await;

    s.ok(base(), &alice).await;
    assert!(s.mw.w.chain.account(a1.sub).await.is_none());
}

#[tokio::test]
async fn the_crank_and_the_admin_instructions_reject_substituted_pools_and_markets() {
    let mut s = Setup::new().await;
    let (m, f, other) = (s.m, s.fake, s.other);
    let admin = s.mw.w.admin.insecure_clone();
    let payer = s.payer();
    let accrue = move || m.accrue_interest();
    s.rejects(swap(accrue(), m.pool, f.foreign_pool), &payer, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(accrue(), m.pool, f.copied_pool), &payer, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(accrue(), m.pool, m.market), &payer, ErrorCode::AccountDiscriminatorMismatch).await;
    let admin_key = admin.pubkey();
    let update_pool = move || m.update_pool(admin_key, margin::state::PoolParams::default());
    s.rejects(swap(update_pool(), m.pool, f.copied_pool), &admin, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(update_pool(), m.pool, f.foreign_pool), &admin, ErrorCode::AccountOwnedByWrongProgram).await;
    let update_market = move || m.update_market(admin_key, PricingPolicy::FairRate, RiskParams::default(), 0, true);
    s.rejects(swap(update_market(), m.market, f.copied_market), &admin, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(update_market(), m.market, f.foreign_market), &admin, ErrorCode::AccountOwnedByWrongProgram).await;
    s.rejects(swap(update_market(), m.pool, f.copied_pool), &admin, ErrorCode::ConstraintSeeds).await;
    // initialize_market with another LRT's feed or restaking pool: not the PDAs of the mint given.
    let third = MarginKeys::new(s.mw.w.another_pool().await);
    s.watched.extend([third.market, third.insurance_vault]);
    let init = move || third.initialize_market(admin_key, PricingPolicy::FairRate, RiskParams::default(), u64::MAX);
    s.rejects(swap(init(), third.restaking.feed, other.restaking.feed), &admin, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(init(), third.restaking.feed, f.copied_feed), &admin, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(init(), third.restaking.pool, other.restaking.pool), &admin, ErrorCode::ConstraintSeeds).await;
    s.rejects(swap(init(), third.restaking.pool, f.foreign_stake_pool), &admin, ErrorCode::AccountOwnedByWrongProgram)
        .await;

    s.ok(accrue(), &payer).await;
    s.ok(update_market(), &admin).await;
    s.ok(init(), &admin).await;
    assert!(s.mw.market().await.paused);
}
