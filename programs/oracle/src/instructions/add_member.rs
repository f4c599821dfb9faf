use anchor_lang::prelude::*;

use crate::events::MemberAdded;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AddMemberArgs {
    pub authority: Pubkey,
    pub signer: Pubkey,
    /// The quorum after the change (membership changes always restate it).
    pub quorum: u8,
}

#[derive(Accounts)]
pub struct AddMember<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl AddMember<'_> {
    fn validate(&self) -> Result<()> {
        self.committee.require_admin(&self.admin.key())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn add_member(ctx: Context<Self>, args: AddMemberArgs) -> Result<()> {
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        committee.add_member(args.authority, args.signer, args.quorum)?;
        emit!(MemberAdded {
            committee: key,
            authority: args.authority,
            signer: args.signer,
            member_count: committee.member_count,
            quorum: committee.quorum,
        });
        committee.refresh_consensus(key, Clock::get()?.unix_timestamp);
        Ok(())
    }
}
