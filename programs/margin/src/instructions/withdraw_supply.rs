use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::MarginError;
use crate::events::SupplyWithdrawn;
use crate::math::shares;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct WithdrawSupplyArgs {
    pub shares: u64,
}

#[derive(Accounts)]
pub struct WithdrawSupply<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [seeds::LENDER, pool.key().as_ref(), owner.key().as_ref()], bump = lender.bump, has_one = owner, has_one = pool)]
    pub lender: Box<Account<'info, LenderPosition>>,
    #[account(mut, token::mint = pool.sol_mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl WithdrawSupply<'_> {
    fn validate(&self, args: &WithdrawSupplyArgs) -> Result<()> {
        self.pool.require_live()?;
        require!(args.shares > 0, MarginError::ZeroAmount);
        require!(args.shares <= self.lender.shares, MarginError::InsufficientShares);
        Ok(())
    }

    /// Redeems supply shares for SOL (rounded down), from cash not held for insurance.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn withdraw_supply(ctx: Context<Self>, args: WithdrawSupplyArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        let amount = shares::supply_amount(args.shares, pool.supply_index)?;
        require!(amount > 0, MarginError::ZeroAmount);
        require!(amount <= pool.available_cash(), MarginError::InsufficientLiquidity);
        pool.cash -= amount;
        pool.supply_shares -= args.shares;
        ctx.accounts.lender.shares -= args.shares;
        let a = &ctx.accounts;
        let seeds = a.pool.signer_seeds();
        token::transfer(
            &a.token_program.to_account_info(),
            &a.vault.to_account_info(),
            &a.destination.to_account_info(),
            &a.pool.to_account_info(),
            amount,
            &[&seeds],
        )?;
        emit!(SupplyWithdrawn { pool: a.pool.key(), owner: a.owner.key(), amount, shares: args.shares });
        Ok(())
    }
}
