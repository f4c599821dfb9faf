use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};
use oracle::state::Feed;

use crate::errors::RestakingError;
use crate::events::WithdrawalRequested;
use crate::math;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RequestWithdrawalArgs {
    pub lrt: u64,
}

#[derive(Accounts)]
pub struct RequestWithdrawal<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.lrt_mint.as_ref()], bump = pool.bump, has_one = feed, has_one = escrow_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut, token::mint = pool.lrt_mint, token::authority = owner)]
    pub source: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init,
        payer = owner,
        space = 8 + Ticket::INIT_SPACE,
        seeds = [seeds::TICKET, pool.key().as_ref(), &pool.next_ticket.to_le_bytes()],
        bump
    )]
    pub ticket: Box<Account<'info, Ticket>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl RequestWithdrawal<'_> {
    /// A ticket must be worth at least one lamport when requested (no zero-for-nonzero conversions).
    fn validate(&self, args: &RequestWithdrawalArgs) -> Result<()> {
        require!(math::lamports_for_lrt(args.lrt, self.feed.pessimistic_rate())? > 0, RestakingError::ZeroAmount);
        Ok(())
    }

    /// Escrows the LRT and queues a numbered ticket. The rate noted here caps the payout.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn request_withdrawal(ctx: Context<Self>, args: RequestWithdrawalArgs) -> Result<()> {
        let accounts = &ctx.accounts;
        token::transfer(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                Transfer {
                    from: accounts.source.to_account_info(),
                    to: accounts.escrow_vault.to_account_info(),
                    authority: accounts.owner.to_account_info(),
                },
            ),
            args.lrt,
        )?;
        let rate = ctx.accounts.feed.pessimistic_rate();
        let pool = &mut ctx.accounts.pool;
        let id = pool.next_ticket;
        pool.next_ticket += 1;
        pool.escrowed_lrt = pool.escrowed_lrt.checked_add(args.lrt).ok_or(RestakingError::MathOverflow)?;
        let ticket = &mut ctx.accounts.ticket;
        ticket.bump = ctx.bumps.ticket;
        ticket.pool = pool.key();
        ticket.id = id;
        ticket.owner = ctx.accounts.owner.key();
        ticket.lrt = args.lrt;
        ticket.rate_at_request = rate;
        ticket.requested_ts = Clock::get()?.unix_timestamp;
        emit!(WithdrawalRequested { pool: pool.key(), ticket: id, owner: ticket.owner, lrt: args.lrt, rate });
        Ok(())
    }
}
