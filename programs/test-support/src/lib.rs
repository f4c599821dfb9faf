//! Test harness over `lantern-runtime`: the CPI probe, and the expectations that tests check (a
//! rejected instruction's specific error with its accounts unchanged, the pool's invariants).
pub mod cpi_probe;

use solana_program_test::{processor, ProgramTest};
use solana_sdk::{instruction::Instruction, pubkey::Pubkey, signature::Keypair};

/// The tests' name for the runtime's chain driver.
pub use lantern_runtime::RuntimeChain as TestChain;
pub use lantern_runtime::*;

/// The world modules of the runtime, with the expectations in scope.
pub mod world {
    pub use crate::{margin_watched, PoolInvariants, SendExpectations};
    pub use lantern_runtime::world::*;
}

use lantern_runtime::margin_ops::SubKeys;
use lantern_runtime::world::MarginWorld;

/// Every account a margin instruction on `s` by `user` could touch: what a rejection must leave
/// byte-for-byte unchanged.
pub fn margin_watched(mw: &MarginWorld, s: SubKeys, user: &lantern_runtime::world::User) -> Vec<Pubkey> {
    vec![
        mw.m.pool,
        mw.m.vault,
        mw.m.market,
        mw.m.insurance_vault,
        s.sub,
        s.vault,
        user.wsol,
        user.lrt,
        mw.w.keys.pool,
        mw.w.keys.lrt_mint,
    ]
}

/// The test runtime: every Lantern program plus the CPI probe.
pub fn program_test() -> ProgramTest {
    let mut test = lantern_programs();
    test.add_program("cpi_probe", cpi_probe::ID, processor!(cpi_probe::process_instruction));
    test
}

/// What a test expects of a transaction that must fail.
#[allow(async_fn_in_trait)]
pub trait SendExpectations {
    /// Sends, expects failure with the custom error `code`, and checks that `watched` accounts are
    /// byte-for-byte unchanged.
    async fn send_err(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        code: impl Into<u32>,
        watched: &[Pubkey],
    );
}

impl SendExpectations for TestChain {
    async fn send_err(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        code: impl Into<u32>,
        watched: &[Pubkey],
    ) {
        let code = code.into();
        let before = self.snapshot(watched).await;
        match self.send(instructions, signers).await {
            Ok(()) => panic!("expected error {code}, the transaction succeeded"),
            Err(err) => assert_eq!(custom_error(&err), Some(code), "expected error {code}, got {err:?}"),
        }
        assert_eq!(before, self.snapshot(watched).await, "a rejected instruction changed state");
    }
}

/// The pool- and market-wide invariants the margin tests check after every step.
#[allow(async_fn_in_trait)]
pub trait PoolInvariants {
    async fn assert_pool_invariants(&mut self, subs: &[SubKeys], lenders: &[Pubkey]);
}

impl PoolInvariants for MarginWorld {
    /// Pool- and market-wide invariants over every sub-account in `subs` and every lender in
    /// `lenders` (sub-accounts not created yet or closed are skipped): Σ debt shares = the pool's;
    /// Σ lender shares = the pool's; Σ collateral = the market's total, each collateral vault holding
    /// exactly its sub-account's collateral; the pool vault holds exactly `pool.cash`; and
    /// `cash + total debt ≥ lender claims + insurance`.
    async fn assert_pool_invariants(&mut self, subs: &[SubKeys], lenders: &[Pubkey]) {
        let pool = self.pool().await;
        let market = self.market().await;
        let (mut debt_shares, mut collateral) = (0u64, 0u64);
        for s in subs {
            if self.w.chain.account(s.sub).await.is_none() {
                continue;
            }
            let sub = self.sub_account(*s).await;
            debt_shares += sub.debt_shares;
            collateral += sub.collateral;
            assert_eq!(self.w.chain.token_balance(s.vault).await, sub.collateral, "collateral vault of {}", s.sub);
        }
        assert_eq!(debt_shares, pool.debt_shares, "Σ sub-account debt shares = pool debt shares");
        assert_eq!(collateral, market.collateral_total, "Σ collateral = market total");
        let mut supply_shares = 0u64;
        for owner in lenders {
            let key = lantern_runtime::margin_ops::lender(&self.m.pool, owner);
            if self.w.chain.account(key).await.is_some() {
                let position: margin::state::LenderPosition = self.w.chain.anchor_account(key).await;
                supply_shares += position.shares;
            }
        }
        assert_eq!(supply_shares, pool.supply_shares, "Σ lender shares = pool supply shares");
        assert_eq!(self.w.chain.token_balance(self.m.vault).await, pool.cash, "the vault holds the pool's cash");
        let assets = u128::from(pool.cash) + u128::from(pool.total_debt().unwrap());
        let owed = u128::from(pool.lender_claims().unwrap()) + u128::from(pool.insurance);
        assert!(
            assets >= owed,
            "cash {} + debt {} < claims {} + insurance {}",
            pool.cash,
            pool.total_debt().unwrap(),
            pool.lender_claims().unwrap(),
            pool.insurance
        );
    }
}
