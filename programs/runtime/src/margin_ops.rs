//! Instruction builders for the margin program, shared by every program's tests.
use solana_sdk::{instruction::Instruction, pubkey::Pubkey};

use margin::state::{PoolParams, PricingPolicy, RiskParams};
use margin::{accounts, instruction, seeds};

use crate::oracle_ops::ix;
use crate::restaking_ops::PoolKeys;

fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &margin::ID).0
}

/// `(sub_account, collateral_vault)` of `owner`'s sub-account `index` in `market`.
pub fn sub_account(market: &Pubkey, owner: &Pubkey, index: u16) -> (Pubkey, Pubkey) {
    let sub = pda(&[seeds::SUB_ACCOUNT, market.as_ref(), owner.as_ref(), &index.to_le_bytes()]);
    (sub, pda(&[seeds::COLLATERAL, sub.as_ref()]))
}

pub fn lender(pool: &Pubkey, owner: &Pubkey) -> Pubkey {
    pda(&[seeds::LENDER, pool.as_ref(), owner.as_ref()])
}

/// Every address of the SOL pool and one LRT market.
#[derive(Clone, Copy, Debug)]
pub struct MarginKeys {
    pub pool: Pubkey,
    pub vault: Pubkey,
    pub market: Pubkey,
    pub insurance_vault: Pubkey,
    pub restaking: PoolKeys,
}

/// A sub-account's two addresses.
#[derive(Clone, Copy, Debug)]
pub struct SubKeys {
    pub sub: Pubkey,
    pub vault: Pubkey,
}

impl MarginKeys {
    pub fn new(restaking: PoolKeys) -> Self {
        let sol_mint = spl_token::native_mint::ID;
        let pool = pda(&[seeds::POOL, sol_mint.as_ref()]);
        let market = pda(&[seeds::MARKET, pool.as_ref(), restaking.lrt_mint.as_ref()]);
        Self {
            pool,
            vault: pda(&[seeds::VAULT, pool.as_ref()]),
            market,
            insurance_vault: pda(&[seeds::INSURANCE, market.as_ref()]),
            restaking,
        }
    }

    pub fn sub(&self, owner: &Pubkey, index: u16) -> SubKeys {
        let (sub, vault) = sub_account(&self.market, owner, index);
        SubKeys { sub, vault }
    }

    pub fn initialize_pool(&self, admin: Pubkey, params: PoolParams) -> Instruction {
        ix(
            margin::ID,
            accounts::InitializePool {
                admin,
                program_data: Pubkey::find_program_address(
                    &[margin::ID.as_ref()],
                    &solana_sdk::bpf_loader_upgradeable::ID,
                )
                .0,
                sol_mint: spl_token::native_mint::ID,
                pool: self.pool,
                vault: self.vault,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitializePool { args: margin::InitializePoolArgs { params } },
        )
    }

    pub fn update_pool(&self, admin: Pubkey, params: PoolParams) -> Instruction {
        ix(
            margin::ID,
            accounts::UpdatePool { admin, pool: self.pool },
            instruction::UpdatePool { args: margin::UpdatePoolArgs { params } },
        )
    }

    pub fn accrue_interest(&self) -> Instruction {
        ix(margin::ID, accounts::AccrueInterest { pool: self.pool }, instruction::AccrueInterest {})
    }

    pub fn initialize_market(
        &self,
        admin: Pubkey,
        policy: PricingPolicy,
        risk: RiskParams,
        collateral_cap: u64,
    ) -> Instruction {
        ix(
            margin::ID,
            accounts::InitializeMarket {
                admin,
                pool: self.pool,
                lrt_mint: self.restaking.lrt_mint,
                feed: self.restaking.feed,
                stake_pool: self.restaking.pool,
                market: self.market,
                insurance_vault: self.insurance_vault,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::InitializeMarket { args: margin::InitializeMarketArgs { policy, risk, collateral_cap } },
        )
    }

    pub fn update_market(
        &self,
        admin: Pubkey,
        policy: PricingPolicy,
        risk: RiskParams,
        collateral_cap: u64,
        paused: bool,
    ) -> Instruction {
        ix(
            margin::ID,
            accounts::UpdateMarket { admin, pool: self.pool, market: self.market },
            instruction::UpdateMarket { args: margin::UpdateMarketArgs { policy, risk, collateral_cap, paused } },
        )
    }

    pub fn supply(&self, owner: Pubkey, source: Pubkey, amount: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::Supply {
                owner,
                pool: self.pool,
                vault: self.vault,
                lender: lender(&self.pool, &owner),
                source,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::Supply { args: margin::SupplyArgs { amount } },
        )
    }

    pub fn withdraw_supply(&self, owner: Pubkey, destination: Pubkey, shares: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::WithdrawSupply {
                owner,
                pool: self.pool,
                vault: self.vault,
                lender: lender(&self.pool, &owner),
                destination,
                token_program: spl_token::ID,
            },
            instruction::WithdrawSupply { args: margin::WithdrawSupplyArgs { shares } },
        )
    }

    pub fn create_sub_account(&self, owner: Pubkey, index: u16) -> Instruction {
        let s = self.sub(&owner, index);
        ix(
            margin::ID,
            accounts::CreateSubAccount {
                owner,
                market: self.market,
                lrt_mint: self.restaking.lrt_mint,
                sub_account: s.sub,
                collateral_vault: s.vault,
                token_program: spl_token::ID,
                system_program: anchor_lang::system_program::ID,
            },
            instruction::CreateSubAccount { args: margin::CreateSubAccountArgs { index } },
        )
    }

    pub fn deposit_collateral(&self, depositor: Pubkey, s: SubKeys, source: Pubkey, amount: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::DepositCollateral {
                depositor,
                market: self.market,
                sub_account: s.sub,
                collateral_vault: s.vault,
                source,
                token_program: spl_token::ID,
            },
            instruction::DepositCollateral { args: margin::DepositCollateralArgs { amount } },
        )
    }

