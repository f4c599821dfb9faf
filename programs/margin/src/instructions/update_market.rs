use anchor_lang::prelude::*;

use crate::events::{MarketUpdateQueued, MarketUpdated};
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateMarketArgs {
    pub policy: PricingPolicy,
    pub risk: RiskParams,
    pub collateral_cap: u64,
    pub paused: bool,
}

#[derive(Accounts)]
pub struct UpdateMarket<'info> {
    pub admin: Signer<'info>,
    #[account(seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    #[account(mut, seeds = [seeds::MARKET, pool.key().as_ref(), market.lrt_mint.as_ref()], bump = market.bump, has_one = pool)]
    pub market: Box<Account<'info, Market>>,
}

impl UpdateMarket<'_> {
    fn validate(&self) -> Result<()> {
        self.pool.require_admin(&self.admin.key())
    }

    /// Cap and pause apply at once; a policy or risk change that can make positions liquidatable is
    /// queued behind `RISK_TIMELOCK_SECS` (`apply_market_update` activates it), any other applies at once.
    #[access_control(ctx.accounts.validate())]
    pub fn update_market(ctx: Context<Self>, args: UpdateMarketArgs) -> Result<()> {
        let market = &mut ctx.accounts.market;
        let outcome = market.update(args.policy, args.risk, Clock::get()?.unix_timestamp)?;
        market.collateral_cap = args.collateral_cap;
        market.paused = args.paused;
        if let UpdateOutcome::Queued { activates_ts } = outcome {
            emit!(MarketUpdateQueued { market: market.key(), policy: args.policy, risk: args.risk, activates_ts });
        }
        emit!(MarketUpdated {
            market: market.key(),
            policy: market.policy,
            risk: market.risk,
            collateral_cap: args.collateral_cap,
            paused: args.paused
        });
        Ok(())
    }
}
