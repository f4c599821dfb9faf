//! Instruction builders for the oracle program, shared by every program's tests.
use anchor_lang::{InstructionData, ToAccountMetas};
use solana_sdk::{instruction::Instruction, pubkey::Pubkey};

use oracle::state::SanityLimits;
use oracle::{accounts, instruction, seeds, AccountingReport};

/// Consensus version the fixtures use.
pub const VERSION: u64 = 1;

pub fn ix(program_id: Pubkey, accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction { program_id, accounts: accounts.to_account_metas(None), data: data.data() }
}

/// `(committee, feed)` of an LRT mint.
pub fn pdas(mint: &Pubkey) -> (Pubkey, Pubkey) {
    let committee = Pubkey::find_program_address(&[seeds::COMMITTEE, mint.as_ref()], &oracle::ID).0;
    let feed = Pubkey::find_program_address(&[seeds::FEED, mint.as_ref()], &oracle::ID).0;
    (committee, feed)
}

pub fn initialize(
    admin: Pubkey,
    mint_authority: Pubkey,
    mint: Pubkey,
    args: oracle::InitializeCommitteeArgs,
) -> Instruction {
    let (committee, feed) = pdas(&mint);
    ix(
        oracle::ID,
        accounts::InitializeCommittee {
            admin,
            mint_authority,
            lrt_mint: mint,
            committee,
            feed,
            system_program: anchor_lang::system_program::ID,
        },
        instruction::InitializeCommittee { args },
    )
}

/// Initialisation arguments with the default limits and daily frames.
pub fn default_args(guardian: Pubkey, genesis_ts: i64, initial_rate: u128) -> oracle::InitializeCommitteeArgs {
    oracle::InitializeCommitteeArgs {
        guardian,
        genesis_ts,
        frame_secs: 86_400,
        fast_lane_secs: 0,
        consensus_version: VERSION,
        initial_rate,
        limits: SanityLimits::default(),
    }
}

pub fn add_member(committee: Pubkey, admin: Pubkey, authority: Pubkey, signer: Pubkey, quorum: u8) -> Instruction {
    ix(
        oracle::ID,
        accounts::AddMember { admin, committee },
        instruction::AddMember { args: oracle::AddMemberArgs { authority, signer, quorum } },
    )
}

pub fn submit_report_hash(
    committee: Pubkey,
    signer: Pubkey,
    frame: u64,
    hash: [u8; 32],
    consensus_version: u64,
) -> Instruction {
    ix(
        oracle::ID,
        accounts::SubmitReportHash { signer, committee },
        instruction::SubmitReportHash { args: oracle::SubmitReportHashArgs { frame, hash, consensus_version } },
    )
}

pub fn submit_report_data(committee: Pubkey, feed: Pubkey, signer: Pubkey, report: AccountingReport) -> Instruction {
    ix(
        oracle::ID,
        accounts::SubmitReportData { signer, committee, feed },
        instruction::SubmitReportData { args: oracle::SubmitReportDataArgs { report } },
    )
}

pub fn submit_price(committee: Pubkey, feed: Pubkey, signer: Pubkey, price: u128, observed_ts: i64) -> Instruction {
    ix(
        oracle::ID,
        accounts::SubmitPrice { signer, committee, feed },
        instruction::SubmitPrice { args: oracle::SubmitPriceArgs { price, observed_ts } },
    )
}

/// A report for `feed` under the fixtures' consensus version.
pub fn report(feed: Pubkey, frame: u64, rate: u128, staked_lamports: u64) -> AccountingReport {
    AccountingReport {
        program_id: oracle::ID,
        feed,
        consensus_version: VERSION,
        frame,
        rate,
        staked_lamports,
        bunker: false,
    }
}
