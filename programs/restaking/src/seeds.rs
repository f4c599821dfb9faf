//! PDA seeds of the restaking program, in one place.

/// `["pool", lrt_mint]`: the pool, also the LRT's mint authority and the vaults' owner.
pub const POOL: &[u8] = b"pool";
/// `["reserve", pool]`: the pool's SOL (wSOL) reserve.
pub const RESERVE: &[u8] = b"reserve";
/// `["escrow", pool]`: LRT waiting in the withdrawal queue.
pub const ESCROW: &[u8] = b"escrow";
/// `["ticket", pool, id (u64 LE)]`: one withdrawal request.
pub const TICKET: &[u8] = b"ticket";
