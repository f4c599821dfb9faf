use anchor_lang::prelude::*;
use anchor_lang::solana_program::hash::hash;

use crate::errors::OracleError;
use crate::events::{BunkerChanged, ReportHeld, ReportProcessed};
use crate::math::sanity::Verdict;
use crate::seeds;
use crate::state::*;

/// The accounting report the committee agrees on. Its Borsh bytes are what members hash, and it names
/// the program, feed, frame and consensus version so that a vote can never be replayed elsewhere.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct AccountingReport {
    pub program_id: Pubkey,
    pub feed: Pubkey,
    pub consensus_version: u64,
    pub frame: u64,
    /// SOL per LRT at the frame's reference time (WAD).
    pub rate: u128,
    /// Lamports staked with validators at the reference time.
    pub staked_lamports: u64,
    /// The committee asks for bunker mode (e.g. a slashing is known but not yet in the rate).
    pub bunker: bool,
}

impl AccountingReport {
    /// sha256 of the report's Borsh bytes: the hash members vote for.
    pub fn hash(&self) -> [u8; 32] {
        hash(&self.try_to_vec().unwrap_or_default()).to_bytes()
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitReportDataArgs {
    pub report: AccountingReport,
}

#[derive(Accounts)]
pub struct SubmitReportData<'info> {
    /// Any member's hot key.
    pub signer: Signer<'info>,
    #[account(mut, seeds = [seeds::COMMITTEE, committee.lrt_mint.as_ref()], bump = committee.bump, has_one = feed)]
    pub committee: Box<Account<'info, Committee>>,
    #[account(mut, seeds = [seeds::FEED, feed.lrt_mint.as_ref()], bump = feed.bump)]
    pub feed: Box<Account<'info, Feed>>,
}

impl SubmitReportData<'_> {
    fn validate(&self, args: &SubmitReportDataArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let committee = &self.committee;
        let report = &args.report;
        committee.require_active()?;
        require!(!committee.consensus_disabled, OracleError::ConsensusDisabled);
        require!(committee.member_by_signer(&self.signer.key()).is_some(), OracleError::NotMember);
        require_keys_eq!(report.program_id, crate::ID, OracleError::WrongProgram);
        require_keys_eq!(report.feed, self.feed.key(), OracleError::WrongFeed);
        require!(report.consensus_version == committee.consensus_version, OracleError::WrongConsensusVersion);
        committee.require_current_frame(report.frame, now)?;
        require!(report.frame > committee.last_processed_frame, OracleError::FrameAlreadyProcessed);
        let (consensus_hash, _) = committee.consensus_for(report.frame).ok_or(OracleError::NoConsensus)?;
        require!(report.hash() == consensus_hash, OracleError::HashMismatch);
        Ok(())
    }

    /// Processing freezes the frame, then the sanity checks decide what the feed takes from it.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn submit_report_data(ctx: Context<Self>, args: SubmitReportDataArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let report = args.report;
        let committee = &mut ctx.accounts.committee;
        committee.last_processed_frame = report.frame;
        let ref_ts = committee.frames.ref_ts(report.frame);

        let feed_key = ctx.accounts.feed.key();
        let feed = &mut ctx.accounts.feed;
        let bunker_before = feed.bunker;
        let frame_report = FrameReport {
            frame: report.frame,
            ref_ts,
            rate: report.rate,
            staked_lamports: report.staked_lamports,
            bunker_flag: report.bunker,
        };
        let verdict = feed.process_report(&committee.limits, &frame_report, now)?;
        match verdict {
            Verdict::Apply { fair_rate, decrease_ppb, bunker } => emit!(ReportProcessed {
                feed: feed_key,
                frame: report.frame,
                reported_rate: report.rate,
                fair_rate,
                deferred_rate: report.rate.saturating_sub(fair_rate),
                decrease_ppb,
                bunker,
            }),
            Verdict::Hold { decrease_ppb } => {
                emit!(ReportHeld { feed: feed_key, frame: report.frame, reported_rate: report.rate, decrease_ppb })
            }
        }
        if feed.bunker != bunker_before {
            emit!(BunkerChanged { feed: feed_key, bunker: feed.bunker });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Golden vector shared with the sdk (`test/oracle-report.test.ts`): both sides must produce the
    /// hash members vote for from the same report.
    #[test]
    fn report_hash_golden_vector() {
        let report = AccountingReport {
            program_id: crate::ID,
            feed: Pubkey::new_from_array([7; 32]),
            consensus_version: 1,
            frame: 42,
            rate: 1_050_000_000_000_000_000,
            staked_lamports: 123_456_789,
            bunker: true,
        };
        let hex: String = report.hash().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "ca9abafd27f6306fc6408cd9c15ca611a414321842acb1d0020d417c35a08552");
    }
}
