use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::events::Borrowed;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct BorrowArgs {
    pub amount: u64,
}

#[derive(Accounts)]
pub struct Borrow<'info> {
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool, has_one = feed)]
    pub market: Box<Account<'info, Market>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, token::mint = pool.sol_mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Borrow<'_> {
    fn validate(&self, args: &BorrowArgs) -> Result<()> {
        self.sub_account.require_owner(&self.owner.key())?;
        self.pool.require_live()?;
        require!(args.amount > 0, MarginError::ZeroAmount);
        Ok(())
    }

    /// Risk-increasing: fresh feed, unpaused market, pool limits, and LTV_init afterwards.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn borrow(ctx: Context<Self>, args: BorrowArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let price = ctx.accounts.market.require_risk_increase(&ctx.accounts.feed, now)?;
        ctx.accounts.pool.accrue(now)?;
        let sub = &mut ctx.accounts.sub_account;
        sub.borrow(&mut ctx.accounts.pool, args.amount)?;
        sub.require_no_dust(&ctx.accounts.pool, &ctx.accounts.market)?;
        sub.require_healthy_to_open(&ctx.accounts.pool, &ctx.accounts.market, price)?;
        let a = &ctx.accounts;
        let seeds = a.pool.signer_seeds();
        token::transfer(
            &a.token_program.to_account_info(),
            &a.vault.to_account_info(),
            &a.destination.to_account_info(),
            &a.pool.to_account_info(),
            args.amount,
            &[&seeds],
        )?;
        emit!(Borrowed {
            sub_account: a.sub_account.key(),
            amount: args.amount,
            debt_shares: a.sub_account.debt_shares
        });
        Ok(())
    }
}
