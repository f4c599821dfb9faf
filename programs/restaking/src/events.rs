use anchor_lang::prelude::*;

#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    pub admin: Pubkey,
    pub stake_manager: Pubkey,
}

#[event]
pub struct PoolUpdated {
    pub pool: Pubkey,
    pub stake_manager: Pubkey,
    pub instant_unstake_fee_bps: u16,
}

#[event]
pub struct Deposited {
    pub pool: Pubkey,
    pub depositor: Pubkey,
    pub lamports: u64,
    pub lrt: u64,
    pub rate: u128,
}

#[event]
pub struct WithdrawalRequested {
    pub pool: Pubkey,
    pub ticket: u64,
    pub owner: Pubkey,
    pub lrt: u64,
    pub rate: u128,
}

#[event]
pub struct WithdrawalsFinalized {
    pub pool: Pubkey,
    pub first_ticket: u64,
    pub last_ticket: u64,
    pub lrt_burned: u64,
    pub lamports_locked: u64,
}

#[event]
pub struct Claimed {
    pub pool: Pubkey,
    pub ticket: u64,
    pub owner: Pubkey,
    pub lamports: u64,
}

#[event]
pub struct InstantUnstaked {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub lrt: u64,
    pub lamports_out: u64,
    pub fee: u64,
}

#[event]
pub struct Delegated {
    pub pool: Pubkey,
    pub lamports: u64,
    pub staked_lamports: u64,
}

#[event]
pub struct Undelegated {
    pub pool: Pubkey,
    pub lamports: u64,
    pub staked_lamports: u64,
}
