use anchor_lang::prelude::*;
use anchor_spl::token::{self, Mint, MintTo, Token, TokenAccount, Transfer};
use oracle::state::Feed;

use crate::errors::RestakingError;
use crate::events::Deposited;
use crate::math;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DepositArgs {
    pub lamports: u64,
    pub min_lrt_out: u64,
}

#[derive(Accounts)]
pub struct Deposit<'info> {
    pub depositor: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, lrt_mint.key().as_ref()], bump = pool.bump, has_one = feed, has_one = lrt_mint, has_one = reserve_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    /// The depositor's wSOL.
    #[account(mut, token::mint = reserve_vault.mint, token::authority = depositor)]
    pub source: Box<Account<'info, TokenAccount>>,
    /// Receives the LRT.
    #[account(mut, token::mint = lrt_mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Deposit<'_> {
    fn lrt_out(&self, lamports: u64) -> Result<u64> {
        let rate = StakePool::deposit_rate(&self.feed, Clock::get()?.unix_timestamp)?;
        Ok(math::lrt_for_deposit(lamports, rate)?)
    }

    fn validate(&self, args: &DepositArgs) -> Result<()> {
        require!(self.lrt_out(args.lamports)? >= args.min_lrt_out, RestakingError::SlippageExceeded);
        Ok(())
    }

    /// Takes SOL into the reserve and mints LRT at the fair rate, rounded down.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn deposit(ctx: Context<Self>, args: DepositArgs) -> Result<()> {
        let lrt = ctx.accounts.lrt_out(args.lamports)?;
        let accounts = &ctx.accounts;
        token::transfer(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                Transfer {
                    from: accounts.source.to_account_info(),
                    to: accounts.reserve_vault.to_account_info(),
                    authority: accounts.depositor.to_account_info(),
                },
            ),
            args.lamports,
        )?;
        let seeds = accounts.pool.signer_seeds();
        token::mint_to(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                MintTo {
                    mint: accounts.lrt_mint.to_account_info(),
                    to: accounts.destination.to_account_info(),
                    authority: accounts.pool.to_account_info(),
                },
                &[&seeds],
            ),
            lrt,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.reserve_lamports = pool.reserve_lamports.checked_add(args.lamports).ok_or(RestakingError::MathOverflow)?;
        emit!(Deposited {
            pool: pool.key(),
            depositor: ctx.accounts.depositor.key(),
            lamports: args.lamports,
            lrt,
            rate: ctx.accounts.feed.fair_rate,
        });
        Ok(())
    }
}
