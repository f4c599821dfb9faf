use anchor_lang::prelude::*;

#[error_code]
#[derive(PartialEq, Eq)]
pub enum MarginError {
    #[msg("Only the pool admin may do this")]
    NotAdmin,
    #[msg("Only the sub-account's owner may do this")]
    NotOwner,
    #[msg("A rate-curve or pool parameter is out of its allowed range")]
    InvalidPoolParams,
    #[msg("A risk parameter is out of its allowed range")]
    InvalidRiskParams,
    #[msg("The liquidation threshold may fall by at most 1 point per day")]
    ThresholdLoweredTooFast,
    #[msg("The LRT must have 9 decimals, like SOL")]
    InvalidDecimals,
    #[msg("The amount must be positive and convert to a positive amount")]
    ZeroAmount,
    #[msg("The oracle feed is stale: risk-increasing actions wait for the next report")]
    FeedStale,
    #[msg("No fresh market price: risk-increasing actions wait for the next price round")]
    MarketPriceUnavailable,
    #[msg("The market is paused for risk-increasing actions")]
    MarketPaused,
    #[msg("The pool is frozen after a loss larger than its lenders' funds")]
    PoolFrozen,
    #[msg("The action would leave the sub-account above its maximum loan-to-value")]
    Unhealthy,
    #[msg("The sub-account is healthy and cannot be liquidated")]
    NotLiquidatable,
    #[msg("The liquidation would not lower the sub-account's loan-to-value")]
    LiquidationDidNotImprove,
    #[msg("Deleveraging must lower the loan-to-value of an unhealthy sub-account")]
    DeleverageDidNotImprove,
    #[msg("Borrowing would push pool utilisation above its maximum")]
    UtilizationTooHigh,
    #[msg("The pool does not have that much SOL available")]
    InsufficientLiquidity,
    #[msg("The supply cap would be exceeded")]
    SupplyCapExceeded,
    #[msg("The borrow cap would be exceeded")]
    BorrowCapExceeded,
    #[msg("The market's collateral cap would be exceeded")]
    CollateralCapExceeded,
    #[msg("The debt left would be below the minimum; repay it in full")]
    DustDebt,
    #[msg("The output is below the minimum you accepted")]
    SlippageExceeded,
    #[msg("Not enough collateral in the sub-account")]
    InsufficientCollateral,
    #[msg("Not enough supply shares")]
    InsufficientShares,
    #[msg("The sub-account's collateral still covers its debt: liquidate it instead")]
    CollateralRemains,
    #[msg("The sub-account has no debt")]
    NoDebt,
    #[msg("The sub-account still holds collateral or debt")]
    SubAccountNotEmpty,
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The price is zero: nothing can be valued or liquidated at it")]
    InvalidPrice,
    #[msg("Only the margin program's upgrade authority may create the pool")]
    NotUpgradeAuthority,
    #[msg("No market update is waiting")]
    NoPendingUpdate,
    #[msg("The market update is time-locked: apply it once its activation time has passed")]
    UpdateNotDue,
    #[msg("The pool's cash and debts no longer cover its lenders and insurance")]
    PoolInvariantBroken,
}
