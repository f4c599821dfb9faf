use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::RolesChanged;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetRolesArgs {
    pub admin: Pubkey,
    pub guardian: Pubkey,
}

#[derive(Accounts)]
pub struct SetRoles<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SetRoles<'_> {
    fn validate(&self, args: &SetRolesArgs) -> Result<()> {
        self.committee.require_admin(&self.admin.key())?;
        require!(args.admin != Pubkey::default() && args.guardian != Pubkey::default(), OracleError::ZeroKey);
        Ok(())
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_roles(ctx: Context<Self>, args: SetRolesArgs) -> Result<()> {
        let committee = &mut ctx.accounts.committee;
        committee.admin = args.admin;
        committee.guardian = args.guardian;
        emit!(RolesChanged { committee: committee.key(), admin: args.admin, guardian: args.guardian });
        Ok(())
    }
}
