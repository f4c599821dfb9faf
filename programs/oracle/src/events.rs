use anchor_lang::prelude::*;

use crate::state::{FrameConfig, SanityLimits};

#[event]
pub struct CommitteeInitialized {
    pub committee: Pubkey,
    pub feed: Pubkey,
    pub lrt_mint: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub fair_rate: u128,
}

#[event]
pub struct MemberAdded {
    pub committee: Pubkey,
    pub authority: Pubkey,
    pub signer: Pubkey,
    pub member_count: u8,
    pub quorum: u8,
}

#[event]
pub struct MemberRemoved {
    pub committee: Pubkey,
    pub authority: Pubkey,
    pub member_count: u8,
    pub quorum: u8,
}

#[event]
pub struct QuorumChanged {
    pub committee: Pubkey,
    pub quorum: u8,
}

#[event]
pub struct SignerRotated {
    pub committee: Pubkey,
    pub authority: Pubkey,
    pub old_signer: Pubkey,
    pub new_signer: Pubkey,
}

#[event]
pub struct ReportHashSubmitted {
    pub committee: Pubkey,
    pub frame: u64,
    pub member: Pubkey,
    pub hash: [u8; 32],
    pub support: u8,
}

#[event]
pub struct ConsensusReached {
    pub committee: Pubkey,
    pub frame: u64,
    pub hash: [u8; 32],
    pub support: u8,
}

#[event]
pub struct ConsensusLost {
    pub committee: Pubkey,
    pub frame: u64,
    pub hash: [u8; 32],
}

#[event]
pub struct ReportProcessed {
    pub feed: Pubkey,
    pub frame: u64,
    pub reported_rate: u128,
    pub fair_rate: u128,
    pub deferred_rate: u128,
    pub decrease_ppb: u64,
    pub bunker: bool,
}

#[event]
pub struct ReportHeld {
    pub feed: Pubkey,
    pub frame: u64,
    pub reported_rate: u128,
    pub decrease_ppb: u64,
}

#[event]
pub struct HeldDecreaseConfirmed {
    pub feed: Pubkey,
    pub frame: u64,
    pub fair_rate: u128,
}

#[event]
pub struct BunkerChanged {
    pub feed: Pubkey,
    pub bunker: bool,
}

#[event]
pub struct PriceSubmitted {
    pub committee: Pubkey,
    pub member: Pubkey,
    pub price: u128,
    pub observed_ts: i64,
}

#[event]
pub struct MarketPriceUpdated {
    pub feed: Pubkey,
    pub price: u128,
    pub low: u128,
    pub confidence: u128,
    pub ema: u128,
    pub ema_low: u128,
    pub observations: u8,
}

#[event]
pub struct LimitsUpdated {
    pub committee: Pubkey,
    pub limits: SanityLimits,
}

#[event]
pub struct FrameConfigUpdated {
    pub committee: Pubkey,
    pub frames: FrameConfig,
}

#[event]
pub struct ConsensusVersionChanged {
    pub committee: Pubkey,
    pub consensus_version: u64,
}

#[event]
pub struct RolesChanged {
    pub committee: Pubkey,
    pub admin: Pubkey,
    pub guardian: Pubkey,
}

#[event]
pub struct PausedChanged {
    pub committee: Pubkey,
    pub paused: bool,
}

#[event]
pub struct ConsensusDisabledChanged {
    pub committee: Pubkey,
    pub disabled: bool,
}
