use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum RestakingError {
    #[msg("Only the pool admin may do this")]
    NotAdmin,
    #[msg("Only the stake manager may do this")]
    NotStakeManager,
    #[msg("The oracle feed is stale; wait for the next accepted report")]
    FeedStale,
    #[msg("Bunker mode is on: withdrawals are not finalized until it ends")]
    BunkerMode,
    #[msg("The amount must be positive and convert to a positive amount")]
    ZeroAmount,
    #[msg("The output is below the minimum you accepted")]
    SlippageExceeded,
    #[msg("The liquid reserve cannot cover this")]
    InsufficientLiquidity,
    #[msg("The LRT mint must have no supply and be controlled by the signer")]
    InvalidMint,
    #[msg("The LRT mint must have 9 decimals, like SOL")]
    InvalidDecimals,
    #[msg("The fee is above the maximum")]
    InvalidFee,
    #[msg("Tickets must be given in queue order, starting at the next unfinalized one")]
    TicketOutOfOrder,
    #[msg("No ticket could be finalized")]
    NothingToFinalize,
    #[msg("The ticket is not finalized yet")]
    TicketNotFinalized,
    #[msg("A key may not be the default (all-zero) public key")]
    ZeroKey,
    #[msg("Arithmetic overflow")]
    MathOverflow,
}
