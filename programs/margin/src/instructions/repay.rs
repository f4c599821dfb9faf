use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::MarginError;
use crate::events::Repaid;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RepayArgs {
    /// Upper bound; a larger amount than the debt repays the debt exactly.
    pub amount: u64,
}

#[derive(Accounts)]
pub struct Repay<'info> {
    /// Anyone may repay any sub-account's debt.
    pub payer: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, token::mint = pool.sol_mint, token::authority = payer)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Repay<'_> {
    fn validate(&self, args: &RepayArgs) -> Result<()> {
        require!(args.amount > 0, MarginError::ZeroAmount);
        require!(self.sub_account.debt_shares > 0, MarginError::NoDebt);
        Ok(())
    }

    /// Works when paused and with a stale feed: repaying only lowers risk.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn repay(ctx: Context<Self>, args: RepayArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        let repayment = pool.repay(ctx.accounts.sub_account.debt_shares, args.amount)?;
        let paid = repayment.paid;
        let sub = &mut ctx.accounts.sub_account;
        sub.debt_shares -= repayment.burned;
        sub.require_no_dust(&ctx.accounts.pool, &ctx.accounts.market)?;
        let a = &ctx.accounts;
        token::transfer(
            &a.token_program.to_account_info(),
            &a.source.to_account_info(),
            &a.vault.to_account_info(),
            &a.payer.to_account_info(),
            paid,
            &[],
        )?;
        emit!(Repaid {
            sub_account: a.sub_account.key(),
            payer: a.payer.key(),
            amount: paid,
            debt_shares: a.sub_account.debt_shares
        });
        Ok(())
    }
}
