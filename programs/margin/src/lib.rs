//! Lantern margin: a SOL lending pool and LRT markets with isolated sub-accounts (Glow-style). One
//! sub-account holds one LRT collateral and one SOL debt, so its health is one ratio and isolation is
//! structural; `leverage_up` and `deleverage` go through the restaking pool by CPI in one instruction.
// Anchor 0.31 macros emit cfgs and a deprecated realloc call that newer toolchains warn about.
#![allow(unexpected_cfgs, deprecated)]

use anchor_lang::prelude::*;

pub mod errors;
pub mod events;
pub mod instructions;
pub mod math;
pub mod seeds;
pub mod state;
pub mod token;

pub use instructions::*;

declare_id!("JBDh4Z9Sv1Syja4y8LyTrQq4VcyHAvAYg6xFe85GgW5W");

#[program]
pub mod margin {
    use super::*;

    pub fn accrue_interest(ctx: Context<AccrueInterest>) -> Result<()> {
        AccrueInterest::accrue_interest(ctx)
    }

    pub fn apply_market_update(ctx: Context<ApplyMarketUpdate>) -> Result<()> {
        ApplyMarketUpdate::apply_market_update(ctx)
    }

    pub fn borrow(ctx: Context<Borrow>, args: BorrowArgs) -> Result<()> {
        Borrow::borrow(ctx, args)
    }

    pub fn close_sub_account(ctx: Context<CloseSubAccount>) -> Result<()> {
        CloseSubAccount::close_sub_account(ctx)
    }

    pub fn convert_insurance(ctx: Context<ConvertInsurance>, args: ConvertInsuranceArgs) -> Result<()> {
        ConvertInsurance::convert_insurance(ctx, args)
    }

    pub fn create_sub_account(ctx: Context<CreateSubAccount>, args: CreateSubAccountArgs) -> Result<()> {
        CreateSubAccount::create_sub_account(ctx, args)
    }

    pub fn deleverage(ctx: Context<Deleverage>, args: DeleverageArgs) -> Result<()> {
        Deleverage::deleverage(ctx, args)
    }

    pub fn deposit_collateral(ctx: Context<DepositCollateral>, args: DepositCollateralArgs) -> Result<()> {
        DepositCollateral::deposit_collateral(ctx, args)
    }

    pub fn initialize_market(ctx: Context<InitializeMarket>, args: InitializeMarketArgs) -> Result<()> {
        InitializeMarket::initialize_market(ctx, args)
    }

    pub fn initialize_pool(ctx: Context<InitializePool>, args: InitializePoolArgs) -> Result<()> {
        InitializePool::initialize_pool(ctx, args)
    }

    pub fn leverage_up(ctx: Context<LeverageUp>, args: LeverageUpArgs) -> Result<()> {
        LeverageUp::leverage_up(ctx, args)
    }

    pub fn liquidate(ctx: Context<Liquidate>, args: LiquidateArgs) -> Result<()> {
        Liquidate::liquidate(ctx, args)
    }

    pub fn repay(ctx: Context<Repay>, args: RepayArgs) -> Result<()> {
        Repay::repay(ctx, args)
    }

    pub fn settle_bad_debt(ctx: Context<SettleBadDebt>) -> Result<()> {
        SettleBadDebt::settle_bad_debt(ctx)
    }

    pub fn supply(ctx: Context<Supply>, args: SupplyArgs) -> Result<()> {
        Supply::supply(ctx, args)
    }

    pub fn update_market(ctx: Context<UpdateMarket>, args: UpdateMarketArgs) -> Result<()> {
        UpdateMarket::update_market(ctx, args)
    }

    pub fn update_pool(ctx: Context<UpdatePool>, args: UpdatePoolArgs) -> Result<()> {
        UpdatePool::update_pool(ctx, args)
    }

    pub fn withdraw_collateral(ctx: Context<WithdrawCollateral>, args: WithdrawCollateralArgs) -> Result<()> {
        WithdrawCollateral::withdraw_collateral(ctx, args)
    }

    pub fn withdraw_supply(ctx: Context<WithdrawSupply>, args: WithdrawSupplyArgs) -> Result<()> {
        WithdrawSupply::withdraw_supply(ctx, args)
    }
}
