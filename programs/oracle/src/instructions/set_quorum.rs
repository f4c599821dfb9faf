use anchor_lang::prelude::*;

use crate::events::QuorumChanged;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetQuorumArgs {
    pub quorum: u8,
}

#[derive(Accounts)]
pub struct SetQuorum<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SetQuorum<'_> {
    fn validate(&self) -> Result<()> {
        self.committee.require_admin(&self.admin.key())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn set_quorum(ctx: Context<Self>, args: SetQuorumArgs) -> Result<()> {
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        committee.set_quorum(args.quorum)?;
        emit!(QuorumChanged { committee: key, quorum: args.quorum });
        committee.refresh_consensus(key, Clock::get()?.unix_timestamp);
        Ok(())
    }
}
