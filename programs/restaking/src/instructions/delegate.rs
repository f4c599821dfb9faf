use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

use crate::errors::RestakingError;
use crate::events::Delegated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DelegateArgs {
    pub lamports: u64,
}

#[derive(Accounts)]
pub struct Delegate<'info> {
    pub stake_manager: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.lrt_mint.as_ref()], bump = pool.bump, has_one = stake_manager, has_one = reserve_vault)]
    pub pool: Box<Account<'info, StakePool>>,
    #[account(mut)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    /// The stake manager's wSOL, from which it stakes with validators.
    #[account(mut, token::mint = reserve_vault.mint, token::authority = stake_manager)]
    pub destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl Delegate<'_> {
    fn validate(&self, args: &DelegateArgs) -> Result<()> {
        require!(args.lamports > 0, RestakingError::ZeroAmount);
        self.pool.require_liquidity(args.lamports)
    }

    /// Moves SOL from the liquid reserve to validators; SOL owed to finalized tickets stays.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn delegate(ctx: Context<Self>, args: DelegateArgs) -> Result<()> {
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
            args.lamports,
        )?;
        let pool = &mut ctx.accounts.pool;
        pool.reserve_lamports -= args.lamports;
        pool.staked_lamports = pool.staked_lamports.checked_add(args.lamports).ok_or(RestakingError::MathOverflow)?;
        emit!(Delegated { pool: pool.key(), lamports: args.lamports, staked_lamports: pool.staked_lamports });
        Ok(())
    }
}
