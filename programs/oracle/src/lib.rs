//! Lantern oracle: a committee of members (default 5 of 9) agrees on accounting reports by hash
//! consensus (Lido-style); on-chain sanity bounds turn each report into the feed's fair rate
//! (SOL per LRT), and members' market observations give a median market price with an EMA.
// Anchor 0.31 macros emit cfgs and a deprecated realloc call that newer toolchains warn about.
#![allow(unexpected_cfgs, deprecated)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod seeds;
pub mod state;

pub use instructions::*;

declare_id!("CzV2qhDLAMCcLyoWaT9gobBjj848cqpWeVKbZJogfjVz");

#[program]
pub mod oracle {
    use super::*;

    pub fn initialize_committee(ctx: Context<InitializeCommittee>, args: InitializeCommitteeArgs) -> Result<()> {
        InitializeCommittee::initialize_committee(ctx, args)
    }

    pub fn add_member(ctx: Context<AddMember>, args: AddMemberArgs) -> Result<()> {
        AddMember::add_member(ctx, args)
    }

    pub fn remove_member(ctx: Context<RemoveMember>, args: RemoveMemberArgs) -> Result<()> {
        RemoveMember::remove_member(ctx, args)
    }

    pub fn set_quorum(ctx: Context<SetQuorum>, args: SetQuorumArgs) -> Result<()> {
        SetQuorum::set_quorum(ctx, args)
    }

    pub fn rotate_signer(ctx: Context<RotateSigner>, args: RotateSignerArgs) -> Result<()> {
        RotateSigner::rotate_signer(ctx, args)
    }

    pub fn submit_report_hash(ctx: Context<SubmitReportHash>, args: SubmitReportHashArgs) -> Result<()> {
        SubmitReportHash::submit_report_hash(ctx, args)
    }

    pub fn submit_report_data(ctx: Context<SubmitReportData>, args: SubmitReportDataArgs) -> Result<()> {
        SubmitReportData::submit_report_data(ctx, args)
    }

    pub fn submit_price(ctx: Context<SubmitPrice>, args: SubmitPriceArgs) -> Result<()> {
        SubmitPrice::submit_price(ctx, args)
    }

    pub fn update_limits(ctx: Context<UpdateLimits>, args: UpdateLimitsArgs) -> Result<()> {
        UpdateLimits::update_limits(ctx, args)
    }

    pub fn update_frame_config(ctx: Context<UpdateFrameConfig>, args: UpdateFrameConfigArgs) -> Result<()> {
        UpdateFrameConfig::update_frame_config(ctx, args)
    }

    pub fn set_consensus_version(ctx: Context<SetConsensusVersion>, args: SetConsensusVersionArgs) -> Result<()> {
        SetConsensusVersion::set_consensus_version(ctx, args)
    }

    pub fn set_roles(ctx: Context<SetRoles>, args: SetRolesArgs) -> Result<()> {
        SetRoles::set_roles(ctx, args)
    }

    pub fn set_paused(ctx: Context<SetPaused>, args: SetPausedArgs) -> Result<()> {
        SetPaused::set_paused(ctx, args)
    }

    pub fn set_consensus_disabled(ctx: Context<SetConsensusDisabled>, args: SetConsensusDisabledArgs) -> Result<()> {
        SetConsensusDisabled::set_consensus_disabled(ctx, args)
    }

    pub fn enable_bunker(ctx: Context<EnableBunker>) -> Result<()> {
        EnableBunker::enable_bunker(ctx)
    }

    pub fn confirm_held_decrease(ctx: Context<ConfirmHeldDecrease>, args: ConfirmHeldDecreaseArgs) -> Result<()> {
        ConfirmHeldDecrease::confirm_held_decrease(ctx, args)
    }
}
