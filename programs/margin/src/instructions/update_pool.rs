use anchor_lang::prelude::*;

use crate::events::PoolUpdated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdatePoolArgs {
    pub params: PoolParams,
}

#[derive(Accounts)]
pub struct UpdatePool<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
}

impl UpdatePool<'_> {
    fn validate(&self, args: &UpdatePoolArgs) -> Result<()> {
        self.pool.require_admin(&self.admin.key())?;
        args.params.validate()
    }

    /// Interest up to now accrues at the old curve before the new one applies.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_pool(ctx: Context<Self>, args: UpdatePoolArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.accrue(Clock::get()?.unix_timestamp)?;
        pool.params = args.params;
        emit!(PoolUpdated { pool: pool.key(), params: args.params });
        Ok(())
    }
}
