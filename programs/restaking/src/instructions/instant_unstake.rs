use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount, Transfer};
use oracle::state::Feed;

use crate::errors::RestakingError;
use crate::events::InstantUnstaked;
use crate::math;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InstantUnstakeArgs {
    pub lrt: u64,
    pub min_sol_out: u64,
}

#[derive(Accounts)]
pub struct InstantUnstake<'info> {
    /// Authority of the LRT being unstaked (a wallet, or a margin sub-account through CPI).
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, lrt_mint.key().as_ref()], bump = pool.bump, has_one = feed, has_one = lrt_mint, has_one = reserve_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut, token::mint = lrt_mint, token::authority = owner)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the SOL (wSOL).
    #[account(mut, token::mint = reserve_vault.mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl InstantUnstake<'_> {
    /// `(gross, fee, out)` at the exit rate (pessimistic, refused when stale).
    fn quote(&self, lrt: u64) -> Result<(u64, u64, u64)> {
        let rate = StakePool::exit_rate(&self.feed, Clock::get()?.unix_timestamp)?;
        Ok(math::instant_unstake(lrt, rate, self.pool.instant_unstake_fee_bps)?)
    }

    fn validate(&self, args: &InstantUnstakeArgs) -> Result<()> {
        let (_, _, out) = self.quote(args.lrt)?;
        require!(out >= args.min_sol_out, RestakingError::SlippageExceeded);
        self.pool.require_liquidity(out)
    }

    /// Burns the LRT and pays its value minus the fee from the liquid reserve; the fee stays in the
    /// reserve, for the remaining holders.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn instant_unstake(ctx: Context<Self>, args: InstantUnstakeArgs) -> Result<()> {
        let (_, fee, out) = ctx.accounts.quote(args.lrt)?;
        let accounts = &ctx.accounts;
        token::burn(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                Burn {
                    mint: accounts.lrt_mint.to_account_info(),
                    from: accounts.source.to_account_info(),
                    authority: accounts.owner.to_account_info(),
                },
            ),
            args.lrt,
        )?;
        let seeds = accounts.pool.signer_seeds();
        token::transfer(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                Transfer {
                    from: accounts.reserve_vault.to_account_info(),
                    to: accounts.destination.to_account_info(),
                    authority: accounts.pool.to_account_info(),
                },
                &[&seeds],
            ),
            out,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.reserve_lamports -= out;
        emit!(InstantUnstaked {
            pool: pool.key(),
            owner: ctx.accounts.owner.key(),
            lrt: args.lrt,
            lamports_out: out,
            fee
        });
        Ok(())
    }
}
