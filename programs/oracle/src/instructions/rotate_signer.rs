use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::SignerRotated;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RotateSignerArgs {
    pub new_signer: Pubkey,
}

#[derive(Accounts)]
pub struct RotateSigner<'info> {
    /// The member's cold key.
    pub authority: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl RotateSigner<'_> {
    fn validate(&self) -> Result<()> {
        require!(self.committee.member_by_authority(&self.authority.key()).is_some(), OracleError::NotMemberAuthority);
        Ok(())
    }

    #[access_control(ctx.accounts.validate())]
    pub fn rotate_signer(ctx: Context<Self>, args: RotateSignerArgs) -> Result<()> {
        let key = ctx.accounts.committee.key();
        let authority = ctx.accounts.authority.key();
        let old_signer = ctx.accounts.committee.rotate_signer(&authority, args.new_signer)?;
        emit!(SignerRotated { committee: key, authority, old_signer, new_signer: args.new_signer });
        Ok(())
    }
}
