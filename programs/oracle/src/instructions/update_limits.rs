use anchor_lang::prelude::*;

use crate::events::LimitsUpdated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateLimitsArgs {
    pub limits: SanityLimits,
}

#[derive(Accounts)]
pub struct UpdateLimits<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump, has_one = feed)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(mut, seeds = [seeds::FEED, feed.lrt_mint.as_ref()], bump = feed.bump)]
    pub feed: Box<Account<'info, Feed>>,
}

impl UpdateLimits<'_> {
    fn validate(&self, args: &UpdateLimitsArgs) -> Result<()> {
        self.committee.require_admin(&self.admin.key())?;
        args.limits.validate()
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_limits(ctx: Context<Self>, args: UpdateLimitsArgs) -> Result<()> {
        ctx.accounts.committee.limits = args.limits;
        ctx.accounts.feed.sync_limits(&args.limits);
        emit!(LimitsUpdated { committee: ctx.accounts.committee.key(), limits: args.limits });
        Ok(())
    }
}
