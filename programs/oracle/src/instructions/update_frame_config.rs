use anchor_lang::prelude::*;

use crate::events::FrameConfigUpdated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateFrameConfigArgs {
    pub frame_secs: u32,
    pub fast_lane_secs: u32,
}

#[derive(Accounts)]
pub struct UpdateFrameConfig<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl UpdateFrameConfig<'_> {
    fn validate(&self, args: &UpdateFrameConfigArgs) -> Result<()> {
        self.committee.require_admin(&self.admin.key())?;
        FrameConfig::new(0, args.frame_secs, args.fast_lane_secs).map(|_| ())
    }

    /// Re-cuts frames from the current one on; the current frame keeps its number and start.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_frame_config(ctx: Context<Self>, args: UpdateFrameConfigArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        committee.frames = committee.frames.reconfigured(now, args.frame_secs, args.fast_lane_secs)?;
        emit!(FrameConfigUpdated { committee: key, frames: committee.frames });
        committee.refresh_consensus(key, now);
        Ok(())
    }
}
