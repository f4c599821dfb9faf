use anchor_lang::prelude::*;
use anchor_spl::token::{Mint, Token, TokenAccount};
use oracle::state::Feed;
use restaking::state::StakePool;

use crate::errors::MarginError;
use crate::events::MarketInitialized;
use crate::seeds;
use crate::state::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializeMarketArgs {
    pub policy: PricingPolicy,
    pub risk: RiskParams,
    pub collateral_cap: u64,
}

#[derive(Accounts)]
pub struct InitializeMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(seeds = [seeds::POOL, pool.sol_mint.as_ref()], bump = pool.bump)]
    pub pool: Box<Account<'info, LendingPool>>,
    pub lrt_mint: Box<Account<'info, Mint>>,
    #[account(seeds = [oracle::seeds::FEED, lrt_mint.key().as_ref()], bump = feed.bump, seeds::program = oracle::ID)]
    pub feed: Box<Account<'info, Feed>>,
    #[account(seeds = [restaking::seeds::POOL, lrt_mint.key().as_ref()], bump = stake_pool.bump, seeds::program = restaking::ID)]
    pub stake_pool: Box<Account<'info, StakePool>>,
    #[account(init, payer = admin, space = 8 + Market::INIT_SPACE, seeds = [seeds::MARKET, pool.key().as_ref(), lrt_mint.key().as_ref()], bump)]
    pub market: Box<Account<'info, Market>>,
    #[account(init, payer = admin, seeds = [seeds::INSURANCE, market.key().as_ref()], bump, token::mint = lrt_mint, token::authority = market)]
    pub insurance_vault: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

impl InitializeMarket<'_> {
    fn validate(&self, args: &InitializeMarketArgs) -> Result<()> {
        self.pool.require_admin(&self.admin.key())?;
        // Prices are SOL per LRT in base units; equal decimals keep them the exchange rate.
        require!(self.lrt_mint.decimals == 9, MarginError::InvalidDecimals);
        args.risk.validate()
    }

    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize_market(ctx: Context<Self>, args: InitializeMarketArgs) -> Result<()> {
        let market = &mut ctx.accounts.market;
        market.bump = ctx.bumps.market;
        market.pool = ctx.accounts.pool.key();
        market.lrt_mint = ctx.accounts.lrt_mint.key();
        market.feed = ctx.accounts.feed.key();
        market.stake_pool = ctx.accounts.stake_pool.key();
        market.insurance_vault = ctx.accounts.insurance_vault.key();
        market.policy = args.policy;
        market.risk = args.risk;
        market.collateral_cap = args.collateral_cap;
        emit!(MarketInitialized {
            market: market.key(),
            lrt_mint: market.lrt_mint,
            feed: market.feed,
            policy: args.policy,
            risk: args.risk
        });
        Ok(())
    }
}
