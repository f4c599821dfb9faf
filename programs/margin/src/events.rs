use anchor_lang::prelude::*;

use crate::state::{PoolParams, PricingPolicy, RiskParams};

#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub admin: Pubkey,
    pub params: PoolParams,
}

#[event]
pub struct PoolUpdated {
    pub pool: Pubkey,
    pub params: PoolParams,
}

#[event]
pub struct InterestAccrued {
    pub pool: Pubkey,
    pub borrow_index: u128,
    pub supply_index: u128,
    pub insurance: u64,
}

#[event]
pub struct MarketInitialized {
    pub market: Pubkey,
    pub lrt_mint: Pubkey,
    pub feed: Pubkey,
    pub policy: PricingPolicy,
    pub risk: RiskParams,
}

#[event]
pub struct MarketUpdated {
    pub market: Pubkey,
    pub policy: PricingPolicy,
    pub risk: RiskParams,
    pub collateral_cap: u64,
    pub paused: bool,
}

#[event]
pub struct Supplied {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct SupplyWithdrawn {
    pub pool: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

#[event]
pub struct SubAccountCreated {
    pub sub_account: Pubkey,
    pub market: Pubkey,
    pub owner: Pubkey,
    pub index: u16,
}

#[event]
pub struct SubAccountClosed {
    pub sub_account: Pubkey,
}

#[event]
pub struct CollateralDeposited {
    pub sub_account: Pubkey,
    pub amount: u64,
    pub collateral: u64,
}

#[event]
pub struct CollateralWithdrawn {
    pub sub_account: Pubkey,
    pub amount: u64,
    pub collateral: u64,
}

#[event]
pub struct Borrowed {
    pub sub_account: Pubkey,
    pub amount: u64,
    pub debt_shares: u64,
}

#[event]
pub struct Repaid {
    pub sub_account: Pubkey,
    pub payer: Pubkey,
    pub amount: u64,
    pub debt_shares: u64,
}

#[event]
pub struct LeveragedUp {
    pub sub_account: Pubkey,
    pub equity: u64,
    pub borrowed: u64,
    pub lrt_minted: u64,
}

#[event]
pub struct Deleveraged {
    pub sub_account: Pubkey,
    pub lrt: u64,
    pub sol_out: u64,
    pub repaid: u64,
}

#[event]
pub struct Liquidated {
    pub sub_account: Pubkey,
    pub liquidator: Pubkey,
    pub repaid: u64,
    pub seized: u64,
    pub to_insurance: u64,
    pub bonus_wad: u128,
    pub full: bool,
}

#[event]
pub struct BadDebtSettled {
    pub sub_account: Pubkey,
    /// LRT left in the sub-account, moved to the market's insurance vault.
    pub collateral_swept: u64,
    /// The swept collateral's value that the insurance paid toward the debt.
    pub paid_by_insurance: u64,
    pub debt: u64,
    pub covered_by_insurance: u64,
    pub socialized: u64,
    pub pool_frozen: bool,
}

#[event]
pub struct MarketUpdateQueued {
    pub market: Pubkey,
    pub policy: PricingPolicy,
    pub risk: RiskParams,
    pub activates_ts: i64,
}

#[event]
pub struct InsuranceConverted {
    pub market: Pubkey,
    pub lrt: u64,
    pub sol_out: u64,
    pub insurance: u64,
}
