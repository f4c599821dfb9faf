use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::ConsensusVersionChanged;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SetConsensusVersionArgs {
    pub consensus_version: u64,
}

#[derive(Accounts)]
pub struct SetConsensusVersion<'info> {
    pub admin: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SetConsensusVersion<'_> {
    fn validate(&self, args: &SetConsensusVersionArgs) -> Result<()> {
        self.committee.require_admin(&self.admin.key())?;
        require!(args.consensus_version != self.committee.consensus_version, OracleError::SameConsensusVersion);
        Ok(())
    }

    /// Votes and data under the old version stop counting: both carry the version they were made for.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn set_consensus_version(ctx: Context<Self>, args: SetConsensusVersionArgs) -> Result<()> {
        ctx.accounts.committee.consensus_version = args.consensus_version;
        emit!(ConsensusVersionChanged {
            committee: ctx.accounts.committee.key(),
            consensus_version: args.consensus_version
        });
        Ok(())
    }
}
