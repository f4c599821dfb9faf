use anchor_lang::prelude::*;

use crate::errors::OracleError;
use crate::events::ReportHashSubmitted;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitReportHashArgs {
    pub frame: u64,
    pub hash: [u8; 32],
    pub consensus_version: u64,
}

#[derive(Accounts)]
pub struct SubmitReportHash<'info> {
    /// A member's hot key.
    pub signer: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump)]
    pub committee: Box<Account<'info, Committee>>,
}

impl SubmitReportHash<'_> {
    fn validate(&self, args: &SubmitReportHashArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let committee = &self.committee;
        committee.require_active()?;
        require!(!committee.consensus_disabled, OracleError::ConsensusDisabled);
        let index = committee.member_by_signer(&self.signer.key()).ok_or(OracleError::NotMember)?;
        committee.require_current_frame(args.frame, now)?;
        require!(
            !committee.frames.in_fast_lane(args.frame, now) || committee.is_fast_lane_member(index, args.frame),
            OracleError::NotFastLaneMember
        );
        require!(args.consensus_version == committee.consensus_version, OracleError::WrongConsensusVersion);
        require!(args.hash != NO_HASH, OracleError::EmptyHash);
        let member = &committee.members[index];
        if args.frame <= committee.last_processed_frame {
            require!(!member.voted(args.frame), OracleError::ReportAlreadyProcessing);
        }
        require!(!(member.voted(args.frame) && member.vote_hash == args.hash), OracleError::DuplicateHash);
        Ok(())
    }

    /// One vote slot per member: a new hash replaces the member's previous vote in the frame.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn submit_report_hash(ctx: Context<Self>, args: SubmitReportHashArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let key = ctx.accounts.committee.key();
        let committee = &mut ctx.accounts.committee;
        // Processing already started and this member never voted in the frame: nothing to record.
        if args.frame <= committee.last_processed_frame {
            return Ok(());
        }
        let index = committee.member_by_signer(&ctx.accounts.signer.key()).ok_or(OracleError::NotMember)?;
        committee.members[index].vote_frame = args.frame;
        committee.members[index].vote_hash = args.hash;
        emit!(ReportHashSubmitted {
            committee: key,
            frame: args.frame,
            member: committee.members[index].authority,
            hash: args.hash,
            support: committee.support(args.frame, &args.hash),
        });
        committee.refresh_consensus(key, now);
        Ok(())
    }
}
