use anchor_lang::prelude::*;

use crate::events::BunkerChanged;
use crate::seeds;
use crate::state::*;

#[derive(Accounts)]
pub struct EnableBunker<'info> {
    pub guardian: Signer<'info>,
    #[account(seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump, has_one = feed)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(mut, seeds = [seeds::FEED, feed.lrt_mint.as_ref()], bump = feed.bump)]
    pub feed: Box<Account<'info, Feed>>,
}

impl EnableBunker<'_> {
    fn validate(&self) -> Result<()> {
        self.committee.require_guardian(&self.guardian.key())
    }

    /// The guardian can only turn bunker mode on; a clean report turns it off.
    #[access_control(ctx.accounts.validate())]
    pub fn enable_bunker(ctx: Context<Self>) -> Result<()> {
        let feed = &mut ctx.accounts.feed;
        if !feed.bunker {
            feed.bunker = true;
            emit!(BunkerChanged { feed: feed.key(), bunker: true });
        }
        Ok(())
    }
}
