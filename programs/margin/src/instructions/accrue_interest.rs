use anchor_lang::prelude::*;

use crate::events::InterestAccrued;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct AccrueInterest<'info> {
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
}

impl AccrueInterest<'_> {
    /// Permissionless crank; every instruction that touches debt accrues first anyway.
    pub fn accrue_interest(ctx: Context<Self>) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        emit!(InterestAccrued {
            pool: pool.key(),
            borrow_index: pool.borrow_index,
            supply_index: pool.supply_index,
            insurance: pool.insurance
        });
        Ok(())
    }
}
