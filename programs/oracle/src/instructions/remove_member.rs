use anchor_lang::prelude::*;

use crate::events::MemberRemoved;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RemoveMemberArgs {
    pub authority: Pubkey,
    /// The quorum after the change.
    pub quorum: u8,
}

#[derive(Accounts)]
pub struct RemoveMember<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl RemoveMember<'_> {
    fn validate(&self) -> Result<()> {
        self.committee.require_admin(&self.admin.key())
    }

    /// The member's vote leaves with it, so consensus can be lost (or, with a lower quorum, reached).
    #[access_control(ctx.accounts.validate())]
    pub fn remove_member(ctx: Context<Self>, args: RemoveMemberArgs) -> Result<()> {
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        committee.remove_member(&args.authority, args.quorum)?;
        emit!(MemberRemoved {
            committee: key,
            authority: args.authority,
            member_count: committee.member_count,
            quorum: committee.quorum,
        });
        committee.refresh_consensus(key, Clock::get()?.unix_timestamp);
        Ok(())
    }
}
