use anchor_lang::prelude::*;
use oracle::state::Feed;

use crate::errors::RestakingError;

/// Highest instant-unstake fee the admin may set (10%).
pub const MAX_INSTANT_UNSTAKE_FEE_BPS: u16 = 1_000;
/// Default instant-unstake fee (0.3%).
pub const DEFAULT_INSTANT_UNSTAKE_FEE_BPS: u16 = 30;

/// The LRT pool. SOL is held as wSOL; every balance is tracked here, never read from a vault.
#[account]
#[derive(InitSpace)]
pub struct StakePool {
    pub bump: u8,
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    pub admin: Pubkey,
    /// Moves SOL between the reserve and validators.
    pub stake_manager: Pubkey,
    pub reserve_vault: Pubkey,
    pub escrow_vault: Pubkey,
    /// wSOL in the reserve vault, including what finalized tickets are owed.
    pub reserve_lamports: u64,
    /// Part of the reserve owed to finalized, unclaimed tickets.
    pub locked_lamports: u64,
    /// SOL delegated to validators through the stake manager.
    pub staked_lamports: u64,
    /// LRT escrowed by unfinalized tickets.
    pub escrowed_lrt: u64,
    pub instant_unstake_fee_bps: u16,
    /// Id the next ticket gets.
    pub next_ticket: u64,
    /// Id of the oldest unfinalized ticket.
    pub next_to_finalize: u64,
}

impl StakePool {
    /// Reserve not promised to anyone: what instant unstakes, delegation and finalization may use.
    pub fn liquid_lamports(&self) -> u64 {
        self.reserve_lamports - self.locked_lamports
    }

    pub fn require_liquidity(&self, lamports: u64) -> Result<()> {
        require!(lamports <= self.liquid_lamports(), RestakingError::InsufficientLiquidity);
        Ok(())
    }

    /// The rate exits pay at: the feed's pessimistic rate (a loss held for the guardian counts at
    /// once, so no exit pays more than the queue will), refused when the feed is stale.
    pub fn exit_rate(feed: &Feed, now: i64) -> Result<u128> {
        require!(!feed.is_stale(now), RestakingError::FeedStale);
        Ok(feed.pessimistic_rate())
    }

    /// The rate deposits mint at: the fair rate, refused when the feed is stale. While a loss is held
    /// this overcharges depositors rather than diluting holders (rounding favours the pool).
    pub fn deposit_rate(feed: &Feed, now: i64) -> Result<u128> {
        require!(!feed.is_stale(now), RestakingError::FeedStale);
        Ok(feed.fair_rate)
    }

    pub fn require_admin(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.admin, RestakingError::NotAdmin);
        Ok(())
    }

    pub fn require_stake_manager(&self, key: &Pubkey) -> Result<()> {
        require_keys_eq!(*key, self.stake_manager, RestakingError::NotStakeManager);
        Ok(())
    }

    pub fn signer_seeds(&self) -> [&[u8]; 3] {
        [crate::seeds::POOL, self.lrt_mint.as_ref(), std::slice::from_ref(&self.bump)]
    }
}
