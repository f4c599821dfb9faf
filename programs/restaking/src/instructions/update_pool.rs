use anchor_lang::prelude::*;

use crate::errors::RestakingError;
use crate::events::PoolUpdated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdatePoolArgs {
    pub stake_manager: Pubkey,
    pub instant_unstake_fee_bps: u16,
}

#[derive(Accounts)]
pub struct UpdatePool<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::POOL, pool.lrt_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, StakePool>>,
}

impl UpdatePool<'_> {
    fn validate(&self, args: &UpdatePoolArgs) -> Result<()> {
        self.pool.require_admin(&self.admin.key())?;
        require!(args.stake_manager != Pubkey::default(), RestakingError::ZeroKey);
        require!(args.instant_unstake_fee_bps <= MAX_INSTANT_UNSTAKE_FEE_BPS, RestakingError::InvalidFee);
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_pool(ctx: Context<Self>, args: UpdatePoolArgs) -> Result<()> {
        let pool = &mut ctx.accounts.pool;
        pool.stake_manager = args.stake_manager;
        pool.instant_unstake_fee_bps = args.instant_unstake_fee_bps;
        emit!(PoolUpdated {
            pool: pool.key(),
            stake_manager: args.stake_manager,
            instant_unstake_fee_bps: args.instant_unstake_fee_bps
        });
        Ok(())
    }
}
