use anchor_lang::prelude::*;

use crate::events::MarketUpdated;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct ApplyMarketUpdate<'info> {
    #[account(seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut, seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool)]
    pub market: Box<Account<'info, Market>>,
}

impl ApplyMarketUpdate<'_> {
    /// Permissionless: activates a queued policy or risk change once its time lock has passed.
    pub fn apply_market_update(ctx: Context<Self>) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.apply_pending(Clock::get()?.unix_timestamp)?;
        emit!(MarketUpdated {
            market: market.key(),
            policy: market.policy,
            risk: market.risk,
            collateral_cap: market.collateral_cap,
            paused: market.paused
        });
        Ok(())
    }
}
