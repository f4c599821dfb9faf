//! Lantern restaking pool (Lido-style): mints the LRT against SOL at the oracle feed's fair rate, queues
//! withdrawals paid in order at the lower of the request-time and current rates (paused in bunker
//! mode), and offers an instant exit from the liquid reserve for a fee.
// Anchor 0.31 macros emit cfgs and a deprecated realloc call that newer toolchains warn about.
#![allow(unexpected_cfgs, deprecated)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod seeds;
pub mod state;

pub use instructions::*;

declare_id!("55oJ1mGgn1dZoYfJwSgHmVokMx9akz47bHM8Z8AAviQ5");

#[program]
pub mod restaking {
    use super::*;

    pub fn initialize_pool(ctx: Context<InitializePool>, args: InitializePoolArgs) -> Result<()> {
        InitializePool::initialize_pool(ctx, args)
    }

    pub fn update_pool(ctx: Context<UpdatePool>, args: UpdatePoolArgs) -> Result<()> {
        UpdatePool::update_pool(ctx, args)
    }

    pub fn deposit(ctx: Context<Deposit>, args: DepositArgs) -> Result<()> {
        Deposit::deposit(ctx, args)
    }

    pub fn request_withdrawal(ctx: Context<RequestWithdrawal>, args: RequestWithdrawalArgs) -> Result<()> {
        RequestWithdrawal::request_withdrawal(ctx, args)
    }

    pub fn finalize_withdrawals<'info>(
        ctx: Context<'_, '_, 'info, 'info, FinalizeWithdrawals<'info>>,
        args: FinalizeWithdrawalsArgs,
    ) -> Result<()> {
        FinalizeWithdrawals::finalize_withdrawals(ctx, args)
    }

    pub fn claim(ctx: Context<Claim>) -> Result<()> {
        Claim::claim(ctx)
    }

    pub fn instant_unstake(ctx: Context<InstantUnstake>, args: InstantUnstakeArgs) -> Result<()> {
        InstantUnstake::instant_unstake(ctx, args)
    }

    pub fn delegate(ctx: Context<Delegate>, args: DelegateArgs) -> Result<()> {
        Delegate::delegate(ctx, args)
    }

    pub fn undelegate(ctx: Context<Undelegate>, args: UndelegateArgs) -> Result<()> {
        Undelegate::undelegate(ctx, args)
    }
}
