use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::errors::RestakingError;
use crate::events::Undelegated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UndelegateArgs {
    pub lamports: u64,
}

#[derive(Accounts)]
pub struct Undelegate<'info> {
    pub stake_manager: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.lrt_mint.as_ref()], bump = pool.bump, has_one = stake_manager, has_one = reserve_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(mut)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut, token::mint = reserve_vault.mint, token::authority = stake_manager)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Undelegate<'_> {
    fn validate(&self, args: &UndelegateArgs) -> Result<()> {
        require!(args.lamports > 0, RestakingError::ZeroAmount);
        Ok(())
    }

    /// Returns SOL from validators to the reserve. Rewards can make it more than was delegated, so the
    /// staked balance floors at zero; the oracle's reports carry the true staked balance.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn undelegate(ctx: Context<Self>, args: UndelegateArgs) -> Result<()> {
        let accounts = &ctx.accounts;
        token::transfer(
            CpiContext::new(
                accounts.token_program.to_account_info(),
                Transfer {
                    from: accounts.source.to_account_info(),
                    to: accounts.reserve_vault.to_account_info(),
                    authority: accounts.stake_manager.to_account_info(),
                },
            ),
            args.lamports,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.reserve_lamports = pool.reserve_lamports.checked_add(args.lamports).ok_or(RestakingError::MathOverflow)?;
        pool.staked_lamports = pool.staked_lamports.saturating_sub(args.lamports);
        emit!(Undelegated { pool: pool.key(), lamports: args.lamports, staked_lamports: pool.staked_lamports });
        Ok(())
    }
}
