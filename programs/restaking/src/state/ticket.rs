use anchor_lang::prelude::*;

/// One withdrawal request, paid in queue order.
#[account]
#[derive(InitSpace)]
pub struct Ticket {
    pub bump: u8,
    pub pool: Pubkey,
    pub id: u64,
    pub owner: Pubkey,
    pub lrt: u64,
    /// Fair rate when requested: the ticket never gains from later increases.
    pub rate_at_request: u128,
    pub requested_ts: i64,
    pub finalized: bool,
    /// SOL locked for this ticket at finalization.
    pub lamports_owed: u64,
}
