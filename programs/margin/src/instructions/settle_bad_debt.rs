use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::BadDebtSettled;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct SettleBadDebt<'info> {
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool)]
    pub market: Box<Account<'info, Market>>,
    #[account(mut, seeds = [seeds::SUB_ACCOUNT, market.key().as_ref(), sub_account.owner.as_ref(), &sub_account.index.to_le_bytes()], bump = sub_account.bump, has_one = market)]
    pub sub_account: Box<Account<'info, SubAccount>>,
}

impl SettleBadDebt<'_> {
    fn validate(&self) -> Result<()> {
        require!(self.sub_account.collateral == 0, MarginError::CollateralRemains);
        require!(self.sub_account.debt_shares > 0, MarginError::NoDebt);
        Ok(())
    }

    /// Permissionless: debt with no collateral left is written off — insurance first, then lenders
    /// pro rata; a loss beyond the lenders' funds freezes the pool.
    #[access_control(ctx.accounts.validate())]
    pub fn settle_bad_debt(ctx: Context<Self>) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        let (debt, covered, socialized) = pool.write_off(ctx.accounts.sub_account.debt_shares)?;
        ctx.accounts.sub_account.debt_shares = 0;
        emit!(BadDebtSettled {
            sub_account: ctx.accounts.sub_account.key(),
            debt,
            covered_by_insurance: covered,
            socialized,
            pool_frozen: ctx.accounts.pool.frozen,
        });
        Ok(())
    }
}
