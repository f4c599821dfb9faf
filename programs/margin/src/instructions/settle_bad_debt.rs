use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use oracle::state::Feed;

use crate::errors::MarginError;
use crate::events::BadDebtSettled;
use crate::seeds;
use crate::state::*;
use crate::token;

#[derive(Accounts)]
pub struct SettleBadDebt<'info> {
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(
        mut,
        seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()],
        bump = market.bump,
        has_one = pool,
        has_one = feed,
        has_one = insurance_vault
    )]
    pub market: Box<Account<'info, Market>>,
    pub feed: Box<Account<'info, Feed>>,
    #[account(
        mut,
        seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()],
        bump = sub_account.bump,
        has_one = market
    )]
    pub sub_account: Box<Account<'info, SubAccount>>,
    #[account(mut, seeds = [seeds::COLLATERAL, sub_account.key().as_ref()], bump = sub_account.vault_bump)]
    pub collateral_vault: Box<Account<'info, TokenAccount>>,
    /// Receives the collateral left (dust or a donation), which insurance converts to SOL.
    #[account(mut)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
}

impl SettleBadDebt<'_> {
    /// Debt must remain. Without collateral nothing else is needed (no price, however stale or
    /// missing, can block it); with collateral left the sub-account must be settleable at the
    /// maintenance price (insolvent, and what is left is dust or affordable for the insurance).
    fn validate(&self) -> Result<()> {
        let sub = &self.sub_account;
        require!(sub.debt_shares > 0, MarginError::NoDebt);
        if sub.collateral > 0 {
            let now = Clock::get()?.unix_timestamp;
            let mut pool = self.pool.as_ref().clone();
            pool.accrue(now)?;
            let price = self.market.prices(&self.feed, now)?.maint;
            require!(sub.is_settleable(&pool, &self.market, price)?, MarginError::CollateralRemains);
        }
        Ok(())
    }

    /// The maintenance price a settlement values collateral at; none is needed without collateral.
    fn price(&self, now: i64) -> Result<u128> {
        match self.sub_account.collateral {
            0 => Ok(0),
            _ => Ok(self.market.prices(&self.feed, now)?.maint),
        }
    }

    /// Permissionless: a settleable sub-account's collateral goes to the market's insurance vault, the
    /// insurance pays its value toward the debt, and the rest is written off — insurance first, then
    /// lenders pro rata; a loss beyond the lenders' funds freezes the pool.
    #[access_control(ctx.accounts.validate())]
    pub fn settle_bad_debt(mut ctx: Context<Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let price = ctx.accounts.price(now)?;
        let a = &mut ctx.accounts;
        a.pool.accrue(now)?;
        let settlement = a.sub_account.settle(&mut a.pool, &mut a.market, price)?;
        a.pool.invariant()?;

        let a = &ctx.accounts;
        if settlement.collateral_swept > 0 {
            let index = a.sub_account.index.to_le_bytes();
            token::transfer(
                &a.token_program.to_account_info(),
                &a.collateral_vault.to_account_info(),
                &a.insurance_vault.to_account_info(),
                &a.sub_account.to_account_info(),
                settlement.collateral_swept,
                &[&a.sub_account.signer_seeds(&index)],
            )?;
        }
        emit!(BadDebtSettled {
            sub_account: a.sub_account.key(),
            collateral_swept: settlement.collateral_swept,
            paid_by_insurance: settlement.paid_by_insurance,
            debt: settlement.write_off.debt,
            covered_by_insurance: settlement.write_off.covered,
            socialized: settlement.write_off.socialized,
            pool_frozen: a.pool.frozen,
        });
        Ok(())
    }
}
