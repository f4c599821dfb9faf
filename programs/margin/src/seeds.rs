//! PDA seeds of the margin program, in one place.

/// `["pool", sol_mint]`: the SOL lending pool.
pub const POOL: &[u8] = b"pool";
/// `["vault", pool]`: the pool's wSOL.
pub const VAULT: &[u8] = b"vault";
/// `["lender", pool, owner]`: a lender's supply shares.
pub const LENDER: &[u8] = b"lender";
/// `["market", pool, lrt_mint]`: one LRT market.
pub const MARKET: &[u8] = b"market";
/// `["insurance", market]`: LRT the market's insurance receives from liquidation bonuses.
pub const INSURANCE: &[u8] = b"insurance";
/// `["sub", market, owner, index (u16 LE)]`: an isolated sub-account.
pub const SUB_ACCOUNT: &[u8] = b"sub";
/// `["collateral", sub_account]`: the sub-account's LRT, owned by the sub-account PDA.
pub const COLLATERAL: &[u8] = b"collateral";
