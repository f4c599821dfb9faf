//! Instruction builders for the restaking program, shared by every program's tests.
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
};

use restaking::{accounts, instruction, seeds};

use crate::oracle_ops::ix;

/// `(pool, reserve_vault, escrow_vault)` of an LRT mint.
pub fn pdas(lrt_mint: &Pubkey) -> (Pubkey, Pubkey, Pubkey) {
    let pool = Pubkey::find_program_address(&[seeds::POOL, lrt_mint.as_ref()], &restaking::ID).0;
    let reserve = Pubkey::find_program_address(&[seeds::RESERVE, pool.as_ref()], &restaking::ID).0;
    let escrow = Pubkey::find_program_address(&[seeds::ESCROW, pool.as_ref()], &restaking::ID).0;
    (pool, reserve, escrow)
}

pub fn ticket(pool: &Pubkey, id: u64) -> Pubkey {
    Pubkey::find_program_address(&[seeds::TICKET, pool.as_ref(), &id.to_le_bytes()], &restaking::ID).0
}

/// Accounts every pool instruction shares.
#[derive(Clone, Copy, Debug)]
pub struct PoolKeys {
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    pub pool: Pubkey,
    pub reserve_vault: Pubkey,
    pub escrow_vault: Pubkey,
}

impl PoolKeys {
    pub fn new(lrt_mint: Pubkey) -> Self {
        let (pool, reserve_vault, escrow_vault) = pdas(&lrt_mint);
        Self { lrt_mint, feed: crate::oracle_ops::pdas(&lrt_mint).1, pool, reserve_vault, escrow_vault }
    }

    pub fn initialize(
        &self,
        admin: Pubkey,
        mint_authority: Pubkey,
        stake_manager: Pubkey,
        fee_bps: u16,
    ) -> Instruction {
        ix(
            restaking::ID,
            accounts::InitializePool {
                admin,
                mint_authority,
                lrt_mint: self.lrt_mint,
                sol_mint: spl_token::native_mint::ID,
                feed: self.feed,
                pool: self.pool,
                reserve_vault: self.reserve_vault,
                escrow_vault: self.escrow_vault,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitializePool {
                args: restaking::InitializePoolArgs { stake_manager, instant_unstake_fee_bps: fee_bps },
            },
        )
    }

    pub fn update(&self, admin: Pubkey, stake_manager: Pubkey, fee_bps: u16) -> Instruction {
        ix(
            restaking::ID,
            accounts::UpdatePool { admin, pool: self.pool },
            instruction::UpdatePool {
                args: restaking::UpdatePoolArgs { stake_manager, instant_unstake_fee_bps: fee_bps },
            },
        )
    }

    pub fn deposit(
        &self,
        depositor: Pubkey,
        source: Pubkey,
        destination: Pubkey,
        lamports: u64,
        min_lrt_out: u64,
    ) -> Instruction {
        ix(
            restaking::ID,
            accounts::Deposit {
                depositor,
                pool: self.pool,
                feed: self.feed,
                lrt_mint: self.lrt_mint,
                reserve_vault: self.reserve_vault,
                source,
                destination,
                token_program: spl_token::ID,
            },
            instruction::Deposit { args: restaking::DepositArgs { lamports, min_lrt_out } },
        )
    }

    pub fn request_withdrawal(&self, owner: Pubkey, source: Pubkey, ticket_id: u64, lrt: u64) -> Instruction {
        ix(
            restaking::ID,
            accounts::RequestWithdrawal {
                owner,
                pool: self.pool,
                feed: self.feed,
                source,
                escrow_vault: self.escrow_vault,
                ticket: ticket(&self.pool, ticket_id),
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::RequestWithdrawal { args: restaking::RequestWithdrawalArgs { lrt } },
        )
    }

    /// Finalizes tickets `first..=up_to`, passing them in queue order.
    pub fn finalize_withdrawals(&self, first: u64, up_to: u64) -> Instruction {
        let mut finalize = ix(
            restaking::ID,
            accounts::FinalizeWithdrawals {
                pool: self.pool,
                feed: self.feed,
                lrt_mint: self.lrt_mint,
                escrow_vault: self.escrow_vault,
                token_program: spl_token::ID,
            },
            instruction::FinalizeWithdrawals { args: restaking::FinalizeWithdrawalsArgs { up_to } },
        );
        finalize.accounts.extend((first..=up_to).map(|id| AccountMeta::new(ticket(&self.pool, id), false)));
        finalize
    }

    pub fn claim(&self, owner: Pubkey, ticket_id: u64, destination: Pubkey) -> Instruction {
        ix(
            restaking::ID,
            accounts::Claim {
                owner,
                pool: self.pool,
                ticket: ticket(&self.pool, ticket_id),
                reserve_vault: self.reserve_vault,
                destination,
                token_program: spl_token::ID,
            },
            instruction::Claim {},
        )
    }

    pub fn instant_unstake(
        &self,
        owner: Pubkey,
        source: Pubkey,
        destination: Pubkey,
        lrt: u64,
        min_sol_out: u64,
    ) -> Instruction {
        ix(
            restaking::ID,
            accounts::InstantUnstake {
                owner,
                pool: self.pool,
                feed: self.feed,
                lrt_mint: self.lrt_mint,
                source,
                reserve_vault: self.reserve_vault,
                destination,
                token_program: spl_token::ID,
            },
            instruction::InstantUnstake { args: restaking::InstantUnstakeArgs { lrt, min_sol_out } },
        )
    }

    pub fn delegate(&self, stake_manager: Pubkey, destination: Pubkey, lamports: u64) -> Instruction {
        ix(
            restaking::ID,
            accounts::Delegate {
                stake_manager,
                pool: self.pool,
                reserve_vault: self.reserve_vault,
                destination,
                token_program: spl_token::ID,
            },
            instruction::Delegate { args: restaking::DelegateArgs { lamports } },
        )
    }

    pub fn undelegate(&self, stake_manager: Pubkey, source: Pubkey, lamports: u64) -> Instruction {
        ix(
            restaking::ID,
            accounts::Undelegate {
                stake_manager,
                pool: self.pool,
                reserve_vault: self.reserve_vault,
                source,
                token_program: spl_token::ID,
            },
            instruction::Undelegate { args: restaking::UndelegateArgs { lamports } },
        )
    }
}
