use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use oracle::state::Feed;
use restaking::program::Restaking;
use restaking::state::StakePool;

use crate::errors::MarginError;
use crate::events::Deleveraged;
use crate::math::health;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct DeleverageArgs {
    pub lrt: u64,
    pub min_sol_out: u64,
}

#[derive(Accounts)]
pub struct Deleverage<'info> {
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
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives any SOL left after the debt is repaid.
    #[account(mut, token::mint = pool.sol_mint)]
    pub owner_wsol: Box<Account<'info, TokenAccount>>,
    #[account(mut, address = market.stake_pool)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    #[account(mut, address = market.lrt_mint)]
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(mut, address = stake_pool.reserve_vault)]
    pub reserve_vault: Box<Account<'info, TokenAccount>>,
    pub restaking_program: Program<'info, Restaking>,
    pub token_program: Program<'info, Token>,
}

impl Deleverage<'_> {
    fn validate(&self, args: &DeleverageArgs) -> Result<()> {
        self.sub_account.require_owner(&self.owner.key())?;
        require!(args.lrt > 0, MarginError::ZeroAmount);
        require!(args.lrt <= self.sub_account.collateral, MarginError::InsufficientCollateral);
        Ok(())
    }

    /// Collateral → restaking instant unstake (CPI, signed by the sub-account) → repay. Allowed when
    /// paused and when unhealthy, as long as the loan-to-value strictly falls.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn deleverage(ctx: Context<Self>, args: DeleverageArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.pool.accrue(now)?;
        let maint = ctx.accounts.market.prices(&ctx.accounts.feed, now)?.maint;
        let debt_before = ctx.accounts.sub_account.debt(&ctx.accounts.pool)?;
        let value_before = health::value(ctx.accounts.sub_account.collateral, maint)?;

        let a = &ctx.accounts;
        let index = a.sub_account.index.to_le_bytes();
        let sub_seeds = a.sub_account.signer_seeds(&index);
        let cash_before = a.vault.amount;
        restaking::cpi::instant_unstake(
            CpiContext::new_with_signer(
                a.restaking_program.to_account_info(),
                restaking::cpi::accounts::InstantUnstake {
                    owner: a.sub_account.to_account_info(),
                    pool: a.stake_pool.to_account_info(),
                    feed: a.feed.to_account_info(),
                    lrt_mint: a.lrt_mint.to_account_info(),
                    source: a.collateral_vault.to_account_info(),
                    reserve_vault: a.reserve_vault.to_account_info(),
                    destination: a.vault.to_account_info(),
                    token_program: a.token_program.to_account_info(),
                },
                &[&sub_seeds],
            ),
            restaking::InstantUnstakeArgs { lrt: args.lrt, min_sol_out: args.min_sol_out },
        )?;
        ctx.accounts.vault.reload()?;
        let sol_out = ctx.accounts.vault.amount - cash_before;
        ctx.accounts.market.collateral_total -= args.lrt;
        ctx.accounts.sub_account.collateral -= args.lrt;

        // The SOL is already in the vault: what repays debt becomes pool cash, the rest goes to the owner.
        let repayment = match ctx.accounts.sub_account.debt_shares {
            0 => Repayment { paid: 0, burned: 0 },
            debt_shares => ctx.accounts.pool.repay(debt_shares, sol_out)?,
        };
        ctx.accounts.sub_account.debt_shares -= repayment.burned;
        let (repaid, excess) = (repayment.paid, sol_out - repayment.paid);

        let sub = &ctx.accounts.sub_account;
        sub.require_no_dust(&ctx.accounts.pool, &ctx.accounts.market)?;
        let debt_after = sub.debt(&ctx.accounts.pool)?;
        let value_after = health::value(sub.collateral, maint)?;
        require!(
            debt_after == 0 || health::ltv_lower(debt_after, value_after, debt_before, value_before),
            MarginError::DeleverageDidNotImprove
        );
        if excess > 0 {
            let a = &ctx.accounts;
            let pool_seeds = a.pool.signer_seeds();
            token::transfer(
                &a.token_program.to_account_info(),
                &a.vault.to_account_info(),
                &a.owner_wsol.to_account_info(),
                &a.pool.to_account_info(),
                excess,
                &[&pool_seeds],
            )?;
        }
        emit!(Deleveraged { sub_account: ctx.accounts.sub_account.key(), lrt: args.lrt, sol_out, repaid });
        Ok(())
    }
}
