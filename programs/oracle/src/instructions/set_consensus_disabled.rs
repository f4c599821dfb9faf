use anchor_lang::prelude::*;

use crate::events::ConsensusDisabledChanged;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetConsensusDisabledArgs {
    pub disabled: bool,
}

#[derive(Accounts)]
pub struct SetConsensusDisabled<'info> {
    /// The guardian or the admin may disable consensus; only the admin may enable it again.
    pub authority: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SetConsensusDisabled<'_> {
    fn validate(&self, args: &SetConsensusDisabledArgs) -> Result<()> {
        self.committee.require_switch_authority(&self.authority.key(), args.disabled)
    }

    /// Stops a colluding quorum at once: no hash holds consensus while disabled.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_consensus_disabled(ctx: Context<Self>, args: SetConsensusDisabledArgs) -> Result<()> {
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        committee.consensus_disabled = args.disabled;
        emit!(ConsensusDisabledChanged { committee: key, disabled: args.disabled });
        committee.refresh_consensus(key, Clock::get()?.unix_timestamp);
        Ok(())
    }
}
