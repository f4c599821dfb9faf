use anchor_lang::prelude::*;
use anchor_spl::token::{self, Burn, Mint, Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::RestakingError;
use crate::events::WithdrawalsFinalized;
use crate::math;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct FinalizeWithdrawalsArgs {
    /// Last ticket id to finalize (inclusive); fewer are finalized if the reserve runs short.
    pub up_to: u64,
}

/// Tickets to finalize come as remaining accounts, in queue order from `pool.next_to_finalize`.
#[derive(Accounts)]
pub struct FinalizeWithdrawals<'info> {
    #[account(mut, seeds = [seeds::POOL, lrt_mint.key().as_ref()], bump = pool.bump, has_one = feed, has_one = lrt_mint, has_one = escrow_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut)]
    pub escrow_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl FinalizeWithdrawals<'_> {
    fn validate(&self, args: &FinalizeWithdrawalsArgs) -> Result<()> {
        require!(!self.feed.bunker, RestakingError::BunkerMode);
        StakePool::exit_rate(&self.feed, Clock::get()?.unix_timestamp)?;
        require!(args.up_to >= self.pool.next_to_finalize, RestakingError::NothingToFinalize);
        Ok(())
    }

    /// Pays tickets in order at `min(rate at request, rate now)`: burns their LRT and locks their SOL.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn finalize_withdrawals<'info>(
        ctx: Context<'_, '_, 'info, 'info, Self>,
        args: FinalizeWithdrawalsArgs,
    ) -> Result<()> {
        let rate = ctx.accounts.feed.pessimistic_rate();
        let pool_key = ctx.accounts.pool.key();
        let first = ctx.accounts.pool.next_to_finalize;
        let (mut burned, mut locked) = (0u64, 0u64);
        for info in ctx.remaining_accounts {
            let pool = &ctx.accounts.pool;
            let id = pool.next_to_finalize;
            if id > args.up_to {
                break;
            }
            // The ticket records its finalization: a read-only one would be skipped silently where
            // the runtime does not reject writes to read-only accounts (native execution).
            require!(info.is_writable, ErrorCode::ConstraintMut);
            let mut ticket: Account<Ticket> = Account::try_from(info)?;
            require!(ticket.pool == pool_key && ticket.id == id, RestakingError::TicketOutOfOrder);
            let owed = math::ticket_payout(ticket.lrt, ticket.rate_at_request, rate)?;
            if owed > pool.liquid_lamports() - locked {
                break;
            }
            ticket.finalized = true;
            ticket.lamports_owed = owed;
            ticket.exit(&crate::ID)?;
            burned += ticket.lrt;
            locked += owed;
            ctx.accounts.pool.next_to_finalize += 1;
        }
        require!(burned > 0, RestakingError::NothingToFinalize);

        let accounts = &ctx.accounts;
        let seeds = accounts.pool.signer_seeds();
        token::burn(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                Burn {
                    mint: accounts.lrt_mint.to_account_info(),
                    from: accounts.escrow_vault.to_account_info(),
                    authority: accounts.pool.to_account_info(),
                },
                &[&seeds],
            ),
            burned,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.escrowed_lrt -= burned;
        pool.locked_lamports += locked;
        emit!(WithdrawalsFinalized {
            pool: pool_key,
            first_ticket: first,
            last_ticket: pool.next_to_finalize - 1,
            lrt_burned: burned,
            lamports_locked: locked,
        });
        Ok(())
    }
}
