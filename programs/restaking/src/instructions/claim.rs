use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::errors::RestakingError;
use crate::events::Claimed;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct Claim<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.lrt_mint.as_ref()], bump = pool.bump, has_one = reserve_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(
        mut,
        close = owner,
        seeds = [seeds::TICKET, pool.key().as_ref(), &ticket.id.to_le_bytes()],
        bump = ticket.bump,
        has_one = owner,
        has_one = pool
    )]
    pub ticket: Box<Account<'info, Ticket>>,
    #[account(mut)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the SOL (wSOL).
    #[account(mut, token::mint = reserve_vault.mint)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Claim<'_> {
    fn validate(&self) -> Result<()> {
        require!(self.ticket.finalized, RestakingError::TicketNotFinalized);
        Ok(())
    }

    /// Pays a finalized ticket and closes it; its rent returns to the owner.
    #[access_control(ctx.accounts.validate())]
    pub fn claim(ctx: Context<Self>) -> Result<()> {
        let owed = ctx.accounts.ticket.lamports_owed;
        let accounts = &ctx.accounts;
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
            owed,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.reserve_lamports -= owed;
        pool.locked_lamports -= owed;
        emit!(Claimed {
            pool: pool.key(),
            ticket: ctx.accounts.ticket.id,
            owner: ctx.accounts.owner.key(),
            lamports: owed
        });
        Ok(())
    }
}
