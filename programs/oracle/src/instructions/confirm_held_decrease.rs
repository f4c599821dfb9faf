use anchor_lang::prelude::*;

use crate::events::HeldDecreaseConfirmed;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ConfirmHeldDecreaseArgs {
    /// The frame of the held report, so that a confirmation cannot land on a newer one by accident.
    pub frame: u64,
}

#[derive(Accounts)]
pub struct ConfirmHeldDecrease<'info> {
    pub guardian: Signer<'info>,
    #[account(seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump, has_one = feed)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(mut, seeds = [seeds::FEED, feed.lrt_mint.as_ref()], bump = feed.bump)]
    pub feed: Box<Account<'info, Feed>>,
}

impl ConfirmHeldDecrease<'_> {
    fn validate(&self) -> Result<()> {
        self.committee.require_guardian(&self.guardian.key())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn confirm_held_decrease(ctx: Context<Self>, args: ConfirmHeldDecreaseArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let limits = ctx.accounts.committee.limits;
        let feed = &mut ctx.accounts.feed;
        feed.confirm_held(&limits, args.frame, now)?;
        emit!(HeldDecreaseConfirmed { feed: feed.key(), frame: args.frame, fair_rate: feed.fair_rate });
        Ok(())
    }
}
