use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

use crate::errors::MarginError;
use crate::events::Supplied;
use crate::math::shares;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SupplyArgs {
    pub amount: u64,
}

#[derive(Accounts)]
pub struct Supply<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        init_if_needed,
        payer = owner,
        space = 8 + LenderPosition::INIT_SPACE,
        seeds = [seeds::LENDER, pool.key().as_ref(), owner.key().as_ref()],
        bump
    )]
    pub lender: Box<Account<'info, LenderPosition>>,
    #[account(mut, token::mint = pool.sol_mint, token::authority = owner)]
    pub source: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl Supply<'_> {
    fn validate(&self, args: &SupplyArgs) -> Result<()> {
        self.pool.require_live()?;
        require!(args.amount > 0, MarginError::ZeroAmount);
        Ok(())
    }

    /// Lends SOL to the pool for supply shares (rounded down).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn supply(ctx: Context<Self>, args: SupplyArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        let minted = shares::supply_shares_for_deposit(args.amount, pool.supply_index)?;
        let claims_after = pool.lender_claims()?.checked_add(args.amount).ok_or(MarginError::MathOverflow)?;
        require!(claims_after <= pool.params.supply_cap, MarginError::SupplyCapExceeded);
        pool.cash = pool.cash.checked_add(args.amount).ok_or(MarginError::MathOverflow)?;
        pool.supply_shares = pool.supply_shares.checked_add(minted).ok_or(MarginError::MathOverflow)?;
        let a = &ctx.accounts;
        token::transfer(
            &a.token_program.to_account_info(),
            &a.source.to_account_info(),
            &a.vault.to_account_info(),
            &a.owner.to_account_info(),
            args.amount,
            &[],
        )?;
        let lender = &mut ctx.accounts.lender;
        if lender.owner == Pubkey::default() {
            lender.bump = ctx.bumps.lender;
            lender.pool = ctx.accounts.pool.key();
            lender.owner = ctx.accounts.owner.key();
        }
        lender.shares = lender.shares.checked_add(minted).ok_or(MarginError::MathOverflow)?;
        emit!(Supplied { pool: lender.pool, owner: lender.owner, amount: args.amount, shares: minted });
        Ok(())
    }
}
