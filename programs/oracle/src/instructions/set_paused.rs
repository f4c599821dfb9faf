use anchor_lang::prelude::*;

use crate::events::PausedChanged;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetPausedArgs {
    pub paused: bool,
}

#[derive(Accounts)]
pub struct SetPaused<'info> {
    /// The guardian or the admin may pause; only the admin may unpause.
    pub authority: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SetPaused<'_> {
    fn validate(&self, args: &SetPausedArgs) -> Result<()> {
        self.committee.require_switch_authority(&self.authority.key(), args.paused)
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_paused(ctx: Context<Self>, args: SetPausedArgs) -> Result<()> {
        ctx.accounts.committee.paused = args.paused;
        emit!(PausedChanged { committee: ctx.accounts.committee.key(), paused: args.paused });
        Ok(())
    }
}
