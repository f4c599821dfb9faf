use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use oracle::state::Feed;
use restaking::program::Restaking;
use restaking::state::StakePool;

use crate::errors::MarginError;
use crate::events::InsuranceConverted;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ConvertInsuranceArgs {
    pub lrt: u64,
    pub min_sol_out: u64,
}

#[derive(Accounts)]
pub struct ConvertInsurance<'info> {
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump, has_one = vault)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut)]
    pub vault: Box<Account<'info, TokenAccount>>,
    #[account(
        seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()],
        bump = market.bump,
        has_one = pool,
        has_one = feed,
        has_one = stake_pool,
        has_one = insurance_vault,
        has_one = lrt_mint
    )]
    pub market: Box<Account<'info, Market>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    #[account(mut)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    #[account(mut)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = stake_pool.reserve_vault)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    pub restaking_program: Program<'info, Restaking>,
    pub token_program: Program<'info, Token>,
}

impl ConvertInsurance<'_> {
    fn validate(&self, args: &ConvertInsuranceArgs) -> Result<()> {
        require!(args.lrt > 0, MarginError::ZeroAmount);
        require!(args.lrt <= self.insurance_vault.amount, MarginError::InsufficientCollateral);
        Ok(())
    }

    /// Permissionless: sells insurance LRT (liquidation bonuses, settled collateral) through the
    /// restaking pool's instant unstake — at the feed's pessimistic rate, no market to front-run — into
    /// the pool's vault, where it becomes insurance cash that covers bad debt first.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn convert_insurance(ctx: Context<Self>, args: ConvertInsuranceArgs) -> Result<()> {
        let a = &ctx.accounts;
        let cash_before = a.vault.amount;
        restaking::cpi::instant_unstake(
            CpiContext::new_with_signer(
                a.restaking_program.to_account_info(),
                restaking::cpi::accounts::InstantUnstake {
                    owner: a.market.to_account_info(),
                    pool: a.stake_pool.to_account_info(),
                    feed: a.feed.to_account_info(),
                    lrt_mint: a.lrt_mint.to_account_info(),
                    source: a.insurance_vault.to_account_info(),
                    reserve_vault: a.reserve_vault.to_account_info(),
                    destination: a.vault.to_account_info(),
                    token_program: a.token_program.to_account_info(),
                },
                &[&a.market.signer_seeds()],
            ),
            restaking::InstantUnstakeArgs { lrt: args.lrt, min_sol_out: args.min_sol_out },
        )?;
        ctx.accounts.vault.reload()?;
        let sol_out = ctx.accounts.vault.amount - cash_before;
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        pool.add_insurance(sol_out)?;
        pool.invariant()?;
        emit!(InsuranceConverted {
            market: ctx.accounts.market.key(),
            lrt: args.lrt,
            sol_out,
            insurance: ctx.accounts.pool.insurance,
        });
        Ok(())
    }
}