    pub fn withdraw_collateral(&self, owner: Pubkey, s: SubKeys, destination: Pubkey, amount: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::WithdrawCollateral {
                owner,
                pool: self.pool,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                collateral_vault: s.vault,
                destination,
                token_program: spl_token::ID,
            },
            instruction::WithdrawCollateral { args: margin::WithdrawCollateralArgs { amount } },
        )
    }

    pub fn borrow(&self, owner: Pubkey, s: SubKeys, destination: Pubkey, amount: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::Borrow {
                owner,
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                destination,
                token_program: spl_token::ID,
            },
            instruction::Borrow { args: margin::BorrowArgs { amount } },
        )
    }

    pub fn repay(&self, payer: Pubkey, s: SubKeys, source: Pubkey, amount: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::Repay {
                payer,
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                sub_account: s.sub,
                source,
                token_program: spl_token::ID,
            },
            instruction::Repay { args: margin::RepayArgs { amount } },
        )
    }

    pub fn leverage_up(
        &self,
        owner: Pubkey,
        s: SubKeys,
        owner_wsol: Pubkey,
        equity: u64,
        borrow: u64,
        min_lrt_out: u64,
    ) -> Instruction {
        ix(
            margin::ID,
            accounts::LeverageUp {
                owner,
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                collateral_vault: s.vault,
                owner_wsol,
                stake_pool: self.restaking.pool,
                lrt_mint: self.restaking.lrt_mint,
                reserve_vault: self.restaking.reserve_vault,
                restaking_program: restaking::ID,
                token_program: spl_token::ID,
            },
            instruction::LeverageUp { args: margin::LeverageUpArgs { equity, borrow, min_lrt_out } },
        )
    }

    pub fn deleverage(&self, owner: Pubkey, s: SubKeys, owner_wsol: Pubkey, lrt: u64, min_sol_out: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::Deleverage {
                owner,
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                collateral_vault: s.vault,
                owner_wsol,
                stake_pool: self.restaking.pool,
                lrt_mint: self.restaking.lrt_mint,
                reserve_vault: self.restaking.reserve_vault,
                restaking_program: restaking::ID,
                token_program: spl_token::ID,
            },
            instruction::Deleverage { args: margin::DeleverageArgs { lrt, min_sol_out } },
        )
    }

    pub fn liquidate(
        &self,
        liquidator: Pubkey,
        s: SubKeys,
        liquidator_wsol: Pubkey,
        liquidator_lrt: Pubkey,
        max_repay: u64,
        min_collateral_out: u64,
    ) -> Instruction {
        ix(
            margin::ID,
            accounts::Liquidate {
                liquidator,
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                collateral_vault: s.vault,
                insurance_vault: self.insurance_vault,
                liquidator_wsol,
                liquidator_lrt,
                token_program: spl_token::ID,
            },
            instruction::Liquidate { args: margin::LiquidateArgs { max_repay, min_collateral_out } },
        )
    }

    pub fn settle_bad_debt(&self, s: SubKeys) -> Instruction {
        ix(
            margin::ID,
            accounts::SettleBadDebt {
                pool: self.pool,
                market: self.market,
                feed: self.restaking.feed,
                sub_account: s.sub,
                collateral_vault: s.vault,
                insurance_vault: self.insurance_vault,
                token_program: spl_token::ID,
            },
            instruction::SettleBadDebt {},
        )
    }

    pub fn convert_insurance(&self, lrt: u64, min_sol_out: u64) -> Instruction {
        ix(
            margin::ID,
            accounts::ConvertInsurance {
                pool: self.pool,
                vault: self.vault,
                market: self.market,
                feed: self.restaking.feed,
                insurance_vault: self.insurance_vault,
                stake_pool: self.restaking.pool,
                lrt_mint: self.restaking.lrt_mint,
                reserve_vault: self.restaking.reserve_vault,
                restaking_program: restaking::ID,
                token_program: spl_token::ID,
            },
            instruction::ConvertInsurance { args: margin::ConvertInsuranceArgs { lrt, min_sol_out } },
        )
    }

    pub fn apply_market_update(&self) -> Instruction {
        ix(
            margin::ID,
            accounts::ApplyMarketUpdate { pool: self.pool, market: self.market },
            instruction::ApplyMarketUpdate {},
        )
    }

    pub fn close_sub_account(&self, owner: Pubkey, s: SubKeys, destination: Pubkey) -> Instruction {
        ix(
            margin::ID,
            accounts::CloseSubAccount {
                owner,
                market: self.market,
                sub_account: s.sub,
                collateral_vault: s.vault,
                destination,
                token_program: spl_token::ID,
            },
            instruction::CloseSubAccount {},
        )
    }
}
